/*
 * watchbpf.h: the watch filter, a seccomp user-notify filter for a
 * subtree the shim cannot follow (a static program) or, under --strict,
 * for the whole tree. Built by hand from sysreq.h's table, with no
 * allocation and no library, so that the shim can build it on its stack
 * just before the exec it is for, and agentwrap's first child between fork
 * and exec.
 *
 * What it sends to the supervisor: every judged call of sysreq.h (sendto
 * only with an address), ptrace attach, process_vm_writev and pidfd_getfd
 * (allowed inside the tree only), and every call of another ABI (int 0x80,
 * x32), which the supervisor refuses where it is a judged one. It refuses
 * outright a second listener (SECCOMP_FILTER_FLAG_NEW_LISTENER): with ours
 * gone, a listener of the subtree's own would answer in its place.
 *
 * Error convention: watch_bpf returns the number of instructions, or 0 if
 * CAP is too small or this architecture is not known.
 */
#ifndef AGENTWRAP_WATCHBPF_H
#define AGENTWRAP_WATCHBPF_H

#include <linux/filter.h>
#include <stddef.h>

#define WATCH_BPF_MAX 256 /* instructions: enough for the table */

/*
 * Is this thread under agentwrap's watch, or under a listener of someone
 * else's? A thread that cannot add the watch (the kernel says EBUSY: a
 * listener is in its chain; or the watch itself refuses a second one)
 * opens this path: the watch answers WATCH_PROBE_ERRNO, which no file
 * system gives for it; anything else means the listener is not ours.
 */
#define WATCH_PROBE_PATH "/\001agentwrap-watch-probe"
#define WATCH_PROBE_ERRNO ENOTRECOVERABLE

size_t watch_bpf(struct sock_filter *f, size_t cap);

/* Does this kernel have seccomp user-notify (Linux 5.0)? */
int watch_available(void);

/* The architecture the table's numbers are for (AUDIT_ARCH_*), 0 none */
unsigned int watch_arch(void);

#endif /* AGENTWRAP_WATCHBPF_H */
