/*
 * fuzz_answer.c: arbitrary bytes as a line from an approval harness. The
 * parser must never crash, and must accept only what it documents: then
 * the id is positive and the decision one of the four (of two for a
 * rerun_response).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "answer.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[320];
	uint64_t id;
	int d, r;

	r = answer_parse((const char *)data, size, &id, &d, why, sizeof(why));
	if (r == 0 && (id == 0 || d < 0 || d > 3))
		abort();
	/* a rerun_response: allow (1) or deny (0) */
	if (r == 2 && (id == 0 || (d != 0 && d != 1)))
		abort();
	if (r != -1 && r != 0 && r != 1 && r != 2)
		abort();
	if (r == -1 && why[0] == '\0')
		abort();
	return 0;
}
