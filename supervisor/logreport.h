/*
 * logreport.h: agentwrap --report FILE: an --audit log (JSON Lines) read
 * back and summed up on one screen: the run, the processes, what was
 * denied (first), files written, deleted and renamed, files read by
 * directory, programs run, hosts and Unix sockets used; or, with --json,
 * the same as one JSON document (docs/report.md).
 *
 * The log is untrusted input: it may be cut short, corrupted, or hold
 * records a process of the tree forged. Each line is parsed on its own
 * (at most LOGREP_LINE_MAX bytes); a line that is not a record is counted
 * and named by its number, and skipped. Memory is bounded: each table
 * keeps at most LOGREP_MAX_KEYS distinct entries and counts the rest.
 * Every string printed as text is escaped (strnvis).
 *
 * Runs in agentwrap, outside any run; jansson parses.
 */
#ifndef AGENTWRAP_LOGREPORT_H
#define AGENTWRAP_LOGREPORT_H

#include <stddef.h>
#include <stdio.h>

#define LOGREP_LINE_MAX (1024 * 1024)
#define LOGREP_MAX_KEYS 4096
/* lines named one by one in the report (the rest are counted) */
#define LOGREP_MAX_BAD 20

struct logrep;

struct logrep *logrep_new(void);
void logrep_free(struct logrep *r);

/* Only the events of process PID from now on (the counts of the log
 * stay the log's) */
void logrep_only_pid(struct logrep *r, long pid);

/* Colour in the text report (ON: 1): section titles bold, denials red,
 * disputed records yellow. Off by default; the caller decides (a
 * terminal, NO_COLOR unset or empty). */
void logrep_colour(struct logrep *r, int on);

/* One line of the log (LEN bytes, without its newline), line LINENO */
void logrep_line(struct logrep *r, const char *line, size_t len, size_t lineno);

/* Every line of F; 0, or -1 if F could not be read (errno set) */
int logrep_read(struct logrep *r, FILE *f);

/*
 * The summary into OUT: text (ALL: every entry of every table, not the
 * first few) or JSON. 0, or -1 if OUT could not be written.
 */
int logrep_print(const struct logrep *r, FILE *out, int json, int all);

/*
 * --suggest: a TOML policy (agentwrap's config keys, commented) that lets
 * the recorded run pass with the least widening: writable roots at the
 * narrowest directories that cover the writes outside the roots (never /,
 * HOME or above it: those are named loudly and left out), a "read" entry
 * for each guarded file read, the network and a domain rule for each name
 * contacted, an allow rule for each socket and each program that needed
 * approval. A call that a rule denies outright (not asked) is named in a
 * comment, not widened. 0, or -1 if OUT could not be written.
 */
int logrep_suggest(const struct logrep *r, FILE *out, const char *home);

#endif /* AGENTWRAP_LOGREPORT_H */
