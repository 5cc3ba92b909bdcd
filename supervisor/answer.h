/*
 * answer.h: one line from an approval harness, parsed and checked: the
 * approval_response and rerun_response of docs/approvals.md, and nothing
 * else.
 *
 * Runs in the supervisor, on untrusted input (the harness may send any
 * bytes). Pure: no I/O, no state; jansson parses, then every field is
 * checked here.
 */
#ifndef AGENTWRAP_ANSWER_H
#define AGENTWRAP_ANSWER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse the LEN bytes of S (one line, without its newline). Returns 0 for a
 * well-formed approval_response, with its *ID (> 0) and *DECISION (enum
 * approve_decision); 1 for a blank line (nothing said); -1 for anything
 * else, with the reason in WHY ("a line that is not JSON (...); ignored").
 * What is well-formed: a JSON object, no key twice, exactly the keys
 * "type" ("approval_response"), "id" (a positive integer) and "decision"
 * ("allow", "allow_session", "deny" or "deny_session").
 * Returns 2 for a well-formed rerun_response (the same three keys, the
 * decision "allow" or "deny"), with *DECISION 1 (allow) or 0.
 */
int answer_parse(const char *s, size_t len, uint64_t *id, int *decision,
    char *why, size_t whylen);

#endif /* AGENTWRAP_ANSWER_H */
