/*
 * run.h: run a command under the policy: the supervisor's event loop.
 *
 * Runs in the supervisor.
 */
#ifndef AGENTWRAP_RUN_H
#define AGENTWRAP_RUN_H

#include <sys/types.h>

#include "config.h"
#include "explain.h"
#include "policy.h"

#define RUN_EXIT_AGENTWRAP 125 /* agentwrap's own error */
#define RUN_EXIT_CANNOT_RUN 126 /* found, but cannot be executed */
#define RUN_EXIT_NOT_FOUND 127

/* Environment: where the shim is, when not next to the agentwrap binary */
#define RUN_ENV_SHIM_PATH "AGENTWRAP_SHIM_PATH"

struct run_opts {
	const struct config *cfg;
	struct policy *pol; /* session grants are added to it */
	struct resolve_table *rt; /* --resolve, for RESOLVE requests */
	long dns_ttl_ms; /* AGENTWRAP_DNS_TTL, or -1 for the default */
	const char *version; /* for the audit log */
	const char *audit; /* --audit SPEC, or NULL */
	int audit_only; /* --audit-only */
	int quiet; /* -q */
	int chdir_workspace; /* -C given: start the command there */
	int approval_fd; /* --approval-fd N, or -1 */
	const char *approval_socket; /* --approval-socket PATH */
	const char *save_grants; /* --save-grants FILE */
	int no_seccomp; /* --no-seccomp, or AGENTWRAP_DISABLE=seccomp */
	/* the keeper (keeper.h) and its process group; 0: none, as with
	 * AGENTWRAP_DISABLE=keeper or as if it had been killed */
	pid_t keeper, kgroup;
	int no_sock_diag; /* AGENTWRAP_DISABLE=sock_diag: the proxy tells its
			   * clients' users from /proc/net, as without it */
	int no_landlock; /* --no-landlock, AGENTWRAP_DISABLE=landlock: as on
			    a kernel without Landlock */
};

/*
 * Where the shim is, as a run would use it: $AGENTWRAP_SHIM_PATH, else
 * libagentwrap.so next to agentwrap, else PREFIX/lib/agentwrap. 0, or -1
 * with a message in ERR (escaped, for a terminal).
 */
int run_find_shim(char *out, size_t cap, char *err, size_t errlen);

/*
 * Run ARGV (NULL-terminated, ARGV[0] searched in PATH) with the shim
 * preloaded, serve the ring until it exits, end what is left of its process
 * tree, and return the exit status to exit with: the command's, 128+N if a
 * signal N ended it, 126/127 if it could not be executed / was not found,
 * 125 for agentwrap's own errors (including an audit log that could not be
 * written completely). Prints its own messages.
 */
int run_command(const struct run_opts *o, char **argv);

#endif /* AGENTWRAP_RUN_H */
