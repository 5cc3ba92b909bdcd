/*
 * fuzz_dnsmsg.c: arbitrary bytes as a name server's answer (and as a
 * query from a watched process). The readers of policy/dnsmsg.c must never
 * crash or read past the input; what they accept must hold together: at
 * most MAX addresses, the answer section's no more than all, each of a
 * known family; a question's name is printable, dotless labels, and a
 * query made from it reads back as the same question; an answer made here
 * for it reads back with one record per address of the family asked for.
 */
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"

#define MAX 32

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netaddr a[MAX], b[MAX];
	uint8_t q[DNSMSG_QUERY_MAX], out[DNSMSG_MAX];
	struct dnsmsg_q qq, back;
	size_t nan, nan2, i, want = 0;
	int n, ql, rl, m;

	n = dnsmsg_addrs(data, size, a, MAX, &nan);
	if (n > MAX || (n >= 0 && nan > (size_t)n))
		abort();
	for (i = 0; n > 0 && i < (size_t)n; i++)
		if (a[i].family != AF_INET && a[i].family != AF_INET6)
			abort();
	if (dnsmsg_question(data, size, &qq) == -1)
		return 0;
	if (qq.name[0] == '\0' || qq.end > size || strlen(qq.name) > 255)
		abort();
	for (i = 0; qq.name[i] != '\0'; i++)
		if ((unsigned char)qq.name[i] <= ' ' ||
		    (unsigned char)qq.name[i] >= 0x7f)
			abort();
	ql = dnsmsg_query(q, sizeof(q), 1, qq.name, qq.type, qq.klass);
	if (ql < 0)
		abort(); /* every readable question can be asked again */
	if (dnsmsg_question(q, (size_t)ql, &back) == -1 ||
	    strcmp(back.name, qq.name) != 0 || back.type != qq.type ||
	    back.klass != qq.klass || back.end != (size_t)ql)
		abort();
	if (n <= 0)
		return 0;
	rl = dnsmsg_reply(out, sizeof(out), q, &back, 0, a, (size_t)n, 60);
	if (rl < 0)
		abort(); /* 32 addresses always fit */
	for (i = 0; i < (size_t)n; i++)
		if (back.klass == DNSMSG_C_IN &&
		    ((back.type == DNSMSG_T_A && a[i].family == AF_INET) ||
			(back.type == DNSMSG_T_AAAA &&
			    a[i].family == AF_INET6)))
			want++;
	m = dnsmsg_addrs(out, (size_t)rl, b, MAX, &nan2);
	if (m < 0 || (size_t)m != want || nan2 != want ||
	    dnsmsg_ancount(out) != (int)want)
		abort();
	for (i = 0; i < want; i++)
		if (b[i].family !=
		    (back.type == DNSMSG_T_A ? AF_INET : AF_INET6))
			abort();
	return 0;
}
