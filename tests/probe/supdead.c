/*
 * supdead: when the supervisor dies, every call the shim guards fails closed
 * (EACCES, EPERM) within a second, and nothing hangs. Run as the command
 * agentwrap starts (its parent is the supervisor):
 *
 *   supdead DIR
 *
 * writes DIR/before (must work), kills the supervisor, then tries to write
 * DIR/after, to exec /bin/true and to connect to 127.0.0.1:9 until they
 * fail or two seconds pass. Prints what happened; exits 0 if all failed
 * closed within a second, 1 otherwise, 100 on misuse.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
try_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1)
		return errno;
	close(fd);
	return 0;
}

static int
try_exec(void)
{
	pid_t pid = fork();
	int st;

	if (pid == -1)
		return errno;
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(errno == EACCES ? 13 : 99);
	}
	if (waitpid(pid, &st, 0) == -1)
		return errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 13 ? EACCES
	    : WIFEXITED(st) && WEXITSTATUS(st) == 0   ? 0
						      : EIO;
}

static int
try_connect(void)
{
	struct sockaddr_in sin;
	int s = socket(AF_INET, SOCK_STREAM, 0), r, e;

	if (s == -1)
		return errno;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(s, (struct sockaddr *)&sin, sizeof(sin));
	e = errno;
	close(s);
	return r == 0 ? 0 : e;
}

int
main(int argc, char **argv)
{
	char before[4096], after[4096];
	pid_t sup = getppid();
	double t0, t;
	int e = 0, ok = 1;

	if (argc != 2)
		return 100;
	snprintf(before, sizeof(before), "%s/before", argv[1]);
	snprintf(after, sizeof(after), "%s/after", argv[1]);
	if ((e = try_write(before)) != 0) {
		printf("write before: %s\n", strerror(e));
		return 100;
	}
	if (kill(sup, SIGKILL) == -1) {
		printf("kill supervisor %d: %s\n", (int)sup, strerror(errno));
		return 100;
	}
	t0 = now();
	while ((e = try_write(after)) == 0 && now() - t0 < 2.0)
		usleep(10000);
	t = now() - t0;
	printf("write after: %s after %.3fs\n", e ? strerror(e) : "worked", t);
	ok &= e == EACCES && t < 1.0;
	t0 = now();
	e = try_exec();
	printf("exec after: %s\n", e ? strerror(e) : "worked");
	ok &= e == EACCES;
	e = try_connect();
	printf("connect after: %s\n", e ? strerror(e) : "worked");
	ok &= e == EPERM;
	ok &= now() - t0 < 1.0;
	return ok ? 0 : 1;
}
