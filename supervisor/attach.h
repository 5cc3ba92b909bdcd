/*
 * attach.h: the attach socket. Every new process image of the tree (the
 * shim's constructor, after each exec) connects to it and gets the ring and
 * the policy snapshot as descriptors, which it maps and closes at once: so
 * no descriptor of agentwrap's stays in a program's table, and a program
 * that closed every descriptor before its exec leaves its child's shim
 * working. The wire format is in proto.h.
 *
 * Runs in the supervisor's event loop; never blocks. What a peer sends is
 * hostile: one fixed-size message, checked for size, magic, version and the
 * token, and the peer must descend from the supervisor (SO_PEERCRED, then
 * /proc). Errors: NULL or -1 with errno set.
 */
#ifndef AGENTWRAP_ATTACH_H
#define AGENTWRAP_ATTACH_H

#include <poll.h>
#include <stdint.h>

#include "proto.h"

struct attach;

/*
 * Listen on a fresh random abstract name. RING_FD and SNAP_FD are handed
 * to each process that attaches; they stay the caller's, and must stay open
 * until attach_close().
 */
struct attach *attach_open(
    const uint8_t token[AW_TOKEN_LEN], int ring_fd, int snap_fd);
/* Stop listening, drop waiting connections. NULL is fine. */
void attach_close(struct attach *a);

/* Where AW_ATTACH_WATCH listeners go: FN(CTX, fd) takes the descriptor
 * (0) or refuses it (-1, the caller closes it) */
void attach_set_watch(
    struct attach *a, int (*fn)(void *ctx, int fd), void *ctx);

/* The name, for AGENTWRAP_SOCK */
const char *attach_name(const struct attach *a);

/*
 * The descriptors to poll: the listener and the connections that have not
 * sent their request yet, at most CAP into PFD. Returns how many.
 */
int attach_pollfds(struct attach *a, struct pollfd *pfd, int cap);
/* After poll(): serve what is ready among the N from attach_pollfds(). */
void attach_ready(struct attach *a, const struct pollfd *pfd, int n);
/* Milliseconds until a waiting connection times out, or -1 for none. */
int attach_next_ms(const struct attach *a);

/* Processes given the ring, and requests refused (malformed, a wrong
 * token, a peer outside the tree, too many waiting) */
unsigned long attach_served(const struct attach *a);
unsigned long attach_refused(const struct attach *a);

#endif /* AGENTWRAP_ATTACH_H */
