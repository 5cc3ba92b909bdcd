/*
 * fuzz_logreport.c: arbitrary bytes as an --audit log given to agentwrap
 * --report (a log a process of the tree may have forged, cut short or
 * corrupted). The reader must never crash, leak or read past a line; the
 * summary, as text and as JSON, and a suggested policy must be written
 * whatever the lines held, and the JSON must parse back.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logreport.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logrep *r = logrep_new();
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t lineno = 0, n;
	char *buf = NULL;
	json_t *back;
	FILE *f;

	if (r == NULL)
		return 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		logrep_line(r, p, n, ++lineno);
		p += n + 1;
	}
	if ((f = open_memstream(&buf, &n)) == NULL)
		abort();
	if (logrep_print(r, f, 0, 1) == -1)
		abort();
	logrep_colour(r, 1);
	if (logrep_print(r, f, 0, 0) == -1)
		abort();
	logrep_colour(r, 0);
	fclose(f);
	free(buf);
	buf = NULL;
	if ((f = open_memstream(&buf, &n)) == NULL)
		abort();
	if (logrep_print(r, f, 1, 0) == -1)
		abort();
	fclose(f);
	if ((back = json_loadb(buf, n, 0, NULL)) == NULL)
		abort();
	json_decref(back);
	free(buf);
	buf = NULL;
	/* and a policy suggested from it */
	if ((f = open_memstream(&buf, &n)) == NULL)
		abort();
	if (logrep_suggest(r, f, "/home/u") == -1)
		abort();
	fclose(f);
	free(buf);
	logrep_free(r);
	return 0;
}
