/*
 * cwdrace: one thread moves the process between two directories with
 * chdir() (or dup2()s one directory descriptor over another) while another
 * makes entries by a relative name, as fast as both can. A shim that judges
 * the name against one directory and lets the call act in another lets an
 * entry appear in the directory it may not write. Run under agentwrap with
 * WS writable and OUT not:
 *
 *   cwdrace WS OUT ITERATIONS chdir|dirfd
 *   cwdrace WS OUT 0 tmpl
 *   cwdrace WS OUT N exits
 *
 * The tmpl mode checks what pinning must not change, in a process with
 * threads: mkstemp and mkdtemp of a relative template fill the template
 * in (and mkdtemp returns it), and a file opened gets the lowest free
 * descriptor.
 *
 * The exits mode starts N threads one after the other; each makes an
 * entry by a relative name and has a thread-specific destructor that makes
 * another as the thread exits (after, or before, the shim's own cleanup of
 * that thread). Exits 0 if all 2N+1 entries exist (one more from a first
 * thread), 1 if not.
 *
 * Prints how many calls worked and how many were refused (both must be
 * above zero, or the race was never run) and whether anything appeared in
 * OUT. Exits 0 if nothing did, 1 if something did, 2 if the race did not
 * run, 100 on misuse.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ws, *out;
static atomic_int stop;
static int dfd = -1; /* the descriptor the dirfd mode moves */

static void *
mover(void *arg)
{
	int wsfd, outfd;

	(void)arg;
	wsfd = open(ws, O_RDONLY | O_DIRECTORY);
	outfd = open(out, O_RDONLY | O_DIRECTORY);
	while (!atomic_load(&stop)) {
		if (dfd >= 0) {
			dup2(wsfd, dfd);
			dup2(outfd, dfd);
		} else {
			if (chdir(ws) != 0 || chdir(out) != 0)
				break;
		}
	}
	return NULL;
}

static int
entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void *
nothing(void *arg)
{
	return arg;
}

static int
templates(void)
{
	char f[] = "fXXXXXX", d[] = "dXXXXXX", *r;
	struct stat st;
	pthread_t t;
	int fd, low;

	if (chdir(ws) != 0 || pthread_create(&t, NULL, nothing, NULL) != 0)
		return 100;
	pthread_join(t, NULL);
	low = dup(0);
	close(low);
	fd = mkstemp(f);
	r = mkdtemp(d);
	printf("mkstemp %d (lowest free %d) %s, mkdtemp %s %s\n", fd, low, f,
	    r == d ? "returned it" : "returned another pointer", d);
	return fd == low && strncmp(f, "fXXXXXX", 7) != 0 &&
		stat(f, &st) == 0 && r == d && strncmp(d, "dXXXXXX", 7) != 0 &&
		stat(d, &st) == 0 && S_ISDIR(st.st_mode)
	    ? 0
	    : 1;
}

static pthread_key_t exit_key;

static void
at_exit_made(void *arg)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "late%ld", (long)arg);
	if ((fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1)
		close(fd);
}

static void *
made_then_exit(void *arg)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "early%ld", (long)arg);
	if ((fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1)
		close(fd);
	pthread_setspecific(exit_key, arg);
	return NULL;
}

static void *
made_first(void *arg)
{
	int fd;

	if ((fd = open("first", O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1)
		close(fd);
	return arg;
}

static int
exits(long n)
{
	pthread_t t;
	long i;
	int got;

	/* a first thread pins before the probe's key exists, so that the
	 * shim's key comes first and its destructor runs before ours */
	if (chdir(ws) != 0 || pthread_create(&t, NULL, made_first, NULL) != 0)
		return 100;
	pthread_join(t, NULL);
	if (pthread_key_create(&exit_key, at_exit_made) != 0)
		return 100;
	for (i = 1; i <= n; i++) {
		if (pthread_create(&t, NULL, made_then_exit, (void *)i) != 0)
			return 100;
		pthread_join(t, NULL);
	}
	got = entries(ws);
	printf("%d of %ld entries made by threads as they ran and exited\n",
	    got, 2 * n + 1);
	return got == 2 * n + 1 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	long i, n, ok = 0, refused = 0;
	pthread_t t;
	int fd, at, e;
	char name[32];

	if (argc != 5)
		return 100;
	ws = argv[1];
	out = argv[2];
	n = atol(argv[3]);
	if (strcmp(argv[4], "tmpl") == 0)
		return templates();
	if (strcmp(argv[4], "exits") == 0)
		return exits(n);
	if (strcmp(argv[4], "dirfd") == 0) {
		if ((dfd = open(ws, O_RDONLY | O_DIRECTORY)) == -1)
			return 100;
	} else if (strcmp(argv[4], "chdir") != 0)
		return 100;
	if (chdir(ws) != 0)
		return 100;
	at = dfd >= 0 ? dfd : AT_FDCWD;
	if (pthread_create(&t, NULL, mover, NULL) != 0)
		return 100;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%ld", i % 4);
		/* the plain calls in chdir mode, the *at calls with a dirfd */
		switch (i % 4) {
		case 0:
			fd = dfd >= 0
			    ? openat(
				  at, name, O_WRONLY | O_CREAT | O_TRUNC, 0644)
			    : open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			e = fd >= 0 ? 0 : errno;
			if (fd >= 0)
				close(fd);
			break;
		case 1:
			e = (dfd >= 0 ? mkdirat(at, name, 0755)
				      : mkdir(name, 0755)) == 0
			    ? 0
			    : errno;
			break;
		case 2:
			e = (dfd >= 0 ? symlinkat("x", at, name)
				      : symlink("x", name)) == 0
			    ? 0
			    : errno;
			break;
		default:
			e = (dfd >= 0 ? mknodat(at, name, S_IFIFO | 0644, 0)
				      : mkfifo(name, 0644)) == 0
			    ? 0
			    : errno;
			break;
		}
		if (e == 0 || e == EEXIST)
			ok++;
		else if (e == EACCES || e == EPERM)
			refused++;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("%ld made, %ld refused, %d in %s\n", ok, refused, entries(out),
	    out);
	if (entries(out) != 0)
		return 1;
	return ok > 0 && refused > 0 ? 0 : 2;
}
