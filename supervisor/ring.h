/*
 * ring.h: the shared-memory ring, both ends. The client half runs inside the
 * watched process (in hooks: no malloc, no stdio, no locks beyond atomics and
 * futexes, async-signal-safe, safe after fork); the server half runs in the
 * supervisor's event loop.
 */
#ifndef AGENTWRAP_RING_H
#define AGENTWRAP_RING_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Client side: one per process */
struct ring_client {
	struct aw_ring	*ring;		/* mapping of the ring memfd */
	int		 doorbell_fd;	/* eventfd */
};

/* Map the ring from FD and check magic, version, sizes and TOKEN. 0 or -1. */
int	ring_attach(struct ring_client *c, int ring_fd, int doorbell_fd,
	    const uint8_t token[AW_TOKEN_LEN]);

/* From memory alone: is the supervisor alive? (robust mutex owner check) */
int	ring_supervisor_alive(const struct ring_client *c);

/*
 * One-way post of LEN bytes. Waits (short spin, then futex wait) while the
 * ring is full: never drops. Returns 0, or -1 once the supervisor is dead
 * (noticed within a second).
 */
int	ring_post(struct ring_client *c, const void *msg, size_t len);

/*
 * Round trip: send LEN bytes, wait for the answer (adaptive spin, then futex
 * wait), copy at most ANSCAP answer bytes to ANS. *verdict gets the answer
 * word. Returns the answer length, or -1 if the supervisor died (within a
 * second) or TIMEOUT_MS passed (0: no timeout).
 */
int	ring_call(struct ring_client *c, const void *msg, size_t len,
	    void *ans, size_t anscap, int *verdict, int timeout_ms);

/* Server side */
struct ring_server {
	struct aw_ring	*ring;
	size_t		 map_len;
	int		 ring_fd;	/* memfd, not close-on-exec for the child */
	int		 doorbell_fd;	/* eventfd (EFD_NONBLOCK on the server's side of use) */
};

/* Create the memfd, map it, set the header, lock the robust mutex. 0 or -1. */
int	ring_create(struct ring_server *s, const uint8_t token[AW_TOKEN_LEN]);
void	ring_destroy(struct ring_server *s);

/*
 * Handle every POSTED and REQUEST slot: copy it out, call HANDLE with the
 * copy, free POSTED slots, answer REQUEST slots and wake their clients.
 * HANDLE writes at most ANSCAP answer bytes and returns the verdict; for
 * one-way messages its return value is ignored. Returns how many slots it
 * handled. Also reclaims slots whose owner died mid-write or mid-wait.
 */
typedef int (*ring_handler)(void *ctx, uint8_t *msg, size_t len,
    int32_t owner_pid, uint8_t *ans, size_t anscap, size_t *anslen);
int	ring_serve(struct ring_server *s, ring_handler handle, void *ctx);

/* Before sleeping in poll(): set supervisor_waiting, then check for work
 * once more (returns 1 if there is some, so the caller must not sleep). */
int	ring_prepare_sleep(struct ring_server *s);
void	ring_after_sleep(struct ring_server *s);	/* clears the flag, drains the eventfd */

#endif /* AGENTWRAP_RING_H */
