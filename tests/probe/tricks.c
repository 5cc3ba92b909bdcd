/*
 * tricks: ways to reach a file outside the workspace through names inside
 * it: symlinks, hard links, rename, "..", /proc/self/cwd, directory
 * descriptors, descriptor reopening, O_TMPFILE. Run from inside the
 * workspace WS with OUT a directory outside every writable root that holds
 * a file "victim" containing "keep\n".
 *
 *   tricks WS OUT
 *
 * Prints one line per trick, "held NAME" or "ESCAPED NAME (what happened)",
 * and exits with the number of escapes (0: every trick was stopped and
 * failed with EACCES, and the victim is as it was).
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ws, *out;
static int escapes;

static const char *
p(const char *dir, const char *name)
{
	static char buf[8][PATH_MAX];
	static int n;
	char *b = buf[n++ % 8];

	snprintf(b, PATH_MAX, "%s/%s", dir, name);
	return b;
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int
victim_intact(void)
{
	char buf[64];
	ssize_t n;
	int fd = open(p(out, "victim"), O_RDONLY);

	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == 5 && memcmp(buf, "keep\n", 5) == 0;
}

/* R is the call's return, E its errno: held if it failed with EACCES and
 * nothing changed outside */
static void
expect(const char *name, int r, int e, const char *must_not_exist)
{
	const char *why = NULL;

	if (r >= 0)
		why = "the call succeeded";
	else if (e != EACCES)
		why = strerror(e);
	else if (must_not_exist != NULL && exists(must_not_exist))
		why = "the target exists";
	else if (!victim_intact())
		why = "the victim changed";
	if (why == NULL) {
		printf("held %s\n", name);
		return;
	}
	printf("ESCAPED %s (%s)\n", name, why);
	escapes++;
}

#define TRY(name, call, target)                                                \
	do {                                                                   \
		int r_;                                                        \
		errno = 0;                                                     \
		r_ = (call);                                                   \
		expect(name, r_, errno, target);                               \
	} while (0)

static int
wr(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd >= 0) {
		if (write(fd, "pwned\n", 6) != 6)
			perror("write");
		close(fd);
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct timespec ts[2] = { { 0, 0 }, { 0, 0 } };
	char proc[64];
	int dfd, fd, r, e;

	if (argc != 3)
		return 100;
	ws = argv[1];
	out = argv[2];
	if (chdir(ws) == -1 || !victim_intact()) {
		fprintf(stderr, "tricks: setup: need %s/victim\n", out);
		return 100;
	}

	/* a symlink to a file outside; to a directory outside */
	if (symlink(p(out, "t-file"), "l-file") == -1 ||
	    symlink(out, "l-dir") == -1) {
		perror("symlink inside");
		return 100;
	}
	TRY("write through a symlink", wr("l-file", O_WRONLY | O_CREAT),
	    p(out, "t-file"));
	TRY("create through a symlinked directory",
	    wr("l-dir/t-dir", O_WRONLY | O_CREAT), p(out, "t-dir"));
	TRY("mkdir through a symlinked directory", mkdir("l-dir/t-mkdir", 0755),
	    p(out, "t-mkdir"));
	TRY("fopen through a symlink", fopen("l-dir/t-fopen", "w") ? 0 : -1,
	    p(out, "t-fopen"));
	TRY("truncate through a symlink", truncate("l-dir/victim", 0), NULL);

	/* dot-dot and /proc */
	TRY("dot-dot",
	    wr("../"
	       "out-escape",
		O_WRONLY | O_CREAT),
	    p(ws, "../out-escape"));
	snprintf(proc, sizeof(proc), "/proc/self/cwd/%s", "../out-escape2");
	TRY("/proc/self/cwd", wr(proc, O_WRONLY | O_CREAT),
	    p(ws, "../out-escape2"));
	snprintf(
	    proc, sizeof(proc), "/proc/%d/cwd/../out-escape3", (int)getpid());
	TRY("/proc/PID/cwd", wr(proc, O_WRONLY | O_CREAT),
	    p(ws, "../out-escape3"));

	/* directory descriptors */
	if ((dfd = open(".", O_RDONLY | O_DIRECTORY)) == -1)
		return 100;
	errno = 0;
	fd = openat(dfd, "../out-escape4", O_WRONLY | O_CREAT, 0644);
	e = errno;
	if (fd >= 0)
		close(fd);
	expect("openat(ws, ..)", fd, e, p(ws, "../out-escape4"));
	close(dfd);
	if ((dfd = open(out, O_PATH | O_DIRECTORY)) == -1) {
		perror("open out O_PATH");
		return 100;
	}
	errno = 0;
	fd = openat(dfd, "t-at", O_WRONLY | O_CREAT, 0644);
	e = errno;
	if (fd >= 0)
		close(fd);
	expect("openat(out-descriptor)", fd, e, p(out, "t-at"));
	TRY("unlinkat(out-descriptor)", unlinkat(dfd, "victim", 0), NULL);
	TRY("raw openat(out-descriptor)",
	    (int)syscall(SYS_openat, dfd, "t-raw", O_WRONLY | O_CREAT, 0644),
	    p(out, "t-raw"));
	close(dfd);

	/* a reopen asking for more than the descriptor gives */
	if ((fd = open(p(out, "victim"), O_RDONLY)) == -1)
		return 100;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	TRY("reopen a read-only descriptor for writing",
	    wr(proc, O_WRONLY | O_TRUNC), NULL);
	snprintf(proc, sizeof(proc), "/dev/fd/%d", fd);
	TRY("reopen through /dev/fd", wr(proc, O_RDWR), NULL);
	close(fd);

	/* links and renames, both directions */
	TRY("hard link an outside file in", link(p(out, "victim"), "h-in"),
	    "h-in");
	if ((fd = open("inside.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return 100;
	close(fd);
	TRY("hard link an inside file out", link("inside.txt", p(out, "h-out")),
	    p(out, "h-out"));
	TRY("symlink made outside", symlink("/etc/passwd", p(out, "s-out")),
	    p(out, "s-out"));
	TRY("rename outside file in", rename(p(out, "victim"), "r-in"), "r-in");
	TRY("rename inside file out", rename("inside.txt", p(out, "r-out")),
	    p(out, "r-out"));
	if (!exists("inside.txt")) {
		printf("ESCAPED rename left the source (inside.txt gone)\n");
		escapes++;
	}
	TRY("rename over the victim", rename("inside.txt", p(out, "victim")),
	    NULL);
	TRY("exchange with the victim",
	    (int)syscall(SYS_renameat2, AT_FDCWD, "inside.txt", AT_FDCWD,
		p(out, "victim"), 2 /* EXCHANGE */),
	    NULL);
	TRY("raw rename out",
	    (int)syscall(SYS_rename, "inside.txt", p(out, "r-raw")),
	    p(out, "r-raw"));

	/* metadata and removal */
	TRY("chmod outside", chmod(p(out, "victim"), 0600), NULL);
	TRY("utimensat outside", utimensat(AT_FDCWD, p(out, "victim"), ts, 0),
	    NULL);
	TRY("unlink outside", unlink(p(out, "victim")), NULL);
	TRY("remove outside", remove(p(out, "victim")), NULL);
	TRY("mkstemp outside", mkstemp((char *)p(out, "tmpXXXXXX")), NULL);

	/* an unnamed file outside, or one named later */
	TRY("O_TMPFILE outside", open(out, O_TMPFILE | O_WRONLY, 0600), NULL);
	if ((fd = open(".", O_TMPFILE | O_WRONLY, 0600)) >= 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		TRY("linkat a tmpfile out",
		    linkat(AT_FDCWD, proc, AT_FDCWD, p(out, "t-tmp"),
			AT_SYMLINK_FOLLOW),
		    p(out, "t-tmp"));
		TRY("linkat AT_EMPTY_PATH out",
		    linkat(fd, "", AT_FDCWD, p(out, "t-tmp2"), AT_EMPTY_PATH),
		    p(out, "t-tmp2"));
		close(fd);
	}

	/* openat2 through the raw syscall */
	{
		struct {
			unsigned long long flags, mode, resolve;
		} how = { O_WRONLY | O_CREAT, 0644, 0 };

		r = (int)syscall(SYS_openat2, AT_FDCWD, p(out, "t-openat2"),
		    &how, sizeof(how));
		e = errno;
		if (r >= 0)
			close(r);
		expect("openat2", r, e, p(out, "t-openat2"));
	}
	return escapes;
}
