/*
 * watchcalls: the file, exec and network calls that agentwrap's seccomp
 * user-notify layer judges, one per run. Built twice from this file:
 * static (build/probe/watchcalls: no shim can be inside it, so only the
 * kernel layer can judge it) and dynamic (build/probe/watchcalls-dyn: the
 * shim judges it), so that a test can ask both the same question.
 *
 *   watchcalls write PATH        open O_WRONLY|O_CREAT|O_TRUNC, write "x\n"
 *   watchcalls creat PATH        creat, write "x\n"
 *   watchcalls openat DIR NAME   openat(open(DIR), NAME, ...), write "x\n"
 *   watchcalls openat2 PATH      openat2 (by syscall()), write "x\n"
 *   watchcalls cwdwrite DIR NAME chdir DIR, then open NAME (relative)
 *   watchcalls fdpath DIR NAME   open DIR as descriptor N, then write
 *                                /dev/fd/N/NAME
 *   watchcalls read PATH         open O_RDONLY; prints the bytes after done
 *   watchcalls mkdir PATH
 *   watchcalls unlink PATH
 *   watchcalls rename FROM TO
 *   watchcalls link FROM TO
 *   watchcalls symlink TARGET LINK
 *   watchcalls chmod PATH        chmod 0700
 *   watchcalls chown PATH        chown to -1, -1 (no change but its ctime)
 *   watchcalls truncate PATH     truncate to 0 bytes
 *   watchcalls utime PATH        utimensat: both times to 1000000000
 *   watchcalls setxattr PATH     setxattr user.aw = "x"
 *   watchcalls fdchmod|fdchown|fdutime|fdsetxattr PATH
 *                                the same calls on a read-only descriptor
 *                                of PATH (fchmod, fchown, futimens,
 *                                fsetxattr): a write all the same
 *   watchcalls exec PROG [ARG...]  execv(PROG, {PROG, ARG...})
 *   watchcalls execveat PROG [ARG...]  the same by execveat(AT_FDCWD, ...)
 *   watchcalls fexec PROG [ARG...]  open PROG (O_PATH), then execveat of
 *                                that descriptor with AT_EMPTY_PATH
 *   watchcalls rawexec PROG [ARG...]  execve by the syscall instruction
 *                                itself (past the shim)
 *   watchcalls tcp HOST PORT     connect, send "hello\n"
 *   watchcalls udp HOST PORT     sendto "hello\n"
 *   watchcalls sendmsg HOST PORT sendmsg "hello\n" with msg_name (UDP)
 *   watchcalls bind HOST PORT    bind a TCP socket
 *   watchcalls unix PATH         connect an AF_UNIX stream socket, send
 *                                "hello\n"
 *   watchcalls rawwrite PATH     openat by the syscall instruction itself
 *                                (not libc's syscall(), which the shim
 *                                hooks), write "x\n"
 *   watchcalls rawread PATH      the same for reading; prints the bytes
 *                                after done
 *   watchcalls int80write PATH   open as a 32-bit system call (x86_64)
 *   watchcalls killsup STATUS PATH...
 *                                open STATUS first, kill its parent
 *                                (agentwrap, when it is the command) with
 *                                SIGKILL, wait until it is gone, then try
 *                                to write each PATH; one line per PATH
 *                                goes to STATUS, then "end"
 *
 *   watchcalls exchange A B      renameat2(A, B, RENAME_EXCHANGE)
 *   watchcalls tmpfile DIR NAME  open DIR with O_TMPFILE, write "x\n",
 *                                then link it as DIR/NAME
 *   watchcalls unixbind PATH     bind an AF_UNIX socket to PATH
 *   watchcalls threadcwd DIR NAME  a thread with a cwd of its own (made
 *                                by clone without CLONE_FS) chdirs to DIR
 *                                and opens NAME; the process's stays
 *   watchcalls threads N DIR     N threads at once, each writing 20 files
 *                                DIR/tI-J; done only if all were written
 *
 * Before CALL, any of:
 *   nodump     made not dumpable first (PR_SET_DUMPABLE 0: its memory
 *              cannot be read from outside)
 *   in DIR     chdir DIR first (relative names start there)
 *
 * A Unix socket PATH that starts with '@' is abstract.
 *
 * HOST is a numeric IPv4 or IPv6 address. Prints "done NAME" when the call
 * worked (exit 0), "refused NAME: ERROR" when it failed (exit 1); 2 on
 * misuse.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "int80.h"
#include "rawopen.h"

/*
 * Built a third and fourth time (watchcalls-bun, watchcalls-go) with the
 * mark a runtime that makes its own system calls leaves in its headers:
 * a section named .bun, a note of owner "Go". The coverage check takes
 * them for such programs (the shim cannot follow them).
 */
#ifdef AW_MARK_BUN
__attribute__((section(".bun"), used)) static const char bun_mark[] = "bun";
#endif
#ifdef AW_MARK_GO
__asm__(".section .note.go.buildid,\"a\",@note\n"
	".balign 4\n"
	".long 3\n.long 4\n.long 4\n"
	".asciz \"Go\"\n"
	".balign 4\n"
	".ascii \"abcd\"\n"
	".previous\n");
#endif

#define WFLAGS (O_WRONLY | O_CREAT | O_TRUNC)

extern char **environ;

static const char *name;

static int
verdict(long r)
{
	if (r >= 0) {
		printf("done %s\n", name);
		fflush(stdout);
		return 0;
	}
	printf("refused %s: %s\n", name, strerror(errno));
	fflush(stdout);
	return 1;
}

/* write "x\n" to FD (if it is one), close it; -1 with errno if either
 * failed */
static long
fill(long fd)
{
	int e;

	if (fd < 0)
		return -1;
	if (write((int)fd, "x\n", 2) != 2) {
		e = errno;
		close((int)fd);
		errno = e;
		return -1;
	}
	return close((int)fd);
}

static long
rawexecve(const char *path, char **argv)
{
#if defined(__x86_64__)
	long r;

	__asm__ volatile(
	    "syscall"
	    : "=a"(r)
	    : "a"((long)SYS_execve), "D"(path), "S"(argv), "d"(environ)
	    : "rcx", "r11", "memory");
	errno = (int)-r;
	return -1;
#else
	return syscall(SYS_execve, path, argv, environ);
#endif
}

/* open as the i386 system call 5; the path is copied below 4 GB (a static
 * program's data is there) */
static long
int80open(const char *path)
{
#if defined(__x86_64__)
	static char buf[4096];
	long r;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	r = int80(5, (long)(unsigned long)buf, WFLAGS, 0644);
	return r;
#else
	(void)path;
	errno = ENOSYS;
	return -1;
#endif
}

/* HOST PORT as a socket address; the length, 0 if not numeric */
static socklen_t
addr(const char *host, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)atoi(port));
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)atoi(port));
		return sizeof(*in6);
	}
	return 0;
}

static long
net(const char *how, const char *host, const char *port)
{
	static char hello[] = "hello\n";
	struct sockaddr_storage ss;
	struct iovec iov = { hello, 6 };
	struct msghdr mh;
	socklen_t len;
	int s, tcp;

	if ((len = addr(host, port, &ss)) == 0) {
		fprintf(
		    stderr, "watchcalls: %s: not a numeric address\n", host);
		exit(2);
	}
	tcp = strcmp(how, "tcp") == 0 || strcmp(how, "bind") == 0;
	if ((s = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0)) == -1)
		return -1;
	if (strcmp(how, "bind") == 0)
		return bind(s, (struct sockaddr *)&ss, len);
	if (strcmp(how, "tcp") == 0) {
		if (connect(s, (struct sockaddr *)&ss, len) == -1)
			return -1;
		return send(s, hello, 6, 0) == 6 ? close(s) : -1;
	}
	if (strcmp(how, "udp") == 0)
		return sendto(s, hello, 6, 0, (struct sockaddr *)&ss, len);
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &ss;
	mh.msg_namelen = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	return sendmsg(s, &mh, 0);
}

/* PATH as a Unix socket address ('@': abstract); its length, 0 if too
 * long */
static socklen_t
unaddr(const char *path, struct sockaddr_un *un)
{
	size_t n = strlen(path);

	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	if (n >= sizeof(un->sun_path)) {
		errno = ENAMETOOLONG;
		return 0;
	}
	memcpy(un->sun_path, path, n);
	if (path[0] != '@')
		return sizeof(*un);
	un->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

static long
unixsend(const char *path, int bindit)
{
	struct sockaddr_un un;
	socklen_t len;
	int s;

	if ((len = unaddr(path, &un)) == 0)
		return -1;
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (bindit)
		return bind(s, (struct sockaddr *)&un, len);
	if (connect(s, (struct sockaddr *)&un, len) == -1)
		return -1;
	return send(s, "hello\n", 6, 0) == 6 ? close(s) : -1;
}

static long
tmpfile_link(const char *dir, const char *name)
{
	char from[64], to[PATH_MAX];
	long fd;

	fd = open(dir, O_TMPFILE | O_WRONLY, 0644);
	if (fd < 0 || write((int)fd, "x\n", 2) != 2)
		return -1;
	snprintf(from, sizeof(from), "/proc/self/fd/%d", (int)fd);
	snprintf(to, sizeof(to), "%s/%s", dir, name);
	return linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW);
}

/* FD open for reading (or -1): print done, then its bytes, and exit */
static long
readout(long fd)
{
	char buf[4096];
	ssize_t n;

	if (fd < 0)
		return -1;
	printf("done %s\n", name);
	fflush(stdout);
	while ((n = read((int)fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	exit(0);
}

static int
killsup(const char *status, char **paths)
{
	struct timespec ts = { 0, 20000000 };
	pid_t parent = getppid();
	FILE *f;
	int i, fd;

	/* the status file first: once the supervisor is gone, an open may
	 * be what fails */
	if ((f = fopen(status, "w")) == NULL)
		return 2;
	fprintf(f, "pid %d\n", (int)getpid());
	fflush(f);
	kill(parent, SIGKILL);
	for (i = 0; i < 250 && getppid() == parent; i++)
		nanosleep(&ts, NULL);
	fprintf(
	    f, "%s\n", getppid() == parent ? "parent alive" : "parent gone");
	fflush(f);
	nanosleep(&ts, NULL);
	for (; *paths != NULL; paths++) {
		fd = open(*paths, WFLAGS, 0644);
		if (fill(fd) == 0)
			fprintf(f, "done %s\n", *paths);
		else
			fprintf(f, "refused %s: %s\n", *paths, strerror(errno));
		fflush(f);
	}
	fprintf(f, "end\n");
	fclose(f);
	return 0;
}

static const char *targ[2];
static int terr;

static volatile int tdone;

/* a thread of the process (CLONE_THREAD) but with its own cwd: it shares
 * the parent's TLS, so errno is read back only once it is done */
static int
threadcwd(void *unused)
{
	(void)unused;
	if (chdir(targ[0]) == -1)
		terr = -1;
	else if (fill(open(targ[1], WFLAGS, 0644)) == -1)
		terr = errno;
	tdone = 1;
	syscall(SYS_exit, 0);
	return 0;
}

static long
onethread(const char *dir, const char *name)
{
	static char stack[1 << 16] __attribute__((aligned(16)));
	struct timespec ts = { 0, 1000000 };
	int i;

	targ[0] = dir;
	targ[1] = name;
	if (clone(threadcwd, stack + sizeof(stack),
		CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_SYSVSEM,
		NULL) == -1)
		return -1;
	for (i = 0; i < 10000 && !tdone; i++)
		nanosleep(&ts, NULL);
	if (!tdone || terr == -1)
		exit(2);
	errno = terr;
	return terr == 0 ? 0 : -1;
}

static int nfailed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *
writer(void *arg)
{
	char p[PATH_MAX];
	int i, e = 0;

	for (i = 0; i < 20; i++) {
		snprintf(p, sizeof(p), "%s/t%d-%d", targ[0], (int)(long)arg, i);
		if (fill(open(p, WFLAGS, 0644)) == -1) {
			e = errno;
			pthread_mutex_lock(&lock);
			nfailed++;
			terr = e;
			pthread_mutex_unlock(&lock);
		}
	}
	return NULL;
}

static long
threads(int n, const char *dir)
{
	pthread_t t[64];
	int i;

	if (n < 1 || n > 64)
		exit(2);
	targ[0] = dir;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, writer, (void *)(long)i) != 0)
			exit(2);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	errno = terr;
	return nfailed == 0 ? 0 : -1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: watchcalls CALL ARG... (see its source)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct timespec t[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char **a = argv + 2;
	int n = argc - 2;
	char fdp[PATH_MAX];
	long r;
	int dfd;

	for (;;) {
		if (argc >= 4 && strcmp(argv[1], "nodump") == 0) {
			if (prctl(PR_SET_DUMPABLE, 0) == -1)
				return 2;
			argv++;
			argc--;
		} else if (argc >= 5 && strcmp(argv[1], "in") == 0) {
			if (chdir(argv[2]) == -1)
				return 2;
			argv += 2;
			argc -= 2;
		} else
			break;
	}
	a = argv + 2;
	n = argc - 2;
	if (argc < 3)
		usage();
	name = argv[1];
#define NEED(k)                                                                \
	do {                                                                   \
		if (n < (k))                                                   \
			usage();                                               \
	} while (0)
#define IS(s) (strcmp(name, (s)) == 0)
	if (IS("write"))
		r = fill(open(a[0], WFLAGS, 0644));
	else if (IS("creat"))
		r = fill(creat(a[0], 0644));
	else if (IS("openat")) {
		NEED(2);
		if ((dfd = open(a[0], O_RDONLY | O_DIRECTORY)) == -1)
			return 2;
		r = fill(openat(dfd, a[1], WFLAGS, 0644));
	} else if (IS("openat2")) {
		struct open_how how = { WFLAGS, 0644, 0 };

		r = fill(
		    syscall(SYS_openat2, AT_FDCWD, a[0], &how, sizeof(how)));
	} else if (IS("cwdwrite")) {
		NEED(2);
		if (chdir(a[0]) == -1)
			return 2;
		r = fill(open(a[1], WFLAGS, 0644));
	} else if (IS("fdpath")) {
		NEED(2);
		if ((dfd = open(a[0], O_RDONLY | O_DIRECTORY)) == -1)
			return 2;
		snprintf(fdp, sizeof(fdp), "/dev/fd/%d/%s", dfd, a[1]);
		r = fill(open(fdp, WFLAGS, 0644));
	} else if (IS("read"))
		r = readout(open(a[0], O_RDONLY));
	else if (IS("mkdir"))
		r = mkdir(a[0], 0755);
	else if (IS("unlink"))
		r = unlink(a[0]);
	else if (IS("rename")) {
		NEED(2);
		r = rename(a[0], a[1]);
	} else if (IS("link")) {
		NEED(2);
		r = link(a[0], a[1]);
	} else if (IS("symlink")) {
		NEED(2);
		r = symlink(a[0], a[1]);
	} else if (IS("chmod"))
		r = chmod(a[0], 0700);
	else if (strncmp(name, "fd", 2) == 0 &&
	    (IS("fdchmod") || IS("fdchown") || IS("fdutime") ||
		IS("fdsetxattr"))) {
		if ((dfd = open(a[0], O_RDONLY)) == -1)
			return 2;
		if (IS("fdchmod"))
			r = fchmod(dfd, 0700);
		else if (IS("fdchown"))
			r = fchown(dfd, (uid_t)-1, (gid_t)-1);
		else if (IS("fdutime"))
			r = futimens(dfd, t);
		else
			r = fsetxattr(dfd, "user.aw", "x", 1, 0);
	} else if (IS("chown"))
		r = chown(a[0], (uid_t)-1, (gid_t)-1);
	else if (IS("truncate"))
		r = truncate(a[0], 0);
	else if (IS("utime"))
		r = utimensat(AT_FDCWD, a[0], t, 0);
	else if (IS("setxattr"))
		r = setxattr(a[0], "user.aw", "x", 1, 0);
	else if (IS("exec")) {
		execv(a[0], a);
		r = -1;
	} else if (IS("execveat")) {
		syscall(SYS_execveat, AT_FDCWD, a[0], a, environ, 0);
		r = -1;
	} else if (IS("fexec")) {
		if ((dfd = open(a[0], O_PATH)) == -1)
			return 2;
		syscall(SYS_execveat, dfd, "", a, environ, AT_EMPTY_PATH);
		r = -1;
	} else if (IS("rawexec"))
		r = rawexecve(a[0], a);
	else if (IS("tcp") || IS("udp") || IS("sendmsg") || IS("bind")) {
		NEED(2);
		r = net(name, a[0], a[1]);
	} else if (IS("unix"))
		r = unixsend(a[0], 0);
	else if (IS("unixbind"))
		r = unixsend(a[0], 1);
	else if (IS("threadcwd")) {
		NEED(2);
		r = onethread(a[0], a[1]);
	} else if (IS("threads")) {
		NEED(2);
		r = threads(atoi(a[0]), a[1]);
	} else if (IS("exchange")) {
		NEED(2);
		r = renameat2(AT_FDCWD, a[0], AT_FDCWD, a[1], RENAME_EXCHANGE);
	} else if (IS("tmpfile")) {
		NEED(2);
		r = tmpfile_link(a[0], a[1]);
	} else if (IS("rawwrite"))
		r = fill(rawopenat(a[0], WFLAGS, 0644));
	else if (IS("rawread"))
		r = readout(rawopenat(a[0], O_RDONLY, 0));
	else if (IS("int80write"))
		r = fill(int80open(a[0]));
	else if (IS("killsup")) {
		NEED(2);
		return killsup(a[0], a + 1);
	} else
		usage();
	return verdict(r);
}
