/*
 * msg.c: encode and decode the messages that travel in ring slots (msg.h).
 *
 * msg_encode() runs inside the watched process, in hooks (no malloc, no
 * stdio, no locks, nothing but libc's string functions). msg_decode() runs in
 * the supervisor on a private copy of a slot, which a hostile process may
 * have filled with anything: every length is checked against what is left,
 * strings must end with their one NUL, tags must strictly increase, and
 * nothing may trail. The format is canonical: a buffer that decodes is
 * exactly what msg_encode() makes of the result (tests/fuzz/fuzz_msg.c).
 */
#include <stdint.h>
#include <string.h>

#include "msg.h"
#include "proto.h"

/* Header offsets (msg.h) */
#define H_VERSION 0
#define H_TYPE 2
#define H_OP 4
#define H_FLAGS 6
#define H_VERDICT 8
#define H_LAYER 9
#define H_RESERVED 10
#define H_PID 12
#define H_PPID 16
#define H_PORT 20
#define H_ERR 24
#define H_TS 28

#define TLV_HDR 4
#define TLV_MAX UINT16_MAX

/* The highest op and verdict values policy.h defines */
#define MSG_OP_MAX 6 /* OP_BIND */
#define MSG_VERDICT_MAX 2 /* VERDICT_ASK */
#define MSG_ERR_MAX 4095

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int32_t
get32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The header fields both ends accept. */
static int
header_ok(const struct aw_msg *m)
{
	if (m->type < AW_MSG_EVENT || m->type > AW_MSG_PING)
		return 0;
	if (m->op > MSG_OP_MAX && m->op != AW_OP_UNCOVERED &&
	    m->op != AW_OP_MALFORMED)
		return 0;
	if (m->verdict > MSG_VERDICT_MAX || m->layer > AW_LAYER_PROXY)
		return 0;
	if ((m->flags & ~AW_MF_ALL) != 0)
		return 0;
	if (m->port < -1 || m->port > 65535)
		return 0;
	if (m->err < 0 || m->err > MSG_ERR_MAX)
		return 0;
	return 1;
}

/* Bytes a string field takes on the wire, or 0 if absent. */
static size_t
str_size(const char *s)
{
	return s == NULL ? 0 : TLV_HDR + strlen(s) + 1;
}

static int
put_str(uint8_t *buf, size_t cap, size_t *off, uint16_t tag, const char *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s) + 1;
	if (n > TLV_MAX || cap - *off < TLV_HDR + n)
		return -1;
	put16(buf + *off, tag);
	put16(buf + *off + 2, (uint16_t)n);
	memcpy(buf + *off + TLV_HDR, s, n);
	*off += TLV_HDR + n;
	return 0;
}

int
msg_encode(uint8_t *buf, size_t cap, const struct aw_msg *m)
{
	const char *const tail[] = { m->host, m->addr, m->rule, m->exe,
		m->why };
	size_t off = AW_MSG_HDR_LEN, after = 0, room, total, n, w, i, want;
	uint16_t flags = m->flags;

	if (!header_ok(m) || cap < AW_MSG_HDR_LEN)
		return -1;
	for (i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		after += str_size(tail[i]);
	if (m->dns != NULL)
		after += TLV_HDR + m->dns_len;
	if (put_str(buf, cap, &off, AW_T_CALL, m->call) == -1 ||
	    put_str(buf, cap, &off, AW_T_PATH, m->path) == -1 ||
	    put_str(buf, cap, &off, AW_T_PATH2, m->path2) == -1)
		return -1;
	if (cap - off < after)
		return -1;

	/* argv: as many whole words as fit before the fields that follow */
	want = m->argc < AW_MSG_MAX_ARGV ? m->argc : AW_MSG_MAX_ARGV;
	if (m->argc > AW_MSG_MAX_ARGV)
		flags |= AW_MF_ARGV_TRUNCATED;
	room = cap - off - after;
	room = room < TLV_HDR ? 0 : room - TLV_HDR;
	if (room > TLV_MAX)
		room = TLV_MAX;
	for (n = 0, total = 0; n < want; n++) {
		if (m->argv[n] == NULL)
			return -1;
		w = strlen(m->argv[n]) + 1;
		if (w > room - total)
			break;
		total += w;
	}
	if (n < want)
		flags |= AW_MF_ARGV_TRUNCATED;
	if (n > 0) {
		put16(buf + off, AW_T_ARGV);
		put16(buf + off + 2, (uint16_t)total);
		off += TLV_HDR;
		for (i = 0; i < n; i++) {
			w = strlen(m->argv[i]) + 1;
			memcpy(buf + off, m->argv[i], w);
			off += w;
		}
	}

	if (put_str(buf, cap, &off, AW_T_HOST, m->host) == -1 ||
	    put_str(buf, cap, &off, AW_T_ADDR, m->addr) == -1 ||
	    put_str(buf, cap, &off, AW_T_RULE, m->rule) == -1 ||
	    put_str(buf, cap, &off, AW_T_EXE, m->exe) == -1 ||
	    put_str(buf, cap, &off, AW_T_WHY, m->why) == -1)
		return -1;
	if (m->dns != NULL) {
		if (m->dns_len == 0 || m->dns_len > TLV_MAX ||
		    cap - off < TLV_HDR + m->dns_len)
			return -1;
		put16(buf + off, AW_T_DNS);
		put16(buf + off + 2, (uint16_t)m->dns_len);
		memcpy(buf + off + TLV_HDR, m->dns, m->dns_len);
		off += TLV_HDR + m->dns_len;
	}

	put16(buf + H_VERSION, AW_PROTO_VERSION);
	put16(buf + H_TYPE, m->type);
	put16(buf + H_OP, m->op);
	put16(buf + H_FLAGS, flags);
	buf[H_VERDICT] = m->verdict;
	buf[H_LAYER] = m->layer;
	put16(buf + H_RESERVED, 0);
	put32(buf + H_PID, m->pid);
	put32(buf + H_PPID, m->ppid);
	put32(buf + H_PORT, m->port);
	put32(buf + H_ERR, m->err);
	memcpy(buf + H_TS, &m->ts_ns, sizeof(m->ts_ns));
	if (off > INT32_MAX)
		return -1;
	return (int)off;
}

/* A string field: its bytes end with a NUL and hold no other. */
static int
get_str(const uint8_t *v, size_t len, const char **out, size_t *outlen)
{
	if (len == 0 || v[len - 1] != '\0' || memchr(v, '\0', len - 1) != NULL)
		return -1;
	*out = (const char *)v;
	if (outlen != NULL)
		*outlen = len - 1;
	return 0;
}

static int
get_argv(const uint8_t *v, size_t len, struct aw_msg *m)
{
	const uint8_t *p = v, *end = v + len, *nul;

	if (len == 0 || v[len - 1] != '\0')
		return -1;
	while (p < end) {
		if (m->argc == AW_MSG_MAX_ARGV)
			return -1;
		nul = memchr(p, '\0', (size_t)(end - p));
		m->argv[m->argc++] = (const char *)p;
		p = nul + 1;
	}
	return 0;
}

int
msg_decode(uint8_t *buf, size_t len, struct aw_msg *m)
{
	size_t off, flen;
	uint16_t tag, last = 0;
	const uint8_t *v;
	int r;

	memset(m, 0, sizeof(*m));
	if (buf == NULL || len < AW_MSG_HDR_LEN)
		goto bad;
	if (get16(buf + H_VERSION) != AW_PROTO_VERSION ||
	    get16(buf + H_RESERVED) != 0)
		goto bad;
	m->type = get16(buf + H_TYPE);
	m->op = get16(buf + H_OP);
	m->flags = get16(buf + H_FLAGS);
	m->verdict = buf[H_VERDICT];
	m->layer = buf[H_LAYER];
	m->pid = get32(buf + H_PID);
	m->ppid = get32(buf + H_PPID);
	m->port = get32(buf + H_PORT);
	m->err = get32(buf + H_ERR);
	memcpy(&m->ts_ns, buf + H_TS, sizeof(m->ts_ns));
	if (!header_ok(m))
		goto bad;

	for (off = AW_MSG_HDR_LEN; off < len; off += flen) {
		if (len - off < TLV_HDR)
			goto bad;
		tag = get16(buf + off);
		flen = get16(buf + off + 2);
		off += TLV_HDR;
		if (flen > len - off || tag <= last)
			goto bad;
		last = tag;
		v = buf + off;
		switch (tag) {
		case AW_T_CALL:
			r = get_str(v, flen, &m->call, NULL);
			break;
		case AW_T_PATH:
			r = get_str(v, flen, &m->path, &m->path_len);
			break;
		case AW_T_PATH2:
			r = get_str(v, flen, &m->path2, &m->path2_len);
			break;
		case AW_T_ARGV:
			r = get_argv(v, flen, m);
			break;
		case AW_T_HOST:
			r = get_str(v, flen, &m->host, NULL);
			break;
		case AW_T_ADDR:
			r = get_str(v, flen, &m->addr, NULL);
			break;
		case AW_T_RULE:
			r = get_str(v, flen, &m->rule, NULL);
			break;
		case AW_T_EXE:
			r = get_str(v, flen, &m->exe, NULL);
			break;
		case AW_T_WHY:
			r = get_str(v, flen, &m->why, NULL);
			break;
		case AW_T_DNS:
			/* bytes of any value; dnsmsg.h reads them */
			m->dns = v;
			m->dns_len = flen;
			r = flen > 0 ? 0 : -1;
			break;
		default:
			r = -1;
			break;
		}
		if (r == -1)
			goto bad;
	}
	return 0;
bad:
	memset(m, 0, sizeof(*m));
	return -1;
}

uint64_t
msg_peek_ts(const uint8_t *buf, size_t len)
{
	uint64_t ts;

	if (buf == NULL || len < AW_MSG_HDR_LEN)
		return 0;
	memcpy(&ts, buf + H_TS, sizeof(ts));
	return ts;
}
