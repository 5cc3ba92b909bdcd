/*
 * execpolicy.h: Codex execpolicy `.rules` files, read into agentwrap's exec
 * rules. Codex writes them in Starlark; agentwrap reads the subset such
 * files use:
 *
 *	# a comment
 *	prefix_rule(
 *	    pattern = ["git", ["push", "fetch"]],
 *	    decision = "prompt",		# allow | prompt | forbidden
 *	    justification = "talks to the network",
 *	    match = [["git", "push", "origin"], "git fetch"],
 *	    not_match = ["git status"],
 *	)
 *
 * Only prefix_rule(...) calls with keyword arguments; values are string
 * literals ('...' or "...", escapes \\ \" \' \n \t) and lists. Every match
 * example must match the rule and every not_match example must not, checked
 * with the policy's own matcher. A string example is split on whitespace.
 *
 * A pure parser: bytes in, rules out. The bytes are untrusted.
 */
#ifndef AGENTWRAP_EXECPOLICY_H
#define AGENTWRAP_EXECPOLICY_H

#include <stddef.h>

#include "config.h"

/*
 * Parse BUF (LEN bytes, need not be NUL-terminated), the contents of the
 * rules file NAME, and append its rules to cfg->rules in file order, each
 * with where = "NAME:LINE:COL" of its prefix_rule. Returns 0, or -1 with
 * "NAME:LINE:COL: message" in err and CFG unchanged.
 */
int execpolicy_parse(struct config *cfg, const char *name, const char *buf,
    size_t len, char *err, size_t errlen);

#endif /* AGENTWRAP_EXECPOLICY_H */
