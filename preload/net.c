/*
 * net.c: the network. connect/sendto/sendmsg to an IP address are OP_CONNECT
 * with the address as text; to a Unix socket path OP_UNIX; bind of an IP
 * address OP_BIND, of a socket path a write of that entry. Name resolution
 * (getaddrinfo, gethostbyname*) is OP_RESOLVE. Where the domain rules
 * judge names (policy_judges_names), the supervisor resolves: it looks the
 * name up with its own resolver state, judges every answer, and hands out
 * the addresses, which it pins (supervisor/dns.h); the answer here is built
 * from those addresses alone, and nothing is looked up in this process (so
 * LOCALDOMAIN, RES_OPTIONS or HOSTALIASES set in the tree cannot change
 * what a name means). A connect to a public address no rule names then
 * asks the supervisor, whose pin table allows it if it was handed out.
 * Elsewhere (the network off, or on without rules) the policy needs no
 * addresses and the real resolver runs here as it would. A denied name
 * fails with EAI_FAIL (NO_RECOVERY); one that does not resolve as it
 * would anyway. The lookups glibc makes on its own resolver, past every
 * hook above, are judged the same way before anything is sent: reverse
 * lookups (the address text as the host), getaddrinfo_a, the raw DNS
 * interface (res_query and friends) and the BSD r-commands (rcmd, rexec,
 * ruserok). Where the supervisor resolves, getaddrinfo_a and the raw DNS
 * interface are answered by it too (nothing is sent from this process),
 * and the r-commands, which connect inside libc, are refused.
 *
 * Runs inside the watched process, in hooks (see shim.h). The resolver hooks
 * call libc's resolver, which allocates; everything else stays on the stack.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <alloca.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <resolv.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsmsg.h"
#include "shim.h"

static int
decide_net(struct shim_call *c, int op, const char *host, int port,
    const struct netaddr *a)
{
	struct pol_request req;
	struct pol_decision d;
	struct judge_obj o;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.cwd = "/";
	req.host = host;
	req.port = port;
	req.fs = &judge_canon_fs;
	shim_decide(&req, &d);
	/* a public address no rule names: the supervisor's pin table may
	 * allow it (handed out for an allowed name); it decides */
	if (op == OP_CONNECT && d.verdict != VERDICT_ALLOW && a != NULL &&
	    strcmp(d.rule, "features.network_proxy.domains") == 0 &&
	    policy_judges_names(shim_policy()))
		d.verdict = VERDICT_ASK;
	memset(&o, 0, sizeof(o));
	o.op = op;
	o.host = host;
	o.addr = a != NULL ? host : NULL;
	o.port = port;
	return judge_finish(c, &o, &d);
}

/* An AF_UNIX address N (sysreq_sockaddr's) */
static int
judge_unix(struct shim_call *c, int op, const struct sysreq_net *n)
{
	char canon[PATH_MAX];
	struct pol_request req;
	struct pol_decision d;
	struct judge_obj o;
	int e;

	if (n->kind == SRN_UNIX_ABSTRACT) {
		if (op == OP_BIND)
			return 0; /* a name only this machine's peers see */
		snprintf(canon, sizeof(canon), "%s", n->path);
	} else {
		if (op == OP_BIND) {
			/* bind makes the socket's entry: a filesystem write,
			 * failing as the kernel fails one (EACCES) */
			c->cls = SHIM_FS;
			e = judge_path(c, OP_WRITE, AT_FDCWD, n->path, J_ENTRY);
			c->cls = SHIM_NET;
			return e;
		}
		if ((e = judge_canon(c, AT_FDCWD, n->path, J_FOLLOW, canon)) !=
		    0)
			return e < 0 ? 0 : e;
	}
	memset(&req, 0, sizeof(req));
	req.op = OP_UNIX;
	req.cwd = "/";
	req.path = canon;
	req.port = -1;
	req.fs = &judge_canon_fs;
	shim_decide(&req, &d);
	memset(&o, 0, sizeof(o));
	o.op = OP_UNIX;
	o.path = canon;
	o.port = -1;
	return judge_finish(c, &o, &d);
}

int
judge_sockaddr(struct shim_call *c, int op, const struct sockaddr *sa,
    socklen_t len, int how)
{
	struct sysreq_net n;

	sysreq_sockaddr(sa, len, how, &n);
	switch (n.kind) {
	case SRN_INET:
		return decide_net(c, op, n.host, n.port, &n.a);
	case SRN_UNIX_PATH:
	case SRN_UNIX_ABSTRACT:
		return judge_unix(c, op, &n);
	case SRN_OTHER:
		return decide_net(c, op, n.host, -1, NULL);
	}
	return 0;
}

/* Name resolution */

enum { RK_GAI, RK_HOSTENT, RK_HOSTENT_R };

/* At most as many addresses as the supervisor hands out (DNS_MAX_ADDRS),
 * and room for its answer: the addresses, the rule and the sentence */
#define MAX_HANDED 32
#define ANSWER_MAX 4096

struct resolve_ctx {
	int kind;
	int called; /* the real resolver ran */
	int ok; /* and found the name */
	const char *node;
	/* getaddrinfo */
	const char *service;
	const struct addrinfo *hints;
	struct addrinfo *res;
	int rc;
	/* gethostbyname, gethostbyname2 and their _r forms */
	int two; /* the "2" form, with af */
	int af;
	struct hostent *he;
	struct hostent *ret;
	char *buf;
	size_t buflen;
	int herr;
	/* resolve only if the policy needs the addresses (the caller does
	 * its own lookup afterwards) */
	int lazy;
	/* the supervisor resolved: the addresses it handed out */
	int remote;
	int nores; /* it said the name does not resolve */
	struct netaddr raddrs[MAX_HANDED];
	size_t nr;
};

static void
do_resolve(struct resolve_ctx *k)
{
	struct hostent *res = NULL;

	if (k->called)
		return;
	k->called = 1;
	shim_guard++; /* the resolver's own files and sockets are its own */
	switch (k->kind) {
	case RK_GAI:
		k->rc =
		    REAL(getaddrinfo)(k->node, k->service, k->hints, &k->res);
		k->ok = k->rc == 0;
		break;
	case RK_HOSTENT:
		k->he = !k->two ? REAL(gethostbyname)(k->node)
				: REAL(gethostbyname2)(k->node, k->af);
		k->herr = h_errno;
		k->ok = k->he != NULL;
		break;
	case RK_HOSTENT_R:
		k->rc = !k->two ? REAL(gethostbyname_r)(k->node, k->ret, k->buf,
				      k->buflen, &res, &k->herr)
				: REAL(gethostbyname2_r)(k->node, k->af, k->ret,
				      k->buf, k->buflen, &res, &k->herr);
		k->he = res;
		k->ok = k->rc == 0 && res != NULL;
		break;
	}
	shim_guard--;
}

static size_t
add_addr(
    struct netaddr *out, size_t n, size_t max, int family, const void *bytes)
{
	struct netaddr a;
	size_t i;

	if (n >= max || (family != AF_INET && family != AF_INET6))
		return n;
	memset(&a, 0, sizeof(a));
	a.family = family;
	memcpy(a.addr, bytes, family == AF_INET ? 4 : 16);
	for (i = 0; i < n; i++)
		if (netaddr_equal(&out[i], &a))
			return n;
	out[n] = a;
	return n + 1;
}

/* Every address the real answer holds, at most MAX */
static size_t
answer_addrs(const struct resolve_ctx *k, struct netaddr *out, size_t max)
{
	const struct addrinfo *ai;
	size_t n = 0;
	char **p;

	if (!k->ok)
		return 0;
	if (k->kind == RK_GAI) {
		for (ai = k->res; ai != NULL; ai = ai->ai_next) {
			if (ai->ai_family == AF_INET &&
			    ai->ai_addrlen >= sizeof(struct sockaddr_in))
				n = add_addr(out, n, max, AF_INET,
				    &((const struct sockaddr_in *)ai->ai_addr)
					 ->sin_addr);
			else if (ai->ai_family == AF_INET6 &&
			    ai->ai_addrlen >= sizeof(struct sockaddr_in6))
				n = add_addr(out, n, max, AF_INET6,
				    &((const struct sockaddr_in6 *)ai->ai_addr)
					 ->sin6_addr);
		}
		return n;
	}
	if (k->he->h_length != (k->he->h_addrtype == AF_INET ? 4 : 16))
		return 0;
	for (p = k->he->h_addr_list; p != NULL && *p != NULL; p++)
		n = add_addr(out, n, max, k->he->h_addrtype, *p);
	return n;
}

static int
resolve_cb(void *ctx, const char *name, struct netaddr *out, size_t max)
{
	struct resolve_ctx *k = ctx;

	(void)name;
	do_resolve(k);
	if (!k->ok)
		return k->kind == RK_GAI && k->rc != EAI_NONAME &&
			k->rc != EAI_NODATA
		    ? -1
		    : 0;
	return (int)answer_addrs(k, out, max);
}

/* A host given as an IP literal resolves to itself: nothing to judge */
static int
is_literal(const char *node, const struct addrinfo *hints)
{
	struct netaddr a;

	return (hints != NULL && (hints->ai_flags & AI_NUMERICHOST)) ||
	    netaddr_parse_ip(node, &a) == 0;
}

static int
service_port(const char *service)
{
	long v = 0;

	if (service == NULL || *service == '\0')
		return -1;
	for (; *service != '\0'; service++) {
		if (*service < '0' || *service > '9' || v > 65535)
			return -1;
		v = v * 10 + (*service - '0');
	}
	return v <= 65535 ? (int)v : -1;
}

/*
 * Where names are judged: the supervisor resolves K's name and judges it
 * (it records and reports the verdict). 0 with its addresses in K (none
 * under --audit-only: then the real resolver runs here), or the errno.
 */
static int
remote_resolve(struct shim_call *c, struct resolve_ctx *k, int port)
{
	uint8_t *ans = alloca(ANSWER_MAX);
	struct judge_obj o;
	struct aw_msg am;
	uint32_t i;
	int n, v = VERDICT_DENY;

	memset(&o, 0, sizeof(o));
	o.op = OP_RESOLVE;
	o.host = k->node;
	o.port = port;
	if ((n = judge_resolve_ask(c, &o, ans, ANSWER_MAX, &v)) < 0) {
		shim_fail_closed("the supervisor is gone");
		return shim_fail_errno(c->cls);
	}
	/* the answer is the supervisor's; one that does not decode (cut
	 * short) is a denial all the same */
	if (msg_decode(ans, (size_t)n, &am) == -1)
		return shim_fail_errno(c->cls);
	k->remote = 1;
	if (v != VERDICT_ALLOW) {
		k->nores = am.rule != NULL && strcmp(am.rule, "dns") == 0;
		return shim_fail_errno(c->cls);
	}
	for (i = 0; i < am.argc && k->nr < MAX_HANDED; i++)
		if (netaddr_parse_ip(am.argv[i], &k->raddrs[k->nr]) == 0)
			k->nr++;
	if (k->nr == 0 && shim.audit_only)
		k->remote = 0; /* nothing enforced: resolve as usual */
	return 0;
}

/*
 * Judge the resolution K describes (entered). 0: give the caller the
 * supervisor's addresses (K->remote) or the real answer (resolved here if
 * the policy did not); else the errno.
 */
static int
judge_resolve(struct shim_call *c, struct resolve_ctx *k, int port)
{
	struct pol_request req;
	struct pol_decision d;
	struct judge_obj o;
	int e;

	if (policy_judges_names(shim_policy())) {
		if ((e = remote_resolve(c, k, port)) != 0)
			return e;
		if (!k->remote && !k->lazy)
			do_resolve(k);
		return 0;
	}
	memset(&req, 0, sizeof(req));
	req.op = OP_RESOLVE;
	req.cwd = "/";
	req.host = k->node;
	req.port = port;
	req.fs = &judge_canon_fs;
	req.resolve = resolve_cb;
	req.resolve_ctx = k;
	shim_decide(&req, &d);
	memset(&o, 0, sizeof(o));
	o.op = OP_RESOLVE;
	o.host = k->node;
	o.port = port;
	if ((e = judge_finish(c, &o, &d)) != 0)
		return e;
	if (!k->lazy)
		do_resolve(k);
	return 0;
}

/*
 * getaddrinfo's answer from the addresses K holds (the supervisor's): each
 * one through the real getaddrinfo as a numeric host, with the caller's
 * service and hints, so the list is glibc's own (freeaddrinfo frees it).
 * 0, or the EAI_ error.
 */
static int
gai_from(const struct resolve_ctx *k, struct addrinfo **res)
{
	struct addrinfo h, *head = NULL, **tail = &head, *r;
	char txt[NETADDR_STRLEN];
	int rc = EAI_NONAME, e;
	size_t i;

	if (k->hints != NULL)
		h = *k->hints;
	else {
		/* what glibc takes NULL hints to mean */
		memset(&h, 0, sizeof(h));
		h.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG;
	}
	h.ai_flags = (h.ai_flags | AI_NUMERICHOST) & ~AI_CANONNAME;
	shim_guard++; /* /etc/services and gai.conf are glibc's reads */
	for (i = 0; i < k->nr; i++) {
		netaddr_format(&k->raddrs[i], txt, sizeof(txt));
		if ((e = REAL(getaddrinfo)(txt, k->service, &h, &r)) != 0) {
			/* another family than asked for: not an error */
			if (e != EAI_NONAME && e != EAI_ADDRFAMILY &&
			    e != EAI_NODATA)
				rc = e;
			continue;
		}
		*tail = r;
		while (r->ai_next != NULL)
			r = r->ai_next;
		tail = &r->ai_next;
	}
	shim_guard--;
	if (head == NULL)
		return rc;
	if (k->hints != NULL && (k->hints->ai_flags & AI_CANONNAME) &&
	    (head->ai_canonname = strdup(k->node)) == NULL) {
		freeaddrinfo(head);
		return EAI_MEMORY;
	}
	*res = head;
	return 0;
}

/*
 * A hostent for K's addresses of family AF (the supervisor's), laid out in
 * BUF: 0; ERANGE if BUFLEN is too small; HOST_NOT_FOUND or NO_DATA (an
 * h_errno) if there is none, or none of AF.
 */
static int
hostent_from(const struct resolve_ctx *k, int af, struct hostent *he, char *buf,
    size_t buflen)
{
	size_t alen = af == AF_INET ? 4 : 16, nm = strlen(k->node) + 1;
	size_t n = 0, i, j = 0, off;
	char **list, *p;

	if (k->nr == 0)
		return -HOST_NOT_FOUND;
	for (i = 0; i < k->nr; i++)
		n += k->raddrs[i].family == af;
	if (n == 0 || (af != AF_INET && af != AF_INET6))
		return -NO_DATA;
	off = (sizeof(char *) - ((uintptr_t)buf % sizeof(char *))) %
	    sizeof(char *);
	if (buflen < off ||
	    buflen - off < (n + 2) * sizeof(char *) + n * alen + nm)
		return ERANGE;
	list = (char **)(void *)(buf + off);
	list[0] = NULL; /* no aliases */
	p = (char *)(list + n + 2);
	for (i = 0; i < k->nr; i++)
		if (k->raddrs[i].family == af) {
			memcpy(p, k->raddrs[i].addr, alen);
			list[1 + j++] = p;
			p += alen;
		}
	list[1 + n] = NULL;
	memcpy(p, k->node, nm);
	he->h_name = p;
	he->h_aliases = list;
	he->h_addrtype = af;
	he->h_length = (int)alen;
	he->h_addr_list = list + 1;
	return 0;
}

SHIM_EXPORT int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	struct resolve_ctx k;
	struct shim_call c;
	int e;

	if (!READY(getaddrinfo))
		return EAI_SYSTEM;
	switch (shim_enter(&c, "getaddrinfo", SHIM_NET)) {
	case SHIM_PASS:
		return REAL(getaddrinfo)(node, service, hints, res);
	case SHIM_JUDGE:
		break;
	default:
		return EAI_FAIL;
	}
	if (node == NULL || is_literal(node, hints)) {
		shim_leave(&c, 0);
		return REAL(getaddrinfo)(node, service, hints, res);
	}
	memset(&k, 0, sizeof(k));
	k.kind = RK_GAI;
	k.node = node;
	k.service = service;
	k.hints = hints;
	e = judge_resolve(&c, &k, service_port(service));
	shim_leave(&c, 0);
	if (e != 0) {
		if (k.called && k.rc == 0)
			freeaddrinfo(k.res);
		/* a name that does not resolve fails as it would anyway */
		if (k.nores)
			return EAI_NONAME;
		return k.called && k.rc != 0 ? k.rc : EAI_FAIL;
	}
	if (k.remote)
		return gai_from(&k, res);
	if (k.rc == 0)
		*res = k.res;
	return k.rc;
}

static struct hostent *
hostent_hook(const char *call, const char *name, int two, int af)
{
	/* gethostbyname's answer is static, as glibc's is */
	static struct hostent he;
	static char hebuf[2048];
	struct resolve_ctx k;
	struct shim_call c;
	int e;

	switch (shim_enter(&c, call, SHIM_NET)) {
	case SHIM_PASS:
		return !two ? REAL(gethostbyname)(name)
			    : REAL(gethostbyname2)(name, af);
	case SHIM_JUDGE:
		break;
	default:
		h_errno = NO_RECOVERY;
		return NULL;
	}
	if (name == NULL || is_literal(name, NULL)) {
		shim_leave(&c, 0);
		return !two ? REAL(gethostbyname)(name)
			    : REAL(gethostbyname2)(name, af);
	}
	memset(&k, 0, sizeof(k));
	k.kind = RK_HOSTENT;
	k.node = name;
	k.two = two;
	k.af = af;
	e = judge_resolve(&c, &k, -1);
	shim_leave(&c, e);
	if (e != 0) {
		h_errno = k.nores	? HOST_NOT_FOUND
		    : k.called && !k.ok ? k.herr
					: NO_RECOVERY;
		return NULL;
	}
	if (k.remote) {
		if ((e = hostent_from(&k, two ? af : AF_INET, &he, hebuf,
			 sizeof(hebuf))) != 0) {
			h_errno = e < 0 ? -e : NO_RECOVERY;
			return NULL;
		}
		return &he;
	}
	if (!k.ok)
		h_errno = k.herr;
	return k.he;
}

SHIM_EXPORT struct hostent *
gethostbyname(const char *name)
{
	if (!READY(gethostbyname)) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	return hostent_hook("gethostbyname", name, 0, AF_INET);
}

SHIM_EXPORT struct hostent *
gethostbyname2(const char *name, int af)
{
	if (!READY(gethostbyname2) || !READY(gethostbyname)) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	return hostent_hook("gethostbyname2", name, 1, af);
}

static int
hostent_r_hook(const char *call, const char *name, int two, int af,
    struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
    int *h_errnop)
{
	struct resolve_ctx k;
	struct shim_call c;
	int e, r;

	switch (shim_enter(&c, call, SHIM_NET)) {
	case SHIM_PASS:
		return !two ? REAL(gethostbyname_r)(
				  name, ret, buf, buflen, result, h_errnop)
			    : REAL(gethostbyname2_r)(
				  name, af, ret, buf, buflen, result, h_errnop);
	case SHIM_JUDGE:
		break;
	default:
		*result = NULL;
		*h_errnop = NO_RECOVERY;
		return EPERM;
	}
	if (name == NULL || is_literal(name, NULL)) {
		shim_leave(&c, 0);
		return !two ? REAL(gethostbyname_r)(
				  name, ret, buf, buflen, result, h_errnop)
			    : REAL(gethostbyname2_r)(
				  name, af, ret, buf, buflen, result, h_errnop);
	}
	memset(&k, 0, sizeof(k));
	k.kind = RK_HOSTENT_R;
	k.node = name;
	k.two = two;
	k.af = af;
	k.ret = ret;
	k.buf = buf;
	k.buflen = buflen;
	e = judge_resolve(&c, &k, -1);
	r = k.rc;
	shim_leave(&c, 0);
	if (e != 0) {
		*result = NULL;
		if (k.nores) {
			*h_errnop = HOST_NOT_FOUND;
			return 0;
		}
		*h_errnop = k.called && !k.ok ? k.herr : NO_RECOVERY;
		return k.called && !k.ok && r != 0 ? r : EPERM;
	}
	if (k.remote) {
		*result = NULL;
		if ((e = hostent_from(
			 &k, two ? af : AF_INET, ret, buf, buflen)) == ERANGE) {
			*h_errnop = NETDB_INTERNAL;
			return ERANGE;
		}
		if (e != 0) {
			*h_errnop = -e;
			return 0;
		}
		*result = ret;
		*h_errnop = 0;
		return 0;
	}
	*result = k.he;
	*h_errnop = k.herr;
	return r;
}

SHIM_EXPORT int
gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
    struct hostent **result, int *h_errnop)
{
	if (!READY(gethostbyname_r)) {
		*result = NULL;
		*h_errnop = NO_RECOVERY;
		return ENOSYS;
	}
	return hostent_r_hook("gethostbyname_r", name, 0, AF_INET, ret, buf,
	    buflen, result, h_errnop);
}

SHIM_EXPORT int
gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	if (!READY(gethostbyname2_r) || !READY(gethostbyname_r)) {
		*result = NULL;
		*h_errnop = NO_RECOVERY;
		return ENOSYS;
	}
	return hostent_r_hook("gethostbyname2_r", name, 1, af, ret, buf, buflen,
	    result, h_errnop);
}

SHIM_EXPORT int
sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	struct shim_call c;
	unsigned int i;
	int e = 0;

	if (!READY(sendmmsg)) {
		errno = ENOSYS;
		return -1;
	}
	switch (shim_enter(&c, "sendmmsg", SHIM_NET)) {
	case SHIM_PASS:
		return REAL(sendmmsg)(fd, vec, vlen, flags);
	case SHIM_JUDGE:
		break;
	default:
		return -1;
	}
	/* all or nothing: one denied destination fails the whole call */
	for (i = 0; vec != NULL && i < vlen && e == 0; i++)
		e = judge_sockaddr(&c, OP_CONNECT,
		    (const struct sockaddr *)vec[i].msg_hdr.msg_name,
		    vec[i].msg_hdr.msg_namelen, SR_SEND);
	if (shim_leave(&c, e))
		return -1;
	return REAL(sendmmsg)(fd, vec, vlen, flags);
}

/*
 * Lookups that glibc runs on its own resolver, past every hook above:
 * reverse lookups (gethostbyaddr, getnameinfo), getaddrinfo_a and the raw
 * DNS interface (res_*). Each is judged as OP_RESOLVE before anything is
 * sent: a reverse lookup as its address text, a query as the name it asks
 * for. A denied lookup sends nothing and fails as the function fails when
 * no name server answers (NO_RECOVERY, EAI_FAIL).
 */

/* Judge a lookup of HOST (entered): 0, or the errno to fail with */
static int
judge_name(struct shim_call *c, const char *host, int port)
{
	struct addrinfo hints;
	struct resolve_ctx k;
	int e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	memset(&k, 0, sizeof(k));
	k.kind = RK_GAI;
	k.lazy = 1; /* the caller's own lookup follows */
	k.node = host;
	k.hints = &hints;
	e = judge_resolve(c, &k, port);
	if (k.called && k.rc == 0)
		freeaddrinfo(k.res);
	return e;
}

/* ADDR, LEN bytes of family AF, as text into TXT; -1 if no IP address */
static int
addr_text(const void *addr, socklen_t len, int af, char *txt, size_t n)
{
	struct netaddr a;

	memset(&a, 0, sizeof(a));
	if (addr == NULL)
		return -1;
	if (af == AF_INET && len >= 4)
		memcpy(a.addr, addr, 4);
	else if (af == AF_INET6 && len >= 16)
		memcpy(a.addr, addr, 16);
	else
		return -1; /* libc fails it without a lookup */
	a.family = af;
	netaddr_format(&a, txt, n);
	return 0;
}

SHIM_EXPORT struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int type)
{
	char txt[NETADDR_STRLEN];
	struct shim_call c;
	struct hostent *he;
	int e = 0;

	if (!READY(gethostbyaddr)) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	switch (shim_enter(&c, "gethostbyaddr", SHIM_NET)) {
	case SHIM_PASS:
		return REAL(gethostbyaddr)(addr, len, type);
	case SHIM_JUDGE:
		break;
	default:
		h_errno = NO_RECOVERY;
		return NULL;
	}
	if (addr_text(addr, len, type, txt, sizeof(txt)) == 0)
		e = judge_name(&c, txt, -1);
	if (shim_leave(&c, e)) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	shim_guard++; /* the resolver's own files and sockets are its own */
	he = REAL(gethostbyaddr)(addr, len, type);
	shim_guard--;
	return he;
}

SHIM_EXPORT int
gethostbyaddr_r(const void *addr, socklen_t len, int type, struct hostent *ret,
    char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
	char txt[NETADDR_STRLEN];
	struct shim_call c;
	int e = 0, r;

	if (!READY(gethostbyaddr_r)) {
		*result = NULL;
		*h_errnop = NO_RECOVERY;
		return ENOSYS;
	}
	switch (shim_enter(&c, "gethostbyaddr_r", SHIM_NET)) {
	case SHIM_PASS:
		return REAL(gethostbyaddr_r)(
		    addr, len, type, ret, buf, buflen, result, h_errnop);
	case SHIM_JUDGE:
		break;
	default:
		*result = NULL;
		*h_errnop = NO_RECOVERY;
		return EPERM;
	}
	if (addr_text(addr, len, type, txt, sizeof(txt)) == 0)
		e = judge_name(&c, txt, -1);
	if (shim_leave(&c, e)) {
		*result = NULL;
		*h_errnop = h_errno = NO_RECOVERY; /* python reads h_errno */
		return e;
	}
	shim_guard++;
	r = REAL(gethostbyaddr_r)(
	    addr, len, type, ret, buf, buflen, result, h_errnop);
	shim_guard--;
	return r;
}

/*
 * getnameinfo looks the address up only for a host name (HOST given, no
 * NI_NUMERICHOST). Denied, it answers as when no name is found: the
 * address in numeric form, or EAI_FAIL under NI_NAMEREQD.
 */
SHIM_EXPORT int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	char txt[NETADDR_STRLEN];
	struct shim_call c;
	int e = 0, r;

	if (!READY(getnameinfo))
		return EAI_SYSTEM;
	switch (shim_enter(&c, "getnameinfo", SHIM_NET)) {
	case SHIM_PASS:
		return REAL(getnameinfo)(
		    sa, salen, host, hostlen, serv, servlen, flags);
	case SHIM_JUDGE:
		break;
	default:
		return EAI_FAIL;
	}
	if (sa != NULL && host != NULL && hostlen > 0 &&
	    !(flags & NI_NUMERICHOST)) {
		if (sa->sa_family == AF_INET &&
		    salen >= sizeof(struct sockaddr_in) &&
		    addr_text(&((const struct sockaddr_in *)sa)->sin_addr, 4,
			AF_INET, txt, sizeof(txt)) == 0)
			e = judge_name(&c, txt, -1);
		else if (sa->sa_family == AF_INET6 &&
		    salen >= sizeof(struct sockaddr_in6) &&
		    addr_text(&((const struct sockaddr_in6 *)sa)->sin6_addr, 16,
			AF_INET6, txt, sizeof(txt)) == 0)
			e = judge_name(&c, txt, -1);
	}
	if (e != 0 && (flags & NI_NAMEREQD)) {
		shim_leave(&c, e);
		return EAI_FAIL;
	}
	shim_leave(&c, 0);
	if (e != 0)
		flags |= NI_NUMERICHOST;
	shim_guard++;
	r = REAL(getnameinfo)(sa, salen, host, hostlen, serv, servlen, flags);
	shim_guard--;
	return r;
}

/*
 * getaddrinfo_a where the supervisor resolves: each request is answered
 * here, at once, by the getaddrinfo above (the supervisor's addresses,
 * pinned; nothing looked up in this process), so gai_error gives its
 * result as soon as the call returns, for GAI_NOWAIT too, whose
 * notification then follows (a signal by sigqueue, or a thread). The call
 * takes as long as the lookups do.
 */
struct gai_note {
	void (*fn)(union sigval);
	union sigval v;
};

static void *
gai_note_run(void *arg)
{
	struct gai_note n = *(struct gai_note *)arg;

	free(arg);
	n.fn(n.v);
	return NULL;
}

static void
gai_notify(const struct sigevent *sig)
{
	pthread_attr_t own, *attr;
	struct gai_note *n;
	pthread_t t;

	if (sig == NULL)
		return;
	if (sig->sigev_notify == SIGEV_SIGNAL)
		sigqueue(getpid(), sig->sigev_signo, sig->sigev_value);
	else if (sig->sigev_notify == SIGEV_THREAD &&
	    sig->sigev_notify_function != NULL &&
	    (n = malloc(sizeof(*n))) != NULL) {
		n->fn = sig->sigev_notify_function;
		n->v = sig->sigev_value;
		/* as glibc: the caller's attributes, else a detached thread */
		if ((attr = sig->sigev_notify_attributes) == NULL) {
			pthread_attr_init(&own);
			pthread_attr_setdetachstate(
			    &own, PTHREAD_CREATE_DETACHED);
			attr = &own;
		}
		if (pthread_create(&t, attr, gai_note_run, n) != 0)
			free(n);
		if (attr == &own)
			pthread_attr_destroy(&own);
	}
}

static int
gai_here(int mode, struct gaicb *list[], int ent, const struct sigevent *sig)
{
	int i, asked = 0, denied = 0;

	for (i = 0; i < ent; i++) {
		if (list[i] == NULL)
			continue;
		asked++;
		list[i]->ar_result = NULL;
		list[i]->__return =
		    getaddrinfo(list[i]->ar_name, list[i]->ar_service,
			list[i]->ar_request, &list[i]->ar_result);
		if (list[i]->__return == EAI_FAIL)
			denied++;
	}
	if (asked > 0 && denied == asked)
		return EAI_FAIL; /* as below */
	if (mode == GAI_NOWAIT)
		gai_notify(sig);
	return 0;
}

/*
 * getaddrinfo_a: each request judged as getaddrinfo judges it. Where the
 * supervisor resolves, answered here (gai_here). Elsewhere a denied one
 * is not handed to libc: it is complete at once, with EAI_FAIL (what
 * gai_error returns) and no result; the others go on as asked. When every
 * request is denied the call itself fails with EAI_FAIL, so that nobody
 * waits for a notification that would never come.
 */
SHIM_EXPORT int
getaddrinfo_a(int mode, struct gaicb *list[], int ent, struct sigevent *sig)
{
	struct gaicb **mine;
	struct shim_call c;
	int i, asked = 0, denied = 0;

	if (!READY(getaddrinfo_a))
		return EAI_SYSTEM;
	switch (shim_enter(&c, "getaddrinfo_a", SHIM_NET)) {
	case SHIM_PASS:
		return REAL(getaddrinfo_a)(mode, list, ent, sig);
	case SHIM_JUDGE:
		break;
	default:
		return EAI_SYSTEM; /* errno says why */
	}
	if (list == NULL || ent <= 0 || ent > 65536 ||
	    (mode != GAI_WAIT && mode != GAI_NOWAIT)) {
		shim_leave(&c, 0);
		return REAL(getaddrinfo_a)(mode, list, ent, sig);
	}
	if (policy_judges_names(shim_policy()) && !shim.audit_only) {
		shim_leave(&c, 0);
		return gai_here(mode, list, ent, sig);
	}
	mine = alloca((size_t)ent * sizeof(*mine)); /* as libc's own */
	for (i = 0; i < ent; i++) {
		mine[i] = list[i];
		if (list[i] == NULL)
			continue;
		asked++;
		if (list[i]->ar_name == NULL ||
		    is_literal(list[i]->ar_name, list[i]->ar_request) ||
		    judge_name(&c, list[i]->ar_name,
			service_port(list[i]->ar_service)) == 0)
			continue;
		list[i]->ar_result = NULL;
		list[i]->__return = EAI_FAIL;
		mine[i] = NULL;
		denied++;
	}
	shim_leave(&c, 0);
	if (asked > 0 && denied == asked)
		return EAI_FAIL;
	return REAL(getaddrinfo_a)(mode, mine, ent, sig);
}

/* The raw DNS interface */

/* res_serve: not served here, call the real function */
#define RES_GO (-2)

/* Fail a res_* call with H (h_errno, and STATP's) and errno E: -1 */
static int
res_fail(res_state statp, int h, int e)
{
	h_errno = h;
	if (statp != NULL)
		statp->res_h_errno = h;
	errno = e;
	return -1;
}

/*
 * The answer AM->dns to a raw query, into ANSWER (ANSLEN bytes; a longer
 * one is cut, with TC set): its length, or for the query forms (not
 * SEND), -1 with h_errno as glibc sets it when the answer says the name
 * has no such data (NXDOMAIN, SERVFAIL, no answer records).
 */
static int
res_copy(res_state statp, const struct aw_msg *am, int send,
    unsigned char *answer, int anslen)
{
	size_t n = am->dns_len;
	int rc, an;

	if (answer == NULL || anslen < DNSMSG_HDR)
		return res_fail(statp, NO_RECOVERY, EMSGSIZE);
	if (n > (size_t)anslen)
		n = (size_t)anslen;
	memcpy(answer, am->dns, n);
	if (n < am->dns_len)
		answer[2] |= 0x02; /* TC: truncated */
	if (send)
		return (int)n;
	rc = dnsmsg_rcode(am->dns);
	an = dnsmsg_ancount(am->dns);
	if (rc == DNSMSG_NOERROR && an > 0)
		return (int)n;
	return res_fail(statp,
	    rc == DNSMSG_NXDOMAIN	? HOST_NOT_FOUND
		: rc == DNSMSG_SERVFAIL ? TRY_AGAIN
		: rc == DNSMSG_NOERROR	? NO_DATA
					: NO_RECOVERY,
	    rc == DNSMSG_NOERROR || rc == DNSMSG_NXDOMAIN ? ENOENT
							  : ECONNREFUSED);
}

/*
 * One res_* call (CALL) asking for NAME, or NAME.DOMAIN, of CLASS and
 * TYPE, or (NAME NULL) the question of MSG. The name is judged first (a
 * lookup of it, asked if the policy asks). Where the supervisor resolves
 * (policy_judges_names), it answers the query too: the query is made
 * again here from the question alone (nothing else a caller put in MSG
 * goes anywhere), the supervisor asks its own name servers and judges
 * every address in the answer (handlers.c), and nothing is sent from this
 * process, so the caller's resolver state (its server list, LOCALDOMAIN,
 * RES_OPTIONS, the search list) plays no part; res_search asks for the
 * name as given. Returns the call's result, or RES_GO: go on with the real
 * function (names not judged, or nothing enforced). A denied call fails
 * with h_errno (and STATP's) NO_RECOVERY and errno set; one no name server
 * answered with TRY_AGAIN.
 */
static int
res_serve(const char *call, res_state statp, const char *name,
    const char *domain, const unsigned char *msg, int msglen, int klass,
    int type, unsigned char *answer, int anslen)
{
	uint8_t q[DNSMSG_QUERY_MAX], *ans;
	char buf[NS_MAXDNAME + 1];
	struct shim_call c;
	struct dnsmsg_q qq;
	struct judge_obj o;
	struct aw_msg am;
	int e, n, ql, v = VERDICT_DENY, id = 0;

	switch (shim_enter(&c, call, SHIM_NET)) {
	case SHIM_PASS:
		return RES_GO;
	case SHIM_JUDGE:
		break;
	default:
		return res_fail(statp, NO_RECOVERY, errno);
	}
	if (name == NULL) {
		/* an unreadable question is judged as a name that never
		 * resolves: it goes out only where the network is open */
		/* (nor is a message that is not a QUERY, an UPDATE...:
		 * nothing here would serve it) */
		if (msglen < 0 ||
		    dnsmsg_question(msg, (size_t)msglen, &qq) == -1 ||
		    (msg[2] >> 3 & 0x0f) != 0) {
			snprintf(
			    buf, sizeof(buf), "unreadable-dns-query.invalid");
			klass = type = -1;
		} else {
			snprintf(buf, sizeof(buf), "%s", qq.name);
			klass = qq.klass;
			type = qq.type;
			id = msg[0] << 8 | msg[1];
		}
		name = buf;
	} else if (domain != NULL) {
		n = snprintf(buf, sizeof(buf), "%s.%s", name, domain);
		if (n < 0 || (size_t)n >= sizeof(buf)) {
			shim_leave(&c, EMSGSIZE); /* as libc fails it */
			return res_fail(statp, NO_RECOVERY, EMSGSIZE);
		}
		name = buf;
	}
	if ((e = judge_name(&c, name, -1)) != 0) {
		shim_leave(&c, e);
		return res_fail(statp, NO_RECOVERY, e);
	}
	if (!policy_judges_names(shim_policy()) || shim.audit_only) {
		shim_leave(&c, 0);
		return RES_GO;
	}
	if (klass < 0 || klass > 0xffff || type < 0 || type > 0xffff ||
	    (ql = dnsmsg_query(q, sizeof(q), (uint16_t)id, name, (uint16_t)type,
		 (uint16_t)klass)) < 0) {
		shim_leave(&c, EMSGSIZE); /* as res_mkquery fails it */
		return res_fail(statp, NO_RECOVERY, EMSGSIZE);
	}
	memset(&o, 0, sizeof(o));
	o.op = OP_RESOLVE;
	o.host = name;
	o.port = -1;
	o.dns = q;
	o.dns_len = (size_t)ql;
	ans = alloca(DNSMSG_MAX + 1024);
	if ((n = judge_resolve_ask(&c, &o, ans, DNSMSG_MAX + 1024, &v)) < 0) {
		shim_fail_closed("the supervisor is gone");
		e = shim_fail_errno(c.cls);
		shim_leave(&c, e);
		return res_fail(statp, NO_RECOVERY, e);
	}
	/* the answer is the supervisor's; one that does not decode (cut
	 * short) is a refusal all the same */
	if (msg_decode(ans, (size_t)n, &am) == -1 || am.dns == NULL ||
	    am.dns_len < DNSMSG_HDR)
		v = VERDICT_DENY;
	if (v != VERDICT_ALLOW) {
		e = shim_fail_errno(c.cls);
		shim_leave(&c, e);
		if (am.rule != NULL && strcmp(am.rule, AW_RULE_NO_ANSWER) == 0)
			return res_fail(statp, TRY_AGAIN, ETIMEDOUT);
		return res_fail(statp, NO_RECOVERY, e);
	}
	shim_leave(&c, 0);
	return res_copy(statp, &am, msg != NULL, answer, anslen);
}

/* Serve the call, or call the real resolver function with the guard
 * held (see do_resolve) */
#define RES_SERVE(name, statp, dname, domain, msg, msglen, klass, type,        \
    answer, anslen, args)                                                      \
	do {                                                                   \
		int r_ = res_serve(#name, statp, dname, domain, msg, msglen,   \
		    klass, type, answer, anslen);                              \
                                                                               \
		if (r_ != RES_GO)                                              \
			return r_;                                             \
		shim_guard++;                                                  \
		r_ = REAL(name) args;                                          \
		shim_guard--;                                                  \
		return r_;                                                     \
	} while (0)

#define RES_READY(name, statp)                                                 \
	do {                                                                   \
		if (!READY(name)) {                                            \
			h_errno = NO_RECOVERY;                                 \
			if ((statp) != NULL)                                   \
				((res_state)(statp))->res_h_errno =            \
				    NO_RECOVERY;                               \
			errno = ENOSYS;                                        \
			return -1;                                             \
		}                                                              \
	} while (0)

SHIM_EXPORT int
res_query(
    const char *dname, int class, int type, unsigned char *answer, int anslen)
{
	RES_READY(res_query, NULL);
	RES_SERVE(res_query, NULL, dname, NULL, NULL, 0, class, type, answer,
	    anslen, (dname, class, type, answer, anslen));
}

SHIM_EXPORT int
res_search(
    const char *dname, int class, int type, unsigned char *answer, int anslen)
{
	RES_READY(res_search, NULL);
	RES_SERVE(res_search, NULL, dname, NULL, NULL, 0, class, type, answer,
	    anslen, (dname, class, type, answer, anslen));
}

SHIM_EXPORT int
res_querydomain(const char *name, const char *domain, int class, int type,
    unsigned char *answer, int anslen)
{
	RES_READY(res_querydomain, NULL);
	RES_SERVE(res_querydomain, NULL, name, domain, NULL, 0, class, type,
	    answer, anslen, (name, domain, class, type, answer, anslen));
}

SHIM_EXPORT int
res_send(
    const unsigned char *msg, int msglen, unsigned char *answer, int anslen)
{
	RES_READY(res_send, NULL);
	RES_SERVE(res_send, NULL, NULL, NULL, msg, msglen, 0, 0, answer, anslen,
	    (msg, msglen, answer, anslen));
}

SHIM_EXPORT int
res_nquery(res_state statp, const char *dname, int class, int type,
    unsigned char *answer, int anslen)
{
	RES_READY(res_nquery, statp);
	RES_SERVE(res_nquery, statp, dname, NULL, NULL, 0, class, type, answer,
	    anslen, (statp, dname, class, type, answer, anslen));
}

SHIM_EXPORT int
res_nsearch(res_state statp, const char *dname, int class, int type,
    unsigned char *answer, int anslen)
{
	RES_READY(res_nsearch, statp);
	RES_SERVE(res_nsearch, statp, dname, NULL, NULL, 0, class, type, answer,
	    anslen, (statp, dname, class, type, answer, anslen));
}

SHIM_EXPORT int
res_nquerydomain(res_state statp, const char *name, const char *domain,
    int class, int type, unsigned char *answer, int anslen)
{
	RES_READY(res_nquerydomain, statp);
	RES_SERVE(res_nquerydomain, statp, name, domain, NULL, 0, class, type,
	    answer, anslen, (statp, name, domain, class, type, answer, anslen));
}

SHIM_EXPORT int
res_nsend(res_state statp, const unsigned char *msg, int msglen,
    unsigned char *answer, int anslen)
{
	RES_READY(res_nsend, statp);
	RES_SERVE(res_nsend, statp, NULL, NULL, msg, msglen, 0, 0, answer,
	    anslen, (statp, msg, msglen, answer, anslen));
}

/* shim_enter for the gates below: 1 judge, 0 nothing to judge (go on), or
 * -1 with errno set (fail) */
static int
gate_enter(struct shim_call *c, const char *call, int cls)
{
	switch (shim_enter(c, call, cls)) {
	case SHIM_PASS:
		return 0;
	case SHIM_JUDGE:
		return 1;
	default:
		return -1;
	}
}

/*
 * The BSD r-commands (rcmd, rexec, ruserok and their _af forms) look the
 * host up and connect inside libc, where no hook sees either. Their host
 * is judged as a lookup of it; where the supervisor resolves and pins
 * (policy_judges_names), the call is refused outright: what it connects
 * to could not be held to the pins. Elsewhere (the network off: the
 * lookup is denied; on without rules: anything goes) the judgement is
 * the lookup's. 0: go on; else the errno to fail with.
 */
static int
legacy_judge(const char *call, const char *host)
{
	struct pol_decision d;
	struct judge_obj o;
	struct shim_call c;
	int e, g;

	if ((g = gate_enter(&c, call, SHIM_NET)) <= 0)
		return g < 0 ? errno : 0;
	e = judge_name(&c, host != NULL ? host : "", -1);
	if (e == 0 && policy_judges_names(shim_policy())) {
		memset(&d, 0, sizeof(d));
		d.verdict = VERDICT_DENY;
		/* a rule of the shim's own (supervisor/report.c says it) */
		snprintf(d.rule, sizeof(d.rule), "libc-connect");
		snprintf(d.why, sizeof(d.why),
		    "%s connects inside libc, where no address can be held to "
		    "the names the supervisor resolved",
		    call);
		memset(&o, 0, sizeof(o));
		o.op = OP_CONNECT;
		o.host = host;
		o.port = -1;
		e = judge_finish(&c, &o, &d);
	}
	if (shim_leave(&c, e))
		return e;
	return 0;
}

/* Fail the hook CALL with -1 and errno when JUDGED (0 or an errno) is not
 * 0; a refused call's errno is EPERM or EACCES */
#define GATE(call, judged)                                                     \
	do {                                                                   \
		int e_;                                                        \
                                                                               \
		if (!READY(call)) {                                            \
			errno = ENOSYS;                                        \
			return -1;                                             \
		}                                                              \
		if ((e_ = (judged)) != 0) {                                    \
			errno = e_;                                            \
			return -1;                                             \
		}                                                              \
	} while (0)
#define LEGACY(call, host) GATE(call, legacy_judge(#call, host))

SHIM_EXPORT int
rcmd(char **ahost, unsigned short rport, const char *locuser,
    const char *remuser, const char *cmd, int *fd2p)
{
	LEGACY(rcmd, ahost != NULL ? *ahost : NULL);
	return REAL(rcmd)(ahost, rport, locuser, remuser, cmd, fd2p);
}

SHIM_EXPORT int
rcmd_af(char **ahost, unsigned short rport, const char *locuser,
    const char *remuser, const char *cmd, int *fd2p, sa_family_t af)
{
	LEGACY(rcmd_af, ahost != NULL ? *ahost : NULL);
	return REAL(rcmd_af)(ahost, rport, locuser, remuser, cmd, fd2p, af);
}

/*
 * ruserpass reads ~/.netrc (HOME's) inside libc, and rexec calls it when
 * it is given no name or password: judged as a read of that file (a
 * credential store: asked, by default). 0, or the errno.
 */
static int
netrc_judge(const char *call)
{
	char path[PATH_MAX];
	struct shim_call c;
	const char *home;
	int e = 0, n, g;

	if ((g = gate_enter(&c, call, SHIM_FS)) <= 0)
		return g < 0 ? errno : 0;
	if ((home = getenv("HOME")) != NULL) {
		n = snprintf(path, sizeof(path), "%s/.netrc", home);
		e = n < 0 || (size_t)n >= sizeof(path)
		    ? EACCES
		    : judge_path(&c, OP_READ, AT_FDCWD, path, J_FOLLOW);
	}
	if (shim_leave(&c, e))
		return e;
	return 0;
}

SHIM_EXPORT int
ruserpass(const char *host, const char **aname, const char **apass)
{
	int r;

	GATE(ruserpass, netrc_judge("ruserpass"));
	shim_guard++; /* its own read of the file, judged above */
	r = REAL(ruserpass)(host, aname, apass);
	shim_guard--;
	return r;
}

/* rresvport binds a reserved port inside libc: judged as a bind of the
 * wildcard address on that port (AF's: IPv4 unless AF_INET6) */
static int
rresvport_judge(const char *call, const int *alport, sa_family_t af)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct shim_call c;
	int e, g, port = alport != NULL ? *alport : 0;

	if ((g = gate_enter(&c, call, SHIM_NET)) <= 0)
		return g < 0 ? errno : 0;
	if (port < 0 || port > 65535)
		port = 0;
	if (af == AF_INET6) {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons((uint16_t)port);
		e = judge_sockaddr(
		    &c, OP_BIND, (struct sockaddr *)&s6, sizeof(s6), SR_BIND);
	} else {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_port = htons((uint16_t)port);
		e = judge_sockaddr(
		    &c, OP_BIND, (struct sockaddr *)&s4, sizeof(s4), SR_BIND);
	}
	if (shim_leave(&c, e))
		return e;
	return 0;
}

SHIM_EXPORT int
rresvport(int *alport)
{
	GATE(rresvport, rresvport_judge("rresvport", alport, AF_INET));
	return REAL(rresvport)(alport);
}

SHIM_EXPORT int
rresvport_af(int *alport, sa_family_t af)
{
	GATE(rresvport_af, rresvport_judge("rresvport_af", alport, af));
	return REAL(rresvport_af)(alport, af);
}

SHIM_EXPORT int
rexec(char **ahost, int rport, const char *name, const char *pass,
    const char *cmd, int *fd2p)
{
	LEGACY(rexec, ahost != NULL ? *ahost : NULL);
	GATE(rexec, name != NULL && pass != NULL ? 0 : netrc_judge("rexec"));
	return REAL(rexec)(ahost, rport, name, pass, cmd, fd2p);
}

SHIM_EXPORT int
rexec_af(char **ahost, int rport, const char *name, const char *pass,
    const char *cmd, int *fd2p, sa_family_t af)
{
	LEGACY(rexec_af, ahost != NULL ? *ahost : NULL);
	GATE(rexec_af,
	    name != NULL && pass != NULL ? 0 : netrc_judge("rexec_af"));
	return REAL(rexec_af)(ahost, rport, name, pass, cmd, fd2p, af);
}

/*
 * ruserok and iruserok read /etc/hosts.equiv (unless SUSER) and LOCUSER's
 * ~/.rhosts inside libc: judged as reads of those files. LOCUSER's home is
 * the password database's, as libc finds it. 0, or the errno.
 */
static int
rhosts_judge(const char *call, int suser, const char *locuser)
{
	char path[PATH_MAX], buf[4096];
	struct passwd pw, *pwp = NULL;
	struct shim_call c;
	int e = 0, n, g;

	if ((g = gate_enter(&c, call, SHIM_FS)) <= 0)
		return g < 0 ? errno : 0;
	if (!suser)
		e = judge_path(
		    &c, OP_READ, AT_FDCWD, "/etc/hosts.equiv", J_FOLLOW);
	if (e == 0 && locuser != NULL) {
		shim_guard++; /* its read of the password database */
		if (getpwnam_r(locuser, &pw, buf, sizeof(buf), &pwp) != 0)
			pwp = NULL;
		shim_guard--;
		if (pwp != NULL && pwp->pw_dir != NULL) {
			n = snprintf(
			    path, sizeof(path), "%s/.rhosts", pwp->pw_dir);
			e = n < 0 || (size_t)n >= sizeof(path)
			    ? EACCES
			    : judge_path(&c, OP_READ, AT_FDCWD, path, J_FOLLOW);
		}
	}
	if (shim_leave(&c, e))
		return e;
	return 0;
}

SHIM_EXPORT int
ruserok(const char *rhost, int suser, const char *remuser, const char *locuser)
{
	LEGACY(ruserok, rhost);
	GATE(ruserok, rhosts_judge("ruserok", suser, locuser));
	return REAL(ruserok)(rhost, suser, remuser, locuser);
}

SHIM_EXPORT int
ruserok_af(const char *rhost, int suser, const char *remuser,
    const char *locuser, sa_family_t af)
{
	LEGACY(ruserok_af, rhost);
	GATE(ruserok_af, rhosts_judge("ruserok_af", suser, locuser));
	return REAL(ruserok_af)(rhost, suser, remuser, locuser, af);
}

SHIM_EXPORT int
iruserok(uint32_t raddr, int suser, const char *remuser, const char *locuser)
{
	GATE(iruserok, rhosts_judge("iruserok", suser, locuser));
	return REAL(iruserok)(raddr, suser, remuser, locuser);
}

SHIM_EXPORT int
iruserok_af(const void *raddr, int suser, const char *remuser,
    const char *locuser, sa_family_t af)
{
	GATE(iruserok_af, rhosts_judge("iruserok_af", suser, locuser));
	return REAL(iruserok_af)(raddr, suser, remuser, locuser, af);
}
