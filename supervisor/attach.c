/*
 * attach.c: the attach socket (see attach.h): an abstract SOCK_SEQPACKET
 * listener that hands the ring and snapshot memfds to each new process
 * image of the tree.
 *
 * Runs in the supervisor's event loop, never blocking: the listener and
 * every accepted connection are non-blocking; a connection whose request
 * has not arrived yet waits in a small table (polled with the rest) and is
 * dropped after WAIT_MS. A peer is hostile: its request is read without a
 * control buffer (descriptors it sends are discarded by the kernel), must
 * be exactly one struct aw_attach_req with our magic, version and token,
 * and the peer (SO_PEERCRED) must descend from us.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "watch.h"
#include "clock.h"
#include "proc.h"

#define MAX_WAITING 64 /* connections with no request yet */
#define WAIT_MS 2000 /* how long such a one may wait */
#define ACCEPT_BATCH 64 /* accepted per turn of the loop */

struct waiting {
	int fd;
	uint64_t since_ms;
};

struct attach {
	int lfd;
	int ring_fd, snap_fd;
	pid_t self;
	uint8_t token[AW_TOKEN_LEN];
	char name[AW_ATTACH_NAME_MAX + 1];
	struct waiting w[MAX_WAITING];
	int nw;
	int (*on_watch)(void *, int);
	void *watch_ctx;
	unsigned long served, refused;
};

struct attach *
attach_open(const uint8_t token[AW_TOKEN_LEN], int ring_fd, int snap_fd)
{
	struct sockaddr_un sa;
	uint8_t rnd[12];
	struct attach *a;
	size_t i, n;
	int saved;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->lfd = -1;
	a->ring_fd = ring_fd;
	a->snap_fd = snap_fd;
	a->self = getpid();
	memcpy(a->token, token, AW_TOKEN_LEN);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		goto fail;
	n = (size_t)snprintf(
	    a->name, sizeof(a->name), "agentwrap.%d.", (int)a->self);
	for (i = 0; i < sizeof(rnd) && n + 2 < sizeof(a->name); i++)
		n += (size_t)snprintf(
		    a->name + n, sizeof(a->name) - n, "%02x", rnd[i]);
	if ((a->lfd = socket(AF_UNIX,
		 SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, a->name, n);
	if (bind(a->lfd, (struct sockaddr *)&sa,
		(socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) ==
		-1 ||
	    listen(a->lfd, 128) == -1)
		goto fail;
	return a;
fail:
	saved = errno;
	attach_close(a);
	errno = saved;
	return NULL;
}

void
attach_close(struct attach *a)
{
	int i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nw; i++)
		close(a->w[i].fd);
	if (a->lfd != -1)
		close(a->lfd);
	explicit_bzero(a->token, sizeof(a->token));
	free(a);
}

const char *
attach_name(const struct attach *a)
{
	return a->name;
}

static int
token_equal(const uint8_t *x, const uint8_t *y)
{
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < AW_TOKEN_LEN; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void
attach_set_watch(struct attach *a, int (*fn)(void *ctx, int fd), void *ctx)
{
	a->on_watch = fn;
	a->watch_ctx = ctx;
}

/* A watch listener, number NUM in process PID: take it and hand it on */
static int
take_watch(struct attach *a, pid_t pid, uint32_t num)
{
	int fd;

	if (a->on_watch == NULL || num > INT_MAX)
		return EPERM;
	if ((fd = watch_fetch(pid, (int)num)) == -1)
		return errno == EBADF ? EBADF : EPERM;
	if (a->on_watch(a->watch_ctx, fd) == -1) {
		close(fd);
		return EMFILE;
	}
	return 0;
}

/* Answer on FD: STATUS, and with 0 the two descriptors (NFDS 2) */
static void
reply(struct attach *a, int fd, int status, int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct aw_attach_rep rep;
	struct iovec iov = { &rep, sizeof(rep) };
	struct msghdr mh;
	struct cmsghdr *h;
	int fds[2] = { a->ring_fd, a->snap_fd };

	memset(&rep, 0, sizeof(rep));
	rep.magic = AW_ATTACH_MAGIC;
	rep.version = AW_PROTO_VERSION;
	rep.status = status;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (status == 0 && nfds == 2) {
		rep.nfds = 2;
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		h = CMSG_FIRSTHDR(&mh);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(h), fds, sizeof(fds));
	}
	/* a fresh connection has room for one message: this never waits */
	if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    (ssize_t)sizeof(rep))
		status = -1;
	if (status == 0)
		a->served++;
	else
		a->refused++;
}

/*
 * Serve the connection FD: 1 when done with it (answered or dropped; FD is
 * closed), 0 when its request has not come yet.
 */
static int
serve(struct attach *a, int fd)
{
	struct aw_attach_req req;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	uint8_t buf[sizeof(req) + 1];
	ssize_t n;
	int status = 0;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n != (ssize_t)sizeof(req)) {
		status = EPROTO;
		goto out;
	}
	memcpy(&req, buf, sizeof(req));
	if (req.magic != AW_ATTACH_MAGIC || req.version != AW_PROTO_VERSION ||
	    (req.kind != AW_ATTACH_SHIM && req.kind != AW_ATTACH_WATCH) ||
	    (req.kind == AW_ATTACH_SHIM && req.arg != 0))
		status = EPROTO;
	else if (!token_equal(req.token, a->token))
		status = EPERM;
	else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == -1 ||
	    crlen != sizeof(cr) || !proc_descends(cr.pid, a->self))
		status = EPERM;
	else if (req.kind == AW_ATTACH_WATCH)
		status = take_watch(a, cr.pid, req.arg);
out:
	if (n == 0)
		a->refused++; /* hung up without a word */
	else
		reply(a, fd, status,
		    n == (ssize_t)sizeof(req) && req.kind == AW_ATTACH_SHIM
			? 2
			: 0);
	close(fd);
	return 1;
}

static void
wait_add(struct attach *a, int fd)
{
	if (a->nw == MAX_WAITING) {
		/* flooded: the oldest gives way (its client fails closed) */
		close(a->w[0].fd);
		memmove(
		    &a->w[0], &a->w[1], (MAX_WAITING - 1) * sizeof(a->w[0]));
		a->nw--;
		a->refused++;
	}
	a->w[a->nw].fd = fd;
	a->w[a->nw].since_ms = clock_mono_ms();
	a->nw++;
}

static void
wait_drop(struct attach *a, int i)
{
	memmove(
	    &a->w[i], &a->w[i + 1], (size_t)(a->nw - i - 1) * sizeof(a->w[0]));
	a->nw--;
}

int
attach_pollfds(struct attach *a, struct pollfd *pfd, int cap)
{
	int i, n = 0;

	if (cap <= 0)
		return 0;
	pfd[n].fd = a->lfd;
	pfd[n].events = POLLIN;
	pfd[n++].revents = 0;
	for (i = 0; i < a->nw && n < cap; i++) {
		pfd[n].fd = a->w[i].fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

void
attach_ready(struct attach *a, const struct pollfd *pfd, int n)
{
	uint64_t now = clock_mono_ms();
	int i, j, fd;

	/* the waiting ones first: their numbers are in PFD */
	for (i = 1; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		for (j = 0; j < a->nw; j++)
			if (a->w[j].fd == pfd[i].fd)
				break;
		if (j < a->nw && serve(a, a->w[j].fd))
			wait_drop(a, j);
	}
	for (j = 0; j < a->nw;) {
		if (now - a->w[j].since_ms >= WAIT_MS) {
			close(a->w[j].fd);
			wait_drop(a, j);
			a->refused++;
		} else
			j++;
	}
	if (n < 1 || pfd[0].revents == 0)
		return;
	for (i = 0; i < ACCEPT_BATCH; i++) {
		fd = accept4(a->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			break; /* EAGAIN, or a failure the next turn retries */
		if (!serve(a, fd))
			wait_add(a, fd);
	}
}

int
attach_next_ms(const struct attach *a)
{
	uint64_t now, end;

	if (a->nw == 0)
		return -1;
	now = clock_mono_ms();
	end = a->w[0].since_ms + WAIT_MS;
	return end > now ? (int)(end - now) : 0;
}

unsigned long
attach_served(const struct attach *a)
{
	return a->served;
}

unsigned long
attach_refused(const struct attach *a)
{
	return a->refused;
}
