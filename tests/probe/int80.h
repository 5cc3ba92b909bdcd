/*
 * int80.h: one 32-bit system call through int 0x80, for the probes that
 * try the i386 ABI (x86_64 only). The kernel takes 32-bit pointers there:
 * pass data of a static, non-PIE program (below 4 GB). Returns the result,
 * or -1 with errno set, as libc's syscall() does.
 */
#ifndef AGENTWRAP_PROBE_INT80_H
#define AGENTWRAP_PROBE_INT80_H

#include <errno.h>

#if defined(__x86_64__)
static inline long
int80(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory");
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
#endif

#endif /* AGENTWRAP_PROBE_INT80_H */
