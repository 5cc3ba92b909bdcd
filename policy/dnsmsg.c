/*
 * dnsmsg.c: DNS messages read and written within bounds. See dnsmsg.h.
 */
#include <sys/socket.h>

#include <string.h>

#include "dnsmsg.h"

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int
dnsmsg_rcode(const uint8_t *m)
{
	return m[3] & 0x0f;
}

int
dnsmsg_ancount(const uint8_t *m)
{
	return (int)get16(m + 6);
}

int
dnsmsg_question(const uint8_t *m, size_t len, struct dnsmsg_q *q)
{
	size_t off = DNSMSG_HDR, o = 0, l, i;

	memset(q, 0, sizeof(*q));
	if (m == NULL || len < DNSMSG_HDR || get16(m + 4) != 1)
		return -1;
	for (;;) {
		if (off >= len)
			return -1;
		if ((l = m[off++]) == 0)
			break;
		/* a pointer (0xc0) or an extended label: not in a question;
		 * at most 255 bytes on the wire, 253 as text */
		if (l > 63 || l > len - off || o + l + 1 > NETADDR_HOST_MAX + 1)
			return -1;
		for (i = 0; i < l; i++) {
			if (m[off + i] <= ' ' || m[off + i] >= 0x7f ||
			    m[off + i] == '.')
				return -1;
			q->name[o++] = (char)m[off + i];
		}
		q->name[o++] = '.';
		off += l;
	}
	if (o == 0 || len - off < 4)
		return -1;
	q->name[o - 1] = '\0';
	q->type = (uint16_t)get16(m + off);
	q->klass = (uint16_t)get16(m + off + 2);
	q->end = off + 4;
	return 0;
}

/* Skip the name at *OFF (labels, ending with a zero or a pointer) */
static int
skip_name(const uint8_t *m, size_t len, size_t *off)
{
	size_t o = *off, l;

	for (;;) {
		if (o >= len)
			return -1;
		l = m[o];
		if (l == 0) {
			*off = o + 1;
			return 0;
		}
		if ((l & 0xc0) == 0xc0) {
			if (len - o < 2)
				return -1;
			*off = o + 2;
			return 0;
		}
		if (l > 63 || l >= len - o)
			return -1;
		o += 1 + l;
	}
}

int
dnsmsg_addrs(const uint8_t *m, size_t len, struct netaddr *out, size_t max,
    size_t *nanswer)
{
	size_t off = DNSMSG_HDR, n = 0, k, want, i;
	unsigned qd, count[3], type, klass, rdlen;
	int s;

	*nanswer = 0;
	if (m == NULL || len < DNSMSG_HDR)
		return -1;
	qd = get16(m + 4);
	for (s = 0; s < 3; s++)
		count[s] = get16(m + 6 + 2 * s);
	for (i = 0; i < qd; i++) {
		if (skip_name(m, len, &off) == -1 || len - off < 4)
			return -1;
		off += 4;
	}
	for (s = 0; s < 3; s++) {
		for (k = 0; k < count[s]; k++) {
			if (skip_name(m, len, &off) == -1 || len - off < 10)
				return -1;
			type = get16(m + off);
			klass = get16(m + off + 2);
			rdlen = get16(m + off + 8);
			off += 10;
			if (rdlen > len - off)
				return -1;
			want = type == DNSMSG_T_A   ? 4
			    : type == DNSMSG_T_AAAA ? 16
						    : 0;
			/* of any class: a name server that puts an address
			 * in a class the caller did not ask for is judged on
			 * it all the same (another class's A records of
			 * another length are not addresses: skipped) */
			if (want != 0 &&
			    (rdlen == want || klass == DNSMSG_C_IN)) {
				if (rdlen != want || n == max)
					return -1;
				memset(&out[n], 0, sizeof(out[n]));
				out[n].family = want == 4 ? AF_INET : AF_INET6;
				memcpy(out[n].addr, m + off, want);
				n++;
			}
			off += rdlen;
		}
		if (s == 0)
			*nanswer = n;
	}
	return (int)n;
}

int
dnsmsg_query(uint8_t *out, size_t cap, uint16_t id, const char *name,
    uint16_t type, uint16_t klass)
{
	size_t off = DNSMSG_HDR, l;
	const char *p = name, *dot, *end;

	if (name == NULL || *name == '\0' || cap < DNSMSG_HDR)
		return -1;
	end = name + strlen(name);
	if (end[-1] == '.')
		end--; /* one final dot: the root, written out */
	memset(out, 0, DNSMSG_HDR);
	put16(out, id);
	out[2] = 0x01; /* RD */
	put16(out + 4, 1);
	for (;;) {
		dot = memchr(p, '.', (size_t)(end - p));
		l = dot != NULL ? (size_t)(dot - p) : (size_t)(end - p);
		if (l == 0 || l > 63 || cap - off < l + 1)
			return -1;
		out[off++] = (uint8_t)l;
		memcpy(out + off, p, l);
		off += l;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	if (off - DNSMSG_HDR > 254 || cap - off < 5)
		return -1;
	out[off++] = 0;
	put16(out + off, type);
	put16(out + off + 2, klass);
	return (int)(off + 4);
}

int
dnsmsg_reply(uint8_t *out, size_t cap, const uint8_t *query,
    const struct dnsmsg_q *q, int rcode, const struct netaddr *a, size_t n,
    uint32_t ttl)
{
	size_t off, i, alen, an = 0;
	int fam;

	if (q->end > cap || q->end < DNSMSG_HDR + 5)
		return -1;
	memcpy(out, query, q->end);
	fam = q->klass != DNSMSG_C_IN  ? 0
	    : q->type == DNSMSG_T_A    ? AF_INET
	    : q->type == DNSMSG_T_AAAA ? AF_INET6
				       : 0;
	alen = fam == AF_INET ? 4 : 16;
	off = q->end;
	for (i = 0; i < n && fam != 0; i++) {
		if (a[i].family != fam)
			continue;
		if (cap - off < 12 + alen || an == 0xffff)
			return -1;
		put16(out + off, 0xc000 | DNSMSG_HDR); /* the question's name */
		put16(out + off + 2, q->type);
		put16(out + off + 4, q->klass);
		put16(out + off + 6, (unsigned)(ttl >> 16));
		put16(out + off + 8, (unsigned)(ttl & 0xffff));
		put16(out + off + 10, (unsigned)alen);
		memcpy(out + off + 12, a[i].addr, alen);
		off += 12 + alen;
		an++;
	}
	out[2] = (uint8_t)(0x80 | (query[2] & 0x01)); /* QR, RD as asked */
	out[3] = (uint8_t)(0x80 | (rcode & 0x0f)); /* RA */
	put16(out + 6, (unsigned)an);
	put16(out + 8, 0);
	put16(out + 10, 0);
	return (int)off;
}
