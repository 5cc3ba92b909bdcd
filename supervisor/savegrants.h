/*
 * savegrants.h: the session grants of a run, kept for the exit summary and
 * appended by --save-grants FILE as TOML a user can include later
 * ([agentwrap.filesystem.paths], [features.network_proxy.domains],
 * [features.network_proxy.unix_sockets], [[agentwrap.exec.rules]]).
 *
 * Runs in the supervisor, at the end of a run. Paths, hosts and argv words
 * come from the watched processes: they are written as TOML strings with
 * every special byte escaped, and comments are made of visible ASCII only,
 * so nothing in them can end a line and add TOML of its own.
 */
#ifndef AGENTWRAP_SAVEGRANTS_H
#define AGENTWRAP_SAVEGRANTS_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct saved_grant {
	uint64_t id; /* the approval request it answered */
	int op; /* enum pol_op, as in struct pol_grant */
	int allow;
	char *path, *host, *exe;
	char *argv[2];
	size_t argc;
	char *scope; /* as the question showed it */
	char by[32]; /* the channel that answered */
	int fix; /* enum report_fix_kind of the question's decision */
	char *fixtext; /* its words, as the denial line has them */
};

/*
 * A copy of G with its question's ID, SCOPE, channel BY and decision D
 * (which setting the grant goes to: report_fix, the denial lines' own
 * mapping; the entry is the grant's exact scope). 0 or -1.
 */
int savegrants_fill(struct saved_grant *s, const struct pol_grant *g,
    uint64_t id, const char *scope, const char *by,
    const struct pol_decision *d);
void savegrants_clear(struct saved_grant *s);

/*
 * Append the N grants G to FILE (created 0600 if absent; a symlink is
 * refused), after a comment naming the time and the command ARGV. New
 * entries for a table FILE defines already go below its header (FILE is
 * then replaced by a new file with the same mode, savegrants_tmpname());
 * what still would not fit is appended as comments, with a note. A FILE
 * with more than one name is refused. 0, or -1 with a message in ERR.
 */
int savegrants_append(const char *file, const struct saved_grant *g, size_t n,
    char *const *argv, char *err, size_t errlen);

/*
 * The name of the file that replaces FILE when entries go into a table it
 * has (FILE.agentwrap-new): fixed, so that the policy can keep it out of
 * the command's reach like FILE itself. 0, or -1 if it does not fit LEN.
 */
int savegrants_tmpname(const char *file, char *out, size_t len);

/*
 * What FILE holds after savegrants_append(), given its EXISTING_LEN bytes
 * EXISTING: malloc'd, or NULL. *REWROTE is 1 if EXISTING is not a prefix
 * of it (entries went into a table it had). For tests.
 */
char *savegrants_compose(const struct saved_grant *g, size_t n,
    char *const *argv, const char *existing, size_t existing_len, int *rewrote);

#endif /* AGENTWRAP_SAVEGRANTS_H */
