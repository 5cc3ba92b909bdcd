/*
 * prompt.c: the approval channel to a person at the controlling terminal
 * (prompt.h).
 *
 * Runs in the supervisor's event loop. /dev/tty is opened on its own open
 * file description, non-blocking and close-on-exec, so the command never
 * holds it and its own stdin keeps its flags. One question is shown at a
 * time; while it is, the terminal is in raw mode (no echo, no line
 * editing, no signals from keys: Ctrl-C is a byte that denies this call),
 * and it is restored when the question is settled, when agentwrap exits,
 * and from a handler for the signals that would end agentwrap while it is
 * not serving them through its signalfd. Everything that came from the
 * watched process is escaped with strnvis(3) before it reaches the
 * terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <vis.h>

#include "prompt.h"

/*
 * Not VIS_SAFE: it lets \r, \b and BEL through raw, and a \r in a file
 * name would return to the start of the line and draw a fake prompt over
 * the real one.
 */
#define VIS_FLAGS (VIS_OCTAL | VIS_NL | VIS_TAB | VIS_CSTYLE)
#define OUT_MAX (1024 * 1024) /* unwritten prompt text */

#define KEY_CTRL_C 0x03
#define KEY_CTRL_D 0x04

struct question {
	uint64_t id;
	char *text; /* the lines above the choices */
	char *choices; /* the choices line */
	int rerun; /* on-failure: run the command again? */
};

struct prompt {
	struct approvals *ap;
	int fd;
	int dead;
	struct question *q[APPROVE_MAX_PENDING]; /* q[0] first */
	int nq;
	int shown; /* q[0] is on the terminal */
	char *out;
	size_t outlen, outoff;
};

/* The terminal as it was, for the exit paths (one terminal per process). */
static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_raw;

static void
tty_restore(void)
{
	if (tty_raw && tty_fd >= 0)
		tcsetattr(tty_fd, TCSANOW, &tty_saved);
	tty_raw = 0;
}

/* A signal that ends agentwrap while the terminal is raw: restore it, then
 * die of the signal as before. */
static void
on_fatal_signal(int sig)
{
	int e = errno;

	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
	errno = e;
}

static void
catch_fatal_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	atexit(tty_restore);
}

/* Raw mode for one key: saved first, restored by tty_restore(). */
static int
tty_make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &tty_saved) == -1)
		return -1;
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(tcflag_t)(IXON);
	/* what we write ends its lines with \n alone */
	t.c_oflag |= OPOST | ONLCR;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) == -1)
		return -1;
	tty_raw = 1;
	/* keys typed before the question was there do not answer it */
	tcflush(fd, TCIFLUSH);
	return 0;
}

/* S from the watched process, escaped, into F */
static void
put_vis(FILE *f, const char *s)
{
	size_t n;
	char *v;

	if (s == NULL) {
		fputs("?", f);
		return;
	}
	n = 4 * strlen(s) + 1;
	if ((v = malloc(n)) == NULL) {
		fputs("?", f);
		return;
	}
	strnvis(v, s, n, VIS_FLAGS);
	fputs(v, f);
	free(v);
}

/* What the process wants to do, as "write /etc/hosts" */
static void
put_object(FILE *f, const struct aw_msg *m)
{
	uint32_t i;

	switch (m->op) {
	case OP_READ:
	case OP_WRITE:
		fputs(m->op == OP_READ ? "read " : "write ", f);
		put_vis(f, m->path);
		if (m->path2 != NULL) {
			fputs(" and ", f);
			put_vis(f, m->path2);
		}
		break;
	case OP_UNIX:
		fputs("connect to the socket ", f);
		put_vis(f, m->path);
		break;
	case OP_EXEC:
		fputs("run", f);
		for (i = 0; i < m->argc; i++) {
			fputc(' ', f);
			put_vis(f, m->argv[i]);
		}
		if (m->flags & AW_MF_ARGV_TRUNCATED)
			fputs(" ...", f);
		if (m->path != NULL &&
		    (m->argc == 0 || strcmp(m->path, m->argv[0]) != 0)) {
			fputs(" (as ", f);
			put_vis(f, m->path);
			fputc(')', f);
		}
		break;
	case OP_CONNECT:
	case OP_RESOLVE:
	case OP_BIND:
		fputs(m->op == OP_CONNECT     ? "connect to "
			: m->op == OP_RESOLVE ? "resolve "
					      : "bind ",
		    f);
		put_vis(f, m->host != NULL ? m->host : m->addr);
		if (m->port >= 0)
			fprintf(f, " port %d", (int)m->port);
		break;
	default:
		fputs("do something", f);
		break;
	}
}

/* The question's lines, in memory; -1 when out of memory */
static int
make_text(struct question *qq, const struct approve_question *q)
{
	const struct aw_msg *m = q->m;
	const char *exe, *why, *s;
	size_t len;
	FILE *f;

	if ((f = open_memstream(&qq->text, &len)) == NULL)
		return -1;
	fputs("\nagentwrap: ", f);
	exe = m->exe != NULL && (s = strrchr(m->exe, '/')) != NULL ? s + 1
								   : m->exe;
	put_vis(f, exe != NULL && *exe != '\0' ? exe : "pid");
	fprintf(f, "[%d] wants to ", (int)m->pid);
	put_object(f, m);
	/* the policy's sentence, past "writing X needs approval: it is" */
	why = q->reason != NULL ? q->reason : "";
	if ((s = strstr(why, "needs approval: ")) != NULL)
		why = s + strlen("needs approval: ");
	if (strncmp(why, "it is ", 6) == 0)
		why += 6;
	if (*why != '\0') {
		fputs(" (", f);
		put_vis(f, why);
		fputc(')', f);
	}
	fprintf(f,
	    "\nagentwrap: not answered within %d s, it is denied"
	    "\n",
	    q->timeout_s);
	if (fclose(f) != 0)
		return -1;
	if ((f = open_memstream(&qq->choices, &len)) == NULL)
		return -1;
	fputs("[y] allow once  ", f);
	if (q->scope != NULL) {
		fputs("[a] allow for this session: ", f);
		put_vis(f, q->scope);
		fputs("  [n] deny  [d] deny for this session", f);
	} else
		fputs("[n] deny", f);
	fputs(" (Enter: deny) ", f);
	return fclose(f) != 0 ? -1 : 0;
}

static void
question_free(struct question *qq)
{
	if (qq == NULL)
		return;
	free(qq->text);
	free(qq->choices);
	free(qq);
}

/* Write what waits, as much as the terminal takes. -1 once it is gone. */
static int
flush(struct prompt *p)
{
	ssize_t n;

	while (p->outoff < p->outlen) {
		n = write(p->fd, p->out + p->outoff, p->outlen - p->outoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return -1;
		p->outoff += (size_t)n;
	}
	if (p->outoff == p->outlen)
		p->outoff = p->outlen = 0;
	return 0;
}

/* Queue S for the terminal and write it. -1 once it is gone. */
static int
say(struct prompt *p, const char *s)
{
	size_t len = strlen(s);
	char *nb;

	if (p->outoff > 0) {
		memmove(p->out, p->out + p->outoff, p->outlen - p->outoff);
		p->outlen -= p->outoff;
		p->outoff = 0;
	}
	if (p->outlen + len > OUT_MAX)
		return -1; /* nobody reads the terminal */
	if ((nb = realloc(p->out, p->outlen + len + 1)) == NULL)
		return -1;
	p->out = nb;
	memcpy(p->out + p->outlen, s, len);
	p->outlen += len;
	return flush(p);
}

/* Show the first question waiting, if none is shown. -1: the terminal
 * cannot be used. */
static int
show_next(struct prompt *p)
{
	if (p->dead || p->shown || p->nq == 0)
		return 0;
	if (tty_make_raw(p->fd) == -1)
		return -1;
	p->shown = 1;
	if (say(p, p->q[0]->text) == -1 || say(p, p->q[0]->choices) == -1)
		return -1;
	return 0;
}

/* Take question K out of the queue; if it was shown, say END and restore
 * the terminal. Its id. */
static uint64_t
take(struct prompt *p, int k, const char *end)
{
	struct question *qq = p->q[k];
	uint64_t id = qq->id;

	if (k == 0 && p->shown) {
		if (end != NULL)
			say(p, end);
		tty_restore();
		p->shown = 0;
	}
	memmove(
	    &p->q[k], &p->q[k + 1], (size_t)(p->nq - k - 1) * sizeof(p->q[0]));
	p->nq--;
	question_free(qq);
	return id;
}

/*
 * The terminal is gone (hung up, closed, unusable): the question on it is
 * denied, by the person's terminal; every other one and every later one is
 * denied as having no channel. The run goes on.
 */
static void
gone(struct prompt *p, const char *why)
{
	uint64_t id;
	int had, rerun;

	if (p->dead)
		return;
	had = p->shown && p->nq > 0;
	rerun = had && p->q[0]->rerun;
	p->outoff = p->outlen = 0;
	id = had ? take(p, 0, NULL) : 0;
	tty_restore();
	p->dead = 1;
	if (had && rerun)
		approve_rerun_answer(p->ap, id, 0);
	else if (had)
		approve_answer(p->ap, id, APPROVE_DENY);
	approve_channel_down(p->ap, why);
}

/*
 * Queue QQ and show the first question if none is on screen. A terminal
 * that fails here is dead; approve_ask() says the channel is down, not us.
 */
static int
enqueue(struct prompt *p, struct question *qq)
{
	p->q[p->nq++] = qq;
	if (show_next(p) == -1) {
		take(p, p->nq - 1, NULL);
		tty_restore();
		p->shown = 0;
		p->dead = 1;
		return -1;
	}
	return 0;
}

static int
p_ask(void *ctx, const struct approve_question *q)
{
	struct prompt *p = ctx;
	struct question *qq;

	if (p->dead || p->nq >= APPROVE_MAX_PENDING ||
	    (qq = calloc(1, sizeof(*qq))) == NULL)
		return -1;
	qq->id = q->id;
	if (make_text(qq, q) == -1) {
		question_free(qq);
		return -1;
	}
	return enqueue(p, qq);
}

static int
p_ask_rerun(
    void *ctx, uint64_t id, const char *const *grants, size_t n, int timeout_s)
{
	struct prompt *p = ctx;
	struct question *qq;
	size_t i, len;
	FILE *f;

	if (p->dead || p->nq >= APPROVE_MAX_PENDING ||
	    (qq = calloc(1, sizeof(*qq))) == NULL)
		return -1;
	qq->id = id;
	qq->rerun = 1;
	if ((f = open_memstream(&qq->text, &len)) != NULL) {
		fputs("\nagentwrap: the command failed; run it again with "
		      "these granted?\n",
		    f);
		for (i = 0; i < n; i++) {
			fputs("agentwrap:   ", f);
			put_vis(f, grants[i]);
			fputc('\n', f);
		}
		fprintf(f,
		    "agentwrap: not answered within %d s, it is not run "
		    "again\n",
		    timeout_s);
		if (fclose(f) != 0) {
			free(qq->text);
			qq->text = NULL;
		}
	}
	qq->choices = strdup("[y] run it again with these granted  [n] do "
			     "not (Enter: no) ");
	if (qq->text == NULL || qq->choices == NULL) {
		question_free(qq);
		return -1;
	}
	return enqueue(p, qq);
}

static void
p_withdraw(void *ctx, uint64_t id, const char *reason)
{
	struct prompt *p = ctx;
	const char *end;
	int k;

	if (p->dead)
		return;
	for (k = 0; k < p->nq && p->q[k]->id != id; k++)
		;
	if (k == p->nq)
		return;
	if (strcmp(reason, "timeout") == 0)
		end = p->q[k]->rerun ? "\nagentwrap: nobody answered in time: "
				       "not run again\n"
				     : "\nagentwrap: nobody answered in time: "
				       "denied\n";
	else if (strcmp(reason, "session-grant") == 0)
		end = "\nagentwrap: settled by a session grant\n";
	else
		end = "\nagentwrap: withdrawn (the process is gone)\n";
	take(p, k, end);
	if (show_next(p) == -1)
		gone(p, "the terminal cannot be used");
}

static int
p_pollfd(void *ctx, short *events)
{
	struct prompt *p = ctx;

	if (p->dead)
		return -1;
	/* read only while a question is shown: the rest is the command's
	 * input. A hangup is reported either way. */
	*events =
	    (p->shown ? POLLIN : 0) | (p->outlen > p->outoff ? POLLOUT : 0);
	return p->fd;
}

/* One key K for the question shown: 1 if it settled it */
static int
key(struct prompt *p, unsigned char k)
{
	static const struct {
		unsigned char key;
		enum approve_decision dec;
		const char *said;
	} keys[] = {
		{ 'y', APPROVE_ALLOW, "y: allowed once" },
		{ 'a', APPROVE_ALLOW_SESSION, "a: allowed for this session" },
		{ 'n', APPROVE_DENY, "n: denied" },
		{ 'd', APPROVE_DENY_SESSION, "d: denied for this session" },
		{ '\r', APPROVE_DENY, "denied" },
		{ '\n', APPROVE_DENY, "denied" },
		{ KEY_CTRL_C, APPROVE_DENY, "^C: denied" },
		{ KEY_CTRL_D, APPROVE_DENY, "^D: denied" },
	};
	char end[64];
	uint64_t id;
	size_t i;
	int yes;

	if (k >= 'A' && k <= 'Z')
		k = (unsigned char)(k - 'A' + 'a');
	if (p->q[0]->rerun) {
		if (k == 'y')
			yes = 1;
		else if (k == 'n' || k == '\r' || k == '\n' ||
		    k == KEY_CTRL_C || k == KEY_CTRL_D)
			yes = 0;
		else {
			say(p, "\nagentwrap: press y or n\n");
			say(p, p->q[0]->choices);
			return 0;
		}
		id = take(p, 0, yes ? "y: run again\n" : "not run again\n");
		approve_rerun_answer(p->ap, id, yes);
		return 1;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].key == k)
			break;
	if (i == sizeof(keys) / sizeof(keys[0])) {
		say(p, "\nagentwrap: press y, a, n or d\n");
		say(p, p->q[0]->choices);
		return 0;
	}
	snprintf(end, sizeof(end), "%s\n", keys[i].said);
	id = take(p, 0, end);
	approve_answer(p->ap, id, keys[i].dec);
	return 1;
}

static void
p_ready(void *ctx, short revents)
{
	struct prompt *p = ctx;
	unsigned char buf[64];
	ssize_t n;

	if (p->dead)
		return;
	if ((revents & POLLOUT) && flush(p) == -1) {
		gone(p, "the terminal does not take what agentwrap writes");
		return;
	}
	if (revents & POLLNVAL) {
		gone(p, "the terminal descriptor is closed");
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		if (!p->shown) {
			/* not ours to read: only a hangup brings us here */
			if (revents & (POLLHUP | POLLERR))
				gone(p, "the terminal is closed");
			return;
		}
		do
			n = read(p->fd, buf, sizeof(buf));
		while (n == -1 && errno == EINTR);
		if (n > 0) {
			/* the first key that means something; the rest of
			 * the chunk is typed ahead and does not answer the
			 * next question */
			(void)key(p, buf[0]);
		} else if (n == 0 ||
		    (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    (revents & (POLLHUP | POLLERR))) {
			gone(p,
			    n == 0 ? "end of file on the terminal"
				   : "the terminal is closed");
			return;
		}
	}
	if (show_next(p) == -1)
		gone(p, "the terminal cannot be used");
}

static void
p_free(void *ctx)
{
	struct prompt *p = ctx;

	if (p == NULL)
		return;
	while (p->nq > 0)
		take(p, 0, p->dead ? NULL : "\n");
	tty_restore();
	if (!p->dead)
		flush(p);
	close(p->fd);
	if (tty_fd == p->fd)
		tty_fd = -1;
	free(p->out);
	free(p);
}

static const struct approve_channel prompt_channel = {
	.name = DECIDED_TTY,
	.ask = p_ask,
	.withdraw = p_withdraw,
	.pollfd = p_pollfd,
	.ready = p_ready,
	.free = p_free,
	.ask_rerun = p_ask_rerun,
};

int
prompt_attach_tty(struct approvals *ap)
{
	struct prompt *p;
	int fd;

	if ((fd = open(
		 "/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return 0;
	/* in the background, reading the terminal would stop us */
	if (tcgetpgrp(fd) != getpgrp()) {
		close(fd);
		return 0;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		close(fd);
		return -1;
	}
	p->ap = ap;
	p->fd = fd;
	tty_fd = fd;
	catch_fatal_signals();
	approve_set_channel(ap, &prompt_channel, p);
	return 1;
}
