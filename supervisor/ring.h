/*
 * ring.h: the shared-memory ring, both ends. The client half
 * (ring_client.c) runs inside the watched process (in hooks: no malloc, no
 * stdio, no locks beyond atomics and futexes, async-signal-safe, safe after
 * fork); the server half (ring_server.c) runs in the supervisor's event
 * loop, and the shim does not link it.
 *
 * Errors: client functions return 0 (or a count) and -1, or a negative
 * errno where the caller reports why (ring_connect); they never touch
 * errno. Server functions return 0 or -1 with errno set, as libc does.
 */
#ifndef AGENTWRAP_RING_H
#define AGENTWRAP_RING_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Client side: one per process; a fork keeps it, an exec needs a new one */
struct ring_client {
	struct aw_ring *ring; /* mapping of the ring memfd */
};

/* How long ring_connect waits for the supervisor's answer */
#define RING_ATTACH_WAIT_MS 10000

/*
 * Attach over the supervisor's attach socket NAME (abstract, see proto.h):
 * send TOKEN, receive the ring and snapshot memfds, map the ring (as
 * ring_attach) and close its descriptor. *SNAP_FD gets the snapshot's
 * descriptor (close-on-exec), for the caller to load and close. Returns 0,
 * or a negative errno: -ECONNREFUSED (no supervisor listens: it is gone),
 * -ETIMEDOUT (no answer in RING_ATTACH_WAIT_MS), -EPERM (it refused us),
 * -EPROTO (a malformed answer or a ring that does not match TOKEN), or what
 * socket(2) or connect(2) said. No descriptor is left open on failure.
 */
int ring_connect(struct ring_client *c, const char *name,
    const uint8_t token[AW_TOKEN_LEN], int *snap_fd);

/*
 * Hand a watch listener to the supervisor (AW_ATTACH_WATCH, proto.h):
 * connect to NAME, then MAKE(CTX) installs the watch filter and returns
 * its listener (or a negative errno, returned), whose number is sent with
 * TOKEN; the supervisor takes the listener itself. The connect comes
 * first: once the filter is in, a connect waits for the supervisor, which
 * does not have the listener yet. 0 when the supervisor serves it, or a
 * negative errno as ring_connect. The listener is closed here.
 */
int ring_hand_watch(const char *name, const uint8_t token[AW_TOKEN_LEN],
    int (*make)(void *), void *ctx);

/*
 * Attach through the holder HOLDER (hold.h): open its descriptors through
 * /proc/HOLDER/fd/, map the ring (as ring_attach) and check that the
 * snapshot is the one the ring names. Same results as ring_connect; what
 * open(2) said when the holder's descriptors cannot be opened (EACCES: not
 * ours to open, ENOENT: it is gone). No supervisor round trip.
 */
int ring_open_held(struct ring_client *c, long holder,
    const uint8_t token[AW_TOKEN_LEN], int *snap_fd);

/*
 * Map the ring from FD and check magic, version, sizes and TOKEN. 0 or -1.
 * Uses raw system calls only (lseek, mmap), so it is safe in a constructor,
 * after fork and in a vfork child. FD may be closed afterwards.
 */
int ring_attach(
    struct ring_client *c, int ring_fd, const uint8_t token[AW_TOKEN_LEN]);

/* 32 hex digits (AGENTWRAP_TOKEN) into TOK; 0, or -1 if malformed. */
int ring_parse_token(const char *hex, uint8_t tok[AW_TOKEN_LEN]);

/* From memory alone: is the supervisor alive? (robust mutex owner check) */
int ring_supervisor_alive(const struct ring_client *c);

/*
 * Every client function below is async-signal-safe and safe in a vfork
 * child: no malloc, no stdio, no locks, no libc wrapper that a hook could
 * interpose (system calls are made directly), and errno is left as it was.
 */

/*
 * One-way post of LEN bytes. Waits (short spin, then futex wait) while the
 * ring is full: never drops. Returns 0, or -1 once the supervisor is dead
 * (noticed within a second), or if LEN > AW_SLOT_DATA or C is not attached.
 */
int ring_post(struct ring_client *c, const void *msg, size_t len);

/*
 * Round trip: send LEN bytes, wait for the answer (adaptive spin, then futex
 * wait), copy at most ANSCAP answer bytes to ANS. *verdict gets the answer
 * word. Returns the number of answer bytes copied, or -1 if the supervisor
 * died (within a second) or TIMEOUT_MS passed (0: no timeout). A caller
 * that gives up leaves the slot for the supervisor to free.
 */
int ring_call(struct ring_client *c, const void *msg, size_t len, void *ans,
    size_t anscap, int *verdict, int timeout_ms);

/*
 * The policy snapshot the supervisor published last (see proto.h): its
 * generation (0: none beyond the sealed memfd), from memory alone.
 */
uint32_t ring_snapshot_gen(const struct ring_client *c);

/*
 * Copy the newest published snapshot into BUF (CAP bytes) under the
 * seqlock; *GEN gets its generation. Returns its length, or -1 if there is
 * none, it is larger than CAP or AW_SNAP_MAX, or it kept changing while
 * being copied (try again later). Async-signal-safe, like the rest.
 */
long ring_snapshot_copy(
    const struct ring_client *c, void *buf, size_t cap, uint32_t *gen);

/* Server side */
struct ring_track;

struct ring_server {
	struct aw_ring *ring;
	size_t map_len;
	int ring_fd; /* memfd, close-on-exec: handed out by the attach socket */
	int doorbell_fd; /* eventfd the bell relay writes, the loop polls */
	/* private to ring.c */
	uint8_t *buf; /* the private copy of a slot, and the answer */
	struct ring_track
	    *track; /* per slot: since when it lingers, and whose */
	uint64_t last_reclaim_ns;
	int serving; /* the slot HANDLE is called for, or -1 */
	uint32_t snap_gen; /* the last generation published */
	pthread_t relay; /* the bell relay thread (ring_server.c) */
	int relay_on;
	_Atomic uint32_t relay_ready; /* the relay runs its own code */
	_Atomic int relay_stop;
};

/*
 * Create the memfd, map it, set the header, lock the robust mutex, start
 * the bell relay thread. 0 or -1. Both descriptors are close-on-exec. The
 * memfd is sealed against shrinking and growing, so that no client can make
 * the supervisor's mapping fault (SIGBUS).
 */
int ring_create(struct ring_server *s, const uint8_t token[AW_TOKEN_LEN]);
/* Name the sealed snapshot memfd SNAP_FD in the ring (its inode), which
 * clients check what they are handed against. 0 or -1. */
int ring_set_snapshot(struct ring_server *s, int snap_fd);
/* Stop the relay, unlock the liveness mutex (clients then fail closed),
 * unmap, close. */
void ring_destroy(struct ring_server *s);

/*
 * Handle every POSTED and REQUEST slot: copy it out, call HANDLE with the
 * copy, free POSTED slots, answer REQUEST slots and wake their clients.
 * HANDLE writes at most ANSCAP answer bytes and returns the verdict; for
 * one-way messages its return value is ignored. Returns how many slots it
 * handled. Also reclaims slots whose owner died mid-write or mid-wait.
 */
typedef int (*ring_handler)(void *ctx, uint8_t *msg, size_t len,
    int32_t owner_pid, uint8_t *ans, size_t anscap, size_t *anslen);

/*
 * A handler of a request may return RING_DEFER instead of a verdict: the
 * slot then stays BUSY and its client keeps waiting, while the supervisor
 * goes on serving everyone else; it answers later with ring_answer() (the
 * slot's index is ring_serving_slot() during the handler). A deferred slot
 * is never reclaimed behind the supervisor's back: if its client dies, the
 * supervisor learns it from ring_deferred_gone() and answers anyway (the
 * answer is then reclaimed as any answer nobody reads).
 */
#define RING_DEFER (-1000)
/*
 * Slots ready in one pass are handled in the order of their messages'
 * ts_ns (msg_peek_ts), so one thread's events keep their order. For a
 * one-way message HANDLE gets ANS == NULL and ANSCAP == 0. A slot whose
 * length word is out of range is handed over with LEN == 0.
 */
int ring_serve(struct ring_server *s, ring_handler handle, void *ctx);

/* During a handler: the index of the slot it handles (-1 outside one). */
int ring_serving_slot(const struct ring_server *s);

/*
 * Answer the deferred request in SLOT: ALEN bytes of ANS (at most
 * AW_SLOT_DATA), VERDICT for the client to enforce; wakes the client.
 * Returns 0, or -1 if SLOT holds no deferred request.
 */
int ring_answer(
    struct ring_server *s, int slot, int verdict, const void *ans, size_t alen);

/*
 * Is the client of the deferred request in SLOT gone (its thread exited or
 * is a zombie)? 1 if so, 0 if it is alive or SLOT is not deferred. Makes a
 * system call or two: call it now and then, not in a tight loop.
 */
int ring_deferred_gone(struct ring_server *s, int slot);

/* How many requests are deferred (not yet answered with ring_answer). */
int ring_deferred_count(const struct ring_server *s);

/*
 * Publish LEN bytes of a policy snapshot as the next generation (into the
 * buffer that is not current, under its seqlock; then cur, then
 * snapshot_gen). Returns the new generation, or 0 if LEN > AW_SNAP_MAX.
 */
uint32_t ring_publish_snapshot(
    struct ring_server *s, const void *buf, size_t len);

/*
 * Free slots whose owner is gone: WRITING or ANSWERED slots whose owning
 * thread has exited (or is a zombie) once they have lingered for 100 ms,
 * answers nobody waits for any more, and slots in states no client sets.
 * FORCE skips the lingering time (at the end of a run, when the tree is
 * gone). ring_serve() calls it every 100 ms by itself. Returns how many
 * slots it freed.
 */
int ring_reclaim(struct ring_server *s, int force);

/*
 * Free every WRITING or ANSWERED slot that PID owns: called for a child the
 * supervisor is about to reap (waitid WNOWAIT), while the zombie still holds
 * its pid so that no new process can have claimed a slot under it. Serve
 * the ring first, so that what it posted is read. Returns how many.
 */
int ring_reclaim_pid(struct ring_server *s, int32_t pid);

/*
 * How many slots wait for the supervisor (POSTED, REQUEST) and how many are
 * taken otherwise (WRITING, ANSWERED, BUSY with a deferred request, or a
 * state no client should set).
 * Either pointer may be NULL. Returns the sum.
 */
int ring_count(struct ring_server *s, int *pending, int *lingering);

/*
 * Look for work for up to NS nanoseconds without sleeping: 1 as soon as a
 * slot is POSTED or REQUEST, else 0. For a supervisor that expects the next
 * request soon (a client in a tight loop of round trips).
 */
int ring_spin(struct ring_server *s, unsigned ns);

/* Before sleeping in poll(): set supervisor_waiting, then check for work
 * once more (returns 1 if there is some, so the caller must not sleep). */
int ring_prepare_sleep(struct ring_server *s);
void ring_after_sleep(
    struct ring_server *s); /* clears the flag, drains the eventfd */

#endif /* AGENTWRAP_RING_H */
