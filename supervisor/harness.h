/*
 * harness.h: the approval channel to an agent harness: JSON Lines over one
 * descriptor, a socket the harness gives us (--approval-fd N) or a Unix
 * socket it listens on (--approval-socket PATH). docs/approvals.md has the
 * protocol.
 *
 * Runs in the supervisor. Everything the harness sends is untrusted: lines
 * longer than HARNESS_LINE_MAX, malformed JSON, unknown types, ids or
 * decisions are logged and ignored, never applied.
 */
#ifndef AGENTWRAP_HARNESS_H
#define AGENTWRAP_HARNESS_H

#include <stddef.h>

#include "approve.h"

#define HARNESS_LINE_MAX (64 * 1024) /* one answer, newline included */
#define HARNESS_OUT_MAX (8 * 1024 * 1024) /* unread questions */

/*
 * Make the descriptor FD (already connected; it becomes ours: non-blocking,
 * close-on-exec, so the command never holds it) the channel of AP.
 * 0, or -1 with a message in ERR.
 */
int harness_attach_fd(struct approvals *ap, int fd, char *err, size_t errlen);

/*
 * Connect to the Unix socket PATH (a harness listens there) and make it
 * the channel of AP. 0, or -1 with a message in ERR.
 */
int harness_connect(
    struct approvals *ap, const char *path, char *err, size_t errlen);

/*
 * Check that FD is open for reading and writing, for --approval-fd at
 * start. 0, or -1 with a message.
 */
int harness_check_fd(int fd, char *err, size_t errlen);

#endif /* AGENTWRAP_HARNESS_H */
