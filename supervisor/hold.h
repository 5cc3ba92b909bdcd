/*
 * hold.h: the holder, a small process that keeps the ring and snapshot
 * memfds open as its descriptors HOLD_FD_RING and HOLD_FD_SNAP, so that a
 * new process image of the tree can open them itself through
 * /proc/HOLDER/fd/N (about 7 us) instead of asking the supervisor over the
 * attach socket (a wake-up of the supervisor: 50 to 150 us on a VM). The
 * supervisor itself cannot serve that way: it is not dumpable, so that the
 * tree cannot ptrace it; the holder is, and holds nothing the tree does
 * not already map. The attach socket stays the way in for whoever cannot
 * open the holder's descriptors (another uid, a holder gone).
 *
 * Runs in the supervisor (hold_start, hold_stop) and, after fork, as the
 * holder. Errors: -1 with errno set.
 */
#ifndef AGENTWRAP_HOLD_H
#define AGENTWRAP_HOLD_H

#include <sys/types.h>

#include "proto.h"

/*
 * Fork the holder with RING_FD and SNAP_FD; its pid, or -1. It leaves our
 * process group (the terminal's signals are not for it), dies with us
 * (PR_SET_PDEATHSIG), and keeps no other descriptor.
 */
pid_t hold_start(int ring_fd, int snap_fd);
/* End it and reap it; a pid <= 0 is ignored. */
void hold_stop(pid_t pid);

#endif /* AGENTWRAP_HOLD_H */
