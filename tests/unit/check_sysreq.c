/*
 * Unit tests for policy/sysreq.c (the judged calls and how their arguments
 * make a request) and supervisor/watchbpf.c (the watch filter built from
 * the same table). The filter is run here by a small classic-BPF
 * interpreter over seccomp_data records, so that what it notifies is
 * checked against the table without a kernel: every judged call, sendto
 * only with an address, the ptrace family, other ABIs, a second listener
 * refused, and nothing else.
 */
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sysreq.h"
#include "watchbpf.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* the table */

START_TEST(table_unique_and_found)
{
	size_t i, j;

	ck_assert_uint_gt(sysreq_count, 40);
	for (i = 0; i < sysreq_count; i++) {
		ck_assert_ptr_eq(
		    sysreq_find(sysreq_table[i].nr), &sysreq_table[i]);
		ck_assert_int_eq(
		    strncmp(sysreq_table[i].call, "syscall:", 8), 0);
		for (j = i + 1; j < sysreq_count; j++)
			ck_assert_int_ne(
			    sysreq_table[i].nr, sysreq_table[j].nr);
	}
	ck_assert_ptr_null(sysreq_find(SYS_read));
	ck_assert_ptr_null(sysreq_find(SYS_getpid));
	ck_assert_ptr_nonnull(sysreq_find(SYS_openat));
	ck_assert_ptr_nonnull(sysreq_find(SYS_execveat));
	ck_assert_ptr_nonnull(sysreq_find(SYS_sendmsg));
}
END_TEST

struct open_case {
	int flags, op, how;
};

static const struct open_case open_cases[] = {
	{ O_RDONLY, OP_READ, SR_FOLLOW },
	{ O_RDONLY | O_NOFOLLOW, OP_READ, SR_NOFOLLOW },
	{ O_WRONLY, OP_WRITE, SR_FOLLOW },
	{ O_RDWR, OP_WRITE, SR_FOLLOW },
	{ O_RDONLY | O_TRUNC, OP_WRITE, SR_FOLLOW },
	{ O_RDONLY | O_APPEND, OP_WRITE, SR_FOLLOW },
	{ O_RDONLY | O_CREAT, OP_WRITE, SR_FOLLOW },
	{ O_WRONLY | O_CREAT | O_EXCL, OP_WRITE, SR_NEW },
	{ O_TMPFILE | O_WRONLY, OP_WRITE, SR_FOLLOW },
	{ O_PATH, OP_READ, SR_FOLLOW },
	{ O_PATH | O_WRONLY, OP_READ, SR_FOLLOW },
	{ O_PATH | O_NOFOLLOW, OP_READ, SR_NOFOLLOW },
	/* O_DIRECTORY is not O_TMPFILE */
	{ O_RDONLY | O_DIRECTORY, OP_READ, SR_FOLLOW },
};

START_TEST(open_flags)
{
	const struct open_case *c = &open_cases[_i];
	int op = -1, how = -1;

	sysreq_open(c->flags, &op, &how);
	ck_assert_int_eq(op, c->op);
	ck_assert_int_eq(how, c->how);
}
END_TEST

START_TEST(at_flags)
{
	ck_assert_int_eq(sysreq_at_how(0, SR_FOLLOW, 0), SR_FOLLOW);
	ck_assert_int_eq(
	    sysreq_at_how(AT_SYMLINK_NOFOLLOW, SR_FOLLOW, 0), SR_NOFOLLOW);
	ck_assert_int_eq(sysreq_at_how(AT_EMPTY_PATH, SR_FOLLOW, 0), SR_EMPTY);
	/* linkat follows only with AT_SYMLINK_FOLLOW */
	ck_assert_int_eq(sysreq_at_how(0, SR_NEW, 1), SR_NOFOLLOW);
	ck_assert_int_eq(
	    sysreq_at_how(AT_SYMLINK_FOLLOW, SR_NEW, 1), SR_FOLLOW);
	ck_assert_int_eq(
	    sysreq_at_how(AT_EMPTY_PATH, SR_NEW, 1), SR_NOFOLLOW | SR_EMPTY);
}
END_TEST

START_TEST(sockaddrs)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct sysreq_net n;
	sa_family_t fam;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(443);
	sin.sin_addr.s_addr = htonl(0x7f000001);
	sysreq_sockaddr(&sin, sizeof(sin), 0, &n);
	ck_assert_int_eq(n.kind, SRN_INET);
	ck_assert_str_eq(n.host, "127.0.0.1");
	ck_assert_int_eq(n.port, 443);
	/* too short: the kernel's EINVAL */
	sysreq_sockaddr(&sin, sizeof(sin) - 1, 0, &n);
	ck_assert_int_eq(n.kind, SRN_SKIP);

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(53);
	sin6.sin6_addr.s6_addr[15] = 1;
	sysreq_sockaddr(&sin6, 24, 0, &n); /* RFC 2133 size, no scope */
	ck_assert_int_eq(n.kind, SRN_INET);
	ck_assert_str_eq(n.host, "::1");
	ck_assert_int_eq(n.port, 53);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "rel/sock");
	sysreq_sockaddr(&sun, sizeof(sun), 0, &n);
	ck_assert_int_eq(n.kind, SRN_UNIX_PATH);
	ck_assert_str_eq(n.path, "rel/sock");
	/* abstract: "@" and the name, up to the length given */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, "abcdef", 6);
	sysreq_sockaddr(
	    &sun, offsetof(struct sockaddr_un, sun_path) + 4, 0, &n);
	ck_assert_int_eq(n.kind, SRN_UNIX_ABSTRACT);
	ck_assert_str_eq(n.path, "@abc");
	/* one NUL more, as many programs pass strlen + 1: another name to
	 * the kernel, never "@abc" */
	sysreq_sockaddr(
	    &sun, offsetof(struct sockaddr_un, sun_path) + 8, 0, &n);
	ck_assert_str_eq(n.path, "@abcdef\\0");
	/* padded with NULs to the full size: all of them are the name */
	sysreq_sockaddr(&sun, sizeof(sun), 0, &n);
	ck_assert_uint_eq(
	    strlen(n.path), 1 + 6 + 2 * (sizeof(sun.sun_path) - 7));
	ck_assert_int_eq(strncmp(n.path, "@abcdef\\0\\0", 11), 0);
	/* a NUL inside the name: another name, never "@ab" */
	sun.sun_path[3] = '\0';
	sysreq_sockaddr(
	    &sun, offsetof(struct sockaddr_un, sun_path) + 7, 0, &n);
	ck_assert_str_eq(n.path, "@ab\\0def");
	sun.sun_path[3] = '\\';
	sysreq_sockaddr(
	    &sun, offsetof(struct sockaddr_un, sun_path) + 7, 0, &n);
	ck_assert_str_eq(n.path, "@ab\\\\def");
	/* the longest name, every byte a NUL but the last: it fits */
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	sun.sun_path[sizeof(sun.sun_path) - 1] = 'z';
	sysreq_sockaddr(&sun, sizeof(sun), 0, &n);
	ck_assert_uint_eq(
	    strlen(n.path), 1 + 2 * (sizeof(sun.sun_path) - 2) + 1);
	sun.sun_path[sizeof(sun.sun_path) - 1] = '\0';
	memcpy(sun.sun_path + 1, "abcdef", 6);
	/* unnamed: autobind */
	sysreq_sockaddr(&sun, offsetof(struct sockaddr_un, sun_path), 0, &n);
	ck_assert_int_eq(n.kind, SRN_SKIP);

	fam = AF_UNSPEC;
	sysreq_sockaddr(&fam, sizeof(fam), 0, &n);
	ck_assert_int_eq(n.kind, SRN_SKIP);
	fam = AF_PACKET;
	sysreq_sockaddr(&fam, sizeof(fam), 0, &n);
	ck_assert_int_eq(n.kind, SRN_OTHER);
	ck_assert_str_eq(n.host, "address-family-17.invalid");
	sysreq_sockaddr(NULL, 16, 0, &n);
	ck_assert_int_eq(n.kind, SRN_SKIP);

	/* AF_UNSPEC: a connect dissolves, but an IPv4 socket's send and
	 * bind take it as AF_INET */
	sin.sin_family = AF_UNSPEC;
	sysreq_sockaddr(&sin, sizeof(sin), 0, &n);
	ck_assert_int_eq(n.kind, SRN_SKIP);
	sysreq_sockaddr(&sin, sizeof(sin), SR_SEND, &n);
	ck_assert_int_eq(n.kind, SRN_INET);
	ck_assert_str_eq(n.host, "127.0.0.1");
	ck_assert_int_eq(n.port, 443);
	sysreq_sockaddr(&sin, sizeof(sin), SR_BIND, &n);
	ck_assert_int_eq(n.kind, SRN_INET);
}
END_TEST

START_TEST(anon_objects)
{
	ck_assert(sysreq_anon_object("/proc/12/fd/pipe:[4242]"));
	ck_assert(sysreq_anon_object("/proc/12/fd/socket:[1]"));
	ck_assert(sysreq_anon_object("/memfd:x (deleted)"));
	ck_assert(!sysreq_anon_object("/proc/12/fd/3"));
	ck_assert(!sysreq_anon_object("/home/u/pipe:[1]"));
	ck_assert(!sysreq_anon_object("/memfd:x"));
}
END_TEST

/* ------------------------------------------------------------------ */
/* the watch filter, run */

static unsigned int
run_bpf(const struct sock_filter *f, size_t n, const struct seccomp_data *d)
{
	const unsigned char *data = (const unsigned char *)d;
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < n) {
		const struct sock_filter *i = &f[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ck_assert_uint_le(i->k + 4, sizeof(*d));
			memcpy(&a, data + i->k, 4);
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == i->k ? i->jt : i->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= i->k ? i->jt : i->jf);
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += 1 + ((a & i->k) ? i->jt : i->jf);
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			ck_abort_msg("instruction %04x at %zu", i->code, pc);
		}
	}
	ck_abort_msg("ran off the end of the program");
	return 0;
}

static struct sock_filter prog[WATCH_BPF_MAX];
static size_t nprog;

static void
setup_prog(void)
{
	nprog = watch_bpf(prog, WATCH_BPF_MAX);
}

static unsigned int
call(unsigned int arch, int nr, uint64_t a0, uint64_t a1, uint64_t a4)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = nr;
	d.args[0] = a0;
	d.args[1] = a1;
	d.args[4] = a4;
	return run_bpf(prog, nprog, &d);
}

START_TEST(watch_notifies_the_table)
{
	unsigned int arch = watch_arch();
	size_t i;

	ck_assert_uint_gt(nprog, 0);
	for (i = 0; i < sysreq_count; i++) {
		const struct sysreq *r = &sysreq_table[i];

		ck_assert_msg(
		    call(arch, (int)r->nr, 1, 1, 1) == SECCOMP_RET_USER_NOTIF,
		    "%s is not notified", r->call);
	}
}
END_TEST

START_TEST(watch_lets_the_rest_go)
{
	unsigned int arch = watch_arch();
	static const int others[] = { SYS_read, SYS_write, SYS_close, SYS_mmap,
		SYS_futex, SYS_getpid, SYS_newfstatat, SYS_recvmsg, SYS_ioctl,
		SYS_clone };

	for (size_t i = 0; i < NELEM(others); i++)
		ck_assert_uint_eq(
		    call(arch, others[i], 1, 1, 1), SECCOMP_RET_ALLOW);
	/* send() on a connected socket: no address, not notified */
	ck_assert_uint_eq(call(arch, SYS_sendto, 3, 0, 0), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(arch, SYS_sendto, 3, 0, 0x7fff00000000ull),
	    SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(
	    call(arch, SYS_sendto, 3, 0, 0x1000), SECCOMP_RET_USER_NOTIF);
}
END_TEST

START_TEST(watch_ptrace_and_listeners)
{
	unsigned int arch = watch_arch();

	ck_assert_uint_eq(call(arch, SYS_ptrace, PTRACE_ATTACH, 1, 0),
	    SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(
	    call(arch, SYS_ptrace, PTRACE_SEIZE, 1, 0), SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(
	    call(arch, SYS_ptrace, PTRACE_PEEKDATA, 1, 0), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(
	    call(arch, SYS_process_vm_writev, 1, 0, 0), SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(
	    call(arch, SYS_pidfd_getfd, 3, 4, 0), SECCOMP_RET_USER_NOTIF);
	/* a second listener: refused outright (EPERM) */
	ck_assert_uint_eq(call(arch, SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER, 0),
	    SECCOMP_RET_ERRNO | 1);
	ck_assert_uint_eq(
	    call(arch, SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC,
		0),
	    SECCOMP_RET_ERRNO | 1);
	/* a plain filter may still be added: it can only refuse more */
	ck_assert_uint_eq(
	    call(arch, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, 0),
	    SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(arch, SYS_seccomp, SECCOMP_GET_ACTION_AVAIL,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER, 0),
	    SECCOMP_RET_ALLOW);
}
END_TEST

START_TEST(watch_other_abis)
{
	/* int 0x80 and x32: every call goes to the supervisor */
	ck_assert_uint_eq(call(AUDIT_ARCH_I386, 5 /* open */, 0, 0, 0),
	    SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(call(AUDIT_ARCH_I386, 3 /* read */, 0, 0, 0),
	    SECCOMP_RET_USER_NOTIF);
#ifdef __x86_64__
	ck_assert_uint_eq(call(watch_arch(), 0x40000000 | SYS_openat, 0, 0, 0),
	    SECCOMP_RET_USER_NOTIF);
#endif
}
END_TEST

START_TEST(watch_small_buffer)
{
	struct sock_filter small[8];

	ck_assert_uint_eq(watch_bpf(small, NELEM(small)), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sysreq");
	TCase *t = tcase_create("table");

	tcase_add_test(t, table_unique_and_found);
	tcase_add_loop_test(t, open_flags, 0, NELEM(open_cases));
	tcase_add_test(t, at_flags);
	tcase_add_test(t, sockaddrs);
	tcase_add_test(t, anon_objects);
	suite_add_tcase(s, t);
	t = tcase_create("watch filter");
	tcase_add_unchecked_fixture(t, setup_prog, NULL);
	tcase_add_test(t, watch_notifies_the_table);
	tcase_add_test(t, watch_lets_the_rest_go);
	tcase_add_test(t, watch_ptrace_and_listeners);
	tcase_add_test(t, watch_other_abis);
	tcase_add_test(t, watch_small_buffer);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
