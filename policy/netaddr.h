/*
 * netaddr: IP literals, host names and domain-rule patterns for the network
 * policy.  Parses, formats, compares and classifies IPv4/IPv6 addresses,
 * normalises DNS host names, and matches hosts against the domain patterns
 * of [features.network_proxy].
 *
 * Pure: no I/O, no allocation, no mutable global state, no locale, no libc
 * resolver or inet_* calls.  Runs in the supervisor's policy engine and
 * parses untrusted input (proxy requests, names a sandboxed program resolves,
 * config files): every function reads only up to the terminating NUL of its
 * string arguments and writes only within the lengths it is given.  All
 * functions accept NULL pointers and fail (or return false) on them.
 */
#ifndef NETADDR_H
#define NETADDR_H

#include <sys/socket.h> /* AF_INET, AF_INET6 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for any netaddr_format() output: 8 groups of 4, 7 colons, "%" and
 * a 10-digit scope id, NUL. */
#define NETADDR_STRLEN 51
/* Longest normalised host name (without the trailing dot) and a buffer for it. */
#define NETADDR_HOST_MAX 253
#define NETADDR_HOSTLEN 256

struct netaddr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* v4 in first 4 bytes, network order */
	uint32_t scope_id; /* IPv6 only; 0 if none or an interface name */
};

/*
 * Parse an IP literal in every form glibc accepts wherever a host is given
 * (getaddrinfo, gethostbyname), and nothing else:
 *  - IPv4 as inet_aton(3) accepts it with nothing after it: 1 to 4 parts
 *    separated by '.', each decimal, octal with a leading 0, or hex with 0x;
 *    the last part fills the remaining bytes and is range-checked:
 *    "2130706433", "0x7f.1", "127.1", "0177.0.0.1" are all 127.0.0.1.
 *  - IPv6 as inet_pton(3) accepts it, with an embedded strict dotted quad
 *    ("::ffff:127.0.0.1"), optionally followed by "%scope": a decimal number
 *    up to 2^32-1 (stored in scope_id), or an interface name of 1 to 15
 *    characters [A-Za-z0-9_.-] starting with a letter, accepted with
 *    scope_id 0 since mapping it would need I/O.  "%25" (RFC 6874 URI encoding) is not decoded.
 *  - Either IPv6 form in brackets, "[::1]", "[fe80::1%eth0]" (never IPv4).
 * No whitespace, no trailing dot, no trailing garbage.
 * Returns 0, or -1 if s is not an IP literal; *out is zeroed on failure.
 */
int netaddr_parse_ip(const char *s, struct netaddr *out);

/*
 * Canonical text: dotted quad; or RFC 5952 IPv6 (lowercase, no leading
 * zeros, "::" for the longest run of two or more zero groups, the first run
 * on a tie) with v4-mapped addresses as "::ffff:a.b.c.d", followed by
 * "%<scope_id>" when scope_id is not 0.  The output parses back to the same
 * address.  Returns 0, or -1 (buf set to "" if len > 0) if the family is
 * unknown or len is too small; NETADDR_STRLEN is always enough.
 */
int netaddr_format(const struct netaddr *a, char *buf, size_t len);

/*
 * Same address?  An IPv4-mapped IPv6 address (::ffff:a.b.c.d) equals its
 * IPv4 form; no other embedding does.  scope_id is ignored: a rule naming
 * fe80::1 covers fe80::1 on every link.
 */
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);

/*
 * Classification against the IANA IPv4 and IPv6 special-purpose address
 * registries.  Returns NETADDR_PUBLIC only for an address in none of them
 * (and, for IPv6, inside 2000::/3); otherwise the first matching class:
 *
 * IPv4: 0.0.0.0 unspecified, 0/8 other, 10/8 private, 100.64/10 CGNAT,
 *   127/8 loopback, 169.254/16 link-local, 172.16/12 private, 192.0.0/24
 *   other, 192.0.2/24 documentation, 192.31.196/24 other (AS112),
 *   192.52.193/24 other (AMT), 192.88.99/24 other (6to4 relay),
 *   192.168/16 private, 192.175.48/24 other (AS112), 198.18/15 benchmark,
 *   198.51.100/24 and 203.0.113/24 documentation, 224/4 multicast,
 *   255.255.255.255 broadcast, 240/4 reserved.
 * IPv6: :: unspecified, ::1 loopback, ::ffff:0:0/96 (v4-mapped) and
 *   64:ff9b::/96 (NAT64) the class of the embedded IPv4 address, ::/96
 *   (v4-compatible, deprecated) the class of the embedded IPv4 address or
 *   reserved if that is public, 64:ff9b:1::/48 other, 100::/64 other
 *   (discard), 2001:2::/48 benchmark, 2001::/23 other (includes Teredo
 *   2001::/32), 2001:db8::/32 and 3fff::/20 documentation, 2002::/16 (6to4)
 *   the class of the embedded IPv4 address or other if that is public,
 *   2620:4f:8000::/48 other (AS112), fc00::/7 ULA, fe80::/10 link-local,
 *   fec0::/10 private (site-local, deprecated), ff00::/8 multicast, and
 *   anything outside 2000::/3 reserved.
 *
 * This is a security filter: when in doubt a range is not public.  A NULL
 * pointer or unknown family yields NETADDR_RESERVED.
 */
enum netaddr_class {
	NETADDR_PUBLIC,
	NETADDR_LOOPBACK,
	NETADDR_PRIVATE,
	NETADDR_LINKLOCAL,
	NETADDR_CGNAT,
	NETADDR_UNSPECIFIED,
	NETADDR_MULTICAST,
	NETADDR_BROADCAST,
	NETADDR_BENCHMARK,
	NETADDR_DOCUMENTATION,
	NETADDR_RESERVED,
	NETADDR_ULA,
	NETADDR_OTHER_SPECIAL
};
enum netaddr_class netaddr_classify(const struct netaddr *a);

/* netaddr_classify(a) == NETADDR_PUBLIC. */
bool netaddr_is_public(const struct netaddr *a);

/* The value of hex digit C, or -1 */
int netaddr_hex_value(int c);

/*
 * Lower-case name for messages: "public", "loopback", "private",
 * "link-local", "carrier-grade NAT", "unspecified", "multicast",
 * "broadcast", "benchmarking", "documentation", "reserved", "unique local",
 * "special-purpose"; "unknown" for a value outside the enum.  Never NULL.
 */
const char *netaddr_class_name(enum netaddr_class c);

/*
 * The IPv4 address carried inside an IPv6 one, for rules that must also
 * apply to it: v4-mapped ::ffff:0:0/96, v4-compatible ::/96 (not :: or ::1),
 * NAT64 64:ff9b::/96, 6to4 2002::/16.  An IPv4 address yields itself.
 * Returns 0 with *v4 set, or -1 (*v4 zeroed) if there is none.
 */
int netaddr_embedded_ipv4(const struct netaddr *a, struct netaddr *v4);

/*
 * Normalise a DNS host name into out: lowercase, strip ONE trailing dot,
 * labels of 1 to 63 characters from [a-z0-9_-] not starting or ending with
 * '-', at most NETADDR_HOST_MAX characters in all.  The last label must not
 * look like a number (all digits, or 0x followed by hex digits): resolvers
 * and URL parsers read such names as IPv4 addresses ("127.0.0.1.",
 * "0x7f.0x1").  Non-ASCII is rejected (IDNs come in punycode).
 * An IP literal in any netaddr_parse_ip() form is not rejected: out gets its
 * canonical netaddr_format() text; callers that treat addresses differently
 * must call netaddr_parse_ip() first.
 * Returns 0, or -1 with a static reason in *err (if err is not NULL) and out
 * set to "" (if outlen > 0).  NETADDR_HOSTLEN is always a large enough outlen.
 * in and out may be the same buffer.
 */
int netaddr_norm_host(
    const char *in, char *out, size_t outlen, const char **err);

/*
 * A domain rule pattern from the config:
 *   "api.openai.com"   HOSTPAT_EXACT         that host only
 *   "*.example.com"    HOSTPAT_SUBDOMAINS    strict subdomains, not the apex
 *   "**.example.com"   HOSTPAT_APEX_AND_SUB  the apex and its subdomains
 *   "*"                HOSTPAT_ANY           any public host (the caller
 *                                            forbids it in deny rules)
 *   "127.0.0.1"        HOSTPAT_IP            that address, any literal form
 * host holds the normalised name, the canonical address text for
 * HOSTPAT_IP, or "*" for HOSTPAT_ANY; ip is set for HOSTPAT_IP only.
 */
enum hostpat_kind {
	HOSTPAT_EXACT = 1,
	HOSTPAT_SUBDOMAINS,
	HOSTPAT_APEX_AND_SUB,
	HOSTPAT_ANY,
	HOSTPAT_IP
};

struct hostpat {
	int kind; /* enum hostpat_kind */
	char host[NETADDR_HOSTLEN];
	struct netaddr ip;
};

/*
 * Parse a pattern.  The name part follows netaddr_norm_host(), so case and
 * one trailing dot do not matter.  Rejected: "", "**", "*.", "*.*",
 * "*example.com", "a.*.com", "***.x", a wildcard over an IP literal
 * ("*.10.0.0.1"), whitespace, ports, paths and URLs.
 * Returns 0, or -1 with a static "malformed pattern: ..." reason in *err
 * (if err is not NULL) and *out zeroed.
 */
int hostpat_parse(const char *s, struct hostpat *out, const char **err);

/*
 * Does the request host (a name, or an IP literal in any netaddr_parse_ip()
 * form) match the pattern?  Names compare case-insensitively with one
 * trailing dot ignored; a host that is neither an IP literal nor a valid
 * name matches nothing.  Names match by their text only: resolving them and
 * checking the answers is the caller's job.
 *  - HOSTPAT_IP matches an IP literal of an equal address (netaddr_equal():
 *    "127.0.0.1" matches "2130706433" and "::ffff:127.0.0.1") and no name.
 *  - HOSTPAT_EXACT, HOSTPAT_SUBDOMAINS, HOSTPAT_APEX_AND_SUB never match an
 *    IP literal.
 *  - HOSTPAT_ANY matches an IP literal only if it is public
 *    (netaddr_classify()), and any name except "localhost" and names under
 *    ".localhost", which are loopback by definition (RFC 6761): a local
 *    destination needs an exact rule.
 */
bool hostpat_match(const struct hostpat *p, const char *host);

/*
 * Split a request target: "HOST", "HOST:PORT", "IPV4:PORT", "[IPV6]",
 * "[IPV6]:PORT", or a bare IPv6 literal ("::1", "fe80::1%eth0"), which
 * cannot carry a port.  Bracketed and bare IPv6 must be valid
 * netaddr_parse_ip() literals; other hosts are not validated beyond being
 * non-empty and free of brackets (use netaddr_norm_host() next).  host gets
 * the host without brackets; *port is -1 when absent, else 0..65535 written
 * as strict decimal (no sign, no leading zeros, no spaces).
 * Returns 0, or -1 with a static reason in *err (if err is not NULL), host
 * set to "" (if hostlen > 0) and *port -1.
 */
int netaddr_split_hostport(
    const char *s, char *host, size_t hostlen, int *port, const char **err);

#endif /* NETADDR_H */
