/*
 * launch.h: starting the command (launch.c).
 *
 * Error convention: -1 or NULL on failure, with a message already said
 * (warn), except launch_child, which reports its failures over the exec
 * pipe as { CHILD_stage, errno } and exits.
 */
#ifndef AGENTWRAP_LAUNCH_H
#define AGENTWRAP_LAUNCH_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "cover.h"
#include "floor.h"
#include "policy.h"
#include "proto.h"
#include "run.h"

/* A stage of the child's setup that failed, sent over the exec pipe */
enum {
	CHILD_CHDIR = 1,
	CHILD_EXEC = 2,
	CHILD_NNP = 3,
	CHILD_LANDLOCK = 4,
	CHILD_WATCH = 5,
};

/* The policy snapshot in a sealed memfd, or -1 */
int launch_snapshot(const struct policy *pol);

/* The command's environment: ours, plus the variables the shim needs */
char **launch_env(const char *shim, const char *sock, pid_t holder,
    const uint8_t token[AW_TOKEN_LEN], int audit, int audit_only);
void launch_env_free(char **env);

/*
 * In the child, between fork and exec: the -C directory, no_new_privs,
 * the kernel floor FP compiled before the fork (NULL: seccomp off; its
 * listener is sent on FLOOR_W), Landlock, the exec.
 * Does not return.
 */
_Noreturn void launch_child(const struct run_opts *o,
    const struct floor_prog *fp, int watch, const char *shim, char **argv,
    char **env, const sigset_t *oldmask, int pipe_w, int floor_w);

/* The coverage check's file operations for the command itself, which runs
 * under no_new_privs with our ids (cover.h) */
const struct cover_io *launch_cover_io(void);

/* Can the shim follow the command itself? The shim's own check */
const char *launch_uncovered(const char *path);

#endif /* AGENTWRAP_LAUNCH_H */
