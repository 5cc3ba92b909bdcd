/*
 * ring_server.c: the supervisor's half of the shared-memory ring: creating
 * it, serving posted events and requests, deferred answers, reclaiming the
 * slots of dead clients, publishing policy generations, and the doorbell.
 *
 * Runs in the supervisor and treats the whole mapping as hostile: it reads
 * each word once, bounds every length, copies a slot out before anyone
 * parses it, and only ever touches memory inside its own mapping, which is
 * sealed against shrinking. The shim does not link this file.
 *
 *  - deferred answers: a handler may return RING_DEFER; the slot stays BUSY
 *    (and is never reclaimed as stray) until ring_answer(), and the client
 *    waits on as for any answer. A dead client is found by ring_deferred_gone.
 *  - policy generations: the snapshot area after the slots holds two
 *    buffers, written in turn under a seqlock (ring_publish_snapshot) and
 *    copied out by clients (ring_snapshot_copy).
 *  - the doorbell: see bell_relay below.
 */
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "ring.h"
#include "ring_int.h"

#define LINGER_NS (100 * 1000 * 1000ull) /* before a reclaim check */
#define UNOWNED_NS (5000 * 1000 * 1000ull) /* WRITING without an owner */

struct ring_track {
	uint64_t since_ns; /* 0: not lingering */
	uint32_t state;
	int32_t pid;
	uint32_t tid;
	int deferred; /* BUSY: a request answered later */
};

/*
 * The doorbell relay: clients have no descriptor to write to, so they wake
 * the bell futex word; this thread sleeps on it and turns each ring into a
 * write of the supervisor's own eventfd, which the event loop polls with
 * everything else. It decides nothing and touches nothing but the bell and
 * the eventfd. A client may ring for nothing: the loop then finds no work.
 */
static void *
bell_relay(void *arg)
{
	struct ring_server *s = arg;
	struct aw_ring *r = s->ring;
	uint32_t seen = atomic_load(&r->bell), v;
	uint64_t one = 1;

	/* running: ring_create may return (see there) */
	atomic_store(&s->relay_ready, 1);
	ring_futex_wake(&s->relay_ready);
	while (!atomic_load(&s->relay_stop)) {
		v = atomic_load(&r->bell);
		if (v == seen) {
			ring_futex_wait(&r->bell, v, WAIT_SLICE_NS * 10);
			continue;
		}
		seen = v;
		/* EAGAIN (the counter is full) means it is rung already */
		if (write(s->doorbell_fd, &one, sizeof(one)) == -1 &&
		    errno != EAGAIN && errno != EINTR)
			break;
	}
	return NULL;
}

static void
relay_stop(struct ring_server *s)
{
	if (!s->relay_on)
		return;
	atomic_store(&s->relay_stop, 1);
	atomic_fetch_add(&s->ring->bell, 1);
	ring_futex_wake(&s->ring->bell);
	pthread_join(s->relay, NULL);
	s->relay_on = 0;
}

/* Unmap, close and free what S holds (a relay already stopped) */
static void
release(struct ring_server *s)
{
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
}

int
ring_create(struct ring_server *s, const uint8_t token[AW_TOKEN_LEN])
{
	pthread_mutexattr_t ma;
	sigset_t all, old;
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
	/* the relay takes no signal: each stays for the loop's signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	errno = pthread_create(&s->relay, NULL, bell_relay, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0)
		goto fail;
	s->relay_on = 1;
	/*
	 * Wait until the thread runs its own code: a fork while the C
	 * library (or a sanitizer) is still setting the thread up could
	 * inherit one of its locks taken, and the child would hang on it.
	 */
	while (atomic_load(&s->relay_ready) == 0)
		ring_futex_wait(&s->relay_ready, 0, WAIT_SLICE_NS);
	__atomic_store_n(&r->magic, AW_RING_MAGIC, __ATOMIC_RELEASE);
	return 0;
fail:
	saved = errno;
	release(s);
	errno = saved;
	return -1;
}

int
ring_set_snapshot(struct ring_server *s, int snap_fd)
{
	struct stat st;

	if (fstat(snap_fd, &st) == -1)
		return -1;
	s->ring->snap_dev = (uint64_t)st.st_dev;
	s->ring->snap_ino = (uint64_t)st.st_ino;
	return 0;
}

void
ring_destroy(struct ring_server *s)
{
	if (s->ring != NULL) {
		relay_stop(s);
		pthread_mutex_unlock(&s->ring->alive);
	}
	release(s);
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
	uint64_t now = ring_now_ns(), age;
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
		if (dead && ring_slot_release(r, sl, st)) {
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
		    ring_slot_release(r, sl, st)) {
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
			ring_slot_release(r, sl, AW_SLOT_POSTED);
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
			ring_futex_wake(&sl->state);
	}
out:
	if (ring_now_ns() - s->last_reclaim_ns >= LINGER_NS)
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
		ring_futex_wake(&sl->state);
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
	struct aw_snap_area *a = ring_snap_area(s->ring);
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
	uint64_t t0 = ring_now_ns();
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
	} while (ring_now_ns() - t0 < ns);
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
