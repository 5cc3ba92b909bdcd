/*
 * loadcfg.c: the configuration sources, in order, and the checks on the files
 * they come from.
 *
 * Runs in the supervisor. A config file decides what the sandbox may do, so
 * one that another user (or anyone through group/world write bits) could
 * have written is refused, and every file read is made unwritable for the
 * sandboxed tree by the policy (see policy.c, PK_CONFIG).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "execpolicy.h"
#include "loadcfg.h"
#include "pathres.h"

int
loadcfg_read_file(
    const char *path, char **bufp, size_t *lenp, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen,
		    "%s: writable by group or others "
		    "(mode %03o); refusing to read policy from it (chmod go-w)",
		    path, (unsigned)(st.st_mode & 0777));
		goto fail;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, errlen,
		    "%s: owned by uid %u, not by you or root; "
		    "refusing to read policy from it",
		    path, (unsigned)st.st_uid);
		goto fail;
	}
	if (st.st_size > LOADCFG_MAX_SIZE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    LOADCFG_MAX_SIZE);
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (len <= (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > (size_t)st.st_size) {
		snprintf(err, errlen, "%s: changed while being read", path);
		goto fail;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

/* config_apply_toml or execpolicy_parse */
typedef int (*apply_fn)(
    struct config *, const char *, const char *, size_t, char *, size_t);

static int
load_with(struct config *cfg, const char *path, apply_fn apply, char *err,
    size_t errlen)
{
	char canon[PATH_MAX], named[PATH_MAX], cwd[PATH_MAX], *buf;
	size_t len;
	int r;

	if (loadcfg_read_file(path, &buf, &len, err, errlen) == -1)
		return -1;
	if (realpath(path, canon) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		return -1;
	}
	r = apply(cfg, path, buf, len, err, errlen);
	free(buf);
	/*
	 * Guard the name as given as well as its target: a symlink to the
	 * config could otherwise be repointed for the next run.
	 */
	if (r == 0 && path[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
		pathres_lexical(cwd, path, named, sizeof(named));
	else if (r == 0)
		snprintf(named, sizeof(named), "%s", path);
	if (r == 0 && named[0] == '/' && strcmp(named, canon) != 0 &&
	    config_note_file(cfg, named) == -1) {
		snprintf(err, errlen, "out of memory");
		r = -1;
	}
	if (r == 0 && config_note_file(cfg, canon) == -1) {
		snprintf(err, errlen, "out of memory");
		r = -1;
	}
	return r;
}

static int
load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
	return load_with(cfg, path, config_apply_toml, err, errlen);
}

/* A Codex .rules file; FROM says who named it, for a file we cannot read. */
static int
load_rules(struct config *cfg, const char *path, const char *from, char *err,
    size_t errlen)
{
	char msg[CFG_ERR + 256];

	msg[0] = '\0';
	if (load_with(cfg, path, execpolicy_parse, msg, sizeof(msg)) == 0)
		return 0;
	/* a parse error names FILE:LINE:COL; a read error gets the source */
	if (strncmp(msg, path, strlen(path)) == 0 && msg[strlen(path)] == ':' &&
	    msg[strlen(path) + 1] >= '0' && msg[strlen(path) + 1] <= '9')
		snprintf(err, errlen, "%s", msg);
	else
		snprintf(err, errlen, "%s: %s", from, msg);
	return -1;
}

/*
 * PATH cannot be looked at (EACCES from lstat): the directory on the way
 * that we may not search, found by walking PATH one component at a time as
 * the kernel does. Its name into DIR (PATH_MAX bytes) and its owner into
 * *UID. -1 when that is not what happened: no such directory (PATH changed
 * meanwhile), or the last one we reached can be searched (the EACCES came
 * from where a symlink in it leads).
 */
static int
blocking_dir(const char *path, char *dir, uid_t *uid)
{
	char pre[PATH_MAX];
	struct stat st;
	size_t i, n = strlen(path);

	if (n >= sizeof(pre) || path[0] != '/')
		return -1;
	snprintf(dir, PATH_MAX, "/");
	for (i = 1; i <= n; i++) {
		if ((path[i] != '/' && path[i] != '\0') || path[i - 1] == '/')
			continue;
		memcpy(pre, path, i);
		pre[i] = '\0';
		if (stat(pre, &st) == 0) {
			memcpy(dir, pre, i + 1);
			continue;
		}
		if (errno != EACCES || stat(dir, &st) == -1 ||
		    !S_ISDIR(st.st_mode) ||
		    faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) == 0 ||
		    errno != EACCES)
			return -1;
		*uid = st.st_uid;
		return 0;
	}
	return -1;
}

/*
 * The user config PATH cannot be looked at (EACCES). Behind a directory of
 * another user's (HOME still someone else's after su or setpriv without a
 * login shell) it cannot be a file of ours: a warning into WARN, and 0.
 * Behind a directory of our own, or when we cannot tell, -1 with the error
 * in ERR: a sandboxed command may have done that chmod to keep the config
 * out of the next run.
 */
static int
unreachable(struct config *cfg, const char *path, char *warn, size_t warnlen,
    char *err, size_t errlen)
{
	char dir[PATH_MAX], lex[PATH_MAX];
	uid_t uid;

	if (blocking_dir(path, dir, &uid) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(EACCES));
		return -1;
	}
	if (uid == geteuid()) {
		snprintf(err, errlen,
		    "%s: %s (%s is yours and may not be searched; chmod u+x "
		    "it)",
		    path, strerror(EACCES), dir);
		return -1;
	}
	if (pathres_lexical("/", dir, lex, sizeof(lex)) != 0 ||
	    (cfg->unreachable_dir = strdup(lex)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(warn, warnlen,
	    "user config %s cannot be reached (%s, owned by uid %u, may not be "
	    "searched); it is not used",
	    path, dir, (unsigned)uid);
	return 0;
}

int
loadcfg(
    struct config *cfg, const struct loadcfg_opts *o, char *err, size_t errlen)
{
	char cwd[PATH_MAX], path[PATH_MAX], warn[PATH_MAX * 2 + 128];
	const char *env;
	struct stat st;
	size_t i;

	err[0] = '\0';
	warn[0] = '\0';
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		snprintf(err, errlen, "getcwd: %s", strerror(errno));
		return -1;
	}
	if (config_init(cfg, getenv("HOME"), getenv("TMPDIR"),
		getenv("XDG_CONFIG_HOME")) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (config_set_workspace(cfg, cwd, "/", "default (current directory)",
		err, errlen) == -1)
		goto fail;

	if ((env = getenv("AGENTWRAP_CONFIG")) != NULL && *env != '\0') {
		if (load_file(cfg, env, err, errlen) == -1)
			goto fail;
	} else if (cfg->user_config_dir != NULL &&
	    snprintf(path, sizeof(path), "%s/config.toml",
		cfg->user_config_dir) < (int)sizeof(path)) {
		/*
		 * Only a file that is not there is skipped, or one behind
		 * another user's directory: one we cannot look at otherwise
		 * (EACCES, ELOOP...) may hold a stricter policy.
		 */
		if (lstat(path, &st) == 0) {
			if (load_file(cfg, path, err, errlen) == -1)
				goto fail;
		} else if (errno == EACCES) {
			if (unreachable(cfg, path, warn, sizeof(warn), err,
				errlen) == -1)
				goto fail;
		} else if (errno != ENOENT && errno != ENOTDIR) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
	}
	if (o->config_file != NULL &&
	    load_file(cfg, o->config_file, err, errlen) == -1)
		goto fail;

	if (o->sandbox != NULL &&
	    config_set_sandbox(cfg, o->sandbox, "--sandbox", err, errlen) == -1)
		goto fail;
	if (o->approval != NULL &&
	    config_set_approval(
		cfg, o->approval, "--ask-for-approval", err, errlen) == -1)
		goto fail;
	if (o->workspace != NULL) {
		errno = 0;
		if (stat(o->workspace, &st) == -1 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--cd %s: %s", o->workspace,
			    errno ? strerror(errno) : "not a directory");
			goto fail;
		}
		if (config_set_workspace(
			cfg, o->workspace, cwd, "--cd", err, errlen) == -1)
			goto fail;
	}
	for (i = 0; i < o->nadd_dirs; i++) {
		errno = 0;
		if (stat(o->add_dirs[i], &st) == -1 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--add-dir %s: %s",
			    o->add_dirs[i],
			    errno ? strerror(errno) : "not a directory");
			goto fail;
		}
		if (config_add_dir(cfg, o->add_dirs[i], cwd, "--add-dir", err,
			errlen) == -1)
			goto fail;
	}
	if (o->network)
		config_set_network(cfg, true, "--network");
	for (i = 0; i < o->nassignments; i++)
		if (config_apply_assignment(
			cfg, o->assignments[i], err, errlen) == -1)
			goto fail;

	/*
	 * Codex .rules files, once the TOML layers are all applied: so -c can
	 * set rules_files too, and a later agentwrap.exec.rules (which
	 * replaces) cannot drop their rules. Order: TOML rules, rules_files,
	 * --rules; the strictest matching rule decides anyway.
	 */
	for (i = 0; i < cfg->l[CFG_RULES_FILES].n; i++) {
		char from[CFG_WHERE + 64];

		snprintf(from, sizeof(from), "agentwrap.exec.rules_files (%s)",
		    cfg->l[CFG_RULES_FILES].where);
		if (load_rules(cfg, cfg->l[CFG_RULES_FILES].v[i].key, from, err,
			errlen) == -1)
			goto fail;
	}
	for (i = 0; i < o->nrules_files; i++)
		if (load_rules(
			cfg, o->rules_files[i], "--rules", err, errlen) == -1)
			goto fail;
	snprintf(err, errlen, "%s", warn);
	return 0;
fail:
	config_free(cfg);
	return -1;
}
