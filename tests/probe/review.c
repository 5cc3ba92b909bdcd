/*
 * review: calls a security review found reaching past the shim, one
 * subcommand each. Each prints one line per call tried, "NAME RESULT",
 * where RESULT is "ok" or the errno's name (or the function's own error
 * code); tests/integ/shim-review.sh runs it under agentwrap and checks both
 * the lines and the effects (a file absent, a mode unchanged).
 *
 *   review dns NAME [PORT]    res_query, res_search, res_querydomain,
 *                             res_send, res_nquery, the pre-2.34
 *                             __res_query, gethostbyaddr_r, getaddrinfo_a;
 *                             with PORT the res_* calls ask the name
 *                             server 127.0.0.1:PORT (once, 1 s timeout)
 *   review nquery NAME PORT   res_nquery alone, asking 127.0.0.1:PORT
 *   review longhost N         getaddrinfo of a name N bytes long
 *   review wordexp FLAGS WORDS  wordexp; FLAGS "cmd" or "nocmd"
 *   review spawnopen HOW DIR FILE
 *                             posix_spawn of /bin/true with a chdir (HOW
 *                             "chdir") or fchdir ("fchdir") action to DIR,
 *                             then an open action of FILE (relative), for
 *                             writing, as the child's stdout
 *   review spawnrun DIR PROG ARG...
 *                             posix_spawn of PROG (relative) after a chdir
 *                             action to DIR
 *   review fdmeta FILE        fchmod, fchown, fsetxattr, fremovexattr,
 *                             futimens, futimes on FILE opened read-only,
 *                             and as syscall(); then the same on an O_PATH
 *                             descriptor
 *   review pathmeta FILE      the xattr calls by path, as syscall(), and
 *                             setxattrat
 *   review mkfifo PATH        mkfifo PATH, mkfifoat PATH.at
 *   review iouring            syscall(SYS_io_uring_setup)
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <resolv.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "useserver.h"
#include <wordexp.h>

extern char **environ;

/* what binaries built before glibc 2.34 call */
int old_res_query(const char *, int, int, unsigned char *, int);
__asm__(".symver old_res_query, __res_query@GLIBC_2.2.5");

static const char *
ename(int e)
{
	switch (e) {
	case 0:
		return "ok";
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case ENOSYS:
		return "ENOSYS";
	case EBADF:
		return "EBADF";
	case ENOENT:
		return "ENOENT";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case ENODATA:
		return "ENODATA";
	case EEXIST:
		return "EEXIST";
	default:
		return strerror(e);
	}
}

/* R: 0 or -1 with errno */
static void
say(const char *name, int r)
{
	printf("%s %s\n", name, ename(r == -1 ? errno : 0));
}

static void
say_res(const char *name, int r)
{
	if (r >= 0)
		printf("%s answered\n", name);
	else
		printf("%s -1 h_errno=%d\n", name, h_errno);
}

static int
nquery(const char *name, int port)
{
	unsigned char ans[512];
	struct __res_state st;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0)
		return 1;
	use_server(&st, port);
	h_errno = 0;
	say_res(
	    "res_nquery", res_nquery(&st, name, C_IN, T_A, ans, sizeof(ans)));
	res_nclose(&st);
	return 0;
}

static int
dns(const char *name, int port)
{
	unsigned char ans[512], q[512];
	struct gaicb req, *list[1];
	struct hostent he, *res = NULL;
	struct __res_state st;
	struct in_addr a;
	char buf[1024];
	int n, herr = 0, r;

	res_init();
	use_server(&_res, port);
	h_errno = 0;
	say_res("res_query", res_query(name, C_IN, T_A, ans, sizeof(ans)));
	h_errno = 0;
	say_res("res_search", res_search(name, C_IN, T_A, ans, sizeof(ans)));
	h_errno = 0;
	say_res("res_querydomain",
	    res_querydomain("www", name, C_IN, T_A, ans, sizeof(ans)));
	n = res_mkquery(QUERY, name, C_IN, T_A, NULL, 0, NULL, q, sizeof(q));
	h_errno = 0;
	if (n < 0)
		printf("res_send mkquery-failed\n");
	else
		say_res("res_send", res_send(q, n, ans, sizeof(ans)));
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) == 0) {
		use_server(&st, port);
		h_errno = 0;
		say_res("res_nquery",
		    res_nquery(&st, name, C_IN, T_A, ans, sizeof(ans)));
		res_nclose(&st);
	}
	h_errno = 0;
	say_res(
	    "__res_query", old_res_query(name, C_IN, T_A, ans, sizeof(ans)));
	inet_pton(AF_INET, "93.184.215.14", &a);
	r = gethostbyaddr_r(
	    &a, sizeof(a), AF_INET, &he, buf, sizeof(buf), &res, &herr);
	printf("gethostbyaddr_r %s h_errno=%d\n", res ? "answered" : "failed",
	    herr);
	(void)r;
	memset(&req, 0, sizeof(req));
	req.ar_name = name;
	list[0] = &req;
	r = getaddrinfo_a(GAI_WAIT, list, 1, NULL);
	printf("getaddrinfo_a %d gai_error=%s\n", r,
	    gai_error(&req) == EAI_FAIL ? "EAI_FAIL" : "other");
	if (req.ar_result != NULL)
		freeaddrinfo(req.ar_result);
	return 0;
}

static int
longhost(size_t n)
{
	struct addrinfo *res = NULL;
	char *name = malloc(n + 1);
	int r;

	if (name == NULL)
		return 1;
	memset(name, 'a', n);
	name[n] = '\0';
	r = getaddrinfo(name, "80", NULL, &res);
	printf("getaddrinfo %s\n",
	    r == EAI_FAIL ? "EAI_FAIL"
		: r == 0  ? "ok"
			  : gai_strerror(r));
	if (r == 0)
		freeaddrinfo(res);
	free(name);
	return 0;
}

static int
do_wordexp(const char *how, const char *words)
{
	wordexp_t w;
	size_t i;
	int r;

	memset(&w, 0, sizeof(w));
	r = wordexp(words, &w, strcmp(how, "nocmd") == 0 ? WRDE_NOCMD : 0);
	printf("wordexp %s",
	    r == 0		   ? "ok"
		: r == WRDE_CMDSUB ? "WRDE_CMDSUB"
				   : "other");
	if (r == 0) {
		for (i = 0; i < w.we_wordc; i++)
			printf(" %s", w.we_wordv[i]);
		wordfree(&w);
	}
	printf("\n");
	return 0;
}

static int
spawn_wait(const char *path, posix_spawn_file_actions_t *fa, char **argv)
{
	pid_t pid;
	int r, st;

	r = posix_spawn(&pid, path, fa, NULL, argv, environ);
	if (r == 0)
		waitpid(pid, &st, 0);
	return r;
}

static int
spawnopen(const char *how, const char *dir, const char *file)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "true", NULL };
	int r, dfd = -1;

	posix_spawn_file_actions_init(&fa);
	if (strcmp(how, "fchdir") == 0) {
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
			return 1;
		r = posix_spawn_file_actions_addfchdir_np(&fa, dfd);
	} else
		r = posix_spawn_file_actions_addchdir_np(&fa, dir);
	printf("add%s %s\n", how, ename(r));
	r = posix_spawn_file_actions_addopen(
	    &fa, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	printf("addopen %s\n", ename(r));
	if (r == 0)
		printf("spawn %s\n", ename(spawn_wait("/bin/true", &fa, argv)));
	posix_spawn_file_actions_destroy(&fa);
	if (dfd != -1)
		close(dfd);
	return 0;
}

static int
spawnrun(const char *dir, char **argv)
{
	posix_spawn_file_actions_t fa;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	r = spawn_wait(argv[0], &fa, argv);
	printf("spawn %s\n", ename(r));
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}

static int
fdmeta(const char *file)
{
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	struct timeval tv[2] = { { 1, 0 }, { 1, 0 } };
	int fd = open(file, O_RDONLY), pfd = open(file, O_PATH);

	if (fd == -1 || pfd == -1) {
		perror(file);
		return 1;
	}
	say("fchmod", fchmod(fd, 0777));
	say("fchown", fchown(fd, getuid(), getgid()));
	say("fsetxattr", fsetxattr(fd, "user.review", "x", 1, 0));
	say("fremovexattr", fremovexattr(fd, "user.keep"));
	say("futimens", futimens(fd, ts));
	say("futimes", futimes(fd, tv));
	say("syscall-fchmod", (int)syscall(SYS_fchmod, fd, 0777));
	say("syscall-fchown", (int)syscall(SYS_fchown, fd, getuid(), getgid()));
	say("syscall-fsetxattr",
	    (int)syscall(SYS_fsetxattr, fd, "user.review", "x", 1, 0));
	say("syscall-fremovexattr",
	    (int)syscall(SYS_fremovexattr, fd, "user.keep"));
	say("opath-fchmod", fchmod(pfd, 0777));
	say("opath-futimens", futimens(pfd, ts));
	close(fd);
	close(pfd);
	return 0;
}

/* struct xattr_args of Linux 6.13 */
struct review_xattr_args {
	unsigned long long value;
	unsigned int size;
	unsigned int flags;
};

static int
pathmeta(const char *file)
{
	struct review_xattr_args xa = { (unsigned long long)(uintptr_t) "x", 1,
		0 };

	say("setxattr", setxattr(file, "user.review", "x", 1, 0));
	say("lsetxattr", lsetxattr(file, "user.review", "x", 1, 0));
	say("removexattr", removexattr(file, "user.keep"));
	say("lremovexattr", lremovexattr(file, "user.keep"));
	say("syscall-setxattr",
	    (int)syscall(SYS_setxattr, file, "user.review", "x", 1, 0));
	say("syscall-lsetxattr",
	    (int)syscall(SYS_lsetxattr, file, "user.review", "x", 1, 0));
	say("syscall-removexattr",
	    (int)syscall(SYS_removexattr, file, "user.keep"));
	say("syscall-lremovexattr",
	    (int)syscall(SYS_lremovexattr, file, "user.keep"));
	/* setxattrat(2), Linux 6.13 (463); ENOSYS before */
	say("syscall-setxattrat",
	    (int)syscall(
		463, AT_FDCWD, file, 0, "user.review", &xa, sizeof(xa)));
	return 0;
}

static int
do_mkfifo(const char *path)
{
	char at[4096];

	snprintf(at, sizeof(at), "%s.at", path);
	say("mkfifo", mkfifo(path, 0644));
	say("mkfifoat", mkfifoat(AT_FDCWD, at, 0644));
	return 0;
}

/* struct io_uring_params: 120 bytes, zeroed */
static int
iouring(void)
{
	unsigned char params[120];
	long r;

	memset(params, 0, sizeof(params));
	r = syscall(SYS_io_uring_setup, 4, params);
	say("io_uring_setup", r < 0 ? -1 : 0);
	if (r >= 0)
		close((int)r);
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "dns") == 0)
		return dns(argv[2], argc == 4 ? atoi(argv[3]) : 0);
	if (argc == 4 && strcmp(argv[1], "nquery") == 0)
		return nquery(argv[2], atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "longhost") == 0)
		return longhost(strtoul(argv[2], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "wordexp") == 0)
		return do_wordexp(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "spawnopen") == 0)
		return spawnopen(argv[2], argv[3], argv[4]);
	if (argc >= 4 && strcmp(argv[1], "spawnrun") == 0)
		return spawnrun(argv[2], argv + 3);
	if (argc == 3 && strcmp(argv[1], "fdmeta") == 0)
		return fdmeta(argv[2]);
	if (argc == 3 && strcmp(argv[1], "pathmeta") == 0)
		return pathmeta(argv[2]);
	if (argc == 3 && strcmp(argv[1], "mkfifo") == 0)
		return do_mkfifo(argv[2]);
	if (argc == 2 && strcmp(argv[1], "iouring") == 0)
		return iouring();
	fprintf(stderr,
	    "usage: review dns|nquery|longhost|wordexp|spawnopen|"
	    "spawnrun|fdmeta|pathmeta|mkfifo|iouring ...\n");
	return 2;
}
