/*
 * Unit tests for supervisor/ring.c, without the shim: the test process is the
 * supervisor, forked children (and their threads) are the clients.
 *
 *  - many posts from several processes and threads: nothing lost, nothing
 *    twice, each thread's messages handled in the order it sent them;
 *  - a full ring (more posts than slots while the server is paused): the
 *    clients block, then everything is delivered;
 *  - round trips answered out of order reach the right client;
 *  - a client killed mid-request or mid-write does not leak its slot, and a
 *    live client's slot is never taken from it;
 *  - a killed supervisor: clients blocked in ring_post or ring_call, or
 *    calling afterwards, get -1 within a second;
 *  - deferred requests (RING_DEFER): the slots stay BUSY while others are
 *    served, ring_answer() answers each in any order, and a client that
 *    dies while it waits is noticed (ring_deferred_gone) without its slot
 *    leaking;
 *  - published policy snapshots: a client copies the newest generation.
 *
 * Clients report through their exit status; the test process asserts.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "ring.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXPROC 16
#define MAXTHR 8

static const uint8_t token[AW_TOKEN_LEN] = "0123456789abcdef";

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* A test message: sender PROC/THR and its sequence number SEQ. */
static int
make_msg(
    uint8_t *buf, size_t cap, int type, int proc, int thr, int seq, uint64_t ts)
{
	struct aw_msg m;
	char path[64];

	memset(&m, 0, sizeof(m));
	m.type = (uint16_t)type;
	m.op = 0;
	m.pid = proc;
	m.ppid = thr;
	m.port = -1;
	m.ts_ns = ts;
	snprintf(path, sizeof(path), "/seq/%d", seq);
	m.path = path;
	m.call = "test";
	return msg_encode(buf, cap, &m);
}

static int
parse_msg(uint8_t *buf, size_t len, int *proc, int *thr, int *seq)
{
	struct aw_msg m;

	if (msg_decode(buf, len, &m) == -1 || m.path == NULL ||
	    strncmp(m.path, "/seq/", 5) != 0)
		return -1;
	*proc = m.pid;
	*thr = m.ppid;
	*seq = atoi(m.path + 5);
	return m.type;
}

/* Serve until DONE(ctx) or TIMEOUT_MS, sleeping as the supervisor does. */
static void
serve_until(struct ring_server *s, ring_handler h, void *ctx,
    int (*done)(void *), int timeout_ms)
{
	uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct pollfd pfd;

	while (!done(ctx) && mono_ns() < end) {
		if (ring_serve(s, h, ctx) > 0)
			continue;
		if (ring_prepare_sleep(s))
			continue;
		pfd.fd = s->doorbell_fd;
		pfd.events = POLLIN;
		poll(&pfd, 1, 50);
		ring_after_sleep(s);
	}
}

/* Wait for every pid in PIDS; how many exited 0. */
static int
wait_all(pid_t *pids, int n)
{
	int i, st, ok = 0;

	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0)
			ok++;
		else
			fprintf(stderr, "client %d: status %#x\n", (int)pids[i],
			    (unsigned)st);
	}
	return ok;
}

static void
setup_server(struct ring_server *s)
{
	ck_assert_int_eq(ring_create(s, token), 0);
}

static void
attach_or_die(const struct ring_server *s, struct ring_client *c)
{
	if (ring_attach(c, s->ring_fd, token) != 0)
		_exit(90);
}

/* ------------------------------------------------------------------ */
/* Many posts */

struct post_cfg {
	int nproc, nthr, nmsg;
};

static const struct post_cfg post_cfgs[] = {
	{ 1, 1, 2000 },
	{ 4, 1, 1500 },
	{ 3, 4, 400 },
	{ 8, 2, 250 },
	{ 2, 8, 200 },
};

struct post_arg {
	struct ring_client *c;
	int proc, thr, nmsg;
	int failed;
};

static void *
post_thread(void *p)
{
	struct post_arg *a = p;
	uint8_t buf[256];
	int i, n;

	for (i = 0; i < a->nmsg; i++) {
		n = make_msg(buf, sizeof(buf), AW_MSG_EVENT, a->proc, a->thr, i,
		    mono_ns());
		if (n < 0 || ring_post(a->c, buf, (size_t)n) != 0)
			a->failed++;
	}
	return NULL;
}

static void
post_client(const struct ring_server *s, int proc, int nthr, int nmsg)
{
	struct ring_client c;
	struct post_arg a[MAXTHR];
	pthread_t t[MAXTHR];
	int i, failed = 0;

	attach_or_die(s, &c);
	for (i = 0; i < nthr; i++) {
		a[i].c = &c;
		a[i].proc = proc;
		a[i].thr = i;
		a[i].nmsg = nmsg;
		a[i].failed = 0;
		if (pthread_create(&t[i], NULL, post_thread, &a[i]) != 0)
			_exit(91);
	}
	for (i = 0; i < nthr; i++) {
		pthread_join(t[i], NULL);
		failed += a[i].failed;
	}
	_exit(failed ? 92 : 0);
}

struct post_state {
	int next[MAXPROC][MAXTHR]; /* next expected seq */
	long total, expect, bad;
};

static int
post_handler(void *ctx, uint8_t *msg, size_t len, int32_t owner, uint8_t *ans,
    size_t anscap, size_t *anslen)
{
	struct post_state *st = ctx;
	int proc, thr, seq;

	(void)owner;
	(void)anslen;
	if (ans != NULL || anscap != 0 ||
	    parse_msg(msg, len, &proc, &thr, &seq) != AW_MSG_EVENT ||
	    proc < 0 || proc >= MAXPROC || thr < 0 || thr >= MAXTHR ||
	    seq != st->next[proc][thr]) {
		if (st->bad++ < 5)
			fprintf(
			    stderr, "unexpected: %d/%d/%d\n", proc, thr, seq);
		return 0;
	}
	st->next[proc][thr]++;
	st->total++;
	return 0;
}

static int
post_done(void *ctx)
{
	struct post_state *st = ctx;

	return st->total + st->bad >= st->expect;
}

START_TEST(test_post_many)
{
	const struct post_cfg *cfg = &post_cfgs[_i];
	struct ring_server s;
	struct post_state st;
	pid_t pids[MAXPROC];
	int i, j;

	setup_server(&s);
	memset(&st, 0, sizeof(st));
	st.expect = (long)cfg->nproc * cfg->nthr * cfg->nmsg;
	for (i = 0; i < cfg->nproc; i++) {
		if ((pids[i] = fork()) == 0)
			post_client(&s, i, cfg->nthr, cfg->nmsg);
		ck_assert_int_gt(pids[i], 0);
	}
	serve_until(&s, post_handler, &st, post_done, 60000);
	ck_assert_int_eq(wait_all(pids, cfg->nproc), cfg->nproc);
	/* anything still in flight after the clients exited */
	ring_serve(&s, post_handler, &st);
	ck_assert_int_eq(st.bad, 0);
	ck_assert_int_eq(st.total, st.expect);
	for (i = 0; i < cfg->nproc; i++)
		for (j = 0; j < cfg->nthr; j++)
			ck_assert_int_eq(st.next[i][j], cfg->nmsg);
	ck_assert_int_eq(ring_count(&s, NULL, NULL), 0);
	ring_destroy(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A full ring */

static const struct post_cfg full_cfgs[] = {
	{ 1, 1, 3 * AW_NSLOTS },
	{ 4, 1, AW_NSLOTS },
	{ 2, 4, AW_NSLOTS / 2 },
};

START_TEST(test_ring_full)
{
	const struct post_cfg *cfg = &full_cfgs[_i];
	struct ring_server s;
	struct post_state st;
	pid_t pids[MAXPROC];
	int i, n, pending, status;

	setup_server(&s);
	memset(&st, 0, sizeof(st));
	st.expect = (long)cfg->nproc * cfg->nthr * cfg->nmsg;
	ck_assert_int_gt(st.expect, AW_NSLOTS);
	for (i = 0; i < cfg->nproc; i++) {
		if ((pids[i] = fork()) == 0)
			post_client(&s, i, cfg->nthr, cfg->nmsg);
		ck_assert_int_gt(pids[i], 0);
	}
	/* the server is paused: the ring fills and the clients wait */
	sleep_ms(300);
	ring_count(&s, &pending, NULL);
	ck_assert_int_eq(pending, AW_NSLOTS);
	/* a client may have got all the slots it needed; others wait */
	for (i = 0, n = 0; i < cfg->nproc; i++) {
		if (waitpid(pids[i], &status, WNOHANG) == 0) {
			pids[n++] = pids[i];
			continue;
		}
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_gt(n, 0);
	serve_until(&s, post_handler, &st, post_done, 60000);
	ck_assert_int_eq(wait_all(pids, n), n);
	ck_assert_int_eq(st.bad, 0);
	ck_assert_int_eq(st.total, st.expect);
	ck_assert_int_eq(ring_count(&s, NULL, NULL), 0);
	ring_destroy(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Round trips */

struct call_cfg {
	int nproc, nthr, ncall;
};

static const struct call_cfg call_cfgs[] = {
	{ 2, 1, 200 },
	{ 8, 1, 100 },
	{ 16, 1, 50 },
	{ 1, 8, 100 },
	{ 4, 4, 50 },
};

struct call_arg {
	struct ring_client *c;
	int proc, thr, ncall, nproc;
	int failed;
};

static int
expect_verdict(int proc, int thr, int seq)
{
	return (proc + thr + seq) % 3;
}

static void *
call_thread(void *p)
{
	struct call_arg *a = p;
	uint8_t buf[256], ans[256];
	char want[64];
	int i, n, v;

	for (i = 0; i < a->ncall; i++) {
		/*
		 * The first call is stamped so that the server, which orders
		 * a batch by time stamp, answers the clients in the reverse
		 * of their start order.
		 */
		n = make_msg(buf, sizeof(buf), AW_MSG_ASK, a->proc, a->thr, i,
		    i == 0 ? (uint64_t)(1000 - a->proc * MAXTHR - a->thr)
			   : mono_ns());
		v = -1;
		n = ring_call(a->c, buf, (size_t)n, ans, sizeof(ans), &v, 0);
		snprintf(
		    want, sizeof(want), "answer %d/%d/%d", a->proc, a->thr, i);
		if (n != (int)strlen(want) + 1 ||
		    memcmp(ans, want, (size_t)n) ||
		    v != expect_verdict(a->proc, a->thr, i))
			a->failed++;
	}
	return NULL;
}

static void
call_client(const struct ring_server *s, int proc, int nthr, int ncall)
{
	struct ring_client c;
	struct call_arg a[MAXTHR];
	pthread_t t[MAXTHR];
	int i, failed = 0;

	attach_or_die(s, &c);
	for (i = 0; i < nthr; i++) {
		a[i].c = &c;
		a[i].proc = proc;
		a[i].thr = i;
		a[i].ncall = ncall;
		a[i].failed = 0;
		if (pthread_create(&t[i], NULL, call_thread, &a[i]) != 0)
			_exit(91);
	}
	for (i = 0; i < nthr; i++) {
		pthread_join(t[i], NULL);
		failed += a[i].failed;
	}
	_exit(failed ? 93 : 0);
}

struct call_state {
	long total, expect, bad;
	int first_order[MAXPROC * MAXTHR];
	int nfirst;
};

static int
call_handler(void *ctx, uint8_t *msg, size_t len, int32_t owner, uint8_t *ans,
    size_t anscap, size_t *anslen)
{
	struct call_state *st = ctx;
	int proc, thr, seq, n;

	(void)owner;
	if (ans == NULL ||
	    parse_msg(msg, len, &proc, &thr, &seq) != AW_MSG_ASK) {
		st->bad++;
		return 0;
	}
	if (seq == 0 && st->nfirst < (int)NELEM(st->first_order))
		st->first_order[st->nfirst++] = proc * MAXTHR + thr;
	n = snprintf((char *)ans, anscap, "answer %d/%d/%d", proc, thr, seq);
	*anslen = (size_t)n + 1;
	st->total++;
	return expect_verdict(proc, thr, seq);
}

static int
call_done(void *ctx)
{
	struct call_state *st = ctx;

	return st->total + st->bad >= st->expect;
}

START_TEST(test_round_trips)
{
	const struct call_cfg *cfg = &call_cfgs[_i];
	struct ring_server s;
	struct call_state st;
	pid_t pids[MAXPROC];
	uint64_t end;
	int i, pending, nclients = cfg->nproc * cfg->nthr;

	setup_server(&s);
	memset(&st, 0, sizeof(st));
	st.expect = (long)nclients * cfg->ncall;
	for (i = 0; i < cfg->nproc; i++) {
		if ((pids[i] = fork()) == 0)
			call_client(&s, i, cfg->nthr, cfg->ncall);
		ck_assert_int_gt(pids[i], 0);
	}
	/* let every client's first request arrive, then answer the batch */
	end = mono_ns() + 10000000000ull;
	do {
		sleep_ms(5);
		ring_count(&s, &pending, NULL);
	} while (pending < nclients && mono_ns() < end);
	ck_assert_int_eq(pending, nclients);
	serve_until(&s, call_handler, &st, call_done, 60000);
	ck_assert_int_eq(wait_all(pids, cfg->nproc), cfg->nproc);
	ck_assert_int_eq(st.bad, 0);
	ck_assert_int_eq(st.total, st.expect);
	/* answered out of their order: the last to start went first */
	ck_assert_int_eq(st.nfirst, nclients);
	for (i = 1; i < st.nfirst; i++)
		ck_assert_int_gt(st.first_order[i - 1], st.first_order[i]);
	ck_assert_int_eq(ring_count(&s, NULL, NULL), 0);
	ring_destroy(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Dead clients do not leak slots; live ones keep theirs */

enum dead_case {
	DEAD_IN_CALL_REAP, /* killed waiting; ring_reclaim_pid before reaping */
	DEAD_IN_CALL_SCAN, /* killed waiting; reaped; ring_reclaim finds it */
	DEAD_IN_WRITE, /* killed between claim and post */
	DEAD_GRANDCHILD, /* not our child: only the scan can tell */
	TIMEOUT_UNSERVED, /* ring_call times out before the server looks */
	STOPPED_NOT_STOLEN, /* a stopped client keeps its answered slot */
};

static int
answer_all(void *ctx, uint8_t *msg, size_t len, int32_t owner, uint8_t *ans,
    size_t anscap, size_t *anslen)
{
	int *n = ctx;

	(void)msg;
	(void)len;
	(void)owner;
	if (ans != NULL && anscap >= 3) {
		memcpy(ans, "ok", 3);
		*anslen = 3;
	}
	(*n)++;
	return 1;
}

/* One ring_call; exit 0 if answered "ok" with verdict 1, 1 on -1. */
static void
one_call(const struct ring_server *s, int timeout_ms)
{
	struct ring_client c;
	uint8_t buf[256], ans[16];
	int n, v = -1;

	attach_or_die(s, &c);
	n = make_msg(buf, sizeof(buf), AW_MSG_ASK, 0, 0, 0, mono_ns());
	n = ring_call(&c, buf, (size_t)n, ans, sizeof(ans), &v, timeout_ms);
	if (n == -1)
		_exit(1);
	_exit(n == 3 && memcmp(ans, "ok", 3) == 0 && v == 1 ? 0 : 2);
}

/* Claim a slot the way a client does, then hang before posting. */
static void
stuck_writer(const struct ring_server *s)
{
	struct ring_client c;
	struct aw_slot *sl;
	uint32_t free_ = AW_SLOT_FREE;

	attach_or_die(s, &c);
	sl = &c.ring->slot[7];
	if (!atomic_compare_exchange_strong(
		&sl->state, &free_, AW_SLOT_WRITING))
		_exit(94);
	sl->owner_pid = getpid();
	sl->owner_tid = (uint32_t)getpid();
	for (;;)
		pause();
}

static void
wait_pending_or_lingering(struct ring_server *s, int want)
{
	uint64_t end = mono_ns() + 10000000000ull;

	while (ring_count(s, NULL, NULL) < want && mono_ns() < end)
		sleep_ms(2);
	ck_assert_int_eq(ring_count(s, NULL, NULL), want);
}

START_TEST(test_dead_client)
{
	struct ring_server s;
	siginfo_t si;
	pid_t pid, mid;
	int served = 0, status, lingering, pfd[2];
	uint64_t t0;

	setup_server(&s);
	switch (_i) {
	case DEAD_IN_CALL_REAP:
	case DEAD_IN_CALL_SCAN:
		if ((pid = fork()) == 0)
			one_call(&s, 0);
		wait_pending_or_lingering(&s, 1);
		kill(pid, SIGKILL);
		memset(&si, 0, sizeof(si));
		ck_assert_int_eq(
		    waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
		/* what it asked is still served (and recorded) */
		ck_assert_int_eq(ring_serve(&s, answer_all, &served), 1);
		ring_count(&s, NULL, &lingering);
		ck_assert_int_eq(lingering, 1); /* ANSWERED, nobody reads it */
		if (_i == DEAD_IN_CALL_REAP) {
			ck_assert_int_eq(ring_reclaim_pid(&s, pid), 1);
			waitpid(pid, &status, 0);
		} else {
			waitpid(pid, &status, 0);
			/* not before it has lingered a while */
			ck_assert_int_eq(ring_reclaim(&s, 0), 0);
			sleep_ms(150);
			ck_assert_int_eq(ring_reclaim(&s, 0), 1);
		}
		break;
	case DEAD_IN_WRITE:
		if ((pid = fork()) == 0)
			stuck_writer(&s);
		wait_pending_or_lingering(&s, 1);
		ck_assert_int_eq(ring_reclaim(&s, 0), 0); /* too soon */
		sleep_ms(150);
		ck_assert_int_eq(ring_reclaim(&s, 0), 0); /* alive */
		kill(pid, SIGKILL);
		/* a zombie is as dead as can be */
		memset(&si, 0, sizeof(si));
		ck_assert_int_eq(
		    waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
		ck_assert_int_eq(ring_reclaim(&s, 0), 1);
		waitpid(pid, &status, 0);
		break;
	case DEAD_GRANDCHILD:
		ck_assert_int_eq(pipe(pfd), 0);
		if ((mid = fork()) == 0) {
			if ((pid = fork()) == 0)
				one_call(&s, 0);
			/* hand the grandchild's pid up, then wait for it */
			if (write(pfd[1], &pid, sizeof(pid)) != sizeof(pid))
				_exit(1);
			waitpid(pid, &status, 0);
			_exit(0);
		}
		ck_assert_int_eq(
		    read(pfd[0], &pid, sizeof(pid)), (ssize_t)sizeof(pid));
		wait_pending_or_lingering(&s, 1);
		kill(pid, SIGKILL);
		waitpid(mid, &status, 0); /* the grandchild is reaped */
		ck_assert_int_eq(ring_serve(&s, answer_all, &served), 1);
		sleep_ms(150);
		ck_assert_int_eq(ring_reclaim(&s, 0), 1);
		close(pfd[0]);
		close(pfd[1]);
		break;
	case TIMEOUT_UNSERVED:
		if ((pid = fork()) == 0)
			one_call(&s, 200);
		t0 = mono_ns();
		waitpid(pid, &status, 0);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 1);
		ck_assert_uint_ge(mono_ns() - t0, 150000000ull);
		/* it freed its own slot: the server had not taken it */
		ck_assert_int_eq(ring_count(&s, NULL, NULL), 0);
		break;
	case STOPPED_NOT_STOLEN:
		if ((pid = fork()) == 0)
			one_call(&s, 0);
		wait_pending_or_lingering(&s, 1);
		kill(pid, SIGSTOP);
		memset(&si, 0, sizeof(si));
		ck_assert_int_eq(
		    waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOWAIT), 0);
		ck_assert_int_eq(ring_serve(&s, answer_all, &served), 1);
		sleep_ms(150);
		ck_assert_int_eq(ring_reclaim(&s, 0), 0);
		ck_assert_int_eq(ring_reclaim(&s, 1), 0);
		kill(pid, SIGCONT);
		waitpid(pid, &status, 0);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
		break;
	}
	ck_assert_int_eq(ring_count(&s, NULL, NULL), 0);
	ring_destroy(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A dead supervisor */

enum sup_case {
	SUP_BLOCKED_POST, /* clients wait for a free slot */
	SUP_BLOCKED_CALL, /* clients wait for an answer */
	SUP_AFTER, /* clients call after the death */
};

#define SUP_CLIENTS 4

struct sup_report {
	int r; /* what the ring call returned */
	uint64_t when; /* CLOCK_MONOTONIC when it did */
};

static void
sup_client(struct ring_server *s, int kind, int res_fd, int go_fd)
{
	struct ring_client c;
	struct sup_report rep;
	uint8_t buf[256], ans[16];
	char go;
	int n, v, i;

	attach_or_die(s, &c);
	n = make_msg(buf, sizeof(buf),
	    kind == SUP_BLOCKED_POST ? AW_MSG_EVENT : AW_MSG_ASK, 0, 0, 0,
	    mono_ns());
	if (kind == SUP_AFTER) {
		if (read(go_fd, &go, 1) != 1)
			_exit(95);
		/* both must fail, at once */
		rep.r = ring_post(&c, buf, (size_t)n) == -1 &&
			ring_call(
			    &c, buf, (size_t)n, ans, sizeof(ans), &v, 0) == -1
		    ? -1
		    : 0;
	} else if (kind == SUP_BLOCKED_POST) {
		/* more than the ring holds: the server never serves */
		for (i = 0; i < 2 * AW_NSLOTS; i++)
			if ((rep.r = ring_post(&c, buf, (size_t)n)) != 0)
				break;
	} else
		rep.r = ring_call(&c, buf, (size_t)n, ans, sizeof(ans), &v, 0);
	rep.when = mono_ns();
	if (write(res_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(96);
	_exit(0);
}

START_TEST(test_dead_supervisor)
{
	struct sup_report rep;
	struct pollfd pfd;
	struct ring_server s;
	uint64_t killed;
	pid_t sup;
	int res[2], go[2], ready[2], i, st, pending;
	char c;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe(res), 0);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(ready), 0);
	if ((sup = fork()) == 0) {
		if (ring_create(&s, token) != 0)
			_exit(97);
		for (i = 0; i < SUP_CLIENTS; i++)
			if (fork() == 0)
				sup_client(&s, _i, res[1], go[0]);
		/* tell the test when the clients are stuck, then idle */
		do {
			sleep_ms(5);
			ring_count(&s, &pending, NULL);
		} while (_i != SUP_AFTER &&
		    pending <
			(_i == SUP_BLOCKED_POST ? AW_NSLOTS : SUP_CLIENTS));
		sleep_ms(50);
		if (write(ready[1], "r", 1) != 1)
			_exit(98);
		for (;;)
			pause();
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	kill(sup, SIGKILL);
	killed = mono_ns();
	ck_assert_int_eq(waitpid(sup, &st, 0), sup);
	if (_i == SUP_AFTER)
		for (i = 0; i < SUP_CLIENTS; i++)
			ck_assert_int_eq(write(go[1], "g", 1), 1);
	for (i = 0; i < SUP_CLIENTS; i++) {
		pfd.fd = res[0];
		pfd.events = POLLIN;
		ck_assert_msg(poll(&pfd, 1, 3000) == 1,
		    "client %d still blocked 3 s after the supervisor died", i);
		ck_assert_int_eq(
		    read(res[0], &rep, sizeof(rep)), (ssize_t)sizeof(rep));
		ck_assert_int_eq(rep.r, -1);
		ck_assert_msg(rep.when - killed < 1000000000ull,
		    "noticed after %llu ms",
		    (unsigned long long)((rep.when - killed) / 1000000));
	}
	/* the clients are ours now (subreaper) */
	for (i = 0; i < SUP_CLIENTS; i++) {
		ck_assert_int_gt(wait(&st), 0);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Deferred answers */

#define DEFER_CLIENTS 6

enum defer_case {
	DEFER_ANSWER_LATER, /* answered in reverse order, others served meanwhile */
	DEFER_DEAD_REAP, /* the client dies; reaped child */
	DEFER_DEAD_SCAN, /* the client dies; not reaped: the scan tells */
};

struct defer_state {
	struct ring_server *s;
	int slot[AW_NSLOTS];
	int proc[AW_NSLOTS]; /* as the message says */
	pid_t owner[AW_NSLOTS]; /* as the slot says */
	int n;
	int posts;
};

static int
defer_handler(void *ctx, uint8_t *msg, size_t len, int32_t owner, uint8_t *ans,
    size_t anscap, size_t *anslen)
{
	struct defer_state *st = ctx;
	int proc, thr, seq, type;

	(void)anscap;
	(void)anslen;
	type = parse_msg(msg, len, &proc, &thr, &seq);
	if (ans == NULL) {
		st->posts += type == AW_MSG_EVENT;
		return 0;
	}
	st->slot[st->n] = ring_serving_slot(st->s);
	st->proc[st->n] = proc;
	st->owner[st->n] = owner;
	st->n++;
	return RING_DEFER;
}

/* One ring_call from "process" PROC; exit 0 if the answer names PROC. */
static void
defer_client(const struct ring_server *s, int proc)
{
	struct ring_client c;
	uint8_t buf[256], ans[64];
	char want[64];
	int n, v = -1;

	attach_or_die(s, &c);
	n = make_msg(buf, sizeof(buf), AW_MSG_ASK, proc, 0, 0, mono_ns());
	n = ring_call(&c, buf, (size_t)n, ans, sizeof(ans), &v, 0);
	snprintf(want, sizeof(want), "for %d", proc);
	if (n != (int)strlen(want) + 1 || memcmp(ans, want, (size_t)n) != 0)
		_exit(2);
	_exit(v == proc % 2 ? 0 : 3);
}

START_TEST(test_defer)
{
	struct ring_server s;
	struct ring_client c;
	struct defer_state st;
	pid_t pids[DEFER_CLIENTS], poster;
	uint8_t buf[256];
	char txt[64];
	siginfo_t si;
	int i, n, status, pending, lingering, seen;
	uint64_t end;

	setup_server(&s);
	memset(&st, 0, sizeof(st));
	st.s = &s;
	n = _i == DEFER_ANSWER_LATER ? DEFER_CLIENTS : 1;
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) == 0) {
			if (_i == DEFER_DEAD_SCAN && fork() != 0)
				_exit(0); /* orphan the real client */
			defer_client(&s, i);
		}
		ck_assert_int_gt(pids[i], 0);
		if (_i == DEFER_DEAD_SCAN)
			waitpid(pids[i], &status, 0);
	}
	/* defer every request as it comes */
	end = mono_ns() + 10000000000ull;
	while (ring_deferred_count(&s) < n && mono_ns() < end)
		if (ring_serve(&s, defer_handler, &st) == 0)
			sleep_ms(2);
	ck_assert_int_eq(ring_deferred_count(&s), n);
	ring_count(&s, &pending, &lingering);
	ck_assert_int_eq(pending, 0);
	ck_assert_int_eq(lingering, n);
	/* never reclaimed while deferred, not even by force */
	sleep_ms(150);
	ck_assert_int_eq(ring_reclaim(&s, 0), 0);
	ck_assert_int_eq(ring_reclaim(&s, 1), 0);
	ck_assert_int_eq(ring_deferred_count(&s), n);

	switch (_i) {
	case DEFER_ANSWER_LATER:
		/* the supervisor is not blocked: a post is served meanwhile */
		if ((poster = fork()) == 0) {
			attach_or_die(&s, &c);
			i = make_msg(buf, sizeof(buf), AW_MSG_EVENT, 99, 0, 0,
			    mono_ns());
			_exit(ring_post(&c, buf, (size_t)i) == 0 ? 0 : 1);
		}
		end = mono_ns() + 10000000000ull;
		while (st.posts == 0 && mono_ns() < end)
			if (ring_serve(&s, defer_handler, &st) == 0)
				sleep_ms(2);
		ck_assert_int_eq(st.posts, 1);
		ck_assert_int_eq(wait_all(&poster, 1), 1);
		/* answer in the reverse order of arrival, by the slot's owner */
		for (i = st.n - 1; i >= 0; i--) {
			snprintf(txt, sizeof(txt), "for %d", st.proc[i]);
			ck_assert_int_eq(
			    ring_answer(&s, st.slot[i], st.proc[i] % 2, txt,
				strlen(txt) + 1),
			    0);
			/* twice is an error, not a second answer */
			ck_assert_int_eq(
			    ring_answer(&s, st.slot[i], 0, "x", 2), -1);
		}
		ck_assert_int_eq(wait_all(pids, n), n);
		break;
	case DEFER_DEAD_REAP:
		ck_assert_int_eq(ring_deferred_gone(&s, st.slot[0]), 0);
		kill(pids[0], SIGKILL);
		memset(&si, 0, sizeof(si));
		ck_assert_int_eq(
		    waitid(P_PID, (id_t)pids[0], &si, WEXITED | WNOWAIT), 0);
		ck_assert_int_eq(ring_deferred_gone(&s, st.slot[0]), 1);
		ck_assert_int_eq(ring_answer(&s, st.slot[0], 1, "x", 2), 0);
		ck_assert_int_eq(ring_reclaim_pid(&s, pids[0]), 1);
		waitpid(pids[0], &status, 0);
		break;
	case DEFER_DEAD_SCAN:
		/* the grandchild is not ours: find it by its slot's owner */
		ck_assert_int_eq(ring_deferred_gone(&s, st.slot[0]), 0);
		ck_assert_int_gt(st.owner[0], 0);
		kill(st.owner[0], SIGKILL);
		seen = 0;
		end = mono_ns() + 5000000000ull;
		while (!(seen = ring_deferred_gone(&s, st.slot[0])) &&
		    mono_ns() < end)
			sleep_ms(5);
		ck_assert_int_eq(seen, 1);
		ck_assert_int_eq(ring_answer(&s, st.slot[0], 1, "x", 2), 0);
		/* an answer nobody reads: freed once it has lingered */
		ck_assert_int_eq(ring_reclaim(&s, 0), 0);
		sleep_ms(150);
		ck_assert_int_eq(ring_reclaim(&s, 0), 1);
		break;
	}
	ck_assert_int_eq(ring_deferred_count(&s), 0);
	ck_assert_int_eq(ring_count(&s, NULL, NULL), 0);
	ring_destroy(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Published snapshots */

START_TEST(test_snapshot_publish)
{
	static uint8_t big[AW_SNAP_MAX + 1], out[AW_SNAP_MAX];
	struct ring_server s;
	struct ring_client c;
	uint32_t gen;
	char txt[32];
	int i;

	setup_server(&s);
	ck_assert_int_eq(ring_attach(&c, s.ring_fd, token), 0);
	ck_assert_uint_eq(ring_snapshot_gen(&c), 0);
	ck_assert_int_eq(ring_snapshot_copy(&c, out, sizeof(out), &gen), -1);
	for (i = 1; i <= 5; i++) {
		snprintf(txt, sizeof(txt), "generation %d", i);
		ck_assert_uint_eq(
		    ring_publish_snapshot(&s, txt, strlen(txt)), (uint32_t)i);
		ck_assert_uint_eq(ring_snapshot_gen(&c), (uint32_t)i);
		ck_assert_int_eq(ring_snapshot_copy(&c, out, sizeof(out), &gen),
		    (long)strlen(txt));
		ck_assert_uint_eq(gen, (uint32_t)i);
		ck_assert(memcmp(out, txt, strlen(txt)) == 0);
	}
	/* too big to publish; too big for the reader's buffer */
	ck_assert_uint_eq(ring_publish_snapshot(&s, big, sizeof(big)), 0);
	ck_assert_uint_eq(ring_snapshot_gen(&c), 5);
	ck_assert_int_eq(ring_snapshot_copy(&c, out, 3, &gen), -1);
	memset(big, 'x', AW_SNAP_MAX);
	ck_assert_uint_eq(ring_publish_snapshot(&s, big, AW_SNAP_MAX), 6);
	ck_assert_int_eq(
	    ring_snapshot_copy(&c, out, sizeof(out), &gen), AW_SNAP_MAX);
	ck_assert_uint_eq(gen, 6);
	ring_destroy(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Attaching */

START_TEST(test_attach)
{
	struct ring_server s;
	struct ring_client c;
	uint8_t bad[AW_TOKEN_LEN];

	setup_server(&s);
	ck_assert_int_eq(ring_attach(&c, s.ring_fd, token), 0);
	ck_assert(ring_supervisor_alive(&c));
	memcpy(bad, token, sizeof(bad));
	bad[3] ^= 1;
	ck_assert_int_eq(ring_attach(&c, s.ring_fd, bad), -1);
	ck_assert_ptr_null(c.ring);
	ck_assert_int_eq(ring_attach(&c, s.doorbell_fd, token), -1);
	ck_assert_int_eq(ring_attach(&c, -1, token), -1);
	ck_assert_int_eq(ring_post(&c, "x", 1), -1); /* not attached */
	ck_assert_int_eq(ring_attach(&c, s.ring_fd, token), 0);
	ck_assert_int_eq(ring_post(&c, "x", AW_SLOT_DATA + 1), -1);
	/* the memfd is sealed: nobody can shrink it under the supervisor */
	ck_assert_int_eq(ftruncate(s.ring_fd, 4096), -1);
	ring_destroy(&s);
	ck_assert(!ring_supervisor_alive(&c));
}
END_TEST

static Suite *
ring_suite(void)
{
	Suite *su = suite_create("ring");
	TCase *tc;

	tc = tcase_create("attach");
	tcase_add_test(tc, test_attach);
	suite_add_tcase(su, tc);

	tc = tcase_create("post");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_post_many, 0, (int)NELEM(post_cfgs));
	tcase_add_loop_test(tc, test_ring_full, 0, (int)NELEM(full_cfgs));
	suite_add_tcase(su, tc);

	tc = tcase_create("call");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_round_trips, 0, (int)NELEM(call_cfgs));
	suite_add_tcase(su, tc);

	tc = tcase_create("dead");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(
	    tc, test_dead_client, DEAD_IN_CALL_REAP, STOPPED_NOT_STOLEN + 1);
	tcase_add_loop_test(
	    tc, test_dead_supervisor, SUP_BLOCKED_POST, SUP_AFTER + 1);
	suite_add_tcase(su, tc);

	tc = tcase_create("defer");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(
	    tc, test_defer, DEFER_ANSWER_LATER, DEFER_DEAD_SCAN + 1);
	tcase_add_test(tc, test_snapshot_publish);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(ring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
