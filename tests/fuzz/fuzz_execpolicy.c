/*
 * fuzz_execpolicy.c: arbitrary bytes as a Codex .rules file. Rules files are
 * untrusted input: parsing may fail, never crash or leak. An error names
 * fuzz:LINE:COL and adds no rule. Rules that are added are well formed,
 * match a command built from their own pattern, decide such a command at
 * least as strictly as they say, and print as TOML that reads back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "execpolicy.h"
#include "policy.h"

#define MAX_CHECKED 16 /* rules decided per input */
#define MAX_ARGV 16

static ssize_t
nolinks(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	(void)ctx, (void)path, (void)buf, (void)len;
	*err = 22; /* EINVAL: exists, not a link */
	return -1;
}

/* forbidden > prompt > allow, as verdicts: deny > ask > allow */
static int
strictness(enum pol_verdict v)
{
	return v == VERDICT_DENY ? 2 : v == VERDICT_ASK ? 1 : 0;
}

static void
check_rule(const struct policy *pol, const struct cfg_exec_rule *r)
{
	const struct pathres_fs fs = { nolinks, NULL };
	const char *argv[MAX_ARGV + 1];
	struct pol_request req = { 0 };
	struct pol_decision d;
	size_t i, j;

	if (r->nword == 0 || r->decision < EXEC_ALLOW ||
	    r->decision > EXEC_FORBIDDEN || strncmp(r->where, "fuzz:", 5) != 0)
		abort();
	for (i = 0; i < r->nword; i++) {
		if (r->word[i].nalt == 0)
			abort();
		for (j = 0; j < r->word[i].nalt; j++)
			if (r->word[i].alt[j] == NULL ||
			    r->word[i].alt[j][0] == '\0')
				abort();
	}
	if (r->nword > MAX_ARGV)
		return;
	for (i = 0; i < r->nword; i++)
		argv[i] = r->word[i].alt[r->word[i].nalt - 1];
	argv[r->nword] = NULL;
	if (!policy_rule_matches(r, argv, r->nword))
		abort();
	if (pol == NULL)
		return;
	req.op = OP_EXEC;
	req.cwd = "/ws";
	req.fs = &fs;
	req.port = -1;
	req.argv = argv;
	req.argc = r->nword;
	policy_decide(pol, &req, &d);
	if (strictness(d.verdict) < r->decision)
		abort(); /* EXEC_ALLOW 0, PROMPT 1, FORBIDDEN 2 */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg, again;
	struct policy *pol = NULL;
	char err[CFG_ERR + 256], *text;
	size_t len, i;
	int line, col, n = 0;

	if (config_init(&cfg, "/home/u", "/tmp", NULL) != 0)
		return 0;
	config_set_workspace(&cfg, "/ws", "/", "-C", err, sizeof(err));
	if (execpolicy_parse(&cfg, "fuzz", (const char *)data, size, err,
		sizeof(err)) != 0) {
		if (cfg.nrules != 0 ||
		    sscanf(err, "fuzz:%d:%d: %n", &line, &col, &n) != 2 ||
		    n == 0 || line < 1 || col < 1)
			abort();
		config_free(&cfg);
		return 0;
	}
	if (policy_compile(&cfg, NULL, &pol, err, sizeof(err)) != 0)
		pol = NULL;
	for (i = 0; i < cfg.nrules; i++)
		check_rule(i < MAX_CHECKED ? pol : NULL, &cfg.rules[i]);
	policy_free(pol);
	if (config_print(&cfg, &text, &len) == 0) {
		if (config_init(&again, "/home/u", "/tmp", NULL) == 0) {
			if (config_apply_toml(&again, "print", text, len, err,
				sizeof(err)) != 0 ||
			    again.nrules != cfg.nrules)
				abort(); /* printed rules must re-read */
			config_free(&again);
		}
		free(text);
	}
	config_free(&cfg);
	return 0;
}
