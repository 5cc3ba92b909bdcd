/*
 * ring_int.h: what both halves of the ring share (ring_client.c inside every
 * watched process, ring_server.c in the supervisor): the futex calls, the
 * liveness word, freeing a slot, the snapshot area. Static inline, raw
 * system calls only, no errno: safe in a hook, a vfork child or a signal
 * handler. Not an interface: include it only from ring_*.c.
 */
#ifndef AGENTWRAP_RING_INT_H
#define AGENTWRAP_RING_INT_H

#include <sys/syscall.h>

#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "proto.h"
#include "rawsys.h"

#define RING_MAP_LEN AW_RING_MAP_LEN
#define FREE_WAITERS 0x80000000u /* free_wait: someone sleeps on it */
#define WAIT_SLICE_NS (100 * 1000 * 1000ull) /* liveness re-check */

#define raw0(n) raw6((n), 0, 0, 0, 0, 0, 0)
#define raw3(n, a, b, c) raw6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static inline uint64_t
ring_now_ns(void)
{
	struct timespec ts;

	/* the vDSO: no system call, no errno on success */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sleep on W while it holds VAL, NS at most. Shared between processes:
 * no FUTEX_PRIVATE_FLAG. */
static inline void
ring_futex_wait(_Atomic uint32_t *w, uint32_t val, uint64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / 1000000000ull);
	ts.tv_nsec = (long)(ns % 1000000000ull);
	raw6(SYS_futex, (long)w, FUTEX_WAIT, (long)val, (long)&ts, 0, 0);
}

static inline void
ring_futex_wake(_Atomic uint32_t *w)
{
	raw6(SYS_futex, (long)w, FUTEX_WAKE, INT_MAX, 0, 0, 0);
}

/* The robust mutex the supervisor holds: locked, and its owner alive */
static inline int
ring_mutex_alive(const struct aw_ring *r)
{
	int v = __atomic_load_n(&r->alive.__data.__lock, __ATOMIC_ACQUIRE);

	return (v & FUTEX_TID_MASK) != 0 && (v & FUTEX_OWNER_DIED) == 0;
}

/* After a slot became FREE: wake whoever waits for one. */
static inline void
ring_wake_free_waiters(struct aw_ring *r)
{
	uint32_t fw = atomic_load(&r->free_wait);

	if ((fw & FREE_WAITERS) == 0)
		return;
	if (atomic_compare_exchange_strong(
		&r->free_wait, &fw, ((fw & ~FREE_WAITERS) + 1) & ~FREE_WAITERS))
		ring_futex_wake(&r->free_wait);
	/* else another freer bumped it and wakes them */
}

/* Make slot S free if it is still in state FROM. 1 if it was. */
static inline int
ring_slot_release(struct aw_ring *r, struct aw_slot *s, uint32_t from)
{
	if (!atomic_compare_exchange_strong(&s->state, &from, AW_SLOT_FREE))
		return 0;
	ring_wake_free_waiters(r);
	return 1;
}

static inline struct aw_snap_area *
ring_snap_area(struct aw_ring *r)
{
	return (struct aw_snap_area *)((uint8_t *)r + AW_SNAP_AREA_OFF);
}

#endif /* AGENTWRAP_RING_INT_H */
