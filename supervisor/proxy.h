/*
 * proxy.h: agentwrap's HTTP proxy, for programs that do not resolve names
 * through libc (static binaries, anything that honours HTTPS_PROXY).
 *
 * With the network on and features.network_proxy enabled, the supervisor
 * listens on 127.0.0.1 (an ephemeral port) and the command gets the proxy
 * variables (proxy_env). A client sends one request head: CONNECT
 * HOST:PORT (TLS and anything else, relayed as bytes once allowed), or an
 * absolute-URI request (GET http://HOST[:PORT]/path, forwarded in origin
 * form with "Connection: close", one request per connection). The host is
 * judged as a connect to HOST:PORT with the policy (the decision, the
 * lookup and any question belong to the caller of proxy_new, through
 * DECIDE); a refusal is answered 403 with an x-proxy-error header
 * (blocked-by-allowlist, blocked-by-denylist, blocked-by-policy) and a body
 * naming the host, the reason and the setting that would allow it.
 *
 * With SOCKS5 on, a client whose first byte is 5 speaks SOCKS5 (RFC 1928,
 * no authentication, CONNECT only) on the same port; its target is judged
 * the same way, and a refusal is SOCKS5 reply 2 ("not allowed by the
 * ruleset").
 *
 * Only the user the supervisor runs as is served: a client whose socket
 * belongs to another user (the kernel's TCP table says whose) is closed
 * at once, and counted (proxy_refused).
 *
 * Bounds: at most PROXY_MAX_CONNS connections (past that new ones are
 * closed at once), a request head of at most PROXY_HEAD_MAX bytes (else
 * 431) that must arrive within PROXY_HEAD_MS, a connect within
 * PROXY_CONNECT_MS (else 504), two relay buffers of PROXY_BUF bytes per
 * connection. Everything a client sends is hostile input: the head parser
 * (proxy_parse_head) is a pure function with a fuzz target.
 *
 * Runs in the supervisor's event loop: no threads, non-blocking sockets.
 */
#ifndef AGENTWRAP_PROXY_H
#define AGENTWRAP_PROXY_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

#define PROXY_MAX_CONNS 256
#define PROXY_HEAD_MAX 16384
#define PROXY_HEAD_MS 30000
#define PROXY_CONNECT_MS 10000
#define PROXY_BUF 32768
#define PROXY_MAX_ADDRS 32

/* What a request head asks for */
struct proxy_req {
	int connect; /* CONNECT: 1; an absolute-URI request: 0 */
	char host[NETADDR_HOSTLEN]; /* as written, brackets taken off */
	int port;
	/* an absolute-URI request: the head to send on, in origin form
	 * (malloc'd, HEAD_LEN bytes), and how many bytes of the input the
	 * head took (what follows is the body, sent on as it is) */
	char *head;
	size_t head_len;
	size_t consumed;
	size_t greet_len; /* SOCKS5: the greeting's length, once it is whole */
	int udp; /* SOCKS5 UDP ASSOCIATE (HOST:PORT: where the client says it
		  * will send from) */
};

/*
 * Parse the request head in BUF (LEN bytes: the head and maybe more).
 * Returns 1 with R filled, 0 if the head is not complete yet, or an HTTP
 * status for a bad request (400, 405, 431, 505), with a sentence in WHY.
 */
int proxy_parse_head(
    const char *buf, size_t len, struct proxy_req *r, char *why, size_t whylen);
void proxy_req_free(struct proxy_req *r);

/*
 * Parse a SOCKS5 client's first bytes in BUF (LEN): the greeting (version
 * 5, the methods it offers) and then its request (version 5, CONNECT, an
 * IPv4 address, a domain name or an IPv6 address, a port). Returns 0 while
 * more is needed (with R->greet_len set once the greeting is whole: it is
 * then answered), 1 with R filled (connect set, HOST, PORT, consumed) for a
 * CONNECT, PROXY_SOCKS_NOAUTH if the client offers no method without
 * authentication, or PROXY_SOCKS_ERR | a SOCKS5 reply code (1: malformed,
 * 7: a command other than CONNECT and UDP ASSOCIATE, 8: an address type it
 * does not know; UDP ASSOCIATE sets R->udp instead of connect),
 * with a sentence in WHY. A domain name is letters, digits, '-', '_' and
 * '.' only.
 */
/*
 * The header of a datagram a SOCKS5 client sends to its UDP relay (RSV 0,
 * FRAG 0: fragments are not served, ATYP, DST.ADDR, DST.PORT) in BUF
 * (LEN): R's host and port, and in R->consumed where the data starts. 0,
 * or -1 (drop it) with a sentence in WHY.
 */
int proxy_parse_socks_udp(
    const char *buf, size_t len, struct proxy_req *r, char *why, size_t whylen);
#define PROXY_SOCKS_ERR 0x100
#define PROXY_SOCKS_NOAUTH 0x200
int proxy_parse_socks(
    const char *buf, size_t len, struct proxy_req *r, char *why, size_t whylen);

struct proxy;

/*
 * DECIDE(CTX, ID, HOST, PORT): judge connection ID's target. Answer with
 * proxy_settle(), at once or later (after a lookup or a question).
 */
typedef void (*proxy_decide_fn)(
    void *ctx, uint64_t id, const char *host, int port);

/* Listen on 127.0.0.1 (or every address), with the options PO; NULL with a
 * message in ERR */
struct proxy_opts {
	int socks5; /* speak SOCKS5 too */
	int socks5_udp; /* and serve UDP ASSOCIATE */
	/* listen on every address, and serve clients of other machines
	 * (dangerously_allow_non_loopback_proxy) */
	int nonloopback;
	int no_sock_diag; /* as on a kernel without sock_diag (tests) */
};
struct proxy *proxy_new(proxy_decide_fn decide, void *ctx,
    const struct proxy_opts *po, char *err, size_t errlen);
void proxy_free(struct proxy *px);
int proxy_port(const struct proxy *px);
/*
 * Send every allowed target through the upstream proxy at the N addresses A
 * (tried in turn), PORT, as a CONNECT tunnel (plain http:// requests too),
 * with AUTH (base64 of user:password) as Proxy-Authorization unless NULL;
 * a host that NOPROXY (a NO_PROXY list: names, ".suffix", "*") names goes
 * directly. The target is judged as always; the upstream resolves it again.
 */
/*
 * An upstream proxy's URL, as in HTTPS_PROXY: [http://][USER:PASS@]HOST
 * [:PORT][/] (PORT 1080 if none, as curl has it). Fills R's host and
 * port, and AUTH (AUTHLEN) with the base64 of the percent-decoded
 * USER:PASS, or "". 0, or -1 with a sentence in WHY.
 */
int proxy_parse_upstream(const char *url, struct proxy_req *r, char *auth,
    size_t authlen, char *why, size_t whylen);
void proxy_set_upstream(struct proxy *px, const struct netaddr *a, size_t n,
    int port, const char *auth, const char *noproxy);
/*
 * The process that holds connection ID's client socket (the first one
 * found: a socket may be shared), with its program in EXE; 0 if none is
 * found. It reads /proc: for questions and records, not for every
 * connection, and at most 20 times a second (then 0).
 */
int proxy_client(struct proxy *px, uint64_t id, char *exe, size_t exelen);
/* How many clients were turned away for being another user's */
unsigned long proxy_refused(const struct proxy *px);

/*
 * The variables the command gets: "NAME=value" strings in OUT (at most
 * MAX), pointing into PX. Returns how many.
 */
size_t proxy_env(const struct proxy *px, const char **out, size_t max);

/* The loop: descriptors to poll, then what poll() said about them */
int proxy_pollfds(struct proxy *px, struct pollfd *pfd, int max);
void proxy_ready(struct proxy *px, const struct pollfd *pfd, int n);
/* Milliseconds until the next deadline (-1: none) */
int proxy_next_ms(const struct proxy *px);

/* The x-proxy-error kinds */
#define PROXY_BY_ALLOWLIST "blocked-by-allowlist"
#define PROXY_BY_DENYLIST "blocked-by-denylist"
#define PROXY_BY_POLICY "blocked-by-policy"

/*
 * The decision for connection ID: ALLOW with the N addresses A to try in
 * turn; or not, with KIND (PROXY_BY_*), WHY (the policy's sentence) and
 * FIX (the setting that would allow it, or NULL). Ignored if ID is gone.
 */
void proxy_settle(struct proxy *px, uint64_t id, int allow,
    const struct netaddr *a, size_t n, const char *kind, const char *why,
    const char *fix);
/* Is connection ID still waiting for its decision? */
int proxy_waiting(const struct proxy *px, uint64_t id);

#endif /* AGENTWRAP_PROXY_H */
