/*
 * watchbpf.c: the watch filter's program (see watchbpf.h).
 */
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <unistd.h>

#include "sysreq.h"
#include "watchbpf.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

unsigned int
watch_arch(void)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	return AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
	return AUDIT_ARCH_AARCH64;
#elif defined(__riscv) && __riscv_xlen == 64
	return AUDIT_ARCH_RISCV64;
#else
	return 0;
#endif
}

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)

struct prog {
	struct sock_filter *f;
	size_t n, cap;
};

static void
put(struct prog *p, struct sock_filter ins)
{
	if (p->n < p->cap)
		p->f[p->n] = ins;
	p->n++;
}

static void
stmt(struct prog *p, unsigned short code, unsigned int k)
{
	put(p, (struct sock_filter)BPF_STMT(code, k));
}

static void
jump(struct prog *p, unsigned short code, unsigned int k, unsigned char jt,
    unsigned char jf)
{
	put(p, (struct sock_filter)BPF_JUMP(code, k, jt, jf));
}

static void
load_nr(struct prog *p)
{
	stmt(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
}

/* if nr == NR: return RET (the accumulator holds nr) */
static void
on_nr(struct prog *p, long nr, unsigned int ret)
{
	jump(p, BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1);
	stmt(p, BPF_RET | BPF_K, ret);
}

int
watch_available(void)
{
	unsigned int act = SECCOMP_RET_USER_NOTIF;

	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act) == 0;
}

size_t
watch_bpf(struct sock_filter *f, size_t cap)
{
	struct prog p = { f, 0, cap };
	unsigned int arch = watch_arch();
	size_t i;

	if (arch == 0)
		return 0;
	stmt(&p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	/* another ABI: every call goes to the supervisor */
	jump(&p, BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0);
	stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	load_nr(&p);
#if defined(__x86_64__)
	jump(&p, BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1);
	stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
#endif
	for (i = 0; i < sysreq_count; i++) {
		const struct sysreq *r = &sysreq_table[i];

		if (r->kind == SRK_SOCKADDR && r->addr != 1) {
			/* sendto: only with an address (send() gives none) */
			jump(&p, BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)r->nr,
			    0, 6);
			stmt(&p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->addr));
			jump(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2);
			stmt(&p, BPF_LD | BPF_W | BPF_ABS, ARG_HI(r->addr));
			jump(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
			stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
			stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
			continue;
		}
		on_nr(&p, r->nr, SECCOMP_RET_USER_NOTIF);
	}
	on_nr(&p, SYS_process_vm_writev, SECCOMP_RET_USER_NOTIF);
	on_nr(&p, SYS_pidfd_getfd, SECCOMP_RET_USER_NOTIF);
	/* ptrace: attaching is what reaches another process */
	jump(&p, BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 5);
	stmt(&p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(0));
	jump(&p, BPF_JMP | BPF_JEQ | BPF_K, PTRACE_ATTACH, 2, 0);
	jump(&p, BPF_JMP | BPF_JEQ | BPF_K, PTRACE_SEIZE, 1, 0);
	stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	/* seccomp(SET_MODE_FILTER, NEW_LISTENER, ...): refused */
	jump(&p, BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 5);
	stmt(&p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(0));
	jump(&p, BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_SET_MODE_FILTER, 0, 3);
	stmt(&p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(1));
	jump(&p, BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER,
	    0, 1);
	stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1 /* EPERM */);
	/* and the one way out of every block above */
	stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return p.n <= p.cap ? p.n : 0;
}
