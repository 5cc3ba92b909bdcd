/*
 * loadcfg.h: build the effective configuration from every source, in order:
 * built-in defaults; $AGENTWRAP_CONFIG or else
 * ${XDG_CONFIG_HOME:-~/.config}/agentwrap/config.toml; --config-file; the
 * options -s, -a, -C, --add-dir, -n; then every -c key=value. Then the Codex
 * .rules files: those of agentwrap.exec.rules_files (its final value), then
 * every --rules FILE; their rules come after the TOML ones.
 *
 * Runs in the supervisor; reads files the user named, refusing any that
 * others could have written.
 */
#ifndef AGENTWRAP_LOADCFG_H
#define AGENTWRAP_LOADCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define LOADCFG_MAX_SIZE (1024 * 1024)

struct loadcfg_opts {
	const char *config_file; /* --config-file, or NULL */
	const char *sandbox; /* -s */
	const char *approval; /* -a */
	const char *workspace; /* -C */
	const char **add_dirs; /* --add-dir */
	size_t nadd_dirs;
	bool network; /* -n */
	const char **assignments; /* -c */
	size_t nassignments;
	const char **rules_files; /* --rules */
	size_t nrules_files;
};

/*
 * Fill CFG from the environment, the files and OPTS. Returns 0, or -1 with
 * a message ("file:line:col: ...") in err; CFG is then freed. On success
 * err is empty, or holds one warning for the caller to print: the user
 * config sits behind another user's directory that we may not search, and
 * is not used.
 */
int loadcfg(struct config *cfg, const struct loadcfg_opts *opts, char *err,
    size_t errlen);

/* Read a config file after checking who could have written it. 0 or -1. */
int loadcfg_read_file(
    const char *path, char **buf, size_t *len, char *err, size_t errlen);

#endif /* AGENTWRAP_LOADCFG_H */
