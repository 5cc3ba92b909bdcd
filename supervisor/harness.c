/*
 * harness.c: the approval channel to an agent harness (harness.h).
 *
 * Runs in the supervisor's event loop: the descriptor is non-blocking,
 * questions wait in an output buffer until the socket takes them, and
 * answers are cut into lines as they come. Each line goes to answer_parse()
 * (answer.c); nothing in it is trusted but an open question's id and one of
 * the four decisions. A line that is too long is skipped up to its newline,
 * in bounded memory.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer.h"
#include "audit.h"
#include "harness.h"

struct harness {
	struct approvals *ap;
	int fd;
	char *in; /* HARNESS_LINE_MAX bytes */
	size_t inlen;
	int skipping; /* in a line too long */
	char *out;
	size_t outlen, outoff, outcap;
	int dead;
};

/* The channel is gone: say why once (approve_channel_down denies all). */
static void
down(struct harness *h, const char *why)
{
	if (h->dead)
		return;
	h->dead = 1;
	approve_channel_down(h->ap, why);
}

/* Write what waits, as much as the socket takes. -1 once it is gone. */
static int
flush(struct harness *h)
{
	ssize_t n;

	while (h->outoff < h->outlen) {
		n = send(h->fd, h->out + h->outoff, h->outlen - h->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && errno == ENOTSOCK)
			n = write(
			    h->fd, h->out + h->outoff, h->outlen - h->outoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return -1; /* the caller says it is down */
		h->outoff += (size_t)n;
	}
	if (h->outoff == h->outlen)
		h->outoff = h->outlen = 0;
	return 0;
}

/* Queue O as one line and free it. 0 or -1 (the channel is unusable). */
static int
queue(struct harness *h, json_t *o)
{
	char *s, *nb;
	size_t len, cap;

	if (o == NULL)
		return -1;
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (s == NULL)
		return -1;
	len = strlen(s);
	if (h->outlen - h->outoff + len + 1 > HARNESS_OUT_MAX) {
		free(s);
		return -1; /* the harness reads nothing any more */
	}
	if (h->outoff > 0) {
		memmove(h->out, h->out + h->outoff, h->outlen - h->outoff);
		h->outlen -= h->outoff;
		h->outoff = 0;
	}
	if (h->outlen + len + 1 > h->outcap) {
		cap = h->outcap ? h->outcap : 4096;
		while (cap < h->outlen + len + 1)
			cap *= 2;
		if ((nb = realloc(h->out, cap)) == NULL) {
			free(s);
			return -1;
		}
		h->out = nb;
		h->outcap = cap;
	}
	memcpy(h->out + h->outlen, s, len);
	h->out[h->outlen + len] = '\n';
	h->outlen += len + 1;
	free(s);
	return flush(h);
}

static int
h_ask(void *ctx, const struct approve_question *q)
{
	struct harness *h = ctx;
	const struct aw_msg *m = q->m;
	json_t *o;

	if (h->dead || (o = json_object()) == NULL)
		return -1;
	json_object_set_new(o, "type", json_string("approval_request"));
	json_object_set_new(o, "id", json_integer((json_int_t)q->id));
	json_object_set_new(o, "op", json_string(policy_op_name(m->op)));
	switch (m->op) {
	case OP_READ:
	case OP_WRITE:
	case OP_UNIX:
		audit_json_bytes(o, "path", m->path);
		audit_json_bytes(o, "path2", m->path2);
		break;
	case OP_EXEC:
		audit_json_argv(o, "argv", m->argv, m->argc);
		if (m->flags & AW_MF_ARGV_TRUNCATED)
			json_object_set_new(o, "argv_truncated", json_true());
		audit_json_bytes(o, "path", m->path);
		break;
	default:
		audit_json_bytes(o, "host", m->host ? m->host : m->addr);
		if (m->port >= 0)
			json_object_set_new(o, "port", json_integer(m->port));
		break;
	}
	json_object_set_new(o, "pid", json_integer(m->pid));
	audit_json_bytes(o, "exe", m->exe);
	audit_json_bytes(o, "call", m->call);
	audit_json_bytes(o, "reason", q->reason);
	audit_json_bytes(o, "rule", q->rule);
	if (q->scope != NULL)
		audit_json_bytes(o, "session_scope", q->scope);
	else
		json_object_set_new(o, "session_scope", json_null());
	json_object_set_new(o, "timeout", json_integer(q->timeout_s));
	return queue(h, o) == -1 ? -1 : 0;
}

static void
h_withdraw(void *ctx, uint64_t id, const char *reason)
{
	struct harness *h = ctx;
	json_t *o;

	if (h->dead || (o = json_object()) == NULL)
		return;
	json_object_set_new(o, "type", json_string("approval_cancel"));
	json_object_set_new(o, "id", json_integer((json_int_t)id));
	json_object_set_new(o, "reason", json_string(reason));
	if (queue(h, o) == -1)
		down(h, "the harness does not take what agentwrap writes");
}

static int
h_ask_rerun(
    void *ctx, uint64_t id, const char *const *grants, size_t n, int timeout_s)
{
	struct harness *h = ctx;
	json_t *o;

	if (h->dead || (o = json_object()) == NULL)
		return -1;
	json_object_set_new(o, "type", json_string("rerun_request"));
	json_object_set_new(o, "id", json_integer((json_int_t)id));
	/* scopes hold paths: not UTF-8 is U+FFFD, with grants_b64 */
	audit_json_argv(o, "grants", grants, n);
	json_object_set_new(o, "timeout", json_integer(timeout_s));
	return queue(h, o) == -1 ? -1 : 0;
}

static int
h_pollfd(void *ctx, short *events)
{
	struct harness *h = ctx;

	if (h->dead)
		return -1;
	*events = POLLIN | (h->outlen > h->outoff ? POLLOUT : 0);
	return h->fd;
}

/* One line from the harness (without its newline): apply it if it is an
 * answer we can trust, else log it. */
static void
line(struct harness *h, const char *s, size_t len)
{
	char why[320];
	uint64_t id;
	int d, r;

	if ((r = answer_parse(s, len, &id, &d, why, sizeof(why))) == 0)
		approve_answer(h->ap, id, (enum approve_decision)d);
	else if (r == 2)
		approve_rerun_answer(h->ap, id, d);
	else if (r == -1)
		approve_channel_error(h->ap, why, s, len);
}

/* Read what the harness sent and act on each whole line. */
static void
drain_input(struct harness *h)
{
	char *nl, *start;
	size_t used;
	ssize_t n;

	for (;;) {
		n = read(h->fd, h->in + h->inlen, HARNESS_LINE_MAX - h->inlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == 0) {
			if (h->inlen > 0 && !h->skipping)
				approve_channel_error(h->ap,
				    "an unfinished "
				    "line at the end; ignored",
				    h->in, h->inlen);
			down(h, "the harness closed the connection");
			return;
		}
		if (n < 0) {
			down(h, strerror(errno));
			return;
		}
		h->inlen += (size_t)n;
		start = h->in;
		while ((nl = memchr(start, '\n',
			    h->inlen - (size_t)(start - h->in))) != NULL) {
			if (h->skipping)
				h->skipping = 0; /* its end: skip no more */
			else
				line(h, start, (size_t)(nl - start));
			if (h->dead)
				return;
			start = nl + 1;
		}
		used = (size_t)(start - h->in);
		memmove(h->in, start, h->inlen - used);
		h->inlen -= used;
		if (h->inlen == HARNESS_LINE_MAX) {
			if (!h->skipping)
				approve_channel_error(h->ap,
				    "a line longer "
				    "than 64 KiB; ignored",
				    h->in, 256);
			h->skipping = 1;
			h->inlen = 0;
		}
	}
}

static void
h_ready(void *ctx, short revents)
{
	struct harness *h = ctx;

	if (h->dead)
		return;
	if ((revents & POLLOUT) && flush(h) == -1) {
		down(h, "the harness does not take what agentwrap writes");
		return;
	}
	/* POLLHUP or POLLERR: read to learn what is left and the error */
	if (revents & (POLLIN | POLLHUP | POLLERR))
		drain_input(h);
	if (!h->dead && (revents & POLLNVAL))
		down(h, "the descriptor is closed");
}

static void
h_free(void *ctx)
{
	struct harness *h = ctx;

	if (h == NULL)
		return;
	if (h->fd != -1) {
		/* questions that are still buffered go out if they can */
		if (!h->dead)
			flush(h);
		close(h->fd);
	}
	free(h->in);
	free(h->out);
	free(h);
}

static const struct approve_channel harness_channel = {
	.name = "harness",
	.ask = h_ask,
	.withdraw = h_withdraw,
	.pollfd = h_pollfd,
	.ready = h_ready,
	.free = h_free,
	.ask_rerun = h_ask_rerun,
};

int
harness_check_fd(int fd, char *err, size_t errlen)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1) {
		snprintf(
		    err, errlen, "--approval-fd %d: %s", fd, strerror(errno));
		return -1;
	}
	if ((fl & O_ACCMODE) != O_RDWR) {
		snprintf(err, errlen,
		    "--approval-fd %d: not open for reading "
		    "and writing (give one end of a socketpair)",
		    fd);
		return -1;
	}
	return 0;
}

int
harness_attach_fd(struct approvals *ap, int fd, char *err, size_t errlen)
{
	struct harness *h;
	int fl;

	if (harness_check_fd(fd, err, errlen) == -1)
		return -1;
	/* ours alone: the command must never answer its own questions */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		snprintf(
		    err, errlen, "--approval-fd %d: %s", fd, strerror(errno));
		return -1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->in = malloc(HARNESS_LINE_MAX)) == NULL) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->ap = ap;
	h->fd = fd;
	approve_set_channel(ap, &harness_channel, h);
	return 0;
}

int
harness_connect(
    struct approvals *ap, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(
		    err, errlen, "--approval-socket %s: path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EINTR)
			continue;
		snprintf(err, errlen, "--approval-socket %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (harness_attach_fd(ap, fd, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	return 0;
}
