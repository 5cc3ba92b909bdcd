/*
 * proxy.c: agentwrap's HTTP proxy (CONNECT and absolute-URI forwarding),
 * served from the supervisor's event loop. See proxy.h.
 *
 * A connection goes HEAD (reading the request head) -> DECIDE (the caller
 * judges the target) -> CONNECT (non-blocking connect to each allowed
 * address in turn) -> RELAY (bytes both ways, half-closes passed on), or
 * to REPLY (an error answer, then close). Connections are freed only at
 * the start and the end of proxy_ready(), never from a callback.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clock.h"
#include "proxy.h"

/* How long a refused client may go on sending before it is cut off */
#define PROXY_DRAIN_MS 2000

enum cstate {
	C_HEAD,
	C_DECIDE,
	C_CONNECT,
	C_UPSTREAM, /* waiting for the upstream proxy's answer to our CONNECT */
	C_UDP, /* a SOCKS5 UDP association: relays datagrams until the
		* client's TCP connection ends */
	C_RELAY,
	C_REPLY,
	C_DRAIN
};

struct buf {
	char *b;
	size_t off, len; /* the data is b[off, len) */
	/* a tunnel's bytes go through a pipe, with splice(2), once what was
	 * buffered before is out: no copy through this process. -1: none
	 * (no pipe to be had), the buffer carries everything */
	int pipe[2];
	size_t inpipe, pipecap;
	/* the pipe took no more with bytes in it: it may be full by its
	 * slots before its bytes (not polled for input until it drains) */
	int pipefull;
};

/* What a relay pipe is asked to hold (it keeps the kernel's default, 64
 * KiB, when the user's pipe allowance is spent) */
#define PROXY_PIPE (256 * 1024)

/* How many times a second proxy_client may look through /proc */
#define PROXY_SCANS 20

/* A destination of a UDP association, and its judgement */
#define PROXY_UDP_DESTS 32
#define PROXY_UDP_ADDRS 8
/* What an association holds of datagrams waiting for their judgement (a
 * larger one is dropped, as UDP may drop it anyway) */
#define PROXY_UDP_HELD 16384
struct udest {
	char host[NETADDR_HOSTLEN];
	int port;
	enum { UD_PENDING, UD_ALLOWED, UD_DENIED } st;
	struct netaddr a[PROXY_UDP_ADDRS];
	size_t na;
	char *pend; /* the last datagram while judged */
	size_t pendlen;
};

struct conn {
	struct conn *next;
	uint64_t id;
	enum cstate st;
	int cfd, sfd;
	int dead;
	int socks; /* a SOCKS5 client */
	int piped; /* the relay has its two pipes (counted in npipes) */
	unsigned long cinode; /* the client's socket (0: not known) */
	int greeted; /* its greeting was answered */
	int lasterr; /* the last connect's error */
	int via; /* through the upstream proxy */
	int cport; /* the port connected to: the target's or the upstream's */
	char *uphead; /* C_UPSTREAM: the upstream's answer so far */
	size_t uplen;
	/* C_UDP: the client's address once its first datagram came to the
	 * proxy's UDP port (UHINT: the port it said it would send from, or
	 * 0), the destinations judged so far; sfd sends out */
	struct sockaddr_in ucli;
	int ucli_set, uhint;
	int ufam; /* sfd's family: AF_INET6 (IPv4 mapped in) or AF_INET */
	unsigned long uinode; /* the client's socket, as the kernel knows it */
	struct udest *ud;
	size_t nud;
	/* a destination of association UDP_OF (index UDP_IDX) being judged:
	 * no socket of its own, settled like any connection */
	uint64_t udp_of;
	size_t udp_idx;
	uint64_t deadline; /* HEAD, CONNECT: ms */
	char *head; /* HEAD: what came so far */
	size_t headlen;
	struct proxy_req req;
	struct netaddr addrs[PROXY_MAX_ADDRS];
	size_t naddrs, nextaddr;
	struct buf c2s, s2c; /* client to server, server to client */
	int c_eof, s_eof; /* the side stopped sending */
	int c_shut, s_shut; /* we stopped sending to it */
	short crev, srev; /* what poll() said */
};

struct slot {
	struct conn *c;
	int which; /* the pollfd is the conn's client side (0), server
		    * side (1), UDP relay (2) */
};

struct proxy {
	int lfd;
	int port;
	int socks5; /* SOCKS5 is served too */
	int socks5_udp; /* and UDP ASSOCIATE */
	int ufd; /* UDP on the proxy's port: every association's relay */
	int wide; /* listening on every address, not loopback alone */
	int no_diag; /* never ask sock_diag */
	uint64_t scan_t0; /* proxy_client's scans of /proc: this second's */
	int nscans;
	char dgram[65536]; /* one datagram at a time */
	int npipes, maxpipes; /* relay pipes open, and how many may be */
	/* the upstream proxy, if any (proxy_set_upstream) */
	struct netaddr up[PROXY_MAX_ADDRS];
	size_t nup;
	int upport;
	/* a Proxy-Authorization line, or "": "Proxy-Authorization: Basic ",
	 * the 512 characters of proxy_parse_upstream's longest user, CRLF */
	char upauth[560];
	char upbypass[1024]; /* NO_PROXY: names that go direct */
	proxy_decide_fn decide;
	void *ctx;
	struct conn *conns;
	int nconns;
	uint64_t last_id;
	unsigned long refused; /* clients of another user */
	struct slot *map; /* what each pollfd of proxy_pollfds is */
	int nmap, mapcap;
	char url[64];
	char env[16][128];
	size_t nenv;
};

/* --- the head --- */

static int
tchar(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* HOST[:PORT] or [V6][:PORT] in S (N bytes) into R; DEFPORT if none (-1:
 * one is required). 0 or -1. */
static int
authority(const char *s, size_t n, int defport, struct proxy_req *r)
{
	const char *host = s, *colon = NULL;
	size_t hl, i;
	long port = 0;

	if (n == 0)
		return -1;
	if (s[0] == '[') {
		const char *end = memchr(s, ']', n);

		if (end == NULL)
			return -1;
		host = s + 1;
		hl = (size_t)(end - host);
		if ((size_t)(end - s) + 1 < n) {
			if (end[1] != ':')
				return -1;
			colon = end + 1;
		}
	} else {
		for (i = 0; i < n; i++)
			if (s[i] == ':') {
				if (colon != NULL)
					return -1; /* a bare IPv6 address */
				colon = s + i;
			}
		hl = colon != NULL ? (size_t)(colon - s) : n;
	}
	if (hl == 0 || hl >= sizeof(r->host))
		return -1;
	for (i = 0; i < hl; i++)
		if ((unsigned char)host[i] <= ' ' || host[i] == 0x7f ||
		    host[i] == '@' || host[i] == '/' || host[i] == '\\')
			return -1;
	memcpy(r->host, host, hl);
	r->host[hl] = '\0';
	if (colon == NULL) {
		if (defport < 0)
			return -1;
		r->port = defport;
		return 0;
	}
	i = (size_t)(colon - s) + 1;
	if (i >= n || n - i > 5)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		port = port * 10 + (s[i] - '0');
	}
	if (port < 1 || port > 65535)
		return -1;
	r->port = (int)port;
	return 0;
}

/* Is header line L (N bytes, no CRLF) one a proxy does not send on? */
static int
hop_header(const char *l, size_t n)
{
	static const char *const drop[] = { "connection", "keep-alive",
		"proxy-connection", "proxy-authorization", "proxy-authenticate",
		"te", "trailer", "upgrade" };
	const char *colon = memchr(l, ':', n);
	size_t i, k;

	if (colon == NULL)
		return 0;
	k = (size_t)(colon - l);
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (strlen(drop[i]) == k && strncasecmp(l, drop[i], k) == 0)
			return 1;
	return 0;
}

void
proxy_req_free(struct proxy_req *r)
{
	free(r->head);
	r->head = NULL;
}

#define BAD(code, ...)                                                         \
	do {                                                                   \
		snprintf(why, whylen, __VA_ARGS__);                            \
		return (code);                                                 \
	} while (0)

int
proxy_parse_head(
    const char *buf, size_t len, struct proxy_req *r, char *why, size_t whylen)
{
	const char *end = NULL, *p, *sp1, *sp2, *eol, *line, *t, *rest;
	size_t i, mlen, tlen, need, off;
	char *out;

	memset(r, 0, sizeof(*r));
	/* a method is a token: a client that is not speaking HTTP (SOCKS, TLS
	 * without CONNECT) is told at once, not when its head times out */
	for (i = 0; i < len && i <= 32 && buf[i] != ' '; i++)
		if (!tchar((unsigned char)buf[i]))
			BAD(400, "a malformed method");
	for (i = 0; i + 3 < len && i + 4 <= PROXY_HEAD_MAX; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
			end = buf + i + 4;
			break;
		}
	if (end == NULL) {
		if (len >= PROXY_HEAD_MAX)
			BAD(431, "the request head is longer than %d bytes",
			    PROXY_HEAD_MAX);
		return 0;
	}
	for (p = buf; p < end; p++)
		if (*p == '\0')
			BAD(400, "a NUL in the request head");
	eol = memchr(buf, '\r', (size_t)(end - buf));
	if (eol == NULL || eol[1] != '\n')
		BAD(400, "a malformed request line");
	if ((sp1 = memchr(buf, ' ', (size_t)(eol - buf))) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))) == NULL)
		BAD(400, "a malformed request line");
	mlen = (size_t)(sp1 - buf);
	if (mlen == 0 || mlen > 32)
		BAD(400, "a malformed method");
	for (i = 0; i < mlen; i++)
		if (!tchar((unsigned char)buf[i]))
			BAD(400, "a malformed method");
	t = sp1 + 1;
	tlen = (size_t)(sp2 - t);
	if ((size_t)(eol - sp2 - 1) != 8 ||
	    (memcmp(sp2 + 1, "HTTP/1.1", 8) != 0 &&
		memcmp(sp2 + 1, "HTTP/1.0", 8) != 0))
		BAD(505, "only HTTP/1.0 and HTTP/1.1 are served");
	for (i = 0; i < tlen; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			BAD(400, "a malformed request target");
	if (mlen == 7 && memcmp(buf, "CONNECT", 7) == 0) {
		r->connect = 1;
		if (authority(t, tlen, -1, r) == -1)
			BAD(400, "CONNECT needs HOST:PORT");
		r->consumed = (size_t)(end - buf);
		return 1;
	}
	if (tlen < 7 || strncasecmp(t, "http://", 7) != 0)
		BAD(400,
		    "a request to a proxy names http://HOST/...; use "
		    "CONNECT for anything else");
	for (i = 7; i < tlen && t[i] != '/' && t[i] != '?' && t[i] != '#'; i++)
		;
	if (authority(t + 7, i - 7, 80, r) == -1)
		BAD(400, "a malformed host in the request target");
	rest = t + i;
	/* the head sent on: METHOD /path HTTP/1.x, Host: the target's
	 * authority (RFC 9112 3.2.2: a Host header of the client's is
	 * ignored), the headers but the hop-by-hop ones and Host,
	 * Connection: close */
	need = (size_t)(end - buf) + 32 + (i - 7) + 8;
	if ((out = malloc(need)) == NULL)
		BAD(503, "out of memory");
	off = 0;
	memcpy(out, buf, mlen + 1);
	off = mlen + 1;
	if (tlen - i == 0 || *rest != '/')
		out[off++] = '/';
	memcpy(out + off, rest, tlen - i);
	off += tlen - i;
	memcpy(out + off, sp2, (size_t)(eol - sp2) + 2);
	off += (size_t)(eol - sp2) + 2;
	memcpy(out + off, "Host: ", 6);
	off += 6;
	memcpy(out + off, t + 7, i - 7);
	off += i - 7;
	memcpy(out + off, "\r\n", 2);
	off += 2;
	for (line = eol + 2; line < end - 2;) {
		const char *le = memchr(line, '\r', (size_t)(end - line));

		if (le == NULL || le[1] != '\n') {
			free(out);
			BAD(400, "a malformed header line");
		}
		if ((*line == ' ' || *line == '\t')) {
			free(out);
			BAD(400, "a folded header line");
		}
		/* a bare LF ends a line for some servers: a header hidden
		 * behind one would pass the filter below */
		if (memchr(line, '\n', (size_t)(le - line)) != NULL) {
			free(out);
			BAD(400, "a bare LF in a header line");
		}
		/* NAME: value, the name a token (no space before the colon:
		 * a server might read such a line differently) */
		for (p = line; p < le && *p != ':' && tchar((unsigned char)*p);
		     p++)
			;
		if (p == line || p == le || *p != ':') {
			free(out);
			BAD(400, "a malformed header line");
		}
		if (!hop_header(line, (size_t)(le - line)) &&
		    !((size_t)(p - line) == 4 &&
			strncasecmp(line, "host", 4) == 0)) {
			memcpy(out + off, line, (size_t)(le - line) + 2);
			off += (size_t)(le - line) + 2;
		}
		line = le + 2;
	}
	memcpy(out + off, "Connection: close\r\n\r\n", 21);
	off += 21;
	r->head = out;
	r->head_len = off;
	r->consumed = (size_t)(end - buf);
	return 1;
}

/* --- SOCKS5 --- */

/*
 * A SOCKS5 address at P (LEN bytes: ATYP, the address, the port) into R's
 * host and port; its length in *USED. 1, 0 if more is needed, or
 * PROXY_SOCKS_ERR | a reply code with a sentence in WHY.
 */
static int
socks_addr(const unsigned char *p, size_t len, struct proxy_req *r,
    size_t *used, char *why, size_t whylen)
{
	const unsigned char *a = p + 1;
	size_t need, i;

	if (len < 2)
		return 0;
	switch (p[0]) {
	case 1:
		need = 4;
		break;
	case 3:
		need = 1 + (size_t)p[1];
		break;
	case 4:
		need = 16;
		break;
	default:
		BAD(PROXY_SOCKS_ERR | 8,
		    "a SOCKS5 address type other than "
		    "IPv4, a domain name or IPv6");
	}
	if (len < 1 + need + 2)
		return 0;
	if (p[0] == 1)
		inet_ntop(AF_INET, a, r->host, sizeof(r->host));
	else if (p[0] == 4)
		inet_ntop(AF_INET6, a, r->host, sizeof(r->host));
	else {
		if (a[0] == 0)
			BAD(PROXY_SOCKS_ERR | 1, "an empty SOCKS5 domain name");
		for (i = 1; i <= a[0]; i++)
			if (!((a[i] >= 'a' && a[i] <= 'z') ||
				(a[i] >= 'A' && a[i] <= 'Z') ||
				(a[i] >= '0' && a[i] <= '9') || a[i] == '-' ||
				a[i] == '_' || a[i] == '.'))
				BAD(PROXY_SOCKS_ERR | 1,
				    "a SOCKS5 domain name with a byte a name "
				    "does not have");
		memcpy(r->host, a + 1, a[0]);
		r->host[a[0]] = '\0';
	}
	r->port = (a[need] << 8) | a[need + 1];
	*used = 1 + need + 2;
	return 1;
}

int
proxy_parse_socks(
    const char *buf, size_t len, struct proxy_req *r, char *why, size_t whylen)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t g, used = 0;
	int v;

	memset(r, 0, sizeof(*r));
	if (len < 2)
		return 0;
	if (b[0] != 5)
		BAD(PROXY_SOCKS_ERR | 1, "not SOCKS version 5");
	g = 2 + (size_t)b[1];
	if (len < g)
		return 0;
	if (memchr(b + 2, 0, b[1]) == NULL)
		BAD(PROXY_SOCKS_NOAUTH,
		    "the client offers no SOCKS5 method without "
		    "authentication, the only one served");
	r->greet_len = g;
	if (len < g + 5)
		return 0;
	if (b[g] != 5 || b[g + 2] != 0)
		BAD(PROXY_SOCKS_ERR | 1, "a malformed SOCKS5 request");
	if ((v = socks_addr(b + g + 3, len - g - 3, r, &used, why, whylen)) !=
	    1)
		return v;
	if (b[g + 1] == 3)
		r->udp = 1; /* the address is where the client will send from */
	else if (b[g + 1] != 1)
		BAD(PROXY_SOCKS_ERR | 7,
		    "only SOCKS5 CONNECT and UDP "
		    "ASSOCIATE are served");
	else if (r->port == 0)
		BAD(PROXY_SOCKS_ERR | 1, "SOCKS5 port 0");
	else
		r->connect = 1;
	r->consumed = g + 3 + used;
	return 1;
}

int
proxy_parse_socks_udp(
    const char *buf, size_t len, struct proxy_req *r, char *why, size_t whylen)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t used = 0;
	int v;

	memset(r, 0, sizeof(*r));
	if (len < 4 || b[0] != 0 || b[1] != 0)
		BAD(-1, "a malformed SOCKS5 datagram");
	if (b[2] != 0)
		BAD(-1, "a fragment of a SOCKS5 datagram (not served)");
	if ((v = socks_addr(b + 3, len - 3, r, &used, why, whylen)) != 1) {
		if (v == 0)
			snprintf(why, whylen, "a short SOCKS5 datagram");
		return -1;
	}
	if (r->port == 0)
		BAD(-1, "a SOCKS5 datagram to port 0");
	r->consumed = 3 + used;
	return 0;
}

/* --- an upstream proxy's URL --- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of IN (N bytes) into OUT (OUTLEN); -1 if it does not fit */
static int
base64(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;
	unsigned v;

	if ((n + 2) / 3 * 4 + 1 > outlen)
		return -1;
	for (i = 0; i < n; i += 3) {
		v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

int
proxy_parse_upstream(const char *url, struct proxy_req *r, char *auth,
    size_t authlen, char *why, size_t whylen)
{
	const char *a = url, *at, *end;
	unsigned char cred[384];
	size_t n = 0, i;

	memset(r, 0, sizeof(*r));
	auth[0] = '\0';
	if (strstr(url, "://") != NULL) {
		if (strncasecmp(url, "http://", 7) != 0)
			BAD(-1,
			    "only an http:// upstream proxy is supported (not "
			    "%.*s)",
			    (int)(strstr(url, "://") - url + 3) > 16
				? 16
				: (int)(strstr(url, "://") - url + 3),
			    url);
		a = url + 7;
	}
	end = a + strcspn(a, "/?#");
	if (*end != '\0' && strcmp(end, "/") != 0)
		BAD(-1, "an upstream proxy's URL has no path");
	at = memchr(a, '@', (size_t)(end - a));
	if (at != NULL) {
		/* user:password, percent-decoded, for Basic */
		for (i = 0; a + i < at; i++) {
			int c = (unsigned char)a[i];

			if (c == '%') {
				int h = a + i + 2 < at
				    ? netaddr_hex_value(a[i + 1])
				    : -1,
				    l = a + i + 2 < at
				    ? netaddr_hex_value(a[i + 2])
				    : -1;

				if (h < 0 || l < 0)
					BAD(-1,
					    "a malformed %%-escape in the "
					    "upstream proxy's user");
				c = h * 16 + l;
				i += 2;
			}
			if (n >= sizeof(cred))
				BAD(-1,
				    "the upstream proxy's user is too long");
			cred[n++] = (unsigned char)c;
		}
		if (base64(cred, n, auth, authlen) == -1)
			BAD(-1, "the upstream proxy's user is too long");
		a = at + 1;
	}
	if (authority(a, (size_t)(end - a), 1080, r) == -1)
		BAD(-1, "a malformed host or port in the upstream proxy's URL");
	return 0;
}

/* --- connections --- */

static int
buf_alloc(struct buf *b)
{
	if (b->b == NULL && (b->b = malloc(PROXY_BUF)) == NULL)
		return -1;
	return 0;
}

static int
buf_put(struct buf *b, const char *data, size_t n)
{
	if (buf_alloc(b) == -1)
		return -1;
	if (b->off > 0 && b->off == b->len)
		b->off = b->len = 0;
	if (n > PROXY_BUF - b->len) {
		memmove(b->b, b->b + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (n > PROXY_BUF - b->len)
			return -1;
	}
	memcpy(b->b + b->len, data, n);
	b->len += n;
	return 0;
}

/* Room left at the end of B, after moving what it holds to its start */
static size_t
buf_room(struct buf *b)
{
	if (b->off > 0) {
		memmove(b->b, b->b + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	return PROXY_BUF - b->len;
}

/* Move what FROM has to say into B: how many bytes, or -1 when FROM
 * failed (its end, with *EOF set, is 0) */
static ssize_t
pull(int from, struct buf *b, int *eof)
{
	ssize_t r;

	if (buf_room(b) == 0)
		return 0;
	r = read(from, b->b + b->len, PROXY_BUF - b->len);
	if (r > 0)
		b->len += (size_t)r;
	else if (r == 0)
		*eof = 1;
	else if (errno != EAGAIN && errno != EINTR)
		return -1;
	return r > 0 ? r : 0;
}

/* Send what B holds to TO: how many bytes, or -1 when TO failed */
static ssize_t
push(int to, struct buf *b)
{
	ssize_t w;

	if (b->off == b->len)
		return 0;
	w = send(to, b->b + b->off, b->len - b->off, MSG_NOSIGNAL);
	if (w > 0) {
		b->off += (size_t)w;
		if (b->off == b->len)
			b->off = b->len = 0;
	} else if (w == -1 && errno != EAGAIN && errno != EINTR)
		return -1;
	return w > 0 ? w : 0;
}

/* Bytes B holds for its destination, in the buffer and the pipe */
static size_t
pending(const struct buf *b)
{
	return b->len - b->off + b->inpipe;
}

/* Can B take more? */
static int
room(struct buf *b)
{
	return b->pipe[0] >= 0 ? b->inpipe < b->pipecap && !b->pipefull
			       : buf_room(b) > 0;
}

/* pull, into the pipe where there is one */
static ssize_t
take_in(int from, struct buf *b, int *eof)
{
	ssize_t r;

	if (b->pipe[0] < 0)
		return pull(from, b, eof);
	if (b->inpipe >= b->pipecap)
		return 0;
	r = splice(from, NULL, b->pipe[1], NULL, b->pipecap - b->inpipe,
	    SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	if (r > 0)
		b->inpipe += (size_t)r;
	else if (r == 0)
		*eof = 1;
	else if (errno == EAGAIN && b->inpipe > 0)
		b->pipefull = 1;
	else if (errno != EAGAIN && errno != EINTR)
		return -1;
	return r > 0 ? r : 0;
}

/* push, the buffer first (what came before the tunnel), then the pipe */
static ssize_t
give_out(int to, struct buf *b)
{
	ssize_t w;

	if (b->off < b->len || b->inpipe == 0)
		return push(to, b);
	w = splice(b->pipe[0], NULL, to, NULL, b->inpipe,
	    SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	if (w > 0) {
		b->inpipe -= (size_t)w;
		b->pipefull = 0;
	} else if (w == -1 && errno != EAGAIN && errno != EINTR)
		return -1;
	return w > 0 ? w : 0;
}

static void
pipe_close(struct buf *b)
{
	if (b->pipe[0] >= 0) {
		close(b->pipe[0]);
		close(b->pipe[1]);
	}
	b->pipe[0] = b->pipe[1] = -1;
	b->inpipe = 0;
}

static void
conn_close(struct conn *c)
{
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->sfd >= 0)
		close(c->sfd);
	c->cfd = c->sfd = -1;
	pipe_close(&c->c2s);
	pipe_close(&c->s2c);
	c->dead = 1;
}

static void
conn_free(struct conn *c)
{
	size_t i;

	conn_close(c);
	free(c->head);
	free(c->uphead);
	for (i = 0; i < c->nud; i++)
		free(c->ud[i].pend);
	free(c->ud);
	free(c->c2s.b);
	free(c->s2c.b);
	proxy_req_free(&c->req);
	free(c);
}

static const char *
reason(int code)
{
	switch (code) {
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Error";
}

/* SOCKS5 reply REP (0: success) with an unspecified bound address */
static int
socks_answer(struct conn *c, int rep)
{
	const char ans[10] = { 5, (char)rep, 0, 1, 0, 0, 0, 0, 0, 0 };

	return buf_put(&c->s2c, ans, sizeof(ans));
}

/* Send the bytes of A (N) as the last the client gets, then close */
static void
answer_close(struct conn *c, const char *a, size_t n)
{
	if (buf_put(&c->s2c, a, n) == -1)
		conn_close(c);
	else
		c->st = C_REPLY;
}

/* SOCKS5 reply REP (a refusal), then close */
static void
socks_refuse(struct conn *c, int rep)
{
	if (socks_answer(c, rep) == -1)
		conn_close(c);
	else
		c->st = C_REPLY;
}

/* The SOCKS5 reply for HTTP status CODE */
static int
socks_rep(const struct conn *c, int code)
{
	if (code == 403)
		return 2; /* not allowed by the ruleset */
	if (code == 504)
		return 4; /* host unreachable */
	if (code != 502)
		return 1; /* general failure */
	switch (c->lasterr) {
	case ECONNREFUSED:
		return 5;
	case ENETUNREACH:
		return 3;
	case EHOSTUNREACH:
	case ETIMEDOUT:
		return 4;
	}
	return 1;
}

/* Answer CODE (and KIND as x-proxy-error, if any) with BODY, then close;
 * a SOCKS5 client gets the matching reply code instead */
static void
reply(struct conn *c, int code, const char *kind, const char *body)
{
	char head[512];
	int n;

	if (c->sfd >= 0) {
		close(c->sfd);
		c->sfd = -1;
	}
	c->c2s.off = c->c2s.len = 0;
	c->s2c.off = c->s2c.len = 0;
	if (c->socks) {
		socks_refuse(c, socks_rep(c, code));
		return;
	}
	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\n%s%s%sContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    code, reason(code), kind ? "x-proxy-error: " : "", kind ? kind : "",
	    kind ? "\r\n" : "", strlen(body));
	if (n < 0 || buf_put(&c->s2c, head, (size_t)n) == -1 ||
	    buf_put(&c->s2c, body,
		strlen(body) < PROXY_BUF / 2 ? strlen(body) : PROXY_BUF / 2) ==
		-1) {
		conn_close(c);
		return;
	}
	c->st = C_REPLY;
}

/* Would a connect to A, PORT reach our own listener? (127.0.0.1:PORT,
 * 0.0.0.0:PORT, and the same in IPv4-mapped form) */
static int
reaches_self(const struct proxy *px, const struct netaddr *a, int port)
{
	static const uint8_t lo[4] = { 127, 0, 0, 1 }, any[4];
	struct netaddr v4;

	if (port != px->port || netaddr_embedded_ipv4(a, &v4) == -1)
		return 0;
	return memcmp(v4.addr, lo, 4) == 0 || memcmp(v4.addr, any, 4) == 0;
}

static void
try_connect(struct proxy *px, struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char body[600];
	int one = 1;

	while (c->nextaddr < c->naddrs) {
		const struct netaddr *a = &c->addrs[c->nextaddr++];

		/* never a loop back into the proxy, whatever allowed it */
		if (reaches_self(px, a, c->cport))
			continue;

		memset(&ss, 0, sizeof(ss));
		if (a->family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)c->cport);
			memcpy(&s4->sin_addr, a->addr, 4);
			sl = sizeof(*s4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)c->cport);
			memcpy(&s6->sin6_addr, a->addr, 16);
			s6->sin6_scope_id = a->scope_id;
			sl = sizeof(*s6);
		}
		if (c->sfd >= 0)
			close(c->sfd);
		c->sfd = socket(
		    a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->sfd < 0)
			continue;
		setsockopt(c->sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c->sfd, (struct sockaddr *)&ss, sl) == 0 ||
		    (c->lasterr = errno) == EINPROGRESS) {
			c->st = C_CONNECT;
			c->deadline = clock_mono_ms() + PROXY_CONNECT_MS;
			return;
		}
	}
	if (c->via)
		snprintf(body, sizeof(body),
		    "agentwrap's proxy could not connect to its upstream "
		    "proxy\n");
	else
		snprintf(body, sizeof(body),
		    "agentwrap's proxy could not connect to %s port %d\n",
		    c->req.host, c->req.port);
	reply(c, 502, NULL, body);
}

/* Make B's pipe PROXY_PIPE bytes if the kernel lets us, and learn what
 * it holds */
static void
pipe_size(struct buf *b)
{
	int n;

	(void)fcntl(b->pipe[1], F_SETPIPE_SZ, PROXY_PIPE);
	n = fcntl(b->pipe[1], F_GETPIPE_SZ);
	b->pipecap = n > 0 ? (size_t)n : 4096;
}

/* The way to the target is open (directly, or through the upstream):
 * answer the client, and relay */
static void
start_relay(struct proxy *px, struct conn *c)
{
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";

	if (buf_alloc(&c->c2s) == -1 || buf_alloc(&c->s2c) == -1) {
		conn_close(c);
		return;
	}
	if (c->socks) {
		if (socks_answer(c, 0) == -1) {
			conn_close(c);
			return;
		}
	} else if (c->req.connect) {
		if (buf_put(&c->s2c, ok, sizeof(ok) - 1) == -1) {
			conn_close(c);
			return;
		}
	} else if (buf_put(&c->c2s, c->req.head, c->req.head_len) == -1) {
		conn_close(c);
		return;
	}
	/* what the client sent after its head (a body, an early TLS hello) */
	if (c->headlen > c->req.consumed &&
	    buf_put(&c->c2s, c->head + c->req.consumed,
		c->headlen - c->req.consumed) == -1) {
		conn_close(c);
		return;
	}
	free(c->head);
	c->head = NULL;
	proxy_req_free(&c->req);
	/* the pipes for splice(2), while descriptors are plentiful: every
	 * connection must still find its two sockets under the limit
	 * (without pipes, the buffers do it all) */
	if (px->npipes + 2 <= px->maxpipes) {
		if (pipe2(c->c2s.pipe, O_NONBLOCK | O_CLOEXEC) == -1)
			c->c2s.pipe[0] = c->c2s.pipe[1] = -1;
		else if (pipe2(c->s2c.pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
			pipe_close(&c->c2s);
			c->s2c.pipe[0] = c->s2c.pipe[1] = -1;
		} else {
			px->npipes += 2;
			c->piped = 1;
			pipe_size(&c->c2s);
			pipe_size(&c->s2c);
		}
	}
	c->st = C_RELAY;
}

/* Ask the upstream proxy for a tunnel to the target */
static void
start_upstream(struct conn *c, const struct proxy *px)
{
	char req[2048];
	int n;

	n = snprintf(req, sizeof(req),
	    "CONNECT %s%s%s:%d HTTP/1.1\r\nHost: %s%s%s:%d\r\n%s\r\n",
	    strchr(c->req.host, ':') ? "[" : "", c->req.host,
	    strchr(c->req.host, ':') ? "]" : "", c->req.port,
	    strchr(c->req.host, ':') ? "[" : "", c->req.host,
	    strchr(c->req.host, ':') ? "]" : "", c->req.port, px->upauth);
	if (n < 0 || (size_t)n >= sizeof(req) || buf_alloc(&c->c2s) == -1 ||
	    buf_put(&c->c2s, req, (size_t)n) == -1 ||
	    (c->uphead = malloc(PROXY_HEAD_MAX)) == NULL) {
		conn_close(c);
		return;
	}
	c->uplen = 0;
	c->st = C_UPSTREAM;
	c->deadline = clock_mono_ms() + PROXY_CONNECT_MS;
}

/* C_UPSTREAM: send our CONNECT, read the upstream's answer; a 2xx opens
 * the tunnel, anything else is a 502 for the client */
static void
upstream_ready(struct proxy *px, struct conn *c)
{
	char body[400], *end;
	ssize_t r;
	size_t hl;

	if (push(c->sfd, &c->c2s) == -1) {
		reply(c, 502, NULL,
		    "agentwrap's proxy lost its upstream proxy\n");
		return;
	}
	if (c->c2s.off < c->c2s.len)
		return;
	r = read(c->sfd, c->uphead + c->uplen, PROXY_HEAD_MAX - 1 - c->uplen);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		reply(c, 502, NULL,
		    "agentwrap's proxy: the upstream proxy closed\n");
		return;
	}
	c->uplen += (size_t)r;
	c->uphead[c->uplen] = '\0';
	if ((end = memmem(c->uphead, c->uplen, "\r\n\r\n", 4)) == NULL) {
		if (c->uplen >= PROXY_HEAD_MAX - 1)
			reply(c, 502, NULL,
			    "agentwrap's proxy: the upstream proxy's answer "
			    "is too long\n");
		return;
	}
	hl = (size_t)(end + 4 - c->uphead);
	if (c->uplen < 12 || strncmp(c->uphead, "HTTP/1.", 7) != 0 ||
	    c->uphead[9] != '2') {
		*strchrnul(c->uphead, '\r') = '\0';
		snprintf(body, sizeof(body),
		    "agentwrap's proxy: the upstream proxy answered %.200s\n",
		    c->uphead);
		reply(c, 502, NULL, body);
		return;
	}
	/* the tunnel is open; anything after the answer is the target's */
	start_relay(px, c);
	if (!c->dead && c->uplen > hl &&
	    buf_put(&c->s2c, c->uphead + hl, c->uplen - hl) == -1)
		conn_close(c);
	free(c->uphead);
	c->uphead = NULL;
}

/* The connect finished: on to the upstream, or relay */
static void
connected(struct proxy *px, struct conn *c)
{
	int err = 0;
	socklen_t el = sizeof(err);

	if (getsockopt(c->sfd, SOL_SOCKET, SO_ERROR, &err, &el) == -1 ||
	    err != 0) {
		c->lasterr = err;
		try_connect(px, c);
		return;
	}
	if (c->via)
		start_upstream(c, px);
	else
		start_relay(px, c);
}

/* --- whose a client is --- */

/*
 * The user ID that owns the socket whose row in the kernel's table PATH
 * (/proc/net/tcp, /proc/net/udp) starts with WANT (its local address and
 * maybe its remote one, as the kernel prints them: the raw address bytes
 * as one hex number, the port in hex); -1 when it cannot be told. A row
 * without an inode is a socket no process holds (for TCP, a TIME_WAIT row,
 * or a FIN_WAIT2 one turned into it), whose uid the kernel prints as 0
 * whoever owned it: such a client closed already, and is nobody's. -2 when
 * there is no such row (a socket of another machine).
 */
static long
table_uid(const char *path, const char *want)
{
	char line[512];
	long uid = -2, state;
	unsigned long inode;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strchr(line, ':'), *end;
		int field;

		if (p == NULL || strncmp(p + 2, want, strlen(want)) != 0)
			continue;
		/* sl local rem st queues timer retrnsmt uid timeout inode */
		state = -1;
		for (field = 0, p += 2; field < 6 && p != NULL; field++) {
			if (field == 2)
				state = strtol(p, NULL, 16);
			p = strchr(p, ' ');
			while (p != NULL && *p == ' ')
				p++;
		}
		if (p == NULL)
			break;
		errno = 0;
		uid = strtol(p, &end, 10);
		if (errno != 0 || end == p || *end != ' ' || uid < 0)
			uid = -1;
		/* timeout, then inode */
		for (field = 0, p = end; field < 2 && p != NULL; field++) {
			while (*p == ' ')
				p++;
			if (field == 0)
				p = strchr(p, ' ');
		}
		errno = 0;
		inode = p != NULL ? strtoul(p, &end, 10) : 0;
		if (p == NULL || errno != 0 || end == p || inode == 0 ||
		    (state == 0x06 /* TCP_TIME_WAIT */ &&
			strncmp(path, "/proc/net/tcp", 13) == 0))
			uid = -1;
		break;
	}
	fclose(f);
	return uid;
}

/* "%08X%08X%08X%08X" of ::ffff:V4 (V4 in network order) as the kernel
 * prints an IPv6 address in /proc/net/tcp6: four 32-bit words, each in
 * the host's order */
static void
mapped_hex(uint32_t v4, char *out, size_t outlen)
{
	uint8_t b[16] = { 0 };
	uint32_t w[4];

	b[10] = b[11] = 0xff;
	memcpy(b + 12, &v4, 4);
	memcpy(w, b, 16);
	snprintf(out, outlen, "%08X%08X%08X%08X", (unsigned)w[0],
	    (unsigned)w[1], (unsigned)w[2], (unsigned)w[3]);
}

/*
 * Ask the kernel's socket diagnostics about the one PROTO socket of the
 * IPv4 flow SRC -> DST (as inet_diag looks it up: for TCP, SRC is the
 * socket's own end; for UDP, DST is). 1 with its owner's uid, its inode
 * (0: no process holds it) and its state; 0 if there is no such socket;
 * -1 if sock_diag cannot say (an old kernel, no *_diag module): use the
 * kernel's tables in /proc instead.
 */
static int
diag_query(int proto, const struct sockaddr_in *src,
    const struct sockaddr_in *dst, long *uid, unsigned long *inode, int *state)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	union {
		struct nlmsghdr nlh;
		char b[1024];
	} ans;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	const struct inet_diag_msg *m;
	ssize_t n;
	int fd;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	req.r.sdiag_family = AF_INET;
	req.r.sdiag_protocol = (uint8_t)proto;
	req.r.idiag_states = ~0U;
	req.r.id.idiag_sport = src->sin_port;
	req.r.id.idiag_src[0] = src->sin_addr.s_addr;
	req.r.id.idiag_dport = dst->sin_port;
	req.r.id.idiag_dst[0] = dst->sin_addr.s_addr;
	req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] =
	    INET_DIAG_NOCOOKIE;
	if ((fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		 NETLINK_SOCK_DIAG)) == -1)
		return -1;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl,
		sizeof(nl)) != (ssize_t)sizeof(req) ||
	    (n = recv(fd, &ans, sizeof(ans), 0)) < (ssize_t)NLMSG_HDRLEN) {
		close(fd);
		return -1;
	}
	close(fd);
	if (ans.nlh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&ans.nlh);

		if (n >= (ssize_t)NLMSG_LENGTH(sizeof(*e)) &&
		    e->error == -ENOENT)
			return 0;
		return -1;
	}
	if (ans.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    n < (ssize_t)NLMSG_LENGTH(sizeof(*m)) ||
	    ans.nlh.nlmsg_len > (size_t)n)
		return -1;
	m = NLMSG_DATA(&ans.nlh);
	*uid = (long)m->idiag_uid;
	*inode = m->idiag_inode;
	*state = m->idiag_state;
	return 1;
}

/*
 * The user ID that owns the client end of connection FD to our port (a
 * TCP peer has no SO_PEERCRED); -1 when it cannot be told, -2 when the
 * client is not of this machine. Without sock_diag, from the kernel's
 * tables: a client of this machine may hold an IPv6 socket with the IPv4
 * address mapped in, whose row is in /proc/net/tcp6, not /proc/net/tcp.
 */
static long
peer_uid(const struct proxy *px, int fd, unsigned long *inodep)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char want[128], h1[40], h2[40];
	long uid;

	struct sockaddr_in ours;
	socklen_t ol = sizeof(ours);

	unsigned long inode;
	int state, v;

	if (getpeername(fd, (struct sockaddr *)&sin, &sl) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ours, &ol) == -1 ||
	    sin.sin_family != AF_INET)
		return -1;
	/* one query for exactly the client's socket (IPv4, or IPv6 with
	 * the IPv4 address mapped in: the same flow); a TIME_WAIT socket,
	 * or a FIN_WAIT2 one no process holds, is nobody's */
	v = px->no_diag
	    ? -1
	    : diag_query(IPPROTO_TCP, &sin, &ours, &uid, &inode, &state);
	if (v == 0)
		return -2;
	if (v == 1) {
		*inodep = inode;
		return inode == 0 || state == 6 /* TCP_TIME_WAIT */ ? -1 : uid;
	}
	/* no sock_diag here: the tables */
	/* the client's row: local address = its end, remote = ours */
	snprintf(want, sizeof(want), "%08X:%04X %08X:%04X",
	    (unsigned)sin.sin_addr.s_addr, (unsigned)ntohs(sin.sin_port),
	    (unsigned)ours.sin_addr.s_addr, (unsigned)ntohs(ours.sin_port));
	if ((uid = table_uid("/proc/net/tcp", want)) != -2)
		return uid;
	mapped_hex(sin.sin_addr.s_addr, h1, sizeof(h1));
	mapped_hex(ours.sin_addr.s_addr, h2, sizeof(h2));
	snprintf(want, sizeof(want), "%s:%04X %s:%04X", h1,
	    (unsigned)ntohs(sin.sin_port), h2, (unsigned)ntohs(ours.sin_port));
	return table_uid("/proc/net/tcp6", want);
}

/* The user ID that owns the UDP socket that sent from SIN (a loopback
 * address): bound to it, or to any address (as a socket that sends
 * unbound is) */
static long
udp_uid(const struct sockaddr_in *sin)
{
	char want[32];
	long uid;

	snprintf(want, sizeof(want), "%08X:%04X ",
	    (unsigned)sin->sin_addr.s_addr, (unsigned)ntohs(sin->sin_port));
	if ((uid = table_uid("/proc/net/udp", want)) >= 0)
		return uid;
	snprintf(want, sizeof(want), "%08X:%04X ", 0U,
	    (unsigned)ntohs(sin->sin_port));
	return table_uid("/proc/net/udp", want);
}

/*
 * The user ID and the inode of the UDP socket that sent from SIN (a
 * loopback address) to the proxy's port, asked of the kernel for that one
 * socket (cheap enough for every datagram); -1 if there is none, or
 * nobody's. Without sock_diag, the kernel's UDP table, with no inode to
 * compare.
 */
static long
udp_owner(
    const struct proxy *px, const struct sockaddr_in *sin, unsigned long *inode)
{
	struct sockaddr_in relay;
	long uid;
	int state, v;

	*inode = 0;
	memset(&relay, 0, sizeof(relay));
	relay.sin_family = AF_INET;
	relay.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	relay.sin_port = htons((uint16_t)px->port);
	v = px->no_diag
	    ? -1
	    : diag_query(IPPROTO_UDP, &relay, sin, &uid, inode, &state);
	if (v == -1)
		return udp_uid(sin);
	if (v == 0 || *inode == 0)
		return -1;
	return uid;
}

/* --- SOCKS5 UDP associations --- */

/* UDP ASSOCIATE: the client sends to the proxy's own port, UDP (the one
 * loopback destination the policy allows); a socket to send out from */
static void
start_udp(struct proxy *px, struct conn *c)
{
	char ans[10] = { 5, 0, 0, 1, 127, 0, 0, 1, 0, 0 };
	uint16_t port = htons((uint16_t)px->port);
	int off = 0;

	if (px->ufd < 0 ||
	    (c->ud = calloc(PROXY_UDP_DESTS, sizeof(*c->ud))) == NULL) {
		reply(c, 503, NULL, "");
		return;
	}
	c->uhint = c->req.port;
	/* out: IPv6 with IPv4 mapped in, or IPv4 alone */
	c->ufam = AF_INET6;
	if ((c->sfd = socket(AF_INET6,
		 SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		c->ufam = AF_INET;
		c->sfd = socket(
		    AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (c->sfd == -1) {
		reply(c, 503, NULL, "");
		return;
	}
	if (c->ufam == AF_INET6)
		(void)setsockopt(
		    c->sfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	memcpy(ans + 8, &port, 2);
	if (buf_put(&c->s2c, ans, sizeof(ans)) == -1) {
		conn_close(c);
		return;
	}
	free(c->head);
	c->head = NULL;
	c->st = C_UDP;
}

/* Send datagram DATA (N bytes) to destination U's first address */
static void
udp_send(
    const struct conn *c, const struct udest *u, const char *data, size_t n)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct netaddr v4;

	if (u->na == 0)
		return;
	if (c->ufam == AF_INET6) {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons((uint16_t)u->port);
		if (u->a[0].family == AF_INET) {
			s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] =
			    0xff;
			memcpy(&s6.sin6_addr.s6_addr[12], u->a[0].addr, 4);
		} else {
			memcpy(&s6.sin6_addr, u->a[0].addr, 16);
			s6.sin6_scope_id = u->a[0].scope_id;
		}
		(void)sendto(c->sfd, data, n, MSG_NOSIGNAL,
		    (struct sockaddr *)&s6, sizeof(s6));
		return;
	}
	if (netaddr_embedded_ipv4(&u->a[0], &v4) == -1)
		return; /* no IPv6 here */
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons((uint16_t)u->port);
	memcpy(&s4.sin_addr, v4.addr, 4);
	(void)sendto(
	    c->sfd, data, n, MSG_NOSIGNAL, (struct sockaddr *)&s4, sizeof(s4));
}

/* The decision for a destination of an association (CH: its stand-in) */
static void
udp_settle(struct proxy *px, struct conn *ch, int allow,
    const struct netaddr *a, size_t n)
{
	struct conn *c;
	struct udest *u;

	ch->dead = 1;
	for (c = px->conns; c != NULL; c = c->next)
		if (c->id == ch->udp_of && !c->dead && c->st == C_UDP)
			break;
	if (c == NULL || ch->udp_idx >= c->nud)
		return;
	u = &c->ud[ch->udp_idx];
	if (allow && n > 0) {
		u->na = n < PROXY_UDP_ADDRS ? n : PROXY_UDP_ADDRS;
		memcpy(u->a, a, u->na * sizeof(*a));
		u->st = UD_ALLOWED;
		if (u->pend != NULL)
			udp_send(c, u, u->pend, u->pendlen);
	} else
		u->st = UD_DENIED;
	free(u->pend);
	u->pend = NULL;
	u->pendlen = 0;
}

/* Hold DATA (N bytes) for U while it is judged, in place of what U held,
 * if the association's allowance lets it */
static void
udp_hold(struct conn *c, struct udest *u, const char *data, size_t n)
{
	size_t i, held = 0;
	char *p;

	for (i = 0; i < c->nud; i++)
		if (&c->ud[i] != u)
			held += c->ud[i].pendlen;
	if (held + n > PROXY_UDP_HELD || (p = malloc(n + 1)) == NULL)
		return;
	memcpy(p, data, n);
	free(u->pend);
	u->pend = p;
	u->pendlen = n;
}

/* A datagram from the client: to a destination judged, being judged, or
 * new (judged now, like a connect, and held meanwhile) */
static void
udp_from_client(struct proxy *px, struct conn *c, size_t len)
{
	struct proxy_req r;
	struct conn *ch;
	struct udest *u = NULL;
	char why[160];
	size_t i;

	if (proxy_parse_socks_udp(px->dgram, len, &r, why, sizeof(why)) == -1)
		return;
	for (i = 0; i < c->nud; i++)
		if (c->ud[i].port == r.port &&
		    strcasecmp(c->ud[i].host, r.host) == 0) {
			u = &c->ud[i];
			break;
		}
	if (u != NULL && u->st == UD_ALLOWED) {
		udp_send(c, u, px->dgram + r.consumed, len - r.consumed);
		return;
	}
	if (u != NULL) {
		if (u->st == UD_PENDING)
			udp_hold(
			    c, u, px->dgram + r.consumed, len - r.consumed);
		return;
	}
	if (c->nud >= PROXY_UDP_DESTS || px->nconns >= PROXY_MAX_CONNS ||
	    (ch = calloc(1, sizeof(*ch))) == NULL)
		return;
	u = &c->ud[c->nud];
	memset(u, 0, sizeof(*u));
	snprintf(u->host, sizeof(u->host), "%s", r.host);
	u->port = r.port;
	u->st = UD_PENDING;
	udp_hold(c, u, px->dgram + r.consumed, len - r.consumed);
	ch->id = ++px->last_id;
	ch->cfd = ch->sfd = -1;
	ch->c2s.pipe[0] = ch->c2s.pipe[1] = -1;
	ch->s2c.pipe[0] = ch->s2c.pipe[1] = -1;
	ch->st = C_DECIDE;
	ch->socks = 1;
	ch->udp_of = c->id;
	ch->udp_idx = c->nud++;
	ch->cinode = c->cinode;
	ch->req = r;
	ch->next = px->conns;
	px->conns = ch;
	px->nconns++;
	px->decide(px->ctx, ch->id, u->host, u->port);
}

/* A datagram from outside, to the client if it comes from a destination
 * the client may reach (its address and port), with the SOCKS5 header */
static void
udp_to_client(struct proxy *px, struct conn *c, size_t len,
    const struct sockaddr_storage *from)
{
	struct netaddr src, v4;
	char out[22 + sizeof(px->dgram)];
	size_t i, j, h;
	int port, ok = 0;

	if (!c->ucli_set)
		return;
	memset(&src, 0, sizeof(src));
	if (from->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)from;

		src.family = AF_INET;
		memcpy(src.addr, &s4->sin_addr, 4);
		port = ntohs(s4->sin_port);
	} else if (from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
		    (const struct sockaddr_in6 *)from;

		src.family = AF_INET6;
		memcpy(src.addr, &s6->sin6_addr, 16);
		src.scope_id = s6->sin6_scope_id;
		port = ntohs(s6->sin6_port);
	} else
		return;
	for (i = 0; i < c->nud && !ok; i++)
		if (c->ud[i].st == UD_ALLOWED && c->ud[i].port == port)
			for (j = 0; j < c->ud[i].na && !ok; j++)
				ok = netaddr_equal(&c->ud[i].a[j], &src);
	if (!ok || len > sizeof(px->dgram))
		return;
	memset(out, 0, 3);
	if (netaddr_embedded_ipv4(&src, &v4) == 0 && src.family == AF_INET6 &&
	    src.addr[10] == 0xff)
		src = v4;
	if (src.family == AF_INET) {
		out[3] = 1;
		memcpy(out + 4, src.addr, 4);
		h = 8;
	} else {
		out[3] = 4;
		memcpy(out + 4, src.addr, 16);
		h = 20;
	}
	out[h] = (char)(port >> 8);
	out[h + 1] = (char)(port & 0xff);
	h += 2;
	memcpy(out + h, px->dgram, len);
	(void)sendto(px->ufd, out, h + len, MSG_NOSIGNAL,
	    (const struct sockaddr *)&c->ucli, sizeof(c->ucli));
}

/* Datagrams to the proxy's UDP port: each from the client of an
 * association (the first sender of the tree's user on loopback that an
 * association without a client takes: the oldest, or the one whose client
 * said it would send from that port); anyone else is ignored */
static void
udp_in(struct proxy *px)
{
	struct sockaddr_in sin;
	struct conn *c, *take;
	unsigned long inode;
	socklen_t fl;
	ssize_t r;
	int k;

	for (k = 0; k < 64; k++) {
		fl = sizeof(sin);
		r = recvfrom(px->ufd, px->dgram, sizeof(px->dgram), 0,
		    (struct sockaddr *)&sin, &fl);
		if (r < 0)
			return;
		if (fl != sizeof(sin) || sin.sin_family != AF_INET ||
		    sin.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
			continue;
		take = NULL;
		for (c = px->conns; c != NULL; c = c->next) {
			if (c->dead || c->st != C_UDP)
				continue;
			if (c->ucli_set) {
				if (c->ucli.sin_port == sin.sin_port) {
					take = c;
					break;
				}
			} else if (c->uhint == 0 ||
			    c->uhint == ntohs(sin.sin_port))
				take = c; /* the list is newest first */
		}
		if (take == NULL)
			continue;
		/* whose socket sent it, every time: the client's socket may
		 * have been closed and its port taken by another user's */
		if (udp_owner(px, &sin, &inode) != (long)geteuid() ||
		    (take->ucli_set && inode != take->uinode)) {
			px->refused++;
			continue;
		}
		if (!take->ucli_set) {
			take->ucli = sin;
			take->ucli_set = 1;
			take->uinode = inode;
		}
		udp_from_client(px, take, (size_t)r);
	}
}

/* C_UDP: the control connection, the outward socket */
static void
udp_ready(struct proxy *px, struct conn *c)
{
	struct sockaddr_storage from;
	socklen_t fl;
	char sink[512];
	ssize_t r;
	int k;

	if (c->crev & POLLOUT)
		(void)push(c->cfd, &c->s2c);
	if (c->crev & (POLLIN | POLLHUP | POLLERR)) {
		/* the association lasts as long as this connection */
		r = read(c->cfd, sink, sizeof(sink));
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(c);
			return;
		}
	}
	for (k = 0; k < 64 && (c->srev & POLLIN); k++) {
		fl = sizeof(from);
		r = recvfrom(c->sfd, px->dgram, sizeof(px->dgram), 0,
		    (struct sockaddr *)&from, &fl);
		if (r < 0)
			break;
		udp_to_client(px, c, (size_t)r, &from);
	}
}

/* Does NO_PROXY (as agentwrap got it) send HOST around the upstream? */
static int
bypass(const struct proxy *px, const char *host)
{
	const char *w, *e;
	size_t hl = strlen(host), n;

	for (w = px->upbypass; *w != '\0'; w = *e ? e + 1 : e) {
		e = strchrnul(w, ',');
		while (w < e && *w == ' ')
			w++;
		n = (size_t)(e - w);
		while (n > 0 && w[n - 1] == ' ')
			n--;
		if (n == 1 && *w == '*')
			return 1;
		if (n > 0 && *w == '.') {
			w++;
			n--;
		}
		if (n == 0 || n > hl)
			continue;
		/* the name itself, or a name under it */
		if (strncasecmp(host + hl - n, w, n) == 0 &&
		    (hl == n || host[hl - n - 1] == '.'))
			return 1;
	}
	return 0;
}

void
proxy_settle(struct proxy *px, uint64_t id, int allow, const struct netaddr *a,
    size_t n, const char *kind, const char *why, const char *fix)
{
	struct conn *c;
	char body[2400];

	for (c = px->conns; c != NULL; c = c->next)
		if (c->id == id && !c->dead && c->st == C_DECIDE)
			break;
	if (c == NULL)
		return;
	if (c->udp_of != 0) {
		udp_settle(px, c, allow, a, n);
		return;
	}
	if (!allow) {
		snprintf(body, sizeof(body),
		    "agentwrap's proxy blocked %s port %d: %s\n%s%s%s",
		    c->req.host, c->req.port, why != NULL ? why : "denied",
		    fix != NULL && fix[0] != '\0' ? "To allow it: " : "",
		    fix != NULL ? fix : "",
		    fix != NULL && fix[0] != '\0' ? "\n" : "");
		reply(c, 403, kind != NULL ? kind : PROXY_BY_POLICY, body);
		return;
	}
	/* allowed: through the upstream proxy if there is one (it resolves
	 * the name again), else to the addresses judged */
	if (px->nup > 0 && !bypass(px, c->req.host)) {
		a = px->up;
		n = px->nup;
		c->via = 1;
		c->cport = px->upport;
	} else
		c->cport = c->req.port;
	if (n > PROXY_MAX_ADDRS)
		n = PROXY_MAX_ADDRS;
	memcpy(c->addrs, a, n * sizeof(*a));
	c->naddrs = n;
	c->nextaddr = 0;
	try_connect(px, c);
}

int
proxy_waiting(const struct proxy *px, uint64_t id)
{
	const struct conn *c;

	for (c = px->conns; c != NULL; c = c->next)
		if (c->id == id)
			return !c->dead && c->st == C_DECIDE;
	return 0;
}

/* HEAD: read more of the head, and decide once it is whole */
static void
read_head(struct proxy *px, struct conn *c)
{
	char why[160], body[300];
	ssize_t r;
	int v;

	if (c->head == NULL && (c->head = malloc(PROXY_HEAD_MAX)) == NULL) {
		conn_close(c);
		return;
	}
	r = read(c->cfd, c->head + c->headlen, PROXY_HEAD_MAX - c->headlen);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		conn_close(c);
		return;
	}
	c->headlen += (size_t)r;
	if (px->socks5 && c->head[0] == 5)
		c->socks = 1;
	if (c->socks) {
		v = proxy_parse_socks(
		    c->head, c->headlen, &c->req, why, sizeof(why));
		/* the greeting's answer: "no authentication"; two bytes to
		 * an empty socket buffer */
		if (c->req.greet_len > 0 && !c->greeted &&
		    v != PROXY_SOCKS_NOAUTH) {
			if (send(c->cfd, "\x05\x00", 2, MSG_NOSIGNAL) != 2) {
				conn_close(c);
				return;
			}
			c->greeted = 1;
		}
		if (v == PROXY_SOCKS_NOAUTH) {
			/* "no acceptable methods", and the client closes */
			answer_close(c, "\x05\xff", 2);
			return;
		}
		if (v & PROXY_SOCKS_ERR) {
			if (!c->greeted)
				conn_close(c); /* it is not speaking SOCKS5 */
			else
				socks_refuse(c, v & 0xff);
			return;
		}
		if (v == 0)
			return;
		if (c->req.udp) {
			if (px->socks5_udp)
				start_udp(px, c);
			else
				socks_refuse(c, 7);
			return;
		}
	} else {
		v = proxy_parse_head(
		    c->head, c->headlen, &c->req, why, sizeof(why));
		if (v == 0)
			return;
	}
	if (v != 1) {
		snprintf(body, sizeof(body), "agentwrap's proxy: %s\n", why);
		reply(c, v, NULL, body);
		return;
	}
	c->st = C_DECIDE;
	px->decide(px->ctx, c->id, c->req.host, c->req.port);
}

/* How many read-and-send rounds one wake-up may make for a connection:
 * a busy tunnel then costs one poll() per PROXY_ROUNDS buffers, and the
 * others still get their turn soon */
#define PROXY_ROUNDS 8

static void
relay(struct conn *c)
{
	ssize_t n[4] = { 0, 0, 0, 0 };
	int round;

	/* until nothing moves (a read or a send would block) */
	for (round = 0; round < PROXY_ROUNDS; round++) {
		if ((!c->c_eof &&
			(n[0] = take_in(c->cfd, &c->c2s, &c->c_eof)) == -1) ||
		    (!c->s_eof &&
			(n[1] = take_in(c->sfd, &c->s2c, &c->s_eof)) == -1) ||
		    (n[2] = give_out(c->sfd, &c->c2s)) == -1 ||
		    (n[3] = give_out(c->cfd, &c->s2c)) == -1)
			goto gone;
		if (n[0] + n[1] + n[2] + n[3] == 0)
			break;
		n[0] = n[1] = 0;
	}
	/* a side that stopped sending, once all it sent is through: tell
	 * the other */
	if (c->c_eof && pending(&c->c2s) == 0 && !c->s_shut) {
		shutdown(c->sfd, SHUT_WR);
		c->s_shut = 1;
	}
	if (c->s_eof && pending(&c->s2c) == 0 && !c->c_shut) {
		shutdown(c->cfd, SHUT_WR);
		c->c_shut = 1;
	}
	if (c->c_shut && c->s_shut)
		goto gone;
	return;
gone:
	conn_close(c);
}

static void
accept_all(struct proxy *px)
{
	struct conn *c;
	unsigned long inode;
	long uid;
	int fd;

	for (;;) {
		fd = accept4(px->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		/* only the user the tree runs as: another user of the machine
		 * may not spend the tree's allowances or put questions to
		 * whoever answers them */
		inode = 0;
		uid = peer_uid(px, fd, &inode);
		/* dangerously_allow_non_loopback_proxy: a client of another
		 * machine is served too (there is no telling whose it is) */
		if (uid != (long)geteuid() && !(px->wide && uid == -2)) {
			px->refused++;
			close(fd);
			continue;
		}
		if (px->nconns >= PROXY_MAX_CONNS ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->id = ++px->last_id;
		c->cfd = fd;
		c->cinode = inode;
		c->sfd = -1;
		c->c2s.pipe[0] = c->c2s.pipe[1] = -1;
		c->s2c.pipe[0] = c->s2c.pipe[1] = -1;
		c->st = C_HEAD;
		c->deadline = clock_mono_ms() + PROXY_HEAD_MS;
		c->next = px->conns;
		px->conns = c;
		px->nconns++;
	}
}

static void
reap(struct proxy *px)
{
	struct conn **pp, *c, *ch;

	/* the destinations an association that ended was still having
	 * judged: nobody waits for them (no question is put for them, and
	 * they stop counting as connections) */
	for (c = px->conns; c != NULL; c = c->next)
		if (c->dead && c->st == C_UDP)
			for (ch = px->conns; ch != NULL; ch = ch->next)
				if (ch->udp_of == c->id)
					ch->dead = 1;
	for (pp = &px->conns; *pp != NULL;) {
		c = *pp;
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		px->nconns--;
		if (c->piped)
			px->npipes -= 2;
		conn_free(c);
	}
}

/* --- the proxy --- */

struct proxy *
proxy_new(proxy_decide_fn decide, void *ctx, const struct proxy_opts *po,
    char *err, size_t errlen)
{
	static const char *const names[] = { "http_proxy", "HTTP_PROXY",
		"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
		"npm_config_proxy", "npm_config_https_proxy", "YARN_HTTP_PROXY",
		"YARN_HTTPS_PROXY", "PIP_PROXY" };
	static const char noproxy[] =
	    "localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,"
	    "192.168.0.0/16,169.254.0.0/16,100.64.0.0/10,fc00::/7,fe80::/10";
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct rlimit rl;
	struct proxy *px;
	size_t i;

	if ((px = calloc(1, sizeof(*px))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	px->decide = decide;
	px->ctx = ctx;
	px->socks5 = po->socks5;
	px->socks5_udp = po->socks5 && po->socks5_udp;
	px->wide = po->nonloopback;
	px->no_diag = po->no_sock_diag;
	/* pipes (two descriptors each) only from what is left under the
	 * descriptor limit once every connection has its two sockets and the
	 * rest of the supervisor 256 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur > 2 * PROXY_MAX_CONNS + 256)
		px->maxpipes =
		    (int)((rl.rlim_cur - 2 * PROXY_MAX_CONNS - 256) / 2);
	else if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur == RLIM_INFINITY)
		px->maxpipes = 2 * PROXY_MAX_CONNS;
	if (px->maxpipes > 2 * PROXY_MAX_CONNS)
		px->maxpipes = 2 * PROXY_MAX_CONNS;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(px->wide ? INADDR_ANY : INADDR_LOOPBACK);
	if ((px->lfd = socket(AF_INET,
		 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(px->lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(px->lfd, 128) == -1 ||
	    getsockname(px->lfd, (struct sockaddr *)&sin, &sl) == -1) {
		snprintf(err, errlen, "cannot listen on %s: %s",
		    px->wide ? "0.0.0.0" : "127.0.0.1", strerror(errno));
		if (px->lfd >= 0)
			close(px->lfd);
		free(px);
		return NULL;
	}
	px->port = ntohs(sin.sin_port);
	/* UDP on the same port, for SOCKS5 UDP associations (none if the
	 * port is taken for UDP) */
	px->ufd = -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (px->socks5_udp &&
	    ((px->ufd = socket(AF_INET,
		  SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1 ||
		bind(px->ufd, (struct sockaddr *)&sin, sizeof(sin)) == -1)) {
		if (px->ufd >= 0)
			close(px->ufd);
		px->ufd = -1;
	}
	snprintf(px->url, sizeof(px->url), "http://127.0.0.1:%d", px->port);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		snprintf(px->env[px->nenv++], sizeof(px->env[0]), "%s=%s",
		    names[i], px->url);
	snprintf(
	    px->env[px->nenv++], sizeof(px->env[0]), "no_proxy=%s", noproxy);
	snprintf(
	    px->env[px->nenv++], sizeof(px->env[0]), "NO_PROXY=%s", noproxy);
	return px;
}

void
proxy_free(struct proxy *px)
{
	struct conn *c, *next;

	if (px == NULL)
		return;
	for (c = px->conns; c != NULL; c = next) {
		next = c->next;
		conn_free(c);
	}
	close(px->lfd);
	if (px->ufd >= 0)
		close(px->ufd);
	free(px->map);
	free(px);
}

void
proxy_set_upstream(struct proxy *px, const struct netaddr *a, size_t n,
    int port, const char *auth, const char *noproxy)
{
	if (n > PROXY_MAX_ADDRS)
		n = PROXY_MAX_ADDRS;
	memcpy(px->up, a, n * sizeof(*a));
	px->nup = n;
	px->upport = port;
	snprintf(px->upauth, sizeof(px->upauth), "%s%s%s",
	    auth != NULL ? "Proxy-Authorization: Basic " : "",
	    auth != NULL ? auth : "", auth != NULL ? "\r\n" : "");
	snprintf(px->upbypass, sizeof(px->upbypass), "%s",
	    noproxy != NULL ? noproxy : "");
}

int
proxy_client(struct proxy *px, uint64_t id, char *exe, size_t exelen)
{
	const struct conn *c;
	char want[48], path[64], link[64];
	struct dirent *p, *f;
	DIR *proc, *fds;
	uint64_t now = clock_mono_ms();
	ssize_t n;
	int pid = 0;

	for (c = px->conns; c != NULL && c->id != id; c = c->next)
		;
	/* a scan of /proc costs milliseconds: at most PROXY_SCANS a second,
	 * so that a client sending denied requests in a loop cannot make
	 * the supervisor spend its time there (past that, agentwrap-proxy) */
	if (now - px->scan_t0 >= 1000) {
		px->scan_t0 = now;
		px->nscans = 0;
	}
	if (c == NULL || c->cinode == 0 || px->nscans >= PROXY_SCANS ||
	    (proc = opendir("/proc")) == NULL)
		return 0;
	px->nscans++;
	snprintf(want, sizeof(want), "socket:[%lu]", c->cinode);
	while (pid == 0 && (p = readdir(proc)) != NULL) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.16s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue; /* another user's, or gone */
		while ((f = readdir(fds)) != NULL) {
			snprintf(path, sizeof(path), "/proc/%.16s/fd/%.16s",
			    p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				pid = atoi(p->d_name);
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	if (pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		n = readlink(path, exe, exelen - 1);
		exe[n > 0 ? n : 0] = '\0';
	}
	return pid;
}

unsigned long
proxy_refused(const struct proxy *px)
{
	return px != NULL ? px->refused : 0;
}

int
proxy_port(const struct proxy *px)
{
	return px != NULL ? px->port : 0;
}

size_t
proxy_env(const struct proxy *px, const char **out, size_t max)
{
	size_t i;

	for (i = 0; px != NULL && i < px->nenv && i < max; i++)
		out[i] = px->env[i];
	return i;
}

static void
map_add(struct proxy *px, struct conn *c, int which)
{
	px->map[px->nmap].c = c;
	px->map[px->nmap].which = which;
	px->nmap++;
}

int
proxy_pollfds(struct proxy *px, struct pollfd *pfd, int max)
{
	struct conn *c;
	int n = 0, want;

	if (px == NULL || max < 1)
		return 0;
	reap(px);
	want = 2 + 2 * px->nconns;
	if (want > px->mapcap) {
		struct slot *m = realloc(px->map, (size_t)want * sizeof(*m));

		if (m == NULL)
			return 0;
		px->map = m;
		px->mapcap = want;
	}
	px->nmap = 0;
	pfd[n].fd = px->lfd;
	pfd[n].events = POLLIN;
	map_add(px, NULL, 0);
	n++;
	if (px->ufd >= 0 && n < max) {
		pfd[n].fd = px->ufd;
		pfd[n].events = POLLIN;
		map_add(px, NULL, 2);
		n++;
	}
	for (c = px->conns; c != NULL && n + 2 <= max; c = c->next) {
		short ce = 0, se = 0;

		c->crev = c->srev = 0;
		switch (c->st) {
		case C_HEAD:
			ce = POLLIN;
			break;
		case C_DECIDE:
			break;
		case C_CONNECT:
			se = POLLOUT;
			break;
		case C_UPSTREAM:
			se = c->c2s.off < c->c2s.len ? POLLOUT : POLLIN;
			break;
		case C_UDP:
			ce = POLLIN | (c->s2c.off < c->s2c.len ? POLLOUT : 0);
			se = POLLIN;
			break;
		case C_RELAY:
			if (!c->c_eof && room(&c->c2s))
				ce |= POLLIN;
			if (pending(&c->s2c) > 0)
				ce |= POLLOUT;
			if (!c->s_eof && room(&c->s2c))
				se |= POLLIN;
			if (pending(&c->c2s) > 0)
				se |= POLLOUT;
			break;
		case C_REPLY:
			ce = POLLOUT;
			break;
		case C_DRAIN:
			ce = POLLIN;
			break;
		}
		if (ce != 0) {
			pfd[n].fd = c->cfd;
			pfd[n].events = ce;
			map_add(px, c, 0);
			n++;
		}
		if (se != 0 && c->sfd >= 0) {
			pfd[n].fd = c->sfd;
			pfd[n].events = se;
			map_add(px, c, 1);
			n++;
		}
	}
	return n;
}

int
proxy_next_ms(const struct proxy *px)
{
	const struct conn *c;
	uint64_t now, min = UINT64_MAX;

	if (px == NULL)
		return -1;
	for (c = px->conns; c != NULL; c = c->next)
		if ((c->st == C_HEAD || c->st == C_CONNECT ||
			c->st == C_UPSTREAM || c->st == C_DRAIN) &&
		    !c->dead && c->deadline < min)
			min = c->deadline;
	if (min == UINT64_MAX)
		return -1;
	now = clock_mono_ms();
	return min <= now ? 0 : (int)(min - now > 60000 ? 60000 : min - now);
}

void
proxy_ready(struct proxy *px, const struct pollfd *pfd, int n)
{
	struct conn *c;
	uint64_t now;
	int i;

	if (px == NULL)
		return;
	for (i = 0; i < n && i < px->nmap; i++) {
		if (px->map[i].c == NULL) {
			if ((pfd[i].revents & POLLIN) && px->map[i].which == 2)
				udp_in(px);
			else if (pfd[i].revents & POLLIN)
				accept_all(px);
			continue;
		}
		if (px->map[i].which == 1)
			px->map[i].c->srev = pfd[i].revents;
		else
			px->map[i].c->crev = pfd[i].revents;
	}
	now = clock_mono_ms();
	for (c = px->conns; c != NULL; c = c->next) {
		if (c->dead)
			continue;
		switch (c->st) {
		case C_HEAD:
			if (c->crev)
				read_head(px, c);
			else if (now >= c->deadline)
				conn_close(c);
			break;
		case C_DECIDE:
			break;
		case C_CONNECT:
			if (c->srev)
				connected(px, c);
			else if (now >= c->deadline)
				reply(c, 504, NULL,
				    "agentwrap's proxy: the connect timed "
				    "out\n");
			break;
		case C_UPSTREAM:
			if (c->srev)
				upstream_ready(px, c);
			else if (now >= c->deadline)
				reply(c, 504, NULL,
				    "agentwrap's proxy: the upstream proxy did "
				    "not answer in time\n");
			break;
		case C_RELAY:
			if (c->crev || c->srev)
				relay(c);
			break;
		case C_UDP:
			udp_ready(px, c);
			break;
		case C_REPLY:
			if (c->crev & (POLLERR | POLLHUP))
				conn_close(c);
			else if (c->crev && push(c->cfd, &c->s2c) == -1)
				conn_close(c);
			else if (c->s2c.off == c->s2c.len) {
				/* the answer is out: stop sending, and read
				 * what the client still sends (a close with
				 * unread bytes would reset the connection,
				 * and the client might never see the answer) */
				shutdown(c->cfd, SHUT_WR);
				c->st = C_DRAIN;
				c->deadline = now + PROXY_DRAIN_MS;
			}
			break;
		case C_DRAIN:
			if (c->crev) {
				char sink[4096];
				ssize_t r = read(c->cfd, sink, sizeof(sink));

				if (r == 0 ||
				    (r < 0 && errno != EAGAIN &&
					errno != EINTR))
					conn_close(c);
			} else if (now >= c->deadline)
				conn_close(c);
			break;
		}
		c->crev = c->srev = 0;
	}
	reap(px);
	px->nmap = 0;
}
