/*
 * fuzz_snapshot.c: arbitrary bytes as a policy snapshot. The shim loads the
 * snapshot in every process; a malformed one must be refused, never overrun.
 * A loaded one must then decide requests without faulting.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy.h"

static ssize_t
nolinks(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	(void)ctx, (void)path, (void)buf, (void)len;
	*err = 22; /* EINVAL: exists, not a link */
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const argv[] = { "git", "push", NULL };
	const struct pathres_fs fs = { nolinks, NULL };
	struct pol_request req = { 0 };
	struct pol_decision d;
	struct policy *pol;
	int op;

	if (snapshot_read(data, size, &pol) != 0)
		return 0;
	req.cwd = "/ws";
	req.fs = &fs;
	req.port = -1;
	for (op = OP_READ; op <= OP_BIND; op++) {
		req.op = op;
		req.path = "/ws/a/../b";
		req.path2 = op == OP_WRITE ? "/etc/x" : NULL;
		req.argv = argv;
		req.argc = 2;
		req.host = op == OP_CONNECT ? "127.0.0.1" : "example.com";
		policy_decide(pol, &req, &d);
	}
	policy_free(pol);
	return 0;
}
