/*
 * proc.h: what the supervisor reads about other processes from /proc:
 * a process's parent and state, and whether it descends from us.
 *
 * Runs in the supervisor. /proc/PID/stat is written by the kernel, but the
 * command name in it is the process's own choice: everything after the
 * last ')' is parsed, nothing before it. Returns 0 or -1 with errno set.
 */
#ifndef AGENTWRAP_PROC_H
#define AGENTWRAP_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* PID's parent and state letter ('R', 'S', 'Z'...). 0, or -1. */
int proc_stat(pid_t pid, pid_t *ppid, char *state);

/*
 * Does PID descend from ANCESTOR (a child, a grandchild...)? 1 or 0; 0 too
 * when the chain cannot be read. Racy by nature: a process that exits
 * meanwhile may be reparented (to us, a subreaper: still ours).
 */
int proc_descends(pid_t pid, pid_t ancestor);

/*
 * The descendants of ROOT not yet gone (zombies too: a process whose first
 * thread has exited is shown as one while its other threads run), from
 * one pass over /proc,
 * into *OUT (malloc'd, the caller frees it): their number. 0 with *OUT
 * NULL when /proc cannot be read or memory runs out.
 */
size_t proc_descendants(pid_t root, pid_t **out);

#endif /* AGENTWRAP_PROC_H */
