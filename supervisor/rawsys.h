/*
 * rawsys.h: system calls without libc's wrapper and without errno (the
 * result is -errno on failure), and a CPU pause for spin loops. Used by the
 * ring's client half and the shim, inside the watched process, where a
 * libc call could be interposed or touch errno.
 */
#ifndef AGENTWRAP_RAWSYS_H
#define AGENTWRAP_RAWSYS_H

#include <errno.h>
#include <unistd.h>

#if defined(__x86_64__)
static inline long
raw6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile(
	    "syscall"
	    : "=a"(ret)
	    : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}

static inline void
cpu_relax(void)
{
	__builtin_ia32_pause();
}
#elif defined(__aarch64__)
static inline long
raw6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

static inline void
cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}
#else
/* XXX other architectures go through libc's syscall(), which the shim may
 * interpose; add their calling convention here. */
static inline long
raw6(long n, long a, long b, long c, long d, long e, long f)
{
	int saved = errno;
	long r = syscall(n, a, b, c, d, e, f);

	if (r == -1)
		r = -errno;
	errno = saved;
	return r;
}

static inline void
cpu_relax(void)
{
}
#endif

#endif /* AGENTWRAP_RAWSYS_H */
