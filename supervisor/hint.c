/*
 * hint.c: the one mapping of a denied request to the setting that would
 * allow it, for denial lines (report.c), the approval-less summary of a
 * run (handlers.c) and agentwrap --report (logreport.c). See report.h.
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

void
report_hint(const struct policy *pol, const struct pol_request *req,
    const struct pol_decision *d, char *out, size_t cap)
{
	struct pol_request one;
	struct pol_decision d1;
	const char *rule = d->rule, *path = req->path, *host = req->host;
	char dir[PATH_MAX];

	out[0] = '\0';
	if (strcmp(rule, "sandbox_workspace_write.writable_roots") == 0) {
		/* rename and link: name the end that was refused */
		if (req->path2 != NULL && pol != NULL) {
			one = *req;
			one.path2 = NULL;
			if (policy_decide(pol, &one, &d1) == VERDICT_ALLOW)
				path = req->path2;
		}
		parent_dir(path ? path : "/", dir, sizeof(dir));
		snprintf(out, cap,
		    "--add-dir %s or "
		    "sandbox_workspace_write.writable_roots",
		    dir);
	} else if (strcmp(rule, "sandbox_workspace_write.network_access") == 0)
		snprintf(out, cap,
		    "-n (sandbox_workspace_write.network_access "
		    "= true)");
	else if (strcmp(rule, "sandbox_mode") == 0) {
		if (req->op == OP_WRITE)
			snprintf(out, cap, "-s workspace-write (sandbox_mode)");
		else if (req->op == OP_CONNECT || req->op == OP_RESOLVE ||
		    req->op == OP_BIND)
			snprintf(out, cap,
			    "-s workspace-write -n (sandbox_mode "
			    "and sandbox_workspace_write.network_access)");
	} else if (strcmp(rule, "features.network_proxy.domains") == 0)
		snprintf(out, cap,
		    "features.network_proxy.domains = "
		    "{ \"%s\" = \"allow\" }",
		    host ? host : "HOST");
	else if (strncmp(rule, "features.network_proxy.domains[", 31) == 0)
		snprintf(out, cap, "change %s", rule);
	else if (strcmp(rule, "features.network_proxy.allow_local_binding") ==
	    0)
		snprintf(out, cap,
		    "features.network_proxy.allow_local_binding "
		    "= true, or an exact allow rule for the address in "
		    "features.network_proxy.domains");
	else if (strcmp(rule, "features.network_proxy.unix_sockets") == 0)
		snprintf(out, cap,
		    "features.network_proxy.unix_sockets = "
		    "{ \"%s\" = \"allow\" }",
		    path ? path : "PATH");
	else if (strncmp(rule, "agentwrap.exec.rules", 20) == 0)
		snprintf(out, cap, "change the rule in %s", rule);
	else if (strncmp(rule, "agentwrap.filesystem.paths", 26) == 0)
		snprintf(out, cap, "change %s", rule);
	else if (strcmp(rule, "agentwrap.filesystem.protected") == 0)
		snprintf(out, cap, "agentwrap.filesystem.protected");
	else if (strcmp(rule, "approval_policy") == 0)
		snprintf(out, cap,
		    "an allow rule in agentwrap.exec.rules, or "
		    "-a on-request");
	else if (strcmp(rule, "agentwrap.uncovered") == 0)
		snprintf(out, cap, "-c agentwrap.uncovered=allow");
}
