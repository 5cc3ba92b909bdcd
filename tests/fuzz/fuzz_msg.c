/*
 * libFuzzer target for supervisor/msg.c's decoder, which the supervisor runs
 * on bytes that any watched process can write into a ring slot.
 *
 * Besides the sanitizers' own checks (the input sits in a heap buffer of its
 * exact size), it aborts when an invariant of msg.h breaks:
 *  - a failed decode leaves the output cleared;
 *  - a decoded message holds only strings inside the buffer, each ending
 *    with its NUL and holding no other, argc <= AW_MSG_MAX_ARGV;
 *  - the format is canonical: msg_encode(msg_decode(x)) == x, byte for byte,
 *    both into a buffer of exactly len(x) and into a full slot;
 *  - msg_peek_ts agrees with the decoded ts_ns.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

static void
check_str(const uint8_t *buf, size_t len, const char *s, size_t *slen)
{
	size_t n;

	if (s == NULL)
		return;
	CHECK((const uint8_t *)s >= buf && (const uint8_t *)s < buf + len);
	n = strlen(s); /* ASan: must stop inside the buffer */
	CHECK((const uint8_t *)s + n < buf + len);
	if (slen != NULL)
		CHECK(*slen == n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct aw_msg zero;
	static uint8_t out[AW_SLOT_DATA];
	struct aw_msg m;
	uint8_t *buf, *exact;
	uint32_t i;
	int n;

	if (size > AW_SLOT_DATA)
		return 0;
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (msg_decode(buf, size, &m) == -1) {
		CHECK(memcmp(&m, &zero, sizeof(m)) == 0);
		free(buf);
		return 0;
	}
	check_str(buf, size, m.call, NULL);
	check_str(buf, size, m.path, &m.path_len);
	check_str(buf, size, m.path2, &m.path2_len);
	check_str(buf, size, m.host, NULL);
	check_str(buf, size, m.addr, NULL);
	check_str(buf, size, m.rule, NULL);
	check_str(buf, size, m.exe, NULL);
	check_str(buf, size, m.why, NULL);
	CHECK(m.argc <= AW_MSG_MAX_ARGV);
	for (i = 0; i < m.argc; i++)
		check_str(buf, size, m.argv[i], NULL);
	CHECK(msg_peek_ts(data, size) == m.ts_ns);

	/* canonical: re-encoding gives the input back */
	if ((exact = malloc(size)) == NULL) {
		free(buf);
		return 0;
	}
	n = msg_encode(exact, size, &m);
	CHECK(n >= 0 && (size_t)n == size);
	CHECK(memcmp(exact, data, size) == 0);
	n = msg_encode(out, sizeof(out), &m);
	CHECK(n >= 0 && (size_t)n == size);
	CHECK(memcmp(out, data, size) == 0);
	/* and one byte less is never enough without dropping argv words */
	if (size > AW_MSG_HDR_LEN) {
		n = msg_encode(exact, size - 1, &m);
		CHECK(n == -1 || (m.argc > 0 && (size_t)n < size));
	}
	free(exact);
	free(buf);
	return 0;
}
