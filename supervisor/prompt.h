/*
 * prompt.h: the approval channel to a person at the controlling terminal.
 * Questions go to /dev/tty (never the command's stdin or stdout), one at a
 * time, the others wait in order; the answer is one key read in raw mode:
 * y (allow once), a (allow for this session), n (deny), d (deny for this
 * session); Enter, Ctrl-C, Ctrl-D, end of file or a closed terminal deny
 * that one call. docs/approvals.md shows a prompt.
 *
 * Runs in the supervisor, in its one event loop: the terminal is
 * non-blocking. Everything shown that came from the watched process (paths,
 * argv, host names, the executable) is escaped with strnvis(3), so a file
 * name cannot draw on the terminal or fake the prompt.
 */
#ifndef AGENTWRAP_PROMPT_H
#define AGENTWRAP_PROMPT_H

#include "approve.h"

/*
 * Open /dev/tty and make it the channel of AP. 1 if it is, 0 if there is
 * no controlling terminal or agentwrap is not in its foreground (then
 * nothing is asked), -1 when out of memory.
 */
int prompt_attach_tty(struct approvals *ap);

#endif /* AGENTWRAP_PROMPT_H */
