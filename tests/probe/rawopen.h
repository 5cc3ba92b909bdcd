/*
 * rawopen.h: openat(2) through the system call instruction itself, where no
 * libc function (and so no shim) is on the way: what a Go program or
 * hand-written assembly does. Returns the descriptor, or -1 with errno set.
 */
#ifndef AGENTWRAP_PROBE_RAWOPEN_H
#define AGENTWRAP_PROBE_RAWOPEN_H

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline long
rawopenat(const char *path, int flags, int mode)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = mode;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"((long)SYS_openat), "D"((long)AT_FDCWD),
			 "S"(path), "d"((long)flags), "r"(r10)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_openat;
	register long x0 __asm__("x0") = AT_FDCWD;
	register long x1 __asm__("x1") = (long)path;
	register long x2 __asm__("x2") = flags;
	register long x3 __asm__("x3") = mode;
	long r;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			 : "memory");
	r = x0;
#else
	long r = syscall(SYS_openat, AT_FDCWD, path, flags, mode);
	return r;
#endif
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

#endif /* AGENTWRAP_PROBE_RAWOPEN_H */
