/*
 * hint.c: the one mapping of a denied request to the setting that would
 * allow it (report_fix), and its words (report_fix_text, report_hint).
 * Denial lines (report.c), the approval-less summary of a run
 * (handlers.c), agentwrap --report and --suggest (logreport.c) and
 * --save-grants (savegrants.c) all take it from here. See report.h.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

/* The parent directory of absolute path P, into OUT. */
static void
parent_dir(const char *p, char *out, size_t cap)
{
	const char *slash = strrchr(p, '/');
	size_t n;

	if (slash == NULL || slash == p) {
		snprintf(out, cap, "/");
		return;
	}
	n = (size_t)(slash - p);
	snprintf(out, cap, "%.*s", (int)(n < INT_MAX ? n : INT_MAX), p);
}

static int
is_net(enum pol_op op)
{
	return op == OP_CONNECT || op == OP_RESOLVE || op == OP_BIND;
}

void
report_fix(const struct policy *pol, const struct pol_request *req,
    const struct pol_decision *d, struct report_fix *f)
{
	struct pol_request one;
	struct pol_decision d1;
	const char *rule = d->rule;

	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->object = req->path != NULL ? req->path : req->host;
	if (strcmp(rule, "sandbox_workspace_write.writable_roots") == 0 ||
	    (strcmp(rule, "sandbox_mode") == 0 && req->op == OP_WRITE)) {
		f->kind = strcmp(rule, "sandbox_mode") == 0 ? FIX_MODE_ROOT
							    : FIX_ROOT;
		/* rename and link: name the end that was refused */
		if (req->path2 != NULL && pol != NULL) {
			one = *req;
			one.path2 = NULL;
			if (policy_decide(pol, &one, &d1) == VERDICT_ALLOW)
				f->object = req->path2;
		}
		parent_dir(f->object ? f->object : "/", f->dir, sizeof(f->dir));
	} else if (strcmp(rule, "sandbox_workspace_write.network_access") == 0)
		f->kind = FIX_NETWORK;
	else if (strcmp(rule, "sandbox_mode") == 0 && is_net(req->op))
		f->kind = FIX_MODE_NETWORK;
	else if (strcmp(rule, "features.network_proxy.domains") == 0)
		f->kind = FIX_DOMAIN;
	else if (strcmp(rule, "features.network_proxy.allow_local_binding") ==
	    0)
		f->kind = FIX_LOCAL;
	else if (strcmp(rule, "features.network_proxy.unix_sockets") == 0)
		f->kind = FIX_UNIX;
	else if (strncmp(rule, "agentwrap.filesystem.paths[", 27) == 0 ||
	    strcmp(rule, "agentwrap.filesystem.paths") == 0)
		/* the bare name: a rename or delete of a directory above a
		 * guarded path (policy.c's "would move or replace") */
		f->kind = FIX_PATH;
	else if (strcmp(rule, "agentwrap.filesystem.protected") == 0)
		f->kind = FIX_PROTECTED;
	else if (strcmp(rule, "approval_policy") == 0)
		f->kind = FIX_EXEC;
	else if (strncmp(rule, "agentwrap.exec.rules", 20) == 0)
		f->kind = FIX_EXEC_RULE;
	else if (strncmp(rule, "features.network_proxy.domains[", 31) == 0)
		f->kind = FIX_CHANGE;
	else if (strcmp(rule, "agentwrap.uncovered") == 0)
		f->kind = FIX_UNCOVERED;
	else
		f->kind = FIX_NONE;
}

void
report_fix_text(const struct report_fix *f, char *out, size_t cap)
{
	const char *o = f->object;

	out[0] = '\0';
	switch (f->kind) {
	case FIX_ROOT:
		snprintf(out, cap,
		    "--add-dir %s or sandbox_workspace_write.writable_roots",
		    f->dir);
		break;
	case FIX_MODE_ROOT:
		snprintf(out, cap, "-s workspace-write (sandbox_mode)");
		break;
	case FIX_NETWORK:
		snprintf(out, cap,
		    "-n (sandbox_workspace_write.network_access = true)");
		break;
	case FIX_MODE_NETWORK:
		snprintf(out, cap,
		    "-s workspace-write -n (sandbox_mode and "
		    "sandbox_workspace_write.network_access)");
		break;
	case FIX_DOMAIN:
		snprintf(out, cap,
		    "features.network_proxy.domains = { \"%s\" = \"allow\" }",
		    o ? o : "HOST");
		break;
	case FIX_LOCAL:
		snprintf(out, cap,
		    "features.network_proxy.allow_local_binding = true, or "
		    "an exact allow rule for the address in "
		    "features.network_proxy.domains");
		break;
	case FIX_UNIX:
		snprintf(out, cap,
		    "features.network_proxy.unix_sockets = "
		    "{ \"%s\" = \"allow\" }",
		    o ? o : "PATH");
		break;
	case FIX_PATH:
	case FIX_CHANGE:
		snprintf(out, cap, "change %s", f->rule);
		break;
	case FIX_PROTECTED:
		snprintf(out, cap, "agentwrap.filesystem.protected");
		break;
	case FIX_EXEC:
		snprintf(out, cap,
		    "an allow rule in agentwrap.exec.rules, or -a on-request");
		break;
	case FIX_EXEC_RULE:
		snprintf(out, cap, "change the rule in %s", f->rule);
		break;
	case FIX_UNCOVERED:
		snprintf(out, cap, "-c agentwrap.uncovered=allow");
		break;
	case FIX_NONE:
		break;
	}
}

void
report_hint(const struct policy *pol, const struct pol_request *req,
    const struct pol_decision *d, char *out, size_t cap)
{
	struct report_fix f;

	report_fix(pol, req, d, &f);
	report_fix_text(&f, out, cap);
}
