/*
 * msg.h: the messages inside ring slots: a fixed header and then
 * tag-length-value fields. Encoded by the shim (inside the watched process),
 * decoded by the supervisor from a private copy of the slot: the decoder
 * treats its input as hostile (every length checked, strings must not hold
 * NUL, no field twice, nothing after the last field).
 */
#ifndef AGENTWRAP_MSG_H
#define AGENTWRAP_MSG_H

#include <stddef.h>
#include <stdint.h>

enum aw_msg_type {
	AW_MSG_EVENT = 1, /* one-way: an intercepted call and its verdict */
	AW_MSG_ASK =
	    2, /* round trip: decide this request (supervisor's answer wins) */
	AW_MSG_RESOLVE = 3, /* round trip: resolve and judge a host name */
	AW_MSG_PING = 4, /* round trip: nothing (for latency measurement) */
};

/* Beyond enum pol_op: events that are not requests */
#define AW_OP_UNCOVERED                                                        \
	100 /* an exec the shim cannot follow (static binary, ...) */
#define AW_OP_MALFORMED 101 /* the shim hit something it could not judge */
#define AW_OP_FLOOR                                                            \
	102 /* a call the kernel floor refused (supervisor only, never on the ring) */

enum aw_layer {
	AW_LAYER_PRELOAD = 0,
	AW_LAYER_SECCOMP = 1,
	AW_LAYER_SUPERVISOR = 2,
	AW_LAYER_PROXY = 3, /* the supervisor's proxy (never on the ring) */
};

/* The rule of an exec the shim refuses because the watch could not be put
 * on it (an AW_OP_UNCOVERED event with VERDICT_DENY) */
#define AW_RULE_WATCH "seccomp watch"

/* The rule of a RESOLVE answer to a raw DNS query that no name server
 * answered (in time): the call fails as glibc's does then (TRY_AGAIN),
 * not as a refusal */
#define AW_RULE_NO_ANSWER "dns-no-answer"

/* flags */
#define AW_MF_ARGV_TRUNCATED 0x1
#define AW_MF_AUDIT_ONLY 0x2 /* verdict recorded, not enforced */
#define AW_MF_NOFOLLOW 0x4 /* the request had REQ_NOFOLLOW (policy.h) */
#define AW_MF_ENTRY 0x8 /* the request had REQ_ENTRY (policy.h) */
#define AW_MF_UNCOVERED 0x10 /* the request had REQ_UNCOVERED (policy.h) */
#define AW_MF_ALL 0x1f /* every defined flag; others are malformed */

enum aw_tag {
	AW_T_CALL = 1, /* libc function or syscall name */
	AW_T_PATH = 2, /* canonical absolute path (bytes, no NUL) */
	AW_T_PATH2 = 3,
	AW_T_ARGV =
	    4, /* argv words, each NUL-terminated (the one field allowed NULs) */
	AW_T_HOST = 5,
	AW_T_ADDR = 6, /* IP address text */
	AW_T_RULE = 7, /* the rule that decided, as the shim saw it */
	AW_T_EXE = 8, /* the caller's executable */
	AW_T_WHY = 9, /* the shim's explanation (informative only) */
	AW_T_DNS = 10, /* a DNS message (bytes, NULs and all; dnsmsg.h) */
};

#define AW_MSG_MAX_ARGV 256

/*
 * Wire format (docs/protocol.md): a 36-byte header in host byte order
 *   u16 version (AW_PROTO_VERSION), u16 type, u16 op, u16 flags,
 *   u8 verdict, u8 layer, u16 reserved (0),
 *   i32 pid, i32 ppid, i32 port, i32 err, u64 ts_ns
 * then fields in strictly increasing tag order (so none twice), each
 *   u16 tag, u16 len, LEN bytes
 * A string's bytes end with its one NUL; argv's are the words, each ending
 * with a NUL (at least one word). Nothing may follow the last field.
 */
#define AW_MSG_HDR_LEN 36

/*
 * Answers (the bytes a round trip gets back) are messages too: the
 * request's type, verdict = the policy's own verdict, flags AW_MF_AUDIT_ONLY
 * under --audit-only, and the fields RULE and WHY. A RESOLVE answer that
 * allows the name carries the addresses handed out in ARGV, one IP address
 * text per word; one to a request that carried a DNS query (DNS) carries
 * the name server's answer in DNS. The slot's answer word (ring_call's *verdict) is what to
 * enforce: VERDICT_ALLOW or VERDICT_DENY, never VERDICT_ASK (an ask is
 * denied until approvals exist); under --audit-only always VERDICT_ALLOW.
 */

struct aw_msg {
	uint16_t type; /* enum aw_msg_type */
	uint16_t op; /* enum pol_op or AW_OP_* */
	uint8_t verdict; /* enum pol_verdict the shim applied */
	uint8_t layer; /* enum aw_layer */
	uint16_t flags; /* AW_MF_* */
	int32_t pid;
	int32_t ppid;
	int32_t port; /* -1 when none */
	int32_t err; /* errno the call failed with, 0 if none */
	uint64_t ts_ns; /* CLOCK_REALTIME */
	/* decoded fields: NUL-terminated, point into the decoder's buffer; NULL if absent */
	const char *call, *path, *path2, *host, *addr, *rule, *exe, *why;
	const char *argv[AW_MSG_MAX_ARGV]; /* decoded argv words */
	uint32_t argc;
	/* lengths (paths may need them for exact bytes) */
	size_t path_len, path2_len;
	/* AW_T_DNS: a raw query's question (a RESOLVE request) or its
	 * answer (the RESOLVE answer); NULL if absent */
	const uint8_t *dns;
	size_t dns_len;
};

/*
 * Encode M into BUF (capacity CAP). For AW_T_ARGV the caller sets argv/argc;
 * words that do not fit are dropped and AW_MF_ARGV_TRUNCATED set. Strings
 * longer than fit are an error. Returns the length, or -1.
 * Safe in a hook: no malloc, no stdio, no locks.
 */
int msg_encode(uint8_t *buf, size_t cap, const struct aw_msg *m);

/*
 * Decode LEN bytes of BUF (a private copy, modified in place: strings are
 * NUL-terminated inside it) into M. Returns 0, or -1 on any malformation.
 */
int msg_decode(uint8_t *buf, size_t len, struct aw_msg *m);

/*
 * The ts_ns of an encoded message without decoding it (0 if LEN is too
 * short). The supervisor orders a batch of slots by it; a lie only
 * changes that order.
 */
uint64_t msg_peek_ts(const uint8_t *buf, size_t len);

#endif /* AGENTWRAP_MSG_H */
