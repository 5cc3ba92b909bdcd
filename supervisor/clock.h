/*
 * clock.h: the supervisor's clocks in one place: monotonic milliseconds and
 * microseconds for timeouts and spins, realtime nanoseconds for audit
 * timestamps. Runs in the supervisor.
 */
#ifndef AGENTWRAP_CLOCK_H
#define AGENTWRAP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static inline uint64_t
clock_mono_ms(void)
{
	return clock_mono_us() / 1000;
}

static inline uint64_t
clock_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* AGENTWRAP_CLOCK_H */
