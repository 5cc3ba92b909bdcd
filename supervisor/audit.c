/*
 * audit.c: the --audit log (JSON Lines, jansson).
 *
 * Runs in the supervisor. Event records are built from ring messages, which
 * any watched process can fill with any bytes: strings that are valid UTF-8
 * are written as they are (JSON escapes control characters); any other
 * string is written with each stray byte replaced by U+FFFD, next to a
 * NAME_b64 field holding the exact bytes, so nothing is lost and the log
 * stays valid JSON. Each record goes out with one write(2) as soon as it is
 * made: nothing waits in a buffer if agentwrap is killed, and a failed write
 * (a full disk) is reported at once, not discovered at exit.
 */
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "clock.h"
#include "audit.h"
#include "policy.h"
#include "proto.h"

/* counts[] rows: the pol_op values, then these */
#define OPX_UNCOVERED 7
#define OPX_MALFORMED 8
#define OPX_FLOOR 9
#define OPX_N 10

/* a counts[] row's name: policy_op_name() or one of these */
static const char *
opx_name(int x)
{
	static const char *const more[] = { "uncovered", "malformed", "floor" };

	return x >= OPX_UNCOVERED && x < OPX_N ? more[x - OPX_UNCOVERED]
					       : policy_op_name(x);
}

struct audit {
	int fd;
	int close_fd; /* we opened it */
	char *name; /* for messages */
	int failed;
	unsigned long lost;
	unsigned long counts[OPX_N][2]; /* [op][0 allow, 1 deny] */
	unsigned long events, malformed;
	unsigned long disputed; /* events the supervisor decides otherwise */
	unsigned long asked, grants, channel_errors;
};

static int
opx(unsigned op)
{
	if (op <= OP_BIND)
		return (int)op;
	if (op == AW_OP_UNCOVERED)
		return OPX_UNCOVERED;
	if (op == AW_OP_FLOOR)
		return OPX_FLOOR;
	return OPX_MALFORMED;
}

int
audit_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0, k, len;
	uint32_t cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			len = 2;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			len = 4;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* no overlong forms, no surrogates, nothing past U+10FFFF */
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += len;
	}
	return 1;
}

/* Length of the valid UTF-8 sequence at S (N bytes left), or 0. */
static size_t
utf8_seq(const uint8_t *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		return 1;
	len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2
	    : (s[0] & 0xf0) == 0xe0	   ? 3
	    : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
					   : 0;
	if (len == 0 || len > n)
		return 0;
	return audit_utf8_valid(s, len) ? len : 0;
}

void
audit_base64(const uint8_t *s, size_t n, char *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)s[i] << 16;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* S as a JSON string; bytes that are not UTF-8 become U+FFFD. */
static json_t *
lossy_string(const uint8_t *s, size_t n)
{
	char *buf;
	size_t i = 0, o = 0, k;
	json_t *j;

	if (audit_utf8_valid(s, n))
		return json_stringn((const char *)s, n);
	if (n > SIZE_MAX / 3 || (buf = malloc(3 * n + 1)) == NULL)
		return NULL;
	while (i < n) {
		if ((k = utf8_seq(s + i, n - i)) > 0) {
			memcpy(buf + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

static json_t *
b64_string(const uint8_t *s, size_t n)
{
	char *buf;
	json_t *j;

	if ((buf = malloc(4 * (n / 3 + 1) + 1)) == NULL)
		return NULL;
	audit_base64(s, n, buf);
	j = json_string(buf);
	free(buf);
	return j;
}

/* KEY = S, and KEY_b64 if S is not UTF-8. 0 or -1. */
static int
set_bytes(json_t *o, const char *key, const char *s)
{
	char k64[64];
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (json_object_set_new(o, key, lossy_string((const uint8_t *)s, n)) ==
	    -1)
		return -1;
	if (audit_utf8_valid((const uint8_t *)s, n))
		return 0;
	snprintf(k64, sizeof(k64), "%s_b64", key);
	return json_object_set_new(o, k64, b64_string((const uint8_t *)s, n));
}

static int
set_argv(json_t *o, const char *key, const char *const *argv, size_t argc)
{
	json_t *a, *b = NULL;
	char k64[64];
	size_t i, n;
	int bad = 0;

	if ((a = json_array()) == NULL)
		return -1;
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (json_array_append_new(
			a, lossy_string((const uint8_t *)argv[i], n)) == -1)
			goto fail;
		if (!audit_utf8_valid((const uint8_t *)argv[i], n))
			bad = 1;
	}
	if (bad) {
		if ((b = json_array()) == NULL)
			goto fail;
		for (i = 0; i < argc; i++)
			if (json_array_append_new(b,
				b64_string((const uint8_t *)argv[i],
				    strlen(argv[i]))) == -1)
				goto fail;
	}
	if (json_object_set_new(o, key, a) == -1) {
		a = NULL;
		goto fail;
	}
	if (b != NULL) {
		snprintf(k64, sizeof(k64), "%s_b64", key);
		return json_object_set_new(o, k64, b);
	}
	return 0;
fail:
	json_decref(a);
	json_decref(b);
	return -1;
}

/* RFC 3339, UTC, microseconds: 2024-05-01T12:34:56.123456Z */
static json_t *
rfc3339(uint64_t ns)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)(ns / 1000000000ull);

	if (gmtime_r(&t, &tm) == NULL)
		return json_string("1970-01-01T00:00:00.000000Z");
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06luZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (unsigned long)((ns % 1000000000ull) / 1000));
	return json_string(buf);
}

static void
report_failure(struct audit *a, int e)
{
	char *vis;

	a->lost++;
	if (a->failed)
		return;
	a->failed = 1;
	if (stravis(&vis, a->name, VIS_OCTAL | VIS_NL | VIS_TAB | VIS_CSTYLE) ==
	    -1)
		vis = NULL;
	warnx("audit log %s: %s; the log is incomplete from here on",
	    vis ? vis : "?", strerror(e));
	free(vis);
}

/* Write O as one line, then free it. */
static int
emit(struct audit *a, json_t *o)
{
	char *s;
	size_t len, off = 0;
	ssize_t n;

	if (o == NULL) {
		report_failure(a, ENOMEM);
		return -1;
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL) {
		report_failure(a, ENOMEM);
		return -1;
	}
	len = strlen(s);
	s[len++] = '\n'; /* json_dumps leaves room: it wrote the NUL */
	while (off < len) {
		n = write(a->fd, s + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			report_failure(a, n == 0 ? EIO : errno);
			free(s);
			return -1;
		}
		off += (size_t)n;
	}
	free(s);
	return 0;
}

int
audit_open(struct audit **out, const char *spec, char *err, size_t errlen)
{
	struct audit *a;
	struct stat st;
	const char *errstr = NULL;
	int fd, fl, own = 0;

	*out = NULL;
	if (strcmp(spec, "-") == 0)
		fd = STDERR_FILENO;
	else if (strncmp(spec, "fd:", 3) == 0) {
		/* 0-2 are the command's stdio: the log would corrupt them */
		fd = (int)strtonum(spec + 3, 3, INT_MAX, &errstr);
		if (errstr != NULL) {
			snprintf(err, errlen,
			    "--audit %s: descriptor number "
			    "is %s",
			    spec, errstr);
			return -1;
		}
		if ((fl = fcntl(fd, F_GETFL)) == -1) {
			snprintf(err, errlen, "--audit %s: %s", spec,
			    strerror(errno));
			return -1;
		}
		if ((fl & O_ACCMODE) == O_RDONLY) {
			snprintf(err, errlen,
			    "--audit %s: not open for "
			    "writing",
			    spec);
			return -1;
		}
		/* the log is ours: the command must not write into it */
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
			snprintf(err, errlen, "--audit %s: %s", spec,
			    strerror(errno));
			return -1;
		}
	} else {
		/*
		 * The policy keeps this name out of the command's reach;
		 * another name (a symlink, a hard link) would not be: refuse
		 * before anything is truncated (main.c checked it too).
		 */
		if ((fd = open(spec,
			 O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY |
			     O_NOFOLLOW | O_NONBLOCK,
			 0600)) == -1) {
			snprintf(err, errlen, "--audit %s: %s", spec,
			    strerror(errno));
			return -1;
		}
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
		    st.st_nlink > 1 || ftruncate(fd, 0) == -1) {
			snprintf(err, errlen,
			    "--audit %s: not a regular file with one name",
			    spec);
			close(fd);
			return -1;
		}
		own = 1;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->name = strdup(spec)) == NULL) {
		free(a);
		if (own)
			close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->fd = fd;
	a->close_fd = own;
	*out = a;
	return 0;
}

int
audit_start(struct audit *a, const char *version, const struct config *cfg,
    char *const argv[], int audit_only)
{
	struct utsname u;
	json_t *o;
	char *text = NULL;
	size_t textlen = 0, argc;

	if ((o = json_object()) == NULL)
		return emit(a, NULL);
	json_object_set_new(o, "type", json_string("session_start"));
	json_object_set_new(o, "ts", rfc3339(clock_realtime_ns()));
	json_object_set_new(o, "version", json_string(version));
	json_object_set_new(o, "protocol", json_integer(AW_PROTO_VERSION));
	json_object_set_new(
	    o, "kernel", json_string(uname(&u) == 0 ? u.release : "unknown"));
	json_object_set_new(o, "supervisor_pid", json_integer(getpid()));
	for (argc = 0; argv[argc] != NULL; argc++)
		;
	set_argv(o, "argv", (const char *const *)argv, argc);
	json_object_set_new(o, "audit_only", json_boolean(audit_only));
	if (config_print(cfg, &text, &textlen) == 0)
		json_object_set_new(
		    o, "config", lossy_string((uint8_t *)text, textlen));
	free(text);
	return emit(a, o);
}

static const char *
layer_name(unsigned layer)
{
	switch (layer) {
	case AW_LAYER_PRELOAD:
		return "preload";
	case AW_LAYER_SECCOMP:
		return "seccomp";
	case AW_LAYER_PROXY:
		return "proxy";
	default:
		return "supervisor";
	}
}

int
audit_json_bytes(json_t *o, const char *key, const char *s)
{
	return set_bytes(o, key, s);
}

int
audit_json_argv(
    json_t *o, const char *key, const char *const *argv, size_t argc)
{
	return set_argv(o, key, argv, argc);
}

/* The event record of M, counted; NULL when out of memory. */
static json_t *
event_record(struct audit *a, const struct aw_msg *m)
{
	json_t *o;
	int deny = m->verdict != VERDICT_ALLOW, x = opx(m->op);

	a->events++;
	a->counts[x][deny]++;
	if ((o = json_object()) == NULL)
		return NULL;
	json_object_set_new(o, "type", json_string("event"));
	json_object_set_new(o, "ts", rfc3339(m->ts_ns));
	json_object_set_new(o, "pid", json_integer(m->pid));
	json_object_set_new(o, "ppid", json_integer(m->ppid));
	set_bytes(o, "exe", m->exe);
	set_bytes(o, "call", m->call);
	json_object_set_new(o, "op", json_string(opx_name(x)));
	set_bytes(o, "path", m->path);
	set_bytes(o, "path2", m->path2);
	if (m->argc > 0)
		set_argv(o, "argv", m->argv, m->argc);
	if (m->flags & AW_MF_ARGV_TRUNCATED)
		json_object_set_new(o, "argv_truncated", json_true());
	set_bytes(o, "host", m->host);
	set_bytes(o, "addr", m->addr);
	if (m->port >= 0)
		json_object_set_new(o, "port", json_integer(m->port));
	json_object_set_new(o, "verdict", json_string(deny ? "deny" : "allow"));
	if (m->verdict == VERDICT_ASK)
		json_object_set_new(o, "ask", json_true());
	set_bytes(o, "rule", m->rule);
	if (m->op == AW_OP_FLOOR)
		set_bytes(o, "why", m->why);
	json_object_set_new(o, "layer", json_string(layer_name(m->layer)));
	if (m->err != 0)
		json_object_set_new(o, "errno", json_integer(m->err));
	if (m->flags & AW_MF_AUDIT_ONLY)
		json_object_set_new(o, "audit_only", json_true());
	return o;
}

int
audit_event(struct audit *a, const struct aw_msg *m)
{
	return emit(a, event_record(a, m));
}

int
audit_event_disputed(
    struct audit *a, const struct aw_msg *m, int verdict, const char *rule)
{
	json_t *o = event_record(a, m);

	a->disputed++;
	if (o != NULL) {
		json_object_set_new(o, "disputed", json_true());
		json_object_set_new(o, "supervisor_verdict",
		    json_string(verdict == VERDICT_ALLOW ? "allow" : "deny"));
		set_bytes(o, "supervisor_rule", rule);
	}
	return emit(a, o);
}

int
audit_asked(struct audit *a, const struct aw_msg *m, int verdict, int asked,
    const char *rule, const char *decided_by, uint64_t wait_ms, uint64_t id)
{
	struct aw_msg rec = *m;
	json_t *o;

	a->asked++;
	rec.verdict =
	    (uint8_t)(verdict == VERDICT_ALLOW ? VERDICT_ALLOW : VERDICT_DENY);
	rec.rule = rule;
	/* decided here; a watched or proxied call keeps the layer that saw
	 * it */
	if (rec.layer != AW_LAYER_SECCOMP && rec.layer != AW_LAYER_PROXY)
		rec.layer = AW_LAYER_SUPERVISOR;
	if (verdict == VERDICT_ALLOW)
		rec.err = 0;
	if ((o = event_record(a, &rec)) == NULL)
		return emit(a, NULL);
	if (asked)
		json_object_set_new(o, "ask", json_true());
	if (decided_by != NULL)
		json_object_set_new(o, "decided_by", json_string(decided_by));
	json_object_set_new(o, "wait_ms", json_integer((json_int_t)wait_ms));
	if (id > 0)
		json_object_set_new(
		    o, "approval_id", json_integer((json_int_t)id));
	return emit(a, o);
}

int
audit_grant(struct audit *a, uint64_t id, const struct pol_grant *g,
    const char *scope, const char *decided_by)
{
	json_t *o;
	int x = g->op >= 0 && g->op <= OP_BIND ? g->op : OPX_MALFORMED;

	a->grants++;
	if ((o = json_object()) == NULL)
		return emit(a, NULL);
	json_object_set_new(o, "type", json_string("grant"));
	json_object_set_new(o, "ts", rfc3339(clock_realtime_ns()));
	json_object_set_new(o, "approval_id", json_integer((json_int_t)id));
	json_object_set_new(o, "decision",
	    json_string(g->allow ? "allow_session" : "deny_session"));
	json_object_set_new(o, "op", json_string(opx_name(x)));
	set_bytes(o, "path", g->path);
	set_bytes(o, "host", g->host);
	if (g->argc > 0)
		set_argv(o, "argv_prefix", g->argv, g->argc);
	set_bytes(o, "exe", g->exe);
	set_bytes(o, "scope", scope);
	if (decided_by != NULL)
		json_object_set_new(o, "decided_by", json_string(decided_by));
	return emit(a, o);
}

int
audit_rerun(
    struct audit *a, int first_status, size_t ngrants, const char *decided_by)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return emit(a, NULL);
	json_object_set_new(o, "type", json_string("rerun"));
	json_object_set_new(o, "ts", rfc3339(clock_realtime_ns()));
	json_object_set_new(o, "exit_status", json_integer(first_status));
	json_object_set_new(o, "grants", json_integer((json_int_t)ngrants));
	json_object_set_new(o, "decided_by", json_string(decided_by));
	return emit(a, o);
}

int
audit_approval_error(struct audit *a, const char *channel, const char *why,
    const void *line, size_t len)
{
	char k64[] = "line_b64";
	uint8_t *copy;
	size_t i;
	json_t *o;

	a->channel_errors++;
	if ((o = json_object()) == NULL)
		return emit(a, NULL);
	json_object_set_new(o, "type", json_string("approval_error"));
	json_object_set_new(o, "ts", rfc3339(clock_realtime_ns()));
	json_object_set_new(o, "channel", json_string(channel));
	set_bytes(o, "why", why);
	if (line != NULL) {
		if (len > 1024) {
			len = 1024;
			json_object_set_new(o, "line_truncated", json_true());
		}
		/* a NUL is shown as U+FFFD too (many JSON readers refuse
		 * \u0000); the exact bytes are in line_b64 */
		if ((copy = malloc(len + 1)) != NULL) {
			memcpy(copy, line, len);
			for (i = 0; i < len; i++)
				if (copy[i] == 0)
					copy[i] = 0xff;
			json_object_set_new(o, "line", lossy_string(copy, len));
			free(copy);
		}
		if (!audit_utf8_valid(line, len) || memchr(line, 0, len))
			json_object_set_new(o, k64, b64_string(line, len));
	}
	return emit(a, o);
}

int
audit_malformed(struct audit *a, int32_t owner_pid, size_t len, const char *why)
{
	json_t *o;

	a->malformed++;
	a->counts[OPX_MALFORMED][1]++;
	if ((o = json_object()) == NULL)
		return emit(a, NULL);
	json_object_set_new(o, "type", json_string("malformed"));
	json_object_set_new(o, "ts", rfc3339(clock_realtime_ns()));
	json_object_set_new(o, "pid", json_integer(owner_pid));
	json_object_set_new(o, "op", json_string("malformed"));
	json_object_set_new(o, "len", json_integer((json_int_t)len));
	json_object_set_new(o, "verdict", json_string("deny"));
	json_object_set_new(o, "rule", json_string("protocol"));
	json_object_set_new(o, "layer", json_string("supervisor"));
	if (why != NULL)
		json_object_set_new(o, "why", json_string(why));
	return emit(a, o);
}

int
audit_exit(struct audit *a, pid_t pid, int status)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return emit(a, NULL);
	json_object_set_new(o, "type", json_string("exit"));
	json_object_set_new(o, "ts", rfc3339(clock_realtime_ns()));
	json_object_set_new(o, "pid", json_integer(pid));
	if (WIFSIGNALED(status))
		json_object_set_new(
		    o, "signal", json_integer(WTERMSIG(status)));
	else
		json_object_set_new(
		    o, "exit_status", json_integer(WEXITSTATUS(status)));
	return emit(a, o);
}

int
audit_end(struct audit *a, int exit_status, int signo)
{
	json_t *o, *counts, *c;
	int i;

	if ((o = json_object()) == NULL || (counts = json_object()) == NULL) {
		json_decref(o);
		return emit(a, NULL);
	}
	json_object_set_new(o, "type", json_string("session_end"));
	json_object_set_new(o, "ts", rfc3339(clock_realtime_ns()));
	json_object_set_new(o, "exit_status", json_integer(exit_status));
	if (signo > 0)
		json_object_set_new(o, "signal", json_integer(signo));
	json_object_set_new(o, "events", json_integer((json_int_t)a->events));
	json_object_set_new(
	    o, "malformed", json_integer((json_int_t)a->malformed));
	json_object_set_new(
	    o, "disputed", json_integer((json_int_t)a->disputed));
	if (a->asked > 0)
		json_object_set_new(
		    o, "asked", json_integer((json_int_t)a->asked));
	if (a->grants > 0)
		json_object_set_new(
		    o, "grants", json_integer((json_int_t)a->grants));
	if (a->channel_errors > 0)
		json_object_set_new(o, "approval_errors",
		    json_integer((json_int_t)a->channel_errors));
	for (i = 0; i < OPX_N; i++) {
		if (a->counts[i][0] == 0 && a->counts[i][1] == 0)
			continue;
		c = json_object();
		json_object_set_new(
		    c, "allow", json_integer((json_int_t)a->counts[i][0]));
		json_object_set_new(
		    c, "deny", json_integer((json_int_t)a->counts[i][1]));
		json_object_set_new(counts, opx_name(i), c);
	}
	json_object_set_new(o, "counts", counts);
	if (a->lost > 0)
		json_object_set_new(
		    o, "lost", json_integer((json_int_t)a->lost));
	return emit(a, o);
}

int
audit_failed(const struct audit *a)
{
	return a != NULL && a->failed;
}

int
audit_close(struct audit *a)
{
	int r;

	if (a == NULL)
		return 0;
	if (a->close_fd && close(a->fd) == -1 && errno != EINTR)
		report_failure(a, errno);
	if (a->failed) {
		warnx("audit log: %lu record%s could not be written", a->lost,
		    a->lost == 1 ? "" : "s");
	}
	r = a->failed ? -1 : 0;
	free(a->name);
	free(a);
	return r;
}
