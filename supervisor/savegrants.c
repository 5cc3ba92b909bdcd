/*
 * savegrants.c: session grants as TOML (savegrants.h).
 *
 * Runs in the supervisor. Strings from the watched processes are escaped:
 * TOML strings get \" \\ and \uXXXX for control bytes; a string that is not
 * UTF-8 cannot be written exactly, so its grant is only a comment. Comments
 * go through strnvis(3), so they hold visible ASCII and never a newline.
 * Each section is checked against what FILE holds (config_apply_toml on
 * the whole): a table that FILE defines already gets the new entries right
 * below its header (FILE is then rewritten, through a new file renamed over
 * it); an entry that still does not fit (the same key twice) is appended
 * as comments, with a note.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "audit.h"
#include "config.h"
#include "report.h"
#include "savegrants.h"

#define EXISTING_MAX (1024 * 1024)

static char *
dup_or_null(const char *s, int *bad)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*bad = 1;
	return d;
}

int
savegrants_fill(struct saved_grant *s, const struct pol_grant *g, uint64_t id,
    const char *scope, const char *by, const struct pol_decision *d)
{
	struct pol_request req;
	struct report_fix f;
	char text[1024];
	size_t i;
	int bad = 0;

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->op = g->op;
	s->allow = g->allow;
	s->path = dup_or_null(g->path, &bad);
	s->host = dup_or_null(g->host, &bad);
	s->exe = dup_or_null(g->exe, &bad);
	for (i = 0; i < g->argc && i < 2; i++)
		s->argv[i] = dup_or_null(g->argv[i], &bad);
	s->argc = i;
	s->scope = dup_or_null(scope ? scope : "?", &bad);
	snprintf(s->by, sizeof(s->by), "%s", by ? by : "?");
	memset(&req, 0, sizeof(req));
	req.op = (enum pol_op)g->op;
	req.path = g->path;
	req.host = g->host;
	req.port = -1;
	report_fix(NULL, &req, d, &f);
	report_fix_text(&f, text, sizeof(text));
	s->fix = (int)f.kind;
	s->fixtext = dup_or_null(text, &bad);
	if (bad) {
		savegrants_clear(s);
		return -1;
	}
	return 0;
}

void
savegrants_clear(struct saved_grant *s)
{
	free(s->path);
	free(s->host);
	free(s->exe);
	free(s->argv[0]);
	free(s->argv[1]);
	free(s->scope);
	free(s->fixtext);
	memset(s, 0, sizeof(*s));
}

/* A TOML basic string; 0, or -1 if S is not UTF-8 (not written then) */
static int
put_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!audit_utf8_valid(p, strlen(s)))
		return -1;
	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
	return 0;
}

/* "# TEXT\n" with TEXT made visible ASCII */
static void
put_comment(FILE *f, const char *prefix, const char *text)
{
	size_t n = strlen(text);
	char *v;

	if ((v = malloc(4 * n + 1)) == NULL)
		return;
	strvis(v, text, VIS_OCTAL | VIS_CSTYLE | VIS_NL | VIS_TAB);
	fprintf(f, "# %s%s\n", prefix, v);
	free(v);
}

static void
put_origin(FILE *f, const struct saved_grant *g)
{
	char buf[160];

	snprintf(buf, sizeof(buf),
	    "approval request %llu (%s), %s: ", (unsigned long long)g->id,
	    g->by, g->allow ? "allow_session" : "deny_session");
	put_comment(f, buf, g->scope);
}

enum { SEC_PATHS, SEC_UNIX, SEC_DOMAINS, SEC_EXEC, SEC_OTHER, NSEC };

static const char *const sec_head[NSEC] = {
	"[agentwrap.filesystem.paths]\n",
	"[features.network_proxy.unix_sockets]\n",
	"[features.network_proxy.domains]\n",
	"",
	"",
};

static const char *const sec_note[NSEC] = {
	NULL,
	NULL,
	"# domains apply with the network on (-n) and "
	"features.network_proxy.enabled = true\n",
	"# rules from a later file replace agentwrap.exec.rules of an earlier "
	"one: put these with your other rules\n",
	NULL,
};

/* The access a path gets from every grant on it: deny wins, then write. */
static const char *
path_access(const struct saved_grant *g, size_t n, const char *path)
{
	size_t i;
	int w = 0, d = 0;

	for (i = 0; i < n; i++) {
		if ((g[i].op != OP_READ && g[i].op != OP_WRITE) ||
		    strcmp(g[i].path, path) != 0)
			continue;
		if (!g[i].allow)
			d = 1;
		else if (g[i].op == OP_WRITE)
			w = 1;
	}
	return d ? "deny" : w ? "write" : "read";
}

/* Was an entry for the same key written already (an earlier grant)? */
static int
written_before(const struct saved_grant *g, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++) {
		if ((g[i].op == OP_READ || g[i].op == OP_WRITE) &&
		    (g[j].op == OP_READ || g[j].op == OP_WRITE) &&
		    strcmp(g[i].path, g[j].path) == 0)
			return 1;
		if (g[i].op == OP_UNIX && g[j].op == OP_UNIX && g[j].allow &&
		    strcmp(g[i].path, g[j].path) == 0)
			return 1;
		if ((g[i].op == OP_CONNECT || g[i].op == OP_RESOLVE) &&
		    (g[j].op == OP_CONNECT || g[j].op == OP_RESOLVE) &&
		    strcmp(g[i].host, g[j].host) == 0)
			return 1;
	}
	return 0;
}

/* The section grant G goes to: the table of its decision's fix */
static int
grant_section(const struct saved_grant *g)
{
	int file = g->op == OP_READ || g->op == OP_WRITE;
	int net = g->op == OP_CONNECT || g->op == OP_RESOLVE;

	switch (g->fix) {
	case FIX_ROOT:
	case FIX_MODE_ROOT:
	case FIX_PATH:
	case FIX_PROTECTED:
		return file && g->path != NULL ? SEC_PATHS : SEC_OTHER;
	case FIX_UNIX:
		return g->op == OP_UNIX && g->allow && g->path != NULL
		    ? SEC_UNIX
		    : SEC_OTHER;
	case FIX_NETWORK:
	case FIX_MODE_NETWORK:
	case FIX_DOMAIN:
	case FIX_LOCAL:
		return net && g->host != NULL ? SEC_DOMAINS : SEC_OTHER;
	case FIX_EXEC:
	case FIX_EXEC_RULE:
		return g->op == OP_EXEC && g->argc > 0 ? SEC_EXEC : SEC_OTHER;
	default:
		return SEC_OTHER;
	}
}

/* Section SEC of the grants, as TOML, with its header and note if HEAD
 * (NULL if it has none) */
static char *
section(const struct saved_grant *g, size_t n, int sec, int head)
{
	char *text = NULL;
	size_t len = 0, i, k;
	int any = 0, ok;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct saved_grant *s = &g[i];
		int in = grant_section(s) == sec;

		if (!in ||
		    (sec != SEC_EXEC && sec != SEC_OTHER &&
			written_before(g, i)))
			continue;
		if (!any && head) {
			if (sec_note[sec] != NULL)
				fputs(sec_note[sec], f);
			fputs(sec_head[sec], f);
		}
		any = 1;
		put_origin(f, s);
		if (sec == SEC_PATHS && s->allow && s->fix == FIX_ROOT &&
		    s->fixtext != NULL)
			put_comment(f, "or wider, the whole directory: ",
			    s->fixtext); /* the denial line's words */
		switch (sec) {
		case SEC_PATHS:
		case SEC_UNIX:
		case SEC_DOMAINS:
			ok = put_str(f,
				 sec == SEC_DOMAINS ? s->host : s->path) == 0;
			if (ok)
				fprintf(f, " = \"%s\"\n",
				    sec == SEC_PATHS
					? path_access(g, n, s->path)
					: sec == SEC_UNIX ? "allow"
					: s->allow	  ? "allow"
							  : "deny");
			else
				fputs("# (not UTF-8: TOML cannot name it "
				      "exactly)\n",
				    f);
			break;
		case SEC_EXEC:
			for (k = 0, ok = 1; k < s->argc; k++)
				ok &= audit_utf8_valid(
				    (const uint8_t *)s->argv[k],
				    strlen(s->argv[k]));
			if (!ok) {
				fputs("# (not UTF-8: TOML cannot name it "
				      "exactly)\n",
				    f);
				break;
			}
			fputs("[[agentwrap.exec.rules]]\npattern = [", f);
			for (k = 0; k < s->argc; k++) {
				fputs(k ? ", " : "", f);
				put_str(f, s->argv[k]);
			}
			fprintf(f,
			    "]\ndecision = \"%s\"\njustification = "
			    "\"session grant: approval request %llu\"\n",
			    s->allow ? "allow" : "forbidden",
			    (unsigned long long)s->id);
			break;
		default:
			if (s->fixtext != NULL && s->fixtext[0] != '\0')
				put_comment(f, "to allow it: ", s->fixtext);
			else
				fputs("# (no configuration setting says "
				      "this)\n",
				    f);
			break;
		}
	}
	if (fclose(f) != 0 || !any) {
		free(text);
		return NULL;
	}
	return text;
}

/* Would agentwrap accept TEXT as a config file? */
static int
valid_config(const char *text, size_t len)
{
	struct config cfg;
	char err[CFG_ERR];
	int r;

	if (config_init(&cfg, "/nonexistent", NULL, NULL) == -1)
		return 0;
	r = config_apply_toml(
	    &cfg, "--save-grants", text, len, err, sizeof(err));
	config_free(&cfg);
	return r == 0;
}

/* Every line of S as a comment */
static void
put_commented(FILE *f, const char *s)
{
	const char *nl;

	while (*s != '\0') {
		nl = strchrnul(s, '\n');
		fprintf(f, "# %.*s\n", (int)(nl - s), s);
		s = *nl ? nl + 1 : nl;
	}
}

/* Where the line HEAD starts in TEXT (a whole line), or NULL */
static const char *
find_line(const char *text, const char *head)
{
	size_t n = strlen(head);
	const char *p = text;

	while ((p = strstr(p, head)) != NULL) {
		if (p == text || p[-1] == '\n')
			return p;
		p += n;
	}
	return NULL;
}

/* A malloc'd string: A (LA bytes), then B, then C */
static char *
concat3(const char *a, size_t la, const char *b, const char *c)
{
	size_t lb = strlen(b), lc = strlen(c);
	char *s;

	if ((s = malloc(la + lb + lc + 1)) == NULL)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

char *
savegrants_compose(const struct saved_grant *g, size_t n, char *const *argv,
    const char *existing, size_t existing_len, int *rewrote)
{
	char *cur, *block = NULL, *sec, *body, *trial, *tail, ts[64];
	const char *at;
	size_t blen = 0, pos;
	struct tm tm;
	time_t now = time(NULL);
	FILE *f;
	int s, check;

	*rewrote = 0;
	check = existing_len == 0 || valid_config(existing, existing_len);
	if ((cur = concat3(existing, existing_len, "", "")) == NULL)
		return NULL;
	if ((f = open_memstream(&block, &blen)) == NULL) {
		free(cur);
		return NULL;
	}
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fprintf(f, "\n# agentwrap --save-grants, %s\n", ts);
	if (argv != NULL) {
		char *cmd = NULL;
		size_t clen = 0;
		FILE *c = open_memstream(&cmd, &clen);
		int i;

		if (c != NULL) {
			for (i = 0; argv[i] != NULL; i++)
				fprintf(c, "%s%s", i ? " " : "", argv[i]);
			if (fclose(c) == 0)
				put_comment(f, "command: ", cmd);
			free(cmd);
		}
	}
	for (s = 0; s < NSEC; s++) {
		if ((sec = section(g, n, s, 1)) == NULL)
			continue;
		fflush(f);
		if (!check) {
			fputs(sec, f);
			free(sec);
			continue;
		}
		/* a table the file has: the entries go below its header */
		if (sec_head[s][0] != '\0' &&
		    (at = find_line(cur, sec_head[s])) != NULL &&
		    (body = section(g, n, s, 0)) != NULL) {
			pos = (size_t)(at - cur) + strlen(sec_head[s]);
			trial = NULL;
			if ((tail = concat3(
				 body, strlen(body), cur + pos, "")) != NULL)
				trial = concat3(cur, pos, tail, block);
			free(tail);
			free(body);
			if (trial != NULL &&
			    valid_config(trial, strlen(trial))) {
				/* drop the block again: keep cur + what is new */
				trial[strlen(trial) - blen] = '\0';
				free(cur);
				cur = trial;
				*rewrote = 1;
				free(sec);
				continue;
			}
			free(trial);
		}
		trial = concat3(cur, strlen(cur), block, sec);
		if (trial == NULL || !valid_config(trial, strlen(trial))) {
			fputs("# this does not fit in the file (a table or key "
			      "it has already): merge these lines by hand\n",
			    f);
			put_commented(f, sec);
		} else
			fputs(sec, f);
		free(trial);
		free(sec);
	}
	if (fclose(f) != 0) {
		free(block);
		free(cur);
		return NULL;
	}
	trial = concat3(cur, strlen(cur), block, "");
	free(block);
	free(cur);
	return trial;
}

/* FD's contents (at most EXISTING_MAX bytes), malloc'd; NULL and *LEN 0 if
 * it cannot be read or is too large (then nothing is checked). */
static char *
read_all(int fd, size_t *len)
{
	char *buf;
	ssize_t r;
	size_t n = 0;

	*len = 0;
	if ((buf = malloc(EXISTING_MAX + 1)) == NULL)
		return NULL;
	while (n < EXISTING_MAX) {
		r = pread(fd, buf + n, EXISTING_MAX - n, (off_t)n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (n >= EXISTING_MAX) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Write LEN bytes of BUF to FD; 0 or -1 */
static int
write_all(int fd, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t w;

	while (off < len) {
		w = write(fd, buf + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

int
savegrants_tmpname(const char *file, char *out, size_t len)
{
	int n = snprintf(out, len, "%s.agentwrap-new", file);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * Replace FILE with TEXT: a new file in its directory, renamed over it.
 * Its name is savegrants_tmpname(), which the policy protects: a random
 * name would leave it open to the command until the rename (a write into
 * it, a hard link to it). One that is there already is a leftover.
 */
static int
replace(const char *file, int oldfd, const char *text, char *err, size_t errlen)
{
	struct stat st;
	char tmp[PATH_MAX];
	int fd, i;

	if (savegrants_tmpname(file, tmp, sizeof(tmp)) == -1) {
		snprintf(err, errlen, "%s: name too long", file);
		return -1;
	}
	for (i = 0; (fd = open(tmp,
			 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			 0600)) == -1 &&
	     errno == EEXIST && i < 1;
	     i++)
		unlink(tmp);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fstat(oldfd, &st) == 0)
		fchmod(fd, st.st_mode & 0777);
	if (write_all(fd, text, strlen(text)) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1 || rename(tmp, file) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
savegrants_append(const char *file, const struct saved_grant *g, size_t n,
    char *const *argv, char *err, size_t errlen)
{
	struct stat st;
	char *existing, *text;
	size_t elen;
	int fd, rewrote, r;

	if ((fd = open(file,
		 O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		     O_NOCTTY,
		 0600)) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	/* another name would let the command change what is read next */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_nlink > 1) {
		snprintf(err, errlen,
		    "%s: not a regular file with one name; not written", file);
		close(fd);
		return -1;
	}
	existing = read_all(fd, &elen);
	text = savegrants_compose(
	    g, n, argv, existing ? existing : "", elen, &rewrote);
	if (text == NULL) {
		free(existing);
		snprintf(err, errlen, "%s: out of memory", file);
		close(fd);
		return -1;
	}
	if (rewrote)
		r = replace(file, fd, text, err, errlen);
	else if ((r = write_all(fd, text + elen, strlen(text) - elen)) == -1)
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
	free(existing);
	free(text);
	if (close(fd) == -1 && errno != EINTR && r == 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		r = -1;
	}
	return r;
}
