/*
 * dnsraw: the raw DNS interface, one call, and what its answer says.
 * tests/integ/dns-raw.sh runs it under agentwrap against a name server of
 * the test's own and checks these lines and what the server received.
 *
 *   dnsraw CALL NAME TYPE [PORT]
 *   dnsraw gaia NAME wait|nowait
 *   dnsraw rexec HOST PORT   rexec_af (IPv4) to HOST:PORT: "rexec -1 ERRNO"
 *                            or "rexec ok"
 *   dnsraw ruserok HOST      "ruserok R ERRNO"
 *   dnsraw iruserok USER SUSER  iruserok of 127.0.0.1 for local user
 *                            USER (SUSER 1: as the superuser, which skips
 *                            /etc/hosts.equiv): "iruserok R ERRNO"
 *   dnsraw ruserpass HOST    libc's reader of ~/.netrc: "ruserpass R
 *                            name=N pass=P" or "ruserpass -1 ERRNO"
 *   dnsraw rresvport PORT    "rresvport ok" (a reserved port bound) or
 *                            "rresvport -1 ERRNO"
 *   dnsraw resgh NAME        libresolv's old res_gethostbyname: "resgh
 *                            answered ADDR" or "resgh -1 h_errno=H"
 *
 * DNSCLASS (a number) asks another class than IN; OPCODE (a number) sets
 * the opcode of send's and nsend's message.
 * CALL is query, search, querydomain (NAME is "NAME/DOMAIN"), send,
 * nquery, nsearch, nsend; TYPE is A, AAAA, MX or TXT. With PORT the calls
 * that take a resolver state (and res_send, through _res) are pointed at
 * 127.0.0.1:PORT alone. For send and nsend the query carries an extra
 * additional record, a TXT "exfil-secret", as a program smuggling data
 * would. Prints one line:
 *   CALL answered len=N id=same|differ rcode=R an=K a=ADDR,... txt=T
 *   CALL -1 h_errno=H
 * gaia is getaddrinfo_a of NAME (IPv4), GAI_WAIT, or GAI_NOWAIT with a
 * notification thread that it waits for (5 s at most): "gaia notified"
 * when it came, then "gaia answered gai_error=E a=ADDR,..."; or
 * "gaia -1 rc=RC" when the call failed.
 * Then, when CONNECT_PORT is set and the answer has an A record, tries a
 * TCP connect to the first one on that port: "connect ok" or
 * "connect ERRNO".
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "useserver.h"

static int
skip(const unsigned char *m, int len, int off)
{
	while (off < len) {
		if (m[off] == 0)
			return off + 1;
		if ((m[off] & 0xc0) == 0xc0)
			return off + 2;
		off += 1 + m[off];
	}
	return len + 1;
}

/* Print what the LEN bytes of M say; the first A address into FIRST */
static void
show(const char *call, const unsigned char *m, int len, int qid, char *first,
    size_t firstlen)
{
	char addrs[1024] = "", txt[256] = "", a[64];
	int off = 12, i, n, type, rdlen;

	if (len < 12) {
		printf("%s answered len=%d short\n", call, len);
		return;
	}
	n = m[6] << 8 | m[7];
	for (i = 0; i < (m[4] << 8 | m[5]) && off < len; i++)
		off = skip(m, len, off) + 4;
	for (i = 0;
	     i < n + (m[8] << 8 | m[9]) + (m[10] << 8 | m[11]) && off < len;
	     i++) {
		off = skip(m, len, off);
		if (off + 10 > len)
			break;
		type = m[off] << 8 | m[off + 1];
		rdlen = m[off + 8] << 8 | m[off + 9];
		off += 10;
		if (off + rdlen > len)
			break;
		if (type == 1 && rdlen == 4) {
			inet_ntop(AF_INET, m + off, a, sizeof(a));
			if (*first == '\0')
				snprintf(first, firstlen, "%s", a);
		} else if (type == 28 && rdlen == 16)
			inet_ntop(AF_INET6, m + off, a, sizeof(a));
		else if (type == 16 && rdlen > 0 && m[off] < rdlen) {
			snprintf(txt, sizeof(txt), "%.*s", m[off],
			    (const char *)m + off + 1);
			a[0] = '\0';
		} else
			a[0] = '\0';
		if (a[0] != '\0') {
			if (addrs[0] != '\0')
				strncat(addrs, ",",
				    sizeof(addrs) - strlen(addrs) - 1);
			strncat(addrs, a, sizeof(addrs) - strlen(addrs) - 1);
		}
		off += rdlen;
	}
	printf("%s answered len=%d id=%s rcode=%d an=%d a=%s txt=%s\n", call,
	    len,
	    qid < 0			    ? "none"
		: (m[0] << 8 | m[1]) == qid ? "same"
					    : "differ",
	    m[3] & 0x0f, n, addrs[0] ? addrs : "-", txt[0] ? txt : "-");
}

/* A query for NAME/TYPE with an extra TXT record in the additional
 * section: its length in Q, or -1 */
static int
smuggle(const char *name, int type, unsigned char *q, int cap)
{
	static const unsigned char extra[] = { 0, 0, 16, 0, 1, 0, 0, 0, 0, 0,
		13, 12, 'e', 'x', 'f', 'i', 'l', '-', 's', 'e', 'c', 'r', 'e',
		't' };
	int n = res_mkquery(QUERY, name, C_IN, type, NULL, 0, NULL, q, cap);

	if (n < 0 || n + (int)sizeof(extra) > cap)
		return -1;
	memcpy(q + n, extra, sizeof(extra));
	q[11] = 1; /* ARCOUNT */
	return n + (int)sizeof(extra);
}

/* what binaries built against libresolv long ago call */
struct hostent *old_res_gethostbyname(const char *);
__asm__(".symver old_res_gethostbyname, res_gethostbyname@GLIBC_2.2.5");

int ruserpass(const char *, const char **, const char **);

static sem_t notified;

static void
on_note(union sigval v)
{
	(void)v;
	sem_post(&notified);
}

static int
gaia(const char *name, int nowait, char *first, size_t firstlen)
{
	struct addrinfo hints, *ai;
	struct gaicb req, *list[1];
	struct sigevent sev;
	struct timespec until;
	char addrs[512] = "", a[64];
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	memset(&req, 0, sizeof(req));
	req.ar_name = name;
	req.ar_request = &hints;
	list[0] = &req;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = on_note;
	sem_init(&notified, 0, 0);
	r = getaddrinfo_a(
	    nowait ? GAI_NOWAIT : GAI_WAIT, list, 1, nowait ? &sev : NULL);
	if (r != 0) {
		printf("gaia -1 rc=%d\n", r);
		return 0;
	}
	if (nowait) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		if (sem_timedwait(&notified, &until) == 0)
			printf("gaia notified\n");
	}
	for (ai = req.ar_result; ai != NULL; ai = ai->ai_next) {
		inet_ntop(AF_INET,
		    &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr, a,
		    sizeof(a));
		if (*first == '\0')
			snprintf(first, firstlen, "%s", a);
		if (addrs[0] != '\0')
			strncat(addrs, ",", sizeof(addrs) - strlen(addrs) - 1);
		strncat(addrs, a, sizeof(addrs) - strlen(addrs) - 1);
	}
	printf("gaia answered gai_error=%d a=%s\n", gai_error(&req),
	    addrs[0] ? addrs : "-");
	if (req.ar_result != NULL)
		freeaddrinfo(req.ar_result);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned char ans[4096], q[1024];
	char name[512], first[64] = "", *dom;
	struct __res_state st;
	const char *call, *cp;
	int type, port, r = -1, qlen = 0, qid = -1, klass = C_IN;

	if (argc < 3 ||
	    (argc < 4 && strcmp(argv[1], "ruserok") != 0 &&
		strcmp(argv[1], "resgh") != 0 &&
		strcmp(argv[1], "ruserpass") != 0 &&
		strcmp(argv[1], "rresvport") != 0)) {
		fprintf(stderr, "usage: dnsraw CALL NAME TYPE [PORT]\n");
		return 2;
	}
	call = argv[1];
	snprintf(name, sizeof(name), "%s", argv[2]);
	if (strcmp(call, "iruserok") == 0) {
		errno = 0;
		r = iruserok(htonl(0x7f000001), atoi(argv[3]), "u", name);
		printf("iruserok %d %d\n", r, r == -1 ? errno : 0);
		return 0;
	}
	if (strcmp(call, "rexec") == 0) {
		char *h = name;

		errno = 0;
		r = rexec_af(&h, htons((unsigned short)atoi(argv[3])), "u", "p",
		    "true", NULL, AF_INET);
		if (r >= 0)
			printf("rexec ok\n");
		else
			printf("rexec -1 %d\n", errno);
		return 0;
	}
	if (strcmp(call, "ruserpass") == 0) {
		const char *u = NULL, *pw = NULL;

		errno = 0;
		if ((r = ruserpass(name, &u, &pw)) == -1)
			printf("ruserpass -1 %d\n", errno);
		else
			printf("ruserpass %d name=%s pass=%s\n", r, u ? u : "-",
			    pw ? pw : "-");
		return 0;
	}
	if (strcmp(call, "rresvport") == 0) {
		int rp = atoi(name);

		errno = 0;
		if ((r = rresvport(&rp)) >= 0)
			printf("rresvport ok\n");
		else
			printf("rresvport -1 %d\n", errno);
		return 0;
	}
	if (strcmp(call, "ruserok") == 0) {
		errno = 0;
		r = ruserok(name, 0, "u", "u");
		printf("ruserok %d %d\n", r, errno);
		return 0;
	}
	if (strcmp(call, "resgh") == 0) {
		struct hostent *he;

		h_errno = 0;
		if ((he = old_res_gethostbyname(name)) != NULL &&
		    he->h_addr_list[0] != NULL) {
			inet_ntop(
			    AF_INET, he->h_addr_list[0], first, sizeof(first));
			printf("resgh answered %s\n", first);
		} else
			printf("resgh -1 h_errno=%d\n", h_errno);
		return 0;
	}
	if (getenv("DNSCLASS") != NULL)
		klass = atoi(getenv("DNSCLASS"));
	if (strcmp(call, "gaia") == 0) {
		gaia(
		    name, strcmp(argv[3], "nowait") == 0, first, sizeof(first));
		goto connect;
	}
	type = strcmp(argv[3], "A") == 0   ? T_A
	    : strcmp(argv[3], "AAAA") == 0 ? T_AAAA
	    : strcmp(argv[3], "MX") == 0   ? T_MX
					   : T_TXT;
	port = argc > 4 ? atoi(argv[4]) : 0;
	res_init();
	use_server(&_res, port);
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0)
		return 1;
	use_server(&st, port);
	if (strcmp(call, "send") == 0 || strcmp(call, "nsend") == 0) {
		if ((qlen = smuggle(name, type, q, sizeof(q))) < 0)
			return 1;
		if (getenv("OPCODE") != NULL)
			q[2] = (unsigned char)((q[2] & 0x87) |
			    (atoi(getenv("OPCODE")) & 0x0f) << 3);
		qid = q[0] << 8 | q[1];
	}
	h_errno = 0;
	if (strcmp(call, "query") == 0)
		r = res_query(name, klass, type, ans, sizeof(ans));
	else if (strcmp(call, "search") == 0)
		r = res_search(name, klass, type, ans, sizeof(ans));
	else if (strcmp(call, "querydomain") == 0) {
		if ((dom = strchr(name, '/')) == NULL)
			return 2;
		*dom++ = '\0';
		r = res_querydomain(name, dom, klass, type, ans, sizeof(ans));
	} else if (strcmp(call, "send") == 0)
		r = res_send(q, qlen, ans, sizeof(ans));
	else if (strcmp(call, "nquery") == 0)
		r = res_nquery(&st, name, klass, type, ans, sizeof(ans));
	else if (strcmp(call, "nsearch") == 0)
		r = res_nsearch(&st, name, klass, type, ans, sizeof(ans));
	else if (strcmp(call, "nsend") == 0)
		r = res_nsend(&st, q, qlen, ans, sizeof(ans));
	else
		return 2;
	if (r < 0)
		printf("%s -1 h_errno=%d\n", call, h_errno);
	else
		show(call, ans, r, qid, first, sizeof(first));
	res_nclose(&st);
connect:
	if ((cp = getenv("CONNECT_PORT")) != NULL && first[0] != '\0') {
		struct sockaddr_in sin;
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)atoi(cp));
		inet_pton(AF_INET, first, &sin.sin_addr);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			printf("connect ok\n");
		else
			printf("connect %d\n", errno);
		close(fd);
	}
	return 0;
}
