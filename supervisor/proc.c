/*
 * proc.c: a process's parent and state from /proc/PID/stat, and ancestry.
 *
 * Runs in the supervisor; see proc.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

#define MAX_DEPTH 4096 /* longer chains than this are not ours to walk */

int
proc_stat(pid_t pid, pid_t *ppid, char *state)
{
	char path[48], buf[512], *p, *end;
	long v;
	ssize_t n;
	int fd;

	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = n == 0 ? ESRCH : errno;
		return -1;
	}
	buf[n] = '\0';
	/* "pid (comm) S ppid ...": comm may hold anything, even ") " */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0' ||
	    p[3] != ' ') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(p + 4, &end, 10);
	if (errno != 0 || end == p + 4 || *end != ' ' || v < 0) {
		errno = EINVAL;
		return -1;
	}
	if (state != NULL)
		*state = p[2];
	if (ppid != NULL)
		*ppid = (pid_t)v;
	return 0;
}

int
proc_descends(pid_t pid, pid_t ancestor)
{
	pid_t cur = pid, up;
	int depth;

	for (depth = 0; depth < MAX_DEPTH; depth++) {
		if (proc_stat(cur, &up, NULL) == -1)
			return 0;
		if (up == ancestor)
			return 1;
		if (up <= 1 || up == cur)
			return 0;
		cur = up;
	}
	return 0;
}
