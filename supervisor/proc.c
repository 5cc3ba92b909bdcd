/*
 * proc.c: a process's parent and state from /proc/PID/stat, its ancestry,
 * and the descendants of a process (one pass over /proc).
 *
 * Runs in the supervisor; see proc.h.
 */
#include <dirent.h>
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

struct proc {
	pid_t pid, ppid;
	char state;
};

static int
proc_cmp(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Every process on the system: pid, parent, state. NULL on failure. */
static struct proc *
list_procs(size_t *np)
{
	struct proc *v = NULL, *nv;
	struct dirent *de;
	char path[64], buf[512], *p;
	size_t n = 0, cap = 0;
	ssize_t r;
	DIR *d;
	int fd;

	*np = 0;
	if ((d = opendir("/proc")) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		if ((p = strrchr(buf, ')')) == NULL)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		v[n].pid = (pid_t)atoi(buf);
		if (sscanf(p + 1, " %c %d", &v[n].state, &v[n].ppid) != 2)
			continue;
		n++;
	}
	closedir(d);
	if (v != NULL)
		qsort(v, n, sizeof(*v), proc_cmp);
	*np = n;
	return v;
}

size_t
proc_descendants(pid_t root, pid_t **out)
{
	struct proc *v, key, *par;
	size_t n, i, k = 0;
	char *mark;
	int changed;

	*out = NULL;
	if ((v = list_procs(&n)) == NULL)
		return 0;
	if ((mark = calloc(n, 1)) == NULL ||
	    (*out = calloc(n + 1, sizeof(**out))) == NULL) {
		free(mark);
		free(v);
		return 0;
	}
	do {
		changed = 0;
		for (i = 0; i < n; i++) {
			if (mark[i] || v[i].pid == root)
				continue;
			key.pid = v[i].ppid;
			if (v[i].ppid == root ||
			    ((par = bsearch(
				  &key, v, n, sizeof(*v), proc_cmp)) != NULL &&
				mark[par - v])) {
				mark[i] = 1;
				changed = 1;
			}
		}
	} while (changed);
	for (i = 0; i < n; i++)
		/* 'Z' too: a process whose first thread has exited shows 'Z'
		 * while its other threads run on */
		if (mark[i] && v[i].state != 'X')
			(*out)[k++] = v[i].pid;
	free(mark);
	free(v);
	return k;
}
