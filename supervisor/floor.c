/*
 * floor.c: the kernel floor (see floor.h). libseccomp builds the filter;
 * the supervisor answers its notifications.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "floor.h"
#include "proc.h"
#include "sysreq.h"
#include "watchbpf.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE 1
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

/* what each refused call would let a program do */
#define WHY_NS                                                                 \
	"a new namespace would let it change what paths mean (a bind mount "   \
	"onto a workspace name)"
#define WHY_MOUNT "a mount changes what paths mean"
#define WHY_URING "io_uring makes file and network calls no layer can see"
#define WHY_UFFD "userfaultfd can stall the supervisor's reads mid-way"
#define WHY_HANDLE                                                             \
	"it opens a file by its handle, with no path for any layer to judge"
#define WHY_TTY                                                                \
	"it types into the terminal, agentwrap's own approval prompt included"
#define WHY_TRACE                                                              \
	"it reaches into a process that is not its descendant, one the "       \
	"sandbox does not hold"
#define WHY_KEEP                                                               \
	"it aims at agentwrap's keeper, which ends the tree if the "           \
	"supervisor dies"
#define WHY_PIDFD_SIG                                                          \
	"a signal through a pidfd names a process no filter can see (the "     \
	"keeper among them)"
#define WHY_ALL "it reaches every process of the user's"

enum kind {
	K_DENY, /* EPERM, reported */
	K_NOSYS, /* ENOSYS, reported */
	K_TRACE, /* allowed if the target descends from the caller */
	K_KEEP, /* EPERM when aimed at the keeper (its first argument) */
};

struct rule {
	const char *name;
	enum kind kind;
	const char *why;
};

static const struct rule rules[] = {
	{ "unshare", K_DENY, WHY_NS },
	{ "setns", K_DENY, WHY_NS },
	{ "mount", K_DENY, WHY_MOUNT },
	{ "umount", K_DENY, WHY_MOUNT },
	{ "umount2", K_DENY, WHY_MOUNT },
	{ "pivot_root", K_DENY, WHY_MOUNT },
	{ "chroot", K_DENY, WHY_MOUNT },
	{ "move_mount", K_DENY, WHY_MOUNT },
	{ "open_tree", K_DENY, WHY_MOUNT },
	{ "fsopen", K_DENY, WHY_MOUNT },
	{ "fsconfig", K_DENY, WHY_MOUNT },
	{ "fsmount", K_DENY, WHY_MOUNT },
	{ "fspick", K_DENY, WHY_MOUNT },
	{ "mount_setattr", K_DENY, WHY_MOUNT },
	{ "io_uring_setup", K_NOSYS, WHY_URING },
	{ "io_uring_enter", K_NOSYS, WHY_URING },
	{ "io_uring_register", K_NOSYS, WHY_URING },
	{ "userfaultfd", K_DENY, WHY_UFFD },
	{ "open_by_handle_at", K_DENY, WHY_HANDLE },
	{ "process_vm_writev", K_TRACE, WHY_TRACE },
	{ "pidfd_getfd", K_TRACE, WHY_TRACE },
	{ "pidfd_send_signal", K_NOSYS, WHY_PIDFD_SIG },
	{ "kill", K_KEEP, WHY_KEEP },
	{ "tkill", K_KEEP, WHY_KEEP },
	{ "tgkill", K_KEEP, WHY_KEEP },
	{ "rt_sigqueueinfo", K_KEEP, WHY_KEEP },
	{ "rt_tgsigqueueinfo", K_KEEP, WHY_KEEP },
	{ "pidfd_open", K_KEEP, WHY_KEEP },
	{ "prlimit64", K_KEEP, WHY_KEEP },
	{ "fcntl", K_KEEP, WHY_KEEP },
	{ "fcntl64", K_KEEP, WHY_KEEP },
	{ "sched_setscheduler", K_KEEP, WHY_KEEP },
	{ "sched_setparam", K_KEEP, WHY_KEEP },
	{ "sched_setattr", K_KEEP, WHY_KEEP },
	{ "sched_setaffinity", K_KEEP, WHY_KEEP },
	{ "setpriority", K_KEEP, WHY_KEEP },
	{ "ioprio_set", K_KEEP, WHY_KEEP },
};

static const unsigned long ns_flags[] = { CLONE_NEWNS, CLONE_NEWUSER,
	CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWCGROUP };

static int
add(scmp_filter_ctx ctx, uint32_t act, const char *name, unsigned n,
    const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a system call of this kernel's ABI */
	return seccomp_rule_add_array(ctx, act, nr, n, cmp);
}

/* calls that name a process by pid, and which argument holds it */
static const struct {
	const char *name;
	unsigned arg;
} by_pid[] = {
	{ "ptrace", 1 },
	{ "process_vm_readv", 0 },
	{ "process_vm_writev", 0 },
};

/* Does libseccomp know the native call NR? (2.5 knows none of 6.13's) */
static int
known(long nr)
{
	char *name =
	    seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);

	free(name);
	return name != NULL;
}

/*
 * Before libseccomp's program (which starts by loading the architecture
 * again, and jumps only forward and relative), a few instructions of our
 * own: every call of another ABI is notified, and so are the judged calls
 * libseccomp does not know.
 */
static int
prepend_unknown(struct sock_fprog *p)
{
	struct sock_filter *f;
	unsigned int arch = watch_arch();
	size_t i, m = 0, k = 0, n;

	for (i = 0; i < sysreq_count; i++)
		m += !known(sysreq_table[i].nr);
	if (p->filter == NULL)
		return 0;
	n = 6 + 2 * m + p->len;
	if (arch == 0 || n > BPF_MAXINSNS ||
	    (f = malloc(n * sizeof(*f))) == NULL)
		return -1;
	f[k++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	/* another ABI: every call to the supervisor, as the shim's watch
	 * (watchbpf.c) does; it lets only harmless ones go on */
	f[k++] =
	    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(
	    BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	f[k++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* x32 numbers (on x86_64) too; elsewhere no number is that high */
	f[k++] = (struct sock_filter)BPF_JUMP(
	    BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	f[k++] = (struct sock_filter)BPF_STMT(
	    BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	for (i = 0; i < sysreq_count; i++) {
		if (known(sysreq_table[i].nr))
			continue;
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    (unsigned int)sysreq_table[i].nr, 0, 1);
		f[k++] = (struct sock_filter)BPF_STMT(
		    BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	}
	memcpy(f + k, p->filter, p->len * sizeof(*f));
	free(p->filter);
	p->filter = f;
	p->len = (unsigned short)n;
	return 0;
}

/*
 * The watch's rules (watchbpf.c has them by hand, for the shim), from the
 * same table, for a tree watched from its first child
 */
static int
build_watch(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp c;
	size_t i;
	int r = 0;

	for (i = 0; i < sysreq_count && r == 0; i++) {
		const struct sysreq *q = &sysreq_table[i];

		if (!known(q->nr))
			continue; /* newer than libseccomp: prepend_unknown() */
		if (q->kind == SRK_SOCKADDR && q->addr != 1) {
			/* sendto: only with an address */
			c = SCMP_CMP64((unsigned)q->addr, SCMP_CMP_NE, 0);
			r = seccomp_rule_add_array(
			    ctx, SCMP_ACT_NOTIFY, (int)q->nr, 1, &c);
		} else
			r = seccomp_rule_add_array(
			    ctx, SCMP_ACT_NOTIFY, (int)q->nr, 0, NULL);
	}
	if (r == 0)
		r = add(ctx, SCMP_ACT_NOTIFY, "process_vm_writev", 0, NULL);
	if (r == 0)
		r = add(ctx, SCMP_ACT_NOTIFY, "pidfd_getfd", 0, NULL);
	if (r == 0) {
		c = SCMP_A0(SCMP_CMP_EQ, PTRACE_ATTACH);
		r = add(ctx, SCMP_ACT_NOTIFY, "ptrace", 1, &c);
	}
	if (r == 0) {
		c = SCMP_A0(SCMP_CMP_EQ, PTRACE_SEIZE);
		r = add(ctx, SCMP_ACT_NOTIFY, "ptrace", 1, &c);
	}
	/* a listener of the tree's own would answer for ours, once ours is
	 * gone: refused outright */
	if (r == 0) {
		struct scmp_arg_cmp two[2] = {
			SCMP_A0(SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER),
			SCMP_A1(SCMP_CMP_MASKED_EQ,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER),
		};

		r = add(ctx, SCMP_ACT_ERRNO(EPERM), "seccomp", 2, two);
	}
	return r;
}

/* one rule: NAME refused when argument ARG is VAL */
static int
add_eq(scmp_filter_ctx ctx, uint32_t act, const char *name, unsigned arg,
    pid_t val)
{
	struct scmp_arg_cmp c =
	    SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)val);

	return add(ctx, act, name, 1, &c);
}

/*
 * The keeper (keeper.h): no signal to it by pid, by its process group or
 * by our own (kill(0, ...): the tree's group may be the keeper's), no
 * pidfd of it (pidfd_send_signal answers ENOSYS to all: a pidfd can come
 * from opening /proc/PID, which a filter cannot see), no resource limit
 * set on it or on the supervisor (RLIMIT_CPU ends in SIGKILL), no
 * SIGKILL or SIGSTOP as the signal of a descriptor's owner (F_SETSIG),
 * and nothing traced or read, as for the supervisor.
 */
static int
build_keeper(scmp_filter_ctx ctx, uint32_t deny, pid_t self, pid_t keeper,
    pid_t kgroup, int notify)
{
	static const char *const by_first[] = { "kill", "tkill", "tgkill",
		"rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open",
		"prlimit64", "sched_setscheduler", "sched_setparam",
		"sched_setattr", "sched_setaffinity" };
	static const char *const fcntls[] = { "fcntl", "fcntl64" };
	static const int sigs[] = { SIGKILL, SIGSTOP };
	/* setpriority's and ioprio_set's WHICH (ioprio_set: 1 a process,
	 * 2 a group, 3 a user) and WHO */
	enum { P_KEEPER, P_GROUP, P_ZERO, P_ANY };
	static const struct {
		const char *name;
		int which, who;
	} prio[] = {
		{ "setpriority", PRIO_PROCESS, P_KEEPER },
		{ "setpriority", PRIO_PGRP, P_ZERO },
		{ "setpriority", PRIO_PGRP, P_GROUP },
		{ "setpriority", PRIO_USER, P_ANY },
		{ "ioprio_set", 1, P_KEEPER },
		{ "ioprio_set", 2, P_ZERO },
		{ "ioprio_set", 2, P_GROUP },
		{ "ioprio_set", 3, P_ANY },
	};
	struct scmp_arg_cmp c[2];
	size_t i, j;
	int r = 0;

	for (i = 0; i < sizeof(by_first) / sizeof(by_first[0]) && r == 0; i++)
		r = add_eq(ctx, deny, by_first[i], 0, keeper);
	if (r == 0)
		r = add_eq(ctx, deny, "prlimit64", 0, self);
	if (r == 0)
		r = add_eq(ctx, deny, "kill", 0, -keeper);
	if (r == 0 && kgroup > 0 && kgroup != keeper)
		r = add_eq(ctx, deny, "kill", 0, -kgroup);
	if (r == 0)
		r = add_eq(ctx, deny, "kill", 0, 0);
	for (i = 0; i < sizeof(fcntls) / sizeof(fcntls[0]) && r == 0; i++)
		for (j = 0; j < sizeof(sigs) / sizeof(sigs[0]) && r == 0; j++) {
			c[0] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
			    (uint32_t)F_SETSIG);
			c[1] = SCMP_A2(
			    SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)sigs[j]);
			r = add(ctx, deny, fcntls[i], 2, c);
		}
	/* no SCHED_IDLE or nice 19 for it, alone or with its group or every
	 * process of the user's: the tree's busy loops would then starve it
	 * while the supervisor is dead */
	for (i = 0; i < sizeof(prio) / sizeof(prio[0]) && r == 0; i++) {
		c[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)prio[i].which);
		c[1] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
		    prio[i].who == P_KEEPER	 ? (uint32_t)keeper
			: prio[i].who == P_GROUP ? (uint32_t)kgroup
						 : 0);
		r = add(
		    ctx, deny, prio[i].name, prio[i].who == P_ANY ? 1 : 2, c);
	}
	/* watched: the watch's tree check refuses the keeper too */
	for (i = 0; i < sizeof(by_pid) / sizeof(by_pid[0]) && r == 0; i++)
		if (!notify || strcmp(by_pid[i].name, "process_vm_readv") == 0)
			r = add_eq(
			    ctx, deny, by_pid[i].name, by_pid[i].arg, keeper);
	return r;
}

/*
 * The floor's rules. NOTIFY: as notifications, for the watch's listener
 * to answer and report (a tree watched from its first child), with the
 * watch's own rules; else errno answers.
 */
static int
build(scmp_filter_ctx ctx, pid_t self, pid_t keeper, pid_t kgroup, int notify)
{
	uint32_t deny = notify ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO(EPERM);
	uint32_t nosys = notify ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO(ENOSYS);
	struct scmp_arg_cmp c;
	size_t i;
	int r = 0;

	/* the ptrace family is the watch's (inside the tree, or refused) */
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]) && r == 0; i++)
		if (rules[i].kind != K_TRACE && rules[i].kind != K_KEEP)
			r = add(ctx, rules[i].kind == K_NOSYS ? nosys : deny,
			    rules[i].name, 0, NULL);
	for (i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]) && r == 0; i++) {
		c = SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]);
		r = add(ctx, deny, "clone", 1, &c);
	}
	/* clone3's flags are in memory: refuse it, glibc falls back to clone */
	if (r == 0)
		r = add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	if (r == 0) {
		c = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
		r = add(ctx, deny, "ioctl", 1, &c);
	}
	if (r == 0) {
		c = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
		r = add(ctx, deny, "ioctl", 1, &c);
	}
	/*
	 * The supervisor itself: not traced, read or written by the tree,
	 * even where the tree holds CAP_SYS_PTRACE (run as root); it is not
	 * dumpable either. (It may be killed: then the watched calls fail.)
	 * And no kill(-1, ...): every process of the user's, outside the
	 * tree too.
	 */
	for (i = 0; i < sizeof(by_pid) / sizeof(by_pid[0]) && r == 0; i++) {
		/* watched: the watch's tree check answers those */
		if (notify && strcmp(by_pid[i].name, "process_vm_readv") != 0)
			continue;
		if (by_pid[i].arg == 0)
			c = SCMP_A0(
			    SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)self);
		else
			c = SCMP_A1(
			    SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)self);
		r = add(ctx, deny, by_pid[i].name, 1, &c);
	}
	if (r == 0) {
		c = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0xffffffffu);
		r = add(ctx, deny, "kill", 1, &c);
	}
	if (r == 0 && keeper > 0)
		r = build_keeper(ctx, deny, self, keeper, kgroup, notify);
	if (r == 0 && notify)
		r = build_watch(ctx);
	return r;
}

static scmp_filter_ctx
make(pid_t self, pid_t keeper, pid_t kgroup, int notify)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (ctx == NULL)
		return NULL;
	/* the same rules for 32-bit and x32 system calls: a program must not
	 * get around them with int 0x80 */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64 &&
	    (seccomp_arch_add(ctx, SCMP_ARCH_X86) != 0 ||
		seccomp_arch_add(ctx, SCMP_ARCH_X32) != 0)) {
		seccomp_release(ctx);
		return NULL;
	}
	if (build(ctx, self, keeper, kgroup, notify) != 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

/* CTX as the BPF program the kernel takes, into *OUT (malloc'd) */
static int export(scmp_filter_ctx ctx, struct sock_fprog *out)
{
	struct stat st;
	void *buf;
	int fd, r = -1;

	out->filter = NULL;
	out->len = 0;
	if ((fd = memfd_create("agentwrap-floor", MFD_CLOEXEC)) == -1)
		return -1;
	if (seccomp_export_bpf(ctx, fd) == 0 && fstat(fd, &st) == 0 &&
	    st.st_size > 0 && st.st_size % sizeof(struct sock_filter) == 0 &&
	    st.st_size / sizeof(struct sock_filter) <= BPF_MAXINSNS &&
	    (buf = malloc((size_t)st.st_size)) != NULL) {
		if (pread(fd, buf, (size_t)st.st_size, 0) == st.st_size) {
			out->filter = buf;
			out->len = (unsigned short)(st.st_size /
			    sizeof(struct sock_filter));
			r = 0;
		} else
			free(buf);
	}
	close(fd);
	return r;
}

int
floor_prepare(struct floor_prog *p, pid_t keeper, pid_t kgroup)
{
	scmp_filter_ctx ctx;

	memset(p, 0, sizeof(*p));
	if ((ctx = make(getpid(), keeper, kgroup, 0)) != NULL) {
		export(ctx, &p->prog);
		seccomp_release(ctx);
	}
	/* without user-notify in this kernel, libseccomp refuses NOTIFY */
	if ((ctx = make(getpid(), keeper, kgroup, 1)) != NULL) {
		if (export(ctx, &p->watched) == 0 &&
		    prepend_unknown(&p->watched) == -1) {
			free(p->watched.filter);
			p->watched.filter = NULL;
		}
		seccomp_release(ctx);
	}
	return p->prog.filter != NULL ? 0 : -1;
}

void
floor_prog_free(struct floor_prog *p)
{
	free(p->prog.filter);
	free(p->watched.filter);
	memset(p, 0, sizeof(*p));
}

int
floor_install(const struct floor_prog *p, int watch, enum floor_state *state,
    char *err, size_t errlen)
{
	long fd;

	*state = FLOOR_NONE;
	err[0] = '\0';
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(
		    err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	if (p == NULL) {
		snprintf(err, errlen, "seccomp is turned off");
		return -1;
	}
	if (p->prog.filter == NULL) {
		snprintf(err, errlen, "cannot build the filter");
		return -1;
	}
	/* system calls only: this runs between fork and exec */
	if (watch && p->watched.filter != NULL) {
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER, &p->watched);
		if (fd >= 0) {
			/* the kernel makes it close-on-exec */
			*state = FLOOR_NOTIFY;
			return (int)fd;
		}
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p->prog) == -1) {
		snprintf(err, errlen, "seccomp: %s", strerror(errno));
		return -1;
	}
	*state = FLOOR_NOTIFY;
	if (watch)
		snprintf(err, errlen,
		    "no seccomp user-notify listener could be made%s",
		    p->watched.filter == NULL ? " (no user-notify here)" : "");
	return -1;
}

/* --- the holder's own filter --- */

#if defined(__x86_64__) && !defined(__ILP32__)
#define HOLD_ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define HOLD_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define HOLD_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define HOLD_ARCH AUDIT_ARCH_RISCV64
#endif

/* glibc's pause(2) where the kernel has no pause: ppoll(NULL, 0, ...) */
#ifdef SYS_pause
#define HOLD_SLEEP SYS_pause
#else
#define HOLD_SLEEP SYS_ppoll
#endif

#define HOLD_ALLOW(nr)                                                         \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                       \
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

int
floor_hold(void)
{
#ifdef HOLD_ARCH
	/* another ABI (int 0x80, x32 numbers) matches nothing here: killed */
	static struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HOLD_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		HOLD_ALLOW(HOLD_SLEEP),
		/* a stop and a continue restart the sleep */
		HOLD_ALLOW(SYS_restart_syscall),
		/* the ready pipe, closed after this */
		HOLD_ALLOW(SYS_close),
		HOLD_ALLOW(SYS_exit),
		HOLD_ALLOW(SYS_exit_group),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	static struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* --- the supervisor's side --- */

/* PIDFD (a descriptor of process CALLER) names which process? 0 if none */
static pid_t
pidfd_pid(pid_t caller, int pidfd)
{
	char path[64], line[128];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)caller, pidfd);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Pid:\t%ld", &pid) == 1)
			break;
	fclose(f);
	return pid > 0 ? (pid_t)pid : 0;
}

/*
 * pidfd_getfd(PIDFD, FD, FLAGS) of REQ, made here: answering CONTINUE would
 * let the kernel look PIDFD up again, after another thread of the caller
 * put a pidfd of another process under that number. Here the pidfd looked
 * at is the one used, and the descriptor goes to the caller as the call's
 * result (SECCOMP_ADDFD_FLAG_SEND, Linux 5.14; before, ADDFD then the
 * answer). 1 if answered, 0 if the target is outside the tree ROOT heads
 * (refuse it), else -errno to answer.
 */
static int
getfd_for(int lfd, struct seccomp_notif *req, struct seccomp_notif_resp *resp,
    pid_t root)
{
	struct seccomp_notif_addfd add;
	int cfd, pfd, fd, r;
	pid_t target;

	if (req->data.args[2] != 0)
		return -EINVAL;
	/* a pidfd of the caller, and still the caller (not a reused pid) */
	if ((cfd = (int)syscall(SYS_pidfd_open, req->pid, 0)) == -1)
		return -EPERM;
	if (seccomp_notify_id_valid(lfd, req->id) != 0) {
		close(cfd);
		return -ENOENT;
	}
	pfd = (int)syscall(SYS_pidfd_getfd, cfd, (int)req->data.args[0], 0);
	r = errno;
	close(cfd);
	if (pfd == -1)
		return r == EBADF ? -EBADF : -EPERM;
	target = pidfd_pid(getpid(), pfd);
	if (target <= 0 || (target != root && !proc_descends(target, root))) {
		close(pfd);
		return target > 0 ? 0 : -EBADF;
	}
	fd = (int)syscall(SYS_pidfd_getfd, pfd, (int)req->data.args[1], 0);
	r = errno;
	close(pfd);
	if (fd == -1)
		return -r;
	memset(&add, 0, sizeof(add));
	add.id = req->id;
	add.flags = SECCOMP_ADDFD_FLAG_SEND;
	add.srcfd = (unsigned)fd;
	add.newfd_flags = O_CLOEXEC; /* as pidfd_getfd gives it */
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0) {
		close(fd);
		return 1;
	}
	if (errno != EINVAL) {
		close(fd);
		return -ENOENT; /* the caller is gone */
	}
	add.flags = 0;
	r = ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	close(fd);
	if (r < 0)
		return -EPERM; /* no ADDFD in this kernel: refuse */
	resp->val = r;
	resp->error = 0;
	resp->flags = 0;
	seccomp_notify_respond(lfd, resp); /* ENOENT: gone, and it */
	return 1;
}

static const char *
call_name(const struct seccomp_notif *n, char *buf, size_t len)
{
	char *name = seccomp_syscall_resolve_num_arch(n->data.arch, n->data.nr);

	if (name != NULL && strcmp(name, "ioctl") == 0)
		snprintf(buf, len, "ioctl(%s)",
		    (unsigned int)n->data.args[1] == TIOCSTI ? "TIOCSTI"
							     : "TIOCLINUX");
	else if (name != NULL && strncmp(name, "fcntl", 5) == 0)
		snprintf(buf, len, "%s(F_SETSIG)", name);
	else if (name != NULL && strcmp(name, "clone") == 0)
		snprintf(buf, len, "clone with namespace flags");
	else if (name != NULL && strcmp(name, "ptrace") == 0)
		snprintf(buf, len, "ptrace(%s)",
		    n->data.args[0] == PTRACE_SEIZE ? "PTRACE_SEIZE"
						    : "PTRACE_ATTACH");
	else
		snprintf(buf, len, "%s", name != NULL ? name : "?");
	free(name);
	return buf;
}

static const struct rule *
rule_of(const char *call)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(call, rules[i].name) == 0)
			return &rules[i];
	return NULL;
}

int
floor_call(const char *name)
{
	static const char *const more[] = { "clone", "ioctl", "ptrace",
		"seccomp" };
	size_t i;

	if (rule_of(name) != NULL)
		return 1;
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (strcmp(name, more[i]) == 0)
			return 1;
	return 0;
}

int
floor_trace(
    int fd, const struct seccomp_notif *n, pid_t root, struct floor_event *ev)
{
	static char name[64];
	struct seccomp_notif req = *n;
	struct seccomp_notif_resp resp;
	const struct rule *ru;
	pid_t target;
	int r;

	call_name(&req, name, sizeof(name));
	ru = rule_of(strncmp(name, "fcntl", 5) == 0 ? "fcntl" : name);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -EPERM;
	ev->err = EPERM;
	if (strncmp(name, "ptrace", 6) != 0 &&
	    (ru == NULL || ru->kind != K_TRACE)) {
		/* one of the floor's refusals, in a watched tree */
		if (ru != NULL && ru->kind == K_NOSYS)
			ev->err = ENOSYS;
	} else if (strcmp(name, "pidfd_getfd") == 0) {
		if ((r = getfd_for(fd, &req, &resp, root)) == 1)
			return 1;
		if (r < 0) {
			/* failed as the call itself would */
			resp.error = r;
			seccomp_notify_respond(fd, &resp);
			return 1;
		}
	} else {
		/* ptrace's target is its second argument,
		 * process_vm_writev's its first */
		if (strncmp(name, "ptrace", 6) == 0)
			target = (pid_t)req.data.args[1];
		else
			target = (pid_t)req.data.args[0];
		if (target > 0 &&
		    (target == root || proc_descends(target, root)) &&
		    seccomp_notify_id_valid(fd, req.id) == 0) {
			resp.error = 0;
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			if (seccomp_notify_respond(fd, &resp) == 0)
				return 1;
			/* no CONTINUE in this kernel: refuse */
		}
	}
	ev->pid = req.pid;
	ev->call = name;
	ev->why = strcmp(name, "kill") == 0 && (int)req.data.args[0] == -1
	    ? WHY_ALL
	    : ru != NULL		      ? ru->why
	    : strncmp(name, "ioctl", 5) == 0  ? WHY_TTY
	    : strncmp(name, "ptrace", 6) == 0 ? WHY_TRACE
	    : strncmp(name, "clone", 5) == 0  ? WHY_NS
					      : WHY_ALL;
	return 0;
}

/* --- handing the listener to the supervisor --- */

struct floor_wire {
	int state;
	int fd; /* the watch listener's number in the sender, or -1 */
	char err[120];
	int landlock; /* the Landlock ABI applied, 0 none */
	char lwhy[320];
};

/*
 * Written and read with write(2) and read(2): the watch filter, already
 * in place in the sender, sends sendmsg(2) to the supervisor, which is
 * waiting for this very message. The listener goes across as its number:
 * the supervisor takes it with pidfd_getfd(2) (watch_fetch).
 */
int
floor_send(int sock, int fd, enum floor_state state, const char *err,
    int landlock, const char *lwhy)
{
	struct floor_wire w;
	ssize_t r;

	memset(&w, 0, sizeof(w));
	w.state = (int)state;
	w.fd = fd;
	snprintf(w.err, sizeof(w.err), "%s", err);
	w.landlock = landlock;
	snprintf(w.lwhy, sizeof(w.lwhy), "%s", lwhy);
	do
		r = write(sock, &w, sizeof(w));
	while (r == -1 && errno == EINTR);
	return r == (ssize_t)sizeof(w) ? 0 : -1;
}

int
floor_recv(int sock, int *fd, enum floor_state *state, char *err, size_t errlen,
    int *landlock, char *lwhy, size_t lwhylen)
{
	struct floor_wire w;
	ssize_t r;

	*fd = -1;
	do
		r = read(sock, &w, sizeof(w));
	while (r == -1 && errno == EINTR);
	if (r != (ssize_t)sizeof(w))
		return -1;
	*fd = w.fd >= 0 ? w.fd : -1;
	w.err[sizeof(w.err) - 1] = '\0';
	w.lwhy[sizeof(w.lwhy) - 1] = '\0';
	*landlock = w.landlock > 0 ? w.landlock : 0;
	snprintf(lwhy, lwhylen, "%s", w.lwhy);
	*state = w.state == FLOOR_NOTIFY ? FLOOR_NOTIFY
	    : w.state == FLOOR_ERRNO	 ? FLOOR_ERRNO
					 : FLOOR_NONE;
	snprintf(err, errlen, "%s", w.err);
	return 0;
}
