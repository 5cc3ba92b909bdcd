/*
 * ring.c: the shared-memory ring between the shim and the supervisor.
 *
 * Two trust domains in one file. The client half (ring_attach, ring_post,
 * ring_call, ring_supervisor_alive) runs inside every watched process, in
 * hooks: it makes its system calls directly (an LD_PRELOAD hook must not call
 * a libc wrapper that the shim itself interposes, such as syscall()), never
 * allocates, never locks, leaves errno alone, and so is async-signal-safe
 * and usable in a vfork child. The server half runs in the supervisor and
 * treats the whole mapping as hostile: it reads each word once, bounds every
 * length, copies a slot out before anyone parses it, and only ever touches
 * memory inside its own mapping, which is sealed against shrinking.
 *
 * Synchronisation, in short (docs/protocol.md has the long form):
 *  - a client claims a slot with CAS FREE -> WRITING, fills it, then stores
 *    POSTED or REQUEST;
 *  - doorbell: the client stores the slot state, then takes
 *    supervisor_waiting (exchange with 0); the supervisor stores
 *    supervisor_waiting = 1, then reads every slot state. All are seq_cst,
 *    so at least one side sees the other's store: either the supervisor
 *    finds the work before it sleeps, or a client takes the flag and writes
 *    the eventfd. No lost wake-up, and one write per sleep.
 *  - a full ring: waiters set the top bit of free_wait and sleep on it;
 *    whoever frees a slot and sees that bit bumps the counter and wakes them.
 *  - liveness: the supervisor holds a robust mutex forever; the kernel marks
 *    it FUTEX_OWNER_DIED when the supervisor dies. Every client wait is
 *    bounded to 100 ms, and the mutex word is checked after each.
 *  - deferred answers: a handler may return RING_DEFER; the slot stays BUSY
 *    (and is never reclaimed as stray) until ring_answer(), and the client
 *    waits on as for any answer. A dead client is found by ring_deferred_gone.
 *  - policy generations: the snapshot area after the slots holds two
 *    buffers, written in turn under a seqlock (ring_publish_snapshot) and
 *    copied out by clients (ring_snapshot_copy).
 */
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "rawsys.h"
#include "ring.h"

#define RING_MAP_LEN AW_RING_MAP_LEN

#define FREE_WAITERS 0x80000000u /* free_wait: someone sleeps on it */
#define WAIT_SLICE_NS (100 * 1000 * 1000ull) /* liveness re-check */
#define SPIN_MIN_NS 2000u
#define SPIN_MAX_NS 20000u
#define LINGER_NS (100 * 1000 * 1000ull) /* before a reclaim check */
#define UNOWNED_NS (5000 * 1000 * 1000ull) /* WRITING without an owner */

/* raw system calls: rawsys.h */
#define raw0(n) raw6((n), 0, 0, 0, 0, 0, 0)
#define raw3(n, a, b, c) raw6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static uint64_t
now_ns(void)
{
	struct timespec ts;

	/* the vDSO: no system call, no errno on success */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
futex_wait(_Atomic uint32_t *w, uint32_t val, uint64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / 1000000000ull);
	ts.tv_nsec = (long)(ns % 1000000000ull);
	/* shared between processes: no FUTEX_PRIVATE_FLAG */
	raw6(SYS_futex, (long)w, FUTEX_WAIT, (long)val, (long)&ts, 0, 0);
}

static void
futex_wake(_Atomic uint32_t *w)
{
	raw6(SYS_futex, (long)w, FUTEX_WAKE, INT_MAX, 0, 0, 0);
}

/* --- shared helpers --- */

static int
mutex_word_alive(const struct aw_ring *r)
{
	int v = __atomic_load_n(&r->alive.__data.__lock, __ATOMIC_ACQUIRE);

	return (v & FUTEX_TID_MASK) != 0 && (v & FUTEX_OWNER_DIED) == 0;
}

/* After a slot became FREE: wake whoever waits for one. */
static void
wake_free_waiters(struct aw_ring *r)
{
	uint32_t fw = atomic_load(&r->free_wait);

	if ((fw & FREE_WAITERS) == 0)
		return;
	if (atomic_compare_exchange_strong(
		&r->free_wait, &fw, ((fw & ~FREE_WAITERS) + 1) & ~FREE_WAITERS))
		futex_wake(&r->free_wait);
	/* else another freer bumped it and wakes them */
}

/* Make slot S free if it is still in state FROM. 1 if it was. */
static int
slot_release(struct aw_ring *r, struct aw_slot *s, uint32_t from)
{
	if (!atomic_compare_exchange_strong(&s->state, &from, AW_SLOT_FREE))
		return 0;
	wake_free_waiters(r);
	return 1;
}

/* --- client --- */

int
ring_attach(struct ring_client *c, int ring_fd, int doorbell_fd,
    const uint8_t token[AW_TOKEN_LEN])
{
	struct aw_ring *r;
	long size, p;

	c->ring = NULL;
	c->doorbell_fd = -1;
	if (ring_fd < 0 || doorbell_fd < 0)
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
	c->doorbell_fd = doorbell_fd;
	return 0;
}

int
ring_supervisor_alive(const struct ring_client *c)
{
	return c->ring != NULL && mutex_word_alive(c->ring);
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
		if (!mutex_word_alive(r))
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
		futex_wait(&r->free_wait, fw, WAIT_SLICE_NS);
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
	uint64_t one = 1;

	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&c->ring->supervisor_waiting) &&
	    atomic_exchange(&c->ring->supervisor_waiting, 0))
		/* EAGAIN (counter full) means it is rung already */
		raw3(SYS_write, c->doorbell_fd, &one, sizeof(one));
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
	if (!mutex_word_alive(c->ring))
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
	if (slot_release(r, s, AW_SLOT_REQUEST))
		return;
	__atomic_store_n(&s->owner_pid, 0, __ATOMIC_RELEASE);
	slot_release(r, s, AW_SLOT_ANSWERED);
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
	t0 = now_ns();
	deadline = timeout_ms > 0 ? t0 + (uint64_t)timeout_ms * 1000000ull : 0;
	atomic_store(&s->state, AW_SLOT_REQUEST);
	ring_doorbell(c);

	budget = spin_budget();
	for (now = t0; now - t0 < budget; now = now_ns()) {
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
		if (!mutex_word_alive(c->ring))
			return -1;
		now = now_ns();
		slice = WAIT_SLICE_NS;
		if (deadline != 0) {
			if (now >= deadline) {
				abandon(c->ring, s);
				return -1;
			}
			if (deadline - now < slice)
				slice = deadline - now;
		}
		futex_wait(&s->state, st, slice);
	}
answered:
	note_latency(now_ns() - t0, slept);
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
	slot_release(c->ring, s, AW_SLOT_ANSWERED);
	return (int)alen;
}

static struct aw_snap_area *
snap_area(struct aw_ring *r)
{
	return (struct aw_snap_area *)((uint8_t *)r + AW_SNAP_AREA_OFF);
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
	a = snap_area(c->ring);
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

/* --- server --- */

struct ring_track {
	uint64_t since_ns; /* 0: not lingering */
	uint32_t state;
	int32_t pid;
	uint32_t tid;
	int deferred; /* BUSY: a request answered later */
};

int
ring_create(struct ring_server *s, const uint8_t token[AW_TOKEN_LEN])
{
	pthread_mutexattr_t ma;
	struct aw_ring *r;
	void *p;
	int saved;

	memset(s, 0, sizeof(*s));
	s->ring_fd = s->doorbell_fd = -1;
	s->serving = -1;
	s->map_len = RING_MAP_LEN;
	if ((s->ring_fd = memfd_create(
		 "agentwrap-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1)
		goto fail;
	if (ftruncate(s->ring_fd, (off_t)s->map_len) == -1)
		goto fail;
	p = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    s->ring_fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	s->ring = r = p;
	if (fcntl(s->ring_fd, F_ADD_SEALS,
		F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == -1)
		goto fail;
	if ((s->doorbell_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		goto fail;
	if ((s->buf = malloc(2 * AW_SLOT_DATA)) == NULL ||
	    (s->track = calloc(AW_NSLOTS, sizeof(*s->track))) == NULL)
		goto fail;

	r->version = AW_PROTO_VERSION;
	memcpy(r->token, token, AW_TOKEN_LEN);
	r->nslots = AW_NSLOTS;
	r->slot_size = sizeof(struct aw_slot);
	r->supervisor_pid = getpid();
	if ((errno = pthread_mutexattr_init(&ma)) != 0)
		goto fail;
	if ((errno = pthread_mutexattr_setpshared(
		 &ma, PTHREAD_PROCESS_SHARED)) != 0 ||
	    (errno = pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST)) !=
		0 ||
	    (errno = pthread_mutex_init(&r->alive, &ma)) != 0) {
		saved = errno;
		pthread_mutexattr_destroy(&ma);
		errno = saved;
		goto fail;
	}
	pthread_mutexattr_destroy(&ma);
	if ((errno = pthread_mutex_lock(&r->alive)) != 0)
		goto fail;
	__atomic_store_n(&r->magic, AW_RING_MAGIC, __ATOMIC_RELEASE);
	return 0;
fail:
	saved = errno;
	if (s->ring != NULL)
		munmap(s->ring, s->map_len);
	if (s->ring_fd != -1)
		close(s->ring_fd);
	if (s->doorbell_fd != -1)
		close(s->doorbell_fd);
	free(s->buf);
	free(s->track);
	memset(s, 0, sizeof(*s));
	s->ring_fd = s->doorbell_fd = -1;
	errno = saved;
	return -1;
}

void
ring_destroy(struct ring_server *s)
{
	if (s->ring != NULL) {
		pthread_mutex_unlock(&s->ring->alive);
		munmap(s->ring, s->map_len);
	}
	if (s->ring_fd != -1)
		close(s->ring_fd);
	if (s->doorbell_fd != -1)
		close(s->doorbell_fd);
	free(s->buf);
	free(s->track);
	memset(s, 0, sizeof(*s));
	s->ring_fd = s->doorbell_fd = -1;
}

/*
 * Is the thread TID of process PID gone? A zombie counts as gone: it will
 * never free its slot. EPERM (another uid) means it exists.
 */
static int
owner_dead(int32_t pid, uint32_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 1;
	if (tid == 0 || tid > INT32_MAX)
		tid = (uint32_t)pid;
	if (syscall(SYS_tgkill, pid, (pid_t)tid, 0) == -1 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/task/%u/stat", (int)pid, tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, so look after the last ')' */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2] == 'Z' || p[2] == 'X' || p[2] == 'x';
}

int
ring_reclaim(struct ring_server *s, int force)
{
	struct aw_ring *r = s->ring;
	struct ring_track *t;
	struct aw_slot *sl;
	uint64_t now = now_ns(), age;
	uint32_t st, tid, i;
	int32_t pid;
	int n = 0, dead;

	s->last_reclaim_ns = now;
	for (i = 0; i < AW_NSLOTS; i++) {
		sl = &r->slot[i];
		t = &s->track[i];
		st = atomic_load(&sl->state);
		if (st == AW_SLOT_FREE || st == AW_SLOT_POSTED ||
		    st == AW_SLOT_REQUEST ||
		    (st == AW_SLOT_BUSY && t->deferred)) {
			t->since_ns = 0;
			continue;
		}
		pid = __atomic_load_n(&sl->owner_pid, __ATOMIC_ACQUIRE);
		tid = __atomic_load_n(&sl->owner_tid, __ATOMIC_RELAXED);
		if (t->since_ns == 0 || t->state != st || t->pid != pid ||
		    t->tid != tid) {
			t->since_ns = now;
			t->state = st;
			t->pid = pid;
			t->tid = tid;
		}
		age = now - t->since_ns;
		if (!force && age < LINGER_NS)
			continue;
		if (st == AW_SLOT_WRITING && pid == 0)
			/* claimed, owner not written yet: give it time */
			dead = force || age >= UNOWNED_NS;
		else if (st == AW_SLOT_WRITING || st == AW_SLOT_ANSWERED)
			dead = owner_dead(pid, tid);
		else
			dead = 1; /* BUSY outside ring_serve, or garbage */
		if (dead && slot_release(r, sl, st)) {
			t->since_ns = 0;
			n++;
		}
	}
	return n;
}

int
ring_reclaim_pid(struct ring_server *s, int32_t pid)
{
	struct aw_ring *r = s->ring;
	struct aw_slot *sl;
	uint32_t st, i;
	int n = 0;

	if (pid <= 0)
		return 0;
	for (i = 0; i < AW_NSLOTS; i++) {
		sl = &r->slot[i];
		st = atomic_load(&sl->state);
		if ((st == AW_SLOT_WRITING || st == AW_SLOT_ANSWERED) &&
		    __atomic_load_n(&sl->owner_pid, __ATOMIC_ACQUIRE) == pid &&
		    slot_release(r, sl, st)) {
			s->track[i].since_ns = 0;
			n++;
		}
	}
	return n;
}

int
ring_count(struct ring_server *s, int *pending, int *lingering)
{
	uint32_t st, i;
	int p = 0, l = 0;

	for (i = 0; i < AW_NSLOTS; i++) {
		st = atomic_load(&s->ring->slot[i].state);
		if (st == AW_SLOT_POSTED || st == AW_SLOT_REQUEST)
			p++;
		else if (st != AW_SLOT_FREE)
			l++;
	}
	if (pending != NULL)
		*pending = p;
	if (lingering != NULL)
		*lingering = l;
	return p + l;
}

struct ready {
	uint64_t ts;
	uint32_t idx;
};

/*
 * Add the ready slots not in SET yet (and, after the first scan, only those
 * stamped at or before LIMIT) to READY, kept sorted by (ts, index). Returns
 * how many it added.
 */
static uint32_t
scan_ready(struct aw_ring *r, struct ready *ready, uint32_t *n, uint8_t *set,
    int first, uint64_t limit)
{
	uint8_t head[AW_MSG_HDR_LEN];
	struct ready tmp;
	uint32_t i, j, st, added = 0;
	uint64_t ts;

	for (i = 0; i < AW_NSLOTS; i++) {
		if (set[i])
			continue;
		st = atomic_load(&r->slot[i].state);
		if (st != AW_SLOT_POSTED && st != AW_SLOT_REQUEST)
			continue;
		/* only the order depends on this racy read */
		memcpy(head, r->slot[i].data, sizeof(head));
		ts = msg_peek_ts(head, sizeof(head));
		if (!first && ts > limit)
			continue;
		set[i] = 1;
		ready[*n].ts = ts;
		ready[*n].idx = i;
		for (j = (*n)++; j > 0 &&
		     (ready[j - 1].ts > ready[j].ts ||
			 (ready[j - 1].ts == ready[j].ts &&
			     ready[j - 1].idx > ready[j].idx));
		     j--) {
			tmp = ready[j];
			ready[j] = ready[j - 1];
			ready[j - 1] = tmp;
		}
		added++;
	}
	return added;
}

int
ring_serve(struct ring_server *s, ring_handler handle, void *ctx)
{
	struct aw_ring *r = s->ring;
	struct ready ready[AW_NSLOTS];
	struct aw_slot *sl;
	uint8_t *copy = s->buf, *ans = s->buf + AW_SLOT_DATA;
	uint8_t set[AW_NSLOTS];
	uint32_t st, len, i, n = 0;
	uint64_t limit;
	int32_t pid;
	size_t alen;
	int v, handled = 0;

	/*
	 * One scan is not a snapshot: while it runs (or is preempted), a
	 * thread can post into a slot behind it and then into one ahead of
	 * it, and the later message would be handled first. But whatever a
	 * thread posted before a message that one scan saw, it posted before
	 * that scan ended, so the next scan sees it (only the supervisor
	 * frees POSTED slots). So scan again for anything stamped no later
	 * than the newest message in hand, until nothing more turns up.
	 */
	memset(set, 0, sizeof(set));
	if (scan_ready(r, ready, &n, set, 1, 0) == 0)
		goto out;
	limit = ready[n - 1].ts;
	for (i = 0; i < 8 && scan_ready(r, ready, &n, set, 0, limit) > 0; i++)
		;

	for (i = 0; i < n; i++) {
		sl = &r->slot[ready[i].idx];
		st = atomic_load(&sl->state);
		if (st == AW_SLOT_REQUEST) {
			/* the client may have given up (abandon) meanwhile */
			if (!atomic_compare_exchange_strong(
				&sl->state, &st, AW_SLOT_BUSY))
				continue;
		} else if (st != AW_SLOT_POSTED)
			continue;
		len = __atomic_load_n(&sl->len, __ATOMIC_RELAXED);
		if (len > AW_SLOT_DATA)
			len = 0; /* malformed: the handler sees nothing */
		memcpy(copy, sl->data, len);
		pid = __atomic_load_n(&sl->owner_pid, __ATOMIC_RELAXED);
		handled++;
		if (st == AW_SLOT_POSTED) {
			/* the copy is ours: the slot can serve someone else */
			__atomic_store_n(&sl->owner_pid, 0, __ATOMIC_RELAXED);
			slot_release(r, sl, AW_SLOT_POSTED);
			handle(ctx, copy, len, pid, NULL, 0, &alen);
			continue;
		}
		alen = 0;
		s->serving = (int)ready[i].idx;
		v = handle(ctx, copy, len, pid, ans, AW_SLOT_DATA, &alen);
		s->serving = -1;
		if (v == RING_DEFER) {
			/* BUSY until ring_answer(); ring_reclaim leaves it */
			s->track[ready[i].idx].deferred = 1;
			s->track[ready[i].idx].since_ns = 0;
			s->track[ready[i].idx].pid = pid;
			s->track[ready[i].idx].tid =
			    __atomic_load_n(&sl->owner_tid, __ATOMIC_RELAXED);
			continue;
		}
		if (alen > AW_SLOT_DATA)
			alen = AW_SLOT_DATA;
		memcpy(sl->data, ans, alen);
		__atomic_store_n(
		    &sl->answer_len, (uint32_t)alen, __ATOMIC_RELAXED);
		__atomic_store_n(&sl->answer, v, __ATOMIC_RELAXED);
		st = AW_SLOT_BUSY;
		if (atomic_compare_exchange_strong(
			&sl->state, &st, AW_SLOT_ANSWERED))
			futex_wake(&sl->state);
	}
out:
	if (now_ns() - s->last_reclaim_ns >= LINGER_NS)
		ring_reclaim(s, 0);
	return handled;
}

int
ring_serving_slot(const struct ring_server *s)
{
	return s->serving;
}

int
ring_answer(
    struct ring_server *s, int slot, int verdict, const void *ans, size_t alen)
{
	struct aw_slot *sl;
	uint32_t st;

	if (slot < 0 || slot >= AW_NSLOTS || !s->track[slot].deferred)
		return -1;
	sl = &s->ring->slot[slot];
	s->track[slot].deferred = 0;
	s->track[slot].since_ns = 0;
	if (alen > AW_SLOT_DATA)
		alen = AW_SLOT_DATA;
	if (alen > 0)
		memcpy(sl->data, ans, alen);
	__atomic_store_n(&sl->answer_len, (uint32_t)alen, __ATOMIC_RELAXED);
	__atomic_store_n(&sl->answer, verdict, __ATOMIC_RELAXED);
	st = AW_SLOT_BUSY;
	if (atomic_compare_exchange_strong(&sl->state, &st, AW_SLOT_ANSWERED))
		futex_wake(&sl->state);
	return 0;
}

int
ring_deferred_gone(struct ring_server *s, int slot)
{
	const struct ring_track *t;

	if (slot < 0 || slot >= AW_NSLOTS || !s->track[slot].deferred)
		return 0;
	t = &s->track[slot];
	/* a client that gave up (ring_call's timeout) disowned it */
	if (__atomic_load_n(&s->ring->slot[slot].owner_pid, __ATOMIC_ACQUIRE) ==
	    0)
		return 1;
	return owner_dead(t->pid, t->tid);
}

int
ring_deferred_count(const struct ring_server *s)
{
	int i, n = 0;

	for (i = 0; i < AW_NSLOTS; i++)
		n += s->track[i].deferred != 0;
	return n;
}

uint32_t
ring_publish_snapshot(struct ring_server *s, const void *buf, size_t len)
{
	struct aw_snap_area *a = snap_area(s->ring);
	struct aw_snap_buf *b;
	uint32_t idx, seq, gen;

	if (len > AW_SNAP_MAX)
		return 0;
	gen = s->snap_gen + 1;
	if (gen == 0)
		gen = 1;
	/* alternate by our own count, not by what the shared cur says */
	idx = gen & 1;
	b = &a->buf[idx];
	/* odd while we write (whatever a process may have stored there) */
	seq = atomic_load(&b->seq) | 1;
	atomic_store_explicit(&b->seq, seq, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	memcpy(b->data, buf, len);
	__atomic_store_n(&b->len, (uint32_t)len, __ATOMIC_RELAXED);
	__atomic_store_n(&b->gen, gen, __ATOMIC_RELAXED);
	atomic_store_explicit(&b->seq, seq + 1, memory_order_release);
	atomic_store(&a->cur, idx);
	atomic_store(&s->ring->snapshot_gen, gen);
	s->snap_gen = gen;
	return gen;
}

int
ring_spin(struct ring_server *s, unsigned ns)
{
	uint64_t t0 = now_ns();
	uint32_t i;
	int k;

	do {
		for (i = 0; i < AW_NSLOTS; i++) {
			uint32_t st = atomic_load_explicit(
			    &s->ring->slot[i].state, memory_order_relaxed);

			if (st == AW_SLOT_POSTED || st == AW_SLOT_REQUEST)
				return 1;
		}
		for (k = 0; k < 32; k++)
			cpu_relax();
	} while (now_ns() - t0 < ns);
	return 0;
}

int
ring_prepare_sleep(struct ring_server *s)
{
	int pending;

	atomic_store(&s->ring->supervisor_waiting, 1);
	atomic_thread_fence(memory_order_seq_cst);
	ring_count(s, &pending, NULL);
	if (pending > 0) {
		atomic_store(&s->ring->supervisor_waiting, 0);
		return 1;
	}
	return 0;
}

void
ring_after_sleep(struct ring_server *s)
{
	uint64_t v;

	atomic_store(&s->ring->supervisor_waiting, 0);
	while (read(s->doorbell_fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}
