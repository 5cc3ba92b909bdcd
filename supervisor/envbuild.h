/*
 * envbuild.h: the environment of a process of the tree, built in one place
 * for the command's first process (the supervisor, launch.c) and for each
 * exec of the tree (the shim, exec.c).
 *
 * The program's own variables pass as they are; ours (aw_env_ours in
 * proto.h: LD_PRELOAD and the AGENTWRAP_* variables the shim reads) are
 * replaced: LD_PRELOAD names the shim first and then the user's own
 * preloads (the shim taken out of them), which AGENTWRAP_LD_PRELOAD also
 * keeps for the program's view of LD_PRELOAD.
 *
 * Runs in the supervisor and in the shim, in an exec hook (perhaps a vfork
 * child): no allocation, no locks, async-signal-safe. No errors: the
 * caller gives a buffer of aw_env_size() bytes.
 */
#ifndef AGENTWRAP_ENVBUILD_H
#define AGENTWRAP_ENVBUILD_H

#include <stddef.h>

/* The values the shim of the new image needs */
struct aw_env {
	const char *shim; /* the shim's path, for LD_PRELOAD */
	const char *sock; /* the attach socket's name */
	const char *holder; /* the holder's pid in decimal, "" if none */
	const char *token_hex; /* the ring's token, in hex */
	int audit, audit_only;
};

/*
 * The bytes aw_env_build needs for ENVP (NULL: empty) and V; *USER is set
 * to the user's LD_PRELOAD in ENVP (NULL if none), for aw_env_build.
 */
size_t aw_env_size(
    char *const *envp, const struct aw_env *v, const char **user);

/*
 * The environment into BUF (aw_env_size bytes, aligned for pointers): a
 * NULL-terminated vector whose kept entries point into ENVP and whose own
 * strings are written in BUF after it.
 */
char **aw_env_build(
    void *buf, char *const *envp, const struct aw_env *v, const char *user);

#endif /* AGENTWRAP_ENVBUILD_H */
