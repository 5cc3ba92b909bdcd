/*
 * keeper.h: the keeper, the process that outlives the supervisor to end
 * the tree if the supervisor dies.
 *
 * The command's processes run as the user, so nothing stops one of them
 * (or the OOM killer, or a crash) from killing the supervisor. The floor
 * and the watch then fail closed, but the calls they do not filter (a
 * dynamic program's raw system calls in the default mode) would act
 * unjudged. So agentwrap forks before anything else: the parent stays as
 * the keeper, the child goes on as the supervisor. The keeper is a
 * subreaper: when the supervisor dies, every process of the tree becomes
 * its descendant, and it kills them all (SIGKILL, by pidfd where the
 * kernel has pidfd_open) before it exits. The floor refuses the tree any
 * signal, pidfd or resource limit aimed at the keeper (floor.h).
 *
 * The keeper holds no descriptor but 0, 1 and 2, runs no threads and
 * allocates nothing the tree can reach. It forwards the signals someone
 * sends it (SIGTERM, SIGINT, SIGHUP...) to the supervisor, stops on the
 * terminal's SIGTSTP (job control; not when the supervisor alone is
 * stopped, which a process of the tree may do), and exits with the
 * supervisor's status.
 *
 * Runs in the process agentwrap started as, before any thread. Errors:
 * -1 with errno set.
 */
#ifndef AGENTWRAP_KEEPER_H
#define AGENTWRAP_KEEPER_H

#include <sys/types.h>

/*
 * Fork: returns 0 in the child, which goes on as the supervisor, with the
 * keeper's pid and process group in *PID and *PGID. The keeper itself
 * never returns. -1 (and *PID 0) if it could not be made: go on without.
 */
int keeper_start(pid_t *pid, pid_t *pgid);

/*
 * Kill every descendant of the calling process with SIGKILL and reap
 * them, until none is left, however long that takes (after 5 s it says
 * so on stderr, once).
 */
void keeper_end_all(void);

#endif /* AGENTWRAP_KEEPER_H */
