/*
 * ring_client.c: the client half of the shared-memory ring, linked into the
 * shim: attaching (the attach socket, then the mapping), posting events,
 * round trips, the supervisor's liveness, and copying a published policy
 * snapshot.
 *
 * Runs inside every watched process, in hooks: it makes its system calls
 * directly (an LD_PRELOAD hook must not call a libc wrapper that the shim
 * itself interposes, such as syscall()), never allocates, never locks,
 * leaves errno alone, and so is async-signal-safe and usable in a vfork
 * child. What the supervisor writes into the mapping is trusted no more
 * than the rest of it: lengths are bounded before use.
 *
 * Synchronisation, in short (docs/protocol.md has the long form):
 *  - a client claims a slot with CAS FREE -> WRITING, fills it, then stores
 *    POSTED or REQUEST;
 *  - doorbell: the client stores the slot state, then takes
 *    supervisor_waiting (exchange with 0); the supervisor stores
 *    supervisor_waiting = 1, then reads every slot state. All are seq_cst,
 *    so at least one side sees the other's store: either the supervisor
 *    finds the work before it sleeps, or a client takes the flag, bumps the
 *    bell word and wakes it. No lost wake-up, and one wake per sleep.
 *  - a full ring: waiters set the top bit of free_wait and sleep on it;
 *    whoever frees a slot and sees that bit bumps the counter and wakes them.
 *  - liveness: the supervisor holds a robust mutex forever; the kernel marks
 *    it FUTEX_OWNER_DIED when the supervisor dies. Every client wait is
 *    bounded to 100 ms, and the mutex word is checked after each.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"
#include "ring_int.h"

#define SPIN_MIN_NS 2000u
#define SPIN_MAX_NS 20000u

int
ring_attach(
    struct ring_client *c, int ring_fd, const uint8_t token[AW_TOKEN_LEN])
{
	struct aw_ring *r;
	long size, p;

	c->ring = NULL;
	if (ring_fd < 0)
		return -1;
	size = raw3(SYS_lseek, ring_fd, 0, SEEK_END);
	if (size < 0 || (size_t)size != RING_MAP_LEN)
		return -1;
	p = raw6(SYS_mmap, 0, (long)RING_MAP_LEN, PROT_READ | PROT_WRITE,
	    MAP_SHARED, ring_fd, 0);
	if (p < 0 && p > -4096)
		return -1;
	r = (struct aw_ring *)p;
	if (__atomic_load_n(&r->magic, __ATOMIC_ACQUIRE) != AW_RING_MAGIC ||
	    r->version != AW_PROTO_VERSION || r->nslots != AW_NSLOTS ||
	    r->slot_size != sizeof(struct aw_slot) ||
	    memcmp(r->token, token, AW_TOKEN_LEN) != 0) {
		raw3(SYS_munmap, p, RING_MAP_LEN, 0);
		return -1;
	}
	c->ring = r;
	return 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
ring_parse_token(const char *s, uint8_t tok[AW_TOKEN_LEN])
{
	int i, hi, lo;

	for (i = 0; i < 2 * AW_TOKEN_LEN; i++)
		if (s[i] == '\0')
			return -1;
	if (s[2 * AW_TOKEN_LEN] != '\0')
		return -1;
	for (i = 0; i < AW_TOKEN_LEN; i++) {
		if ((hi = hexval(s[2 * i])) < 0 ||
		    (lo = hexval(s[2 * i + 1])) < 0)
			return -1;
		tok[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static long
raw_close(long fd)
{
	return raw3(SYS_close, fd, 0, 0);
}

/* Wait up to MS for FD to be readable: 0, or a negative errno */
static long
wait_readable(long fd, int ms)
{
	struct pollfd p = { .fd = (int)fd, .events = POLLIN };
	struct timespec ts = { .tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000 };
	uint64_t end = ring_now_ns() + (uint64_t)ms * 1000000ull, now;
	long r;

	for (;;) {
		r = raw6(SYS_ppoll, (long)&p, 1, (long)&ts, 0, 8, 0);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (r != -EINTR)
			return r;
		if ((now = ring_now_ns()) >= end)
			return -ETIMEDOUT;
		ts.tv_sec = (time_t)((end - now) / 1000000000ull);
		ts.tv_nsec = (long)((end - now) % 1000000000ull);
	}
}

/*
 * Receive the answer to an attach request on S: the reply and its two
 * descriptors into FDS. 0, or a negative errno (every descriptor that came
 * is closed then).
 */
static long
recv_rep(long s, int fds[2], int want)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct aw_attach_rep rep;
	struct iovec iov = { &rep, sizeof(rep) };
	struct msghdr mh;
	struct cmsghdr *h;
	int got[4], ngot = 0, i;
	long n;

	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	do
		n = raw3(SYS_recvmsg, s, &mh, MSG_CMSG_CLOEXEC);
	while (n == -EINTR);
	if (n < 0)
		return n;
	for (h = CMSG_FIRSTHDR(&mh); h != NULL; h = CMSG_NXTHDR(&mh, h)) {
		size_t k;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		for (k = 0;
		     k < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int) && ngot < 4;
		     k++)
			memcpy(&got[ngot++], CMSG_DATA(h) + k * sizeof(int),
			    sizeof(int));
	}
	if (n == 0)
		n = -ECONNREFUSED; /* closed without a word: going away */
	else if ((size_t)n != sizeof(rep) || rep.magic != AW_ATTACH_MAGIC ||
	    rep.version != AW_PROTO_VERSION || (mh.msg_flags & MSG_CTRUNC))
		n = -EPROTO;
	else if (rep.status != 0)
		n = rep.status > 0 && rep.status < 4096 ? -rep.status : -EPROTO;
	else if (rep.nfds != (uint32_t)want || ngot != want)
		n = -EPROTO;
	else
		n = 0;
	if (n != 0) {
		for (i = 0; i < ngot; i++)
			raw_close(got[i]);
		return n;
	}
	for (i = 0; i < want; i++)
		fds[i] = got[i];
	return 0;
}

/* Is SNAP_FD the sealed snapshot the ring names? */
static int
snapshot_matches(const struct ring_client *c, long snap_fd)
{
	struct stat st;

	if (raw6(SYS_newfstatat, snap_fd, (long)"", (long)&st, AT_EMPTY_PATH, 0,
		0) != 0)
		return 0;
	return (uint64_t)st.st_dev ==
	    __atomic_load_n(&c->ring->snap_dev, __ATOMIC_RELAXED) &&
	    (uint64_t)st.st_ino ==
	    __atomic_load_n(&c->ring->snap_ino, __ATOMIC_RELAXED);
}

static void
unmap(struct ring_client *c)
{
	if (c->ring != NULL)
		raw3(SYS_munmap, c->ring, RING_MAP_LEN, 0);
	c->ring = NULL;
}

/* "/proc/PID/fd/N" into BUF (64 bytes), without stdio */
static void
held_path(char *buf, long pid, int n)
{
	char d[24];
	size_t k = 0, i = 0;

	memcpy(buf, "/proc/", 6);
	i = 6;
	do
		d[k++] = (char)('0' + pid % 10);
	while ((pid /= 10) != 0 && k < sizeof(d));
	while (k > 0)
		buf[i++] = d[--k];
	memcpy(buf + i, "/fd/", 4);
	i += 4;
	buf[i++] = (char)('0' + n);
	buf[i] = '\0';
}

int
ring_open_held(struct ring_client *c, long holder,
    const uint8_t token[AW_TOKEN_LEN], int *snap_fd)
{
	char path[64];
	long rfd, sfd;
	int r = -EPROTO;

	c->ring = NULL;
	*snap_fd = -1;
	if (holder <= 1 || holder > 0x7fffffff)
		return -EINVAL;
	held_path(path, holder, AW_HOLD_FD_RING);
	if ((rfd = raw6(SYS_openat, AT_FDCWD, (long)path, O_RDWR | O_CLOEXEC, 0,
		 0, 0)) < 0)
		return (int)rfd;
	held_path(path, holder, AW_HOLD_FD_SNAP);
	sfd = raw6(
	    SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	if (sfd < 0)
		r = (int)sfd;
	else if (ring_attach(c, (int)rfd, token) == 0) {
		if (snapshot_matches(c, sfd)) {
			*snap_fd = (int)sfd;
			sfd = -1;
			r = 0;
		} else
			unmap(c);
	}
	raw_close(rfd);
	if (sfd >= 0)
		raw_close(sfd);
	return r;
}

/* A connected attach socket to NAME, or a negative errno */
static long
attach_sock(const char *name)
{
	struct sockaddr_un sa;
	size_t n = 0;
	long s, r;

	while (name[n] != '\0' && n <= AW_ATTACH_NAME_MAX)
		n++;
	if (n == 0 || n > AW_ATTACH_NAME_MAX)
		return -EINVAL;
	if ((s = raw3(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) <
	    0)
		return s;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, name, n); /* abstract: sun_path[0] = 0 */
	do
		r = raw3(SYS_connect, s, &sa,
		    offsetof(struct sockaddr_un, sun_path) + 1 + n);
	while (r == -EINTR);
	if (r < 0) {
		raw_close(s);
		return r;
	}
	return s;
}

/* Send the request KIND (ARG) with TOKEN on S; 0 or a negative errno */
static long
send_req(long s, uint32_t kind, uint32_t arg, const uint8_t token[AW_TOKEN_LEN])
{
	struct aw_attach_req req;
	long r;

	memset(&req, 0, sizeof(req));
	req.magic = AW_ATTACH_MAGIC;
	req.version = AW_PROTO_VERSION;
	req.kind = kind;
	req.arg = arg;
	memcpy(req.token, token, AW_TOKEN_LEN);
	/* sendto without an address: the watch filter lets it through */
	do
		r = raw6(
		    SYS_sendto, s, (long)&req, sizeof(req), MSG_NOSIGNAL, 0, 0);
	while (r == -EINTR);
	if (r >= 0 && r != (long)sizeof(req))
		r = -EPROTO;
	return r < 0 ? r : 0;
}

int
ring_connect(struct ring_client *c, const char *name,
    const uint8_t token[AW_TOKEN_LEN], int *snap_fd)
{
	long s, r;
	int fds[2];

	c->ring = NULL;
	*snap_fd = -1;
	if ((s = attach_sock(name)) < 0)
		return (int)s;
	if ((r = send_req(s, AW_ATTACH_SHIM, 0, token)) < 0 ||
	    (r = wait_readable(s, RING_ATTACH_WAIT_MS)) < 0 ||
	    (r = recv_rep(s, fds, 2)) < 0)
		goto out;
	if (ring_attach(c, fds[0], token) == -1) {
		raw_close(fds[1]);
		r = -EPROTO;
	} else if (!snapshot_matches(c, fds[1])) {
		unmap(c);
		raw_close(fds[1]);
		r = -EPROTO;
	} else {
		*snap_fd = fds[1];
		r = 0;
	}
	raw_close(fds[0]);
out:
	raw_close(s);
	return (int)r;
}

int
ring_hand_watch(const char *name, const uint8_t token[AW_TOKEN_LEN],
    int (*make)(void *), void *ctx)
{
	long s, r;
	int fd, fds[2];

	if ((s = attach_sock(name)) < 0)
		return (int)s;
	if ((fd = make(ctx)) < 0) {
		raw_close(s);
		return fd;
	}
	if ((r = send_req(s, AW_ATTACH_WATCH, (uint32_t)fd, token)) == 0 &&
	    (r = wait_readable(s, RING_ATTACH_WAIT_MS)) == 0)
		r = recv_rep(s, fds, 0); /* a watch answer has no descriptor */
	raw_close(fd);
	raw_close(s);
	return r < 0 ? (int)r : 0;
}

int
ring_supervisor_alive(const struct ring_client *c)
{
	return c->ring != NULL && ring_mutex_alive(c->ring);
}

static int
try_claim(struct aw_ring *r, uint32_t start)
{
	uint32_t i, j, st;

	for (i = 0; i < AW_NSLOTS; i++) {
		j = (start + i) % AW_NSLOTS;
		st = AW_SLOT_FREE;
		if (atomic_load_explicit(&r->slot[j].state,
			memory_order_relaxed) == AW_SLOT_FREE &&
		    atomic_compare_exchange_strong(
			&r->slot[j].state, &st, AW_SLOT_WRITING))
			return (int)j;
	}
	return -1;
}

/* Claim a FREE slot, waiting while there is none. Its index, or -1 if the
 * supervisor died. */
static int
claim(struct ring_client *c, int32_t pid, int32_t tid)
{
	struct aw_ring *r = c->ring;
	/* threads start at different slots, so they rarely contend */
	uint32_t start = ((uint32_t)tid * 2654435761u) >> 8, fw;
	int i;

	for (;;) {
		fw = atomic_load(&r->free_wait);
		if ((i = try_claim(r, start)) >= 0)
			break;
		if (!ring_mutex_alive(r))
			return -1;
		if ((fw & FREE_WAITERS) == 0) {
			if (!atomic_compare_exchange_strong(
				&r->free_wait, &fw, fw | FREE_WAITERS))
				continue;
			fw |= FREE_WAITERS;
		}
		/* a slot freed before the flag was up: the freer missed it */
		if ((i = try_claim(r, start)) >= 0)
			break;
		ring_futex_wait(&r->free_wait, fw, WAIT_SLICE_NS);
	}
	__atomic_store_n(&r->slot[i].owner_pid, pid, __ATOMIC_RELAXED);
	__atomic_store_n(
	    &r->slot[i].owner_tid, (uint32_t)tid, __ATOMIC_RELAXED);
	return i;
}

/*
 * Wake the supervisor if it sleeps. Whoever takes the flag rings, so one
 * write wakes it however many clients post meanwhile. A client that finds
 * the flag down can count on the supervisor scanning after its post: either
 * it is awake and will raise the flag (and scan) before sleeping, or another
 * client took the flag after our post and rang.
 */
static void
ring_doorbell(struct ring_client *c)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&c->ring->supervisor_waiting) &&
	    atomic_exchange(&c->ring->supervisor_waiting, 0)) {
		atomic_fetch_add(&c->ring->bell, 1);
		ring_futex_wake(&c->ring->bell);
	}
}

/* Claim a slot and fill it; its index, or -1. */
static int
fill(struct ring_client *c, const void *msg, size_t len)
{
	struct aw_slot *s;
	int32_t pid, tid;
	int i;

	if (c->ring == NULL || len > AW_SLOT_DATA || (len > 0 && msg == NULL))
		return -1;
	if (!ring_mutex_alive(c->ring))
		return -1;
	pid = (int32_t)raw0(SYS_getpid);
	tid = (int32_t)raw0(SYS_gettid);
	if ((i = claim(c, pid, tid)) < 0)
		return -1;
	s = &c->ring->slot[i];
	if (len > 0)
		memcpy(s->data, msg, len);
	__atomic_store_n(&s->len, (uint32_t)len, __ATOMIC_RELAXED);
	__atomic_store_n(&s->answer, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->answer_len, 0, __ATOMIC_RELAXED);
	return i;
}

int
ring_post(struct ring_client *c, const void *msg, size_t len)
{
	int i;

	if ((i = fill(c, msg, len)) < 0)
		return -1;
	atomic_store(&c->ring->slot[i].state, AW_SLOT_POSTED);
	ring_doorbell(c);
	return 0;
}

/*
 * How long to spin for an answer before sleeping on the futex: long
 * (SPIN_MAX_NS) while that has paid off lately, else hardly at all, so
 * that waiting on a busy or sleeping supervisor does not burn a core that a
 * parallel build needs. An answer caught while spinning raises the score;
 * one that came within SPIN_MAX_NS although we slept (so a spin would have
 * caught it) raises it too; a sleep that spinning would not have saved
 * lowers it twice as much. Per process, updated without locks.
 */
static _Atomic int spin_score;

static uint64_t
spin_budget(void)
{
	return atomic_load_explicit(&spin_score, memory_order_relaxed) >= 0
	    ? SPIN_MAX_NS
	    : SPIN_MIN_NS;
}

static void
note_latency(uint64_t ns, int slept)
{
	int s = atomic_load_explicit(&spin_score, memory_order_relaxed);

	if (!slept || ns < SPIN_MAX_NS)
		s = s < 8 ? s + 1 : 8;
	else
		s = s > -8 ? s - 2 : -8;
	atomic_store_explicit(&spin_score, s, memory_order_relaxed);
}

/* Give up on slot S (timeout): free it if the supervisor has not taken it,
 * else disown it so that the supervisor frees it once answered. */
static void
abandon(struct aw_ring *r, struct aw_slot *s)
{
	if (ring_slot_release(r, s, AW_SLOT_REQUEST))
		return;
	__atomic_store_n(&s->owner_pid, 0, __ATOMIC_RELEASE);
	ring_slot_release(r, s, AW_SLOT_ANSWERED);
}

int
ring_call(struct ring_client *c, const void *msg, size_t len, void *ans,
    size_t anscap, int *verdict, int timeout_ms)
{
	struct aw_slot *s;
	uint64_t t0, now, budget, slice, deadline;
	uint32_t st, alen;
	int i, k, slept = 0;

	if ((i = fill(c, msg, len)) < 0)
		return -1;
	s = &c->ring->slot[i];
	t0 = ring_now_ns();
	deadline = timeout_ms > 0 ? t0 + (uint64_t)timeout_ms * 1000000ull : 0;
	atomic_store(&s->state, AW_SLOT_REQUEST);
	ring_doorbell(c);

	budget = spin_budget();
	for (now = t0; now - t0 < budget; now = ring_now_ns()) {
		if (atomic_load_explicit(&s->state, memory_order_acquire) ==
		    AW_SLOT_ANSWERED)
			goto answered;
		for (k = 0; k < 16; k++)
			cpu_relax();
	}
	slept = 1;
	for (;;) {
		st = atomic_load(&s->state);
		if (st == AW_SLOT_ANSWERED)
			break;
		if (st != AW_SLOT_REQUEST && st != AW_SLOT_BUSY)
			return -1; /* taken from us: not ours to free */
		if (!ring_mutex_alive(c->ring))
			return -1;
		now = ring_now_ns();
		slice = WAIT_SLICE_NS;
		if (deadline != 0) {
			if (now >= deadline) {
				abandon(c->ring, s);
				return -1;
			}
			if (deadline - now < slice)
				slice = deadline - now;
		}
		ring_futex_wait(&s->state, st, slice);
	}
answered:
	note_latency(ring_now_ns() - t0, slept);
	if (verdict != NULL)
		*verdict = __atomic_load_n(&s->answer, __ATOMIC_RELAXED);
	alen = __atomic_load_n(&s->answer_len, __ATOMIC_RELAXED);
	if (alen > AW_SLOT_DATA)
		alen = AW_SLOT_DATA;
	if (alen > anscap)
		alen = (uint32_t)anscap;
	if (alen > 0)
		memcpy(ans, s->data, alen);
	/* an owner of 0 marks a slot between owners (ring_reclaim) */
	__atomic_store_n(&s->owner_pid, 0, __ATOMIC_RELAXED);
	ring_slot_release(c->ring, s, AW_SLOT_ANSWERED);
	return (int)alen;
}

uint32_t
ring_snapshot_gen(const struct ring_client *c)
{
	if (c->ring == NULL)
		return 0;
	return atomic_load_explicit(
	    &c->ring->snapshot_gen, memory_order_acquire);
}

long
ring_snapshot_copy(
    const struct ring_client *c, void *buf, size_t cap, uint32_t *gen)
{
	struct aw_snap_area *a;
	struct aw_snap_buf *b;
	uint32_t s1, s2, len, g, idx;
	int tries;

	*gen = 0;
	if (c->ring == NULL ||
	    atomic_load_explicit(
		&c->ring->snapshot_gen, memory_order_acquire) == 0)
		return -1;
	a = ring_snap_area(c->ring);
	for (tries = 0; tries < 16; tries++) {
		idx = atomic_load_explicit(&a->cur, memory_order_acquire) & 1;
		b = &a->buf[idx];
		s1 = atomic_load_explicit(&b->seq, memory_order_acquire);
		if (s1 & 1) {
			cpu_relax();
			continue;
		}
		len = __atomic_load_n(&b->len, __ATOMIC_RELAXED);
		g = __atomic_load_n(&b->gen, __ATOMIC_RELAXED);
		if (len > AW_SNAP_MAX || len > cap)
			return -1;
		memcpy(buf, b->data, len);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&b->seq, memory_order_relaxed);
		if (s1 == s2 && g != 0) {
			*gen = g;
			return (long)len;
		}
	}
	return -1;
}
