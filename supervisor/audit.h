/*
 * audit.h: the --audit log, JSON Lines: a session_start record, one event
 * record per intercepted call, a session_end record with counts. The format
 * is described in docs/protocol.md.
 *
 * Runs in the supervisor. Event fields come from ring messages (hostile
 * bytes): every string is written as valid JSON, and bytes that are not
 * UTF-8 stay recoverable through a NAME_b64 twin field.
 */
#ifndef AGENTWRAP_AUDIT_H
#define AGENTWRAP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "msg.h"

struct audit;

/*
 * Open the log SPEC names: "-" (agentwrap's stderr), "fd:N" (an open
 * descriptor, made close-on-exec so that the command cannot write to it),
 * or a file (created mode 0600, truncated). 0, or -1 with a message.
 */
int	audit_open(struct audit **out, const char *spec, char *err,
	    size_t errlen);

/* The session_start record. ARGV is the command, NULL-terminated. 0 or -1. */
int	audit_start(struct audit *a, const char *version,
	    const struct config *cfg, char *const argv[], int audit_only);

/*
 * One event record from M: its verdict (VERDICT_ASK is recorded as "deny"
 * with "ask": true, since nothing can approve it yet), rule and layer, and
 * "audit_only": true when M has AW_MF_AUDIT_ONLY. 0 or -1.
 */
int	audit_event(struct audit *a, const struct aw_msg *m);

/* A ring message that did not decode: who sent it (owner_pid, as the slot
 * says) and how long it was. 0 or -1. */
int	audit_malformed(struct audit *a, int32_t owner_pid, size_t len,
	    const char *why);

/*
 * The session_end record: the exit status agentwrap returns, the signal
 * that ended the command (0 if none), counts per op and verdict. 0 or -1.
 */
int	audit_end(struct audit *a, int exit_status, int signo);

/* Whether a write failed (already reported on stderr). */
int	audit_failed(const struct audit *a);

/* Close; 0, or -1 if any record could not be written. */
int	audit_close(struct audit *a);

/* Exported for tests: UTF-8 validity, and base64 into OUT (4*ceil(n/3)+1). */
int	audit_utf8_valid(const uint8_t *s, size_t n);
void	audit_base64(const uint8_t *s, size_t n, char *out);

#endif /* AGENTWRAP_AUDIT_H */
