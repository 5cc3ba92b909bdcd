/*
 * watch.c: the seccomp user-notify layer, the supervisor's half (see
 * watch.h).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "floor.h"
#include "policy.h"
#include "sysreq.h"
#include "watch.h"
#include "watchbpf.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE 1
#endif

#define MAX_PENDING 256 /* calls waiting on a question */
#define TURN 64 /* notifications per listener per turn */
#define ARGV_BYTES 65536 /* an exec's argv, read at most */
#define ARG_MAX_LEN 4096 /* one word of it */

struct pending {
	int used;
	int fd; /* the listener */
	uint64_t id; /* the notification */
	int deny_errno; /* what a denial fails with */
	uint32_t gen;
};

struct watch {
	const struct watch_ops *ops;
	void *ctx;
	pid_t root;
	pid_t trust; /* watch_trust_exec */
	char trust_path[PATH_MAX];
	char ours[128];
	int fds[WATCH_MAX_LISTENERS];
	int n;
	struct pending pend[MAX_PENDING];
	uint32_t gen;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	char *argbuf; /* ARGV_BYTES */
};

struct watch *
watch_new(const struct watch_ops *ops, void *ctx, pid_t root, const char *ours)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	if (seccomp_notify_alloc(&w->req, &w->resp) != 0 ||
	    (w->argbuf = malloc(ARGV_BYTES)) == NULL) {
		watch_free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->ops = ops;
	w->ctx = ctx;
	w->root = root;
	snprintf(w->ours, sizeof(w->ours), "@%s", ours != NULL ? ours : "");
	return w;
}

void
watch_free(struct watch *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++)
		close(w->fds[i]);
	if (w->req != NULL)
		seccomp_notify_free(w->req, w->resp);
	free(w->argbuf);
	free(w);
}

int
watch_fetch(pid_t pid, int fdnum)
{
	char p[64], link[64];
	int pfd, fd, e;
	ssize_t n;

	if (pid <= 0 || fdnum < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((pfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		return -1;
	fd = (int)syscall(SYS_pidfd_getfd, pfd, fdnum, 0);
	e = errno;
	close(pfd);
	if (fd == -1) {
		errno = e;
		return -1;
	}
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	if ((n = readlink(p, link, sizeof(link) - 1)) < 0 ||
	    (link[n] = '\0', strcmp(link, "anon_inode:seccomp notify") != 0)) {
		close(fd);
		errno = EBADF;
		return -1;
	}
	return fd;
}

void
watch_trust_exec(struct watch *w, pid_t pid, const char *path)
{
	if (w == NULL)
		return;
	w->trust = path != NULL && path[0] == '/' ? pid : 0;
	snprintf(w->trust_path, sizeof(w->trust_path), "%s",
	    path != NULL ? path : "");
}

void
watch_set_root(struct watch *w, pid_t root)
{
	w->root = root;
}

int
watch_add(struct watch *w, int fd)
{
	if (w->n == WATCH_MAX_LISTENERS) {
		errno = EMFILE;
		return -1;
	}
	w->fds[w->n++] = fd;
	return 0;
}

int
watch_count(const struct watch *w)
{
	return w != NULL ? w->n : 0;
}

int
watch_pollfds(struct watch *w, struct pollfd *pfd, int cap)
{
	int i;

	for (i = 0; i < w->n && i < cap; i++) {
		pfd[i].fd = w->fds[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	return i;
}

/* --- answering --- */

static void
respond(int fd, uint64_t id, int err, int cont)
{
	struct seccomp_notif_resp r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	if (cont)
		r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		r.error = -err;
	/* ENOENT: the caller is gone (killed, or its thread exited) */
	(void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

static int
id_valid(int fd, uint64_t id)
{
	return ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* VERDICT for notification ID on FD: continue it, or fail it with ERR */
static void
answer(int fd, uint64_t id, int verdict, int err)
{
	if (verdict == VERDICT_ALLOW)
		respond(fd, id, 0, 1);
	else
		respond(fd, id, err, 0);
}

void
watch_settle(struct watch *w, uint64_t key, int verdict)
{
	unsigned int k = (unsigned int)(key & 0xffff);
	struct pending *p;

	if (k >= MAX_PENDING)
		return;
	p = &w->pend[k];
	if (!p->used || p->gen != (uint32_t)(key >> 16))
		return;
	answer(p->fd, p->id, verdict, p->deny_errno);
	p->used = 0;
}

int
watch_pending(struct watch *w, uint64_t key)
{
	unsigned int k = (unsigned int)(key & 0xffff);
	struct pending *p;

	if (k >= MAX_PENDING)
		return 0;
	p = &w->pend[k];
	if (!p->used || p->gen != (uint32_t)(key >> 16))
		return 0;
	if (!id_valid(p->fd, p->id)) {
		p->used = 0;
		return 0;
	}
	return 1;
}

/* --- reading the caller --- */

/* LEN bytes at ADDR in PID into BUF; 0 or an errno */
static int
mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (addr == 0)
		return EFAULT;
	n = process_vm_readv(pid, &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	return n == -1 && errno != EFAULT ? EACCES : EFAULT;
}

/*
 * The string at ADDR in PID into BUF (CAP bytes with its NUL), read a page
 * at most at a time so that a string ending just before an unmapped page
 * is read. Its length, or -errno (ENAMETOOLONG when it does not fit).
 */
static ssize_t
mem_str(pid_t pid, uint64_t addr, char *buf, size_t cap)
{
	size_t got = 0, chunk;
	char *nul;
	int e;

	if (addr == 0)
		return -EFAULT;
	while (got < cap) {
		chunk = 4096 - (size_t)((addr + got) & 4095);
		if (chunk > cap - got)
			chunk = cap - got;
		if ((e = mem_read(pid, addr + got, buf + got, chunk)) != 0)
			return -e;
		if ((nul = memchr(buf + got, '\0', chunk)) != NULL)
			return nul - buf;
		got += chunk;
	}
	return -ENAMETOOLONG;
}

/* readlink of /proc/PID/WHAT into OUT; 0 or an errno */
static int
proc_link(pid_t pid, const char *what, char *out, size_t cap)
{
	char p[64];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, what);
	if ((n = readlink(p, out, cap - 1)) < 0)
		return errno == ENOENT ? EBADF : EACCES;
	out[n] = '\0';
	return 0;
}

/* The directory a relative path of PID's is taken from (DIRFD) */
static int
dir_of(pid_t pid, int dirfd, char *out, size_t cap)
{
	char what[32];
	int e;

	if (dirfd == AT_FDCWD)
		e = proc_link(pid, "cwd", out, cap);
	else {
		if (dirfd < 0)
			return EBADF;
		snprintf(what, sizeof(what), "fd/%d", dirfd);
		e = proc_link(pid, what, out, cap);
	}
	if (e != 0)
		return e;
	return out[0] == '/' ? 0 : ENOTDIR;
}

struct canon_ctx {
	pid_t tid, tgid;
};

/*
 * The real readlink, except for the two links that mean "the caller":
 * "/proc/self" is its process, "/proc/thread-self" its thread, however
 * the path spelled them ("/proc/./self", "//proc/self", a symlink to
 * them): the walk asks for them by their canonical names.
 */
static ssize_t
caller_readlink(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	const struct canon_ctx *k = ctx;
	char tmp[64];
	ssize_t n;

	if (strcmp(path, "/proc/self") == 0)
		snprintf(tmp, sizeof(tmp), "%d", (int)k->tgid);
	else if (strcmp(path, "/proc/thread-self") == 0)
		snprintf(
		    tmp, sizeof(tmp), "%d/task/%d", (int)k->tgid, (int)k->tid);
	else {
		if ((n = readlink(path, buf, len)) < 0)
			*err = errno;
		return n;
	}
	n = (ssize_t)strlen(tmp);
	memcpy(buf, tmp, (size_t)n < len ? (size_t)n : len);
	return n;
}

/* The process (thread group) thread TID belongs to, and its parent in
 * *PPID; 0 if it is gone */
static pid_t
tgid_of(pid_t tid, pid_t *ppid)
{
	char p[64], buf[512], *t;
	long v = 0;
	ssize_t n;
	int fd;

	/* one read: "Tgid:" is among the first lines (one call per
	 * notification: no stdio) */
	snprintf(p, sizeof(p), "/proc/%d/status", (int)tid);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	*ppid = 0;
	if ((t = strstr(buf, "\nPPid:\t")) != NULL &&
	    sscanf(t + 7, "%ld", &v) == 1)
		*ppid = (pid_t)v;
	v = 0;
	if ((t = strstr(buf, "\nTgid:\t")) == NULL ||
	    sscanf(t + 7, "%ld", &v) != 1)
		return 0;
	return v > 0 ? (pid_t)v : 0;
}

/* --- from a notification to a request --- */

struct call {
	struct watch *w;
	int fd;
	const struct seccomp_notif *n;
	const struct sysreq *r;
	pid_t pid; /* the calling thread */
	pid_t tgid; /* its process */
	pid_t ppid; /* that process's parent */
	int deny_errno; /* 0: the class's (deny_errno()) */
	char path[PATH_MAX], path2[PATH_MAX];
	char exe[PATH_MAX];
	struct aw_msg m;
};

/*
 * The path at argument index PI (dirfd at DI), canonical, into OUT. 0;
 * 1 when there is nothing to judge (a NULL or empty path the call takes
 * as its descriptor, and that descriptor is no file); or an errno.
 */
static int
read_path(struct call *c, int di, int pi, int how, char *out)
{
	char raw[PATH_MAX], dir[PATH_MAX];
	struct canon_ctx k = { c->pid, c->tgid };
	struct pathres_fs fs = { caller_readlink, &k };
	const char *base = NULL;
	int dirfd = di < 0 ? AT_FDCWD : (int)c->n->data.args[di];
	ssize_t len;
	int e;

	if (pi < 0 || c->n->data.args[pi] == 0) {
		if (pi >= 0 && !(how & SR_NULL_FD))
			return EFAULT;
		goto the_fd;
	}
	if ((len = mem_str(c->pid, c->n->data.args[pi], raw, sizeof(raw))) < 0)
		return (int)-len;
	if (strcmp(raw, WATCH_PROBE_PATH) == 0)
		return WATCH_PROBE_ERRNO; /* a shim asking whether we watch it */
	if (raw[0] == '\0') {
		if (!(how & SR_EMPTY))
			return ENOENT;
		goto the_fd;
	}
	if (raw[0] != '/') {
		if ((e = dir_of(c->pid, dirfd, dir, sizeof(dir))) != 0)
			return e;
		base = dir;
	}
	e = pathres_canon(&fs, base, raw,
	    (how & SR_NOFOLLOW) ? 0 : PATHRES_FOLLOW_LAST, out, PATH_MAX);
	if (e == 0)
		return sysreq_anon_object(out) ? 1 : 0;
	return e == -ELOOP || e == -EACCES || e == -ENOENT || e == -ENOTDIR ||
		e == -ENAMETOOLONG
	    ? -e
	    : EACCES;
the_fd:
	/* the object DIRFD names (fchmod, AT_EMPTY_PATH, utimensat NULL) */
	if (dirfd == AT_FDCWD)
		return dir_of(c->pid, dirfd, out, PATH_MAX);
	if (dir_of(c->pid, dirfd, out, PATH_MAX) != 0 || out[0] != '/' ||
	    sysreq_anon_object(out))
		return 1; /* a pipe, a socket, or EBADF from the kernel */
	return 0;
}

/* Is descriptor FD of PID open for writing (and not O_PATH)? */
static int
fd_writable(pid_t pid, int fd)
{
	char p[64], line[128];
	unsigned long fl = 0;
	int found = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/fdinfo/%d", (int)pid, fd);
	if (fd < 0 || (f = fopen(p, "re")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = sscanf(line, "flags:\t%lo", &fl) == 1;
	fclose(f);
	return found && !(fl & O_PATH) && (fl & O_ACCMODE) != O_RDONLY;
}

static void
msg_init(struct call *c, int op)
{
	struct timespec ts;

	memset(&c->m, 0, sizeof(c->m));
	c->m.type = AW_MSG_ASK;
	c->m.op = (uint16_t)op;
	c->m.layer = AW_LAYER_SECCOMP;
	c->m.pid = c->tgid;
	c->m.ppid = c->ppid;
	c->m.port = -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->m.ts_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	c->m.call = c->r != NULL ? c->r->call + 8 : "?";
	if (proc_link(c->pid, "exe", c->exe, sizeof(c->exe)) != 0)
		snprintf(c->exe, sizeof(c->exe), "?");
	c->m.exe = c->exe;
}

static void
set_path(struct aw_msg *m, const char *p, const char *p2, int how)
{
	m->path = p;
	m->path_len = strlen(p);
	if (p2 != NULL) {
		m->path2 = p2;
		m->path2_len = strlen(p2);
	}
	if (how & REQ_NOFOLLOW)
		m->flags |= AW_MF_NOFOLLOW;
	if (how & REQ_ENTRY)
		m->flags |= AW_MF_ENTRY;
}

/* A filesystem call: 0 with the request in c->m, 1 nothing to judge, or
 * an errno to fail the call with */
static int
build_fs(struct call *c)
{
	const struct sysreq *r = c->r;
	const __u64 *a = c->n->data.args;
	struct open_how oh;
	int op = r->op, how = r->how, e, at;
	struct stat st;

	switch (r->kind) {
	case SRK_OPEN:
		sysreq_open((int)a[r->flags], &op, &how);
		break;
	case SRK_OPENAT2:
		if (a[3] < sizeof(oh))
			return 1; /* EINVAL from the kernel */
		if ((e = mem_read(c->pid, a[2], &oh, sizeof(oh))) != 0)
			return e;
		/* RESOLVE_IN_ROOT takes absolute paths from DIRFD: not
		 * followed here, so refused */
		if (oh.resolve & RESOLVE_IN_ROOT)
			return EACCES;
		sysreq_open((int)oh.flags, &op, &how);
		break;
	case SRK_CREAT:
		sysreq_open(O_WRONLY | O_CREAT | O_TRUNC, &op, &how);
		break;
	case SRK_PATH:
		if (r->atflags >= 0)
			how = sysreq_at_how((int)a[r->atflags], how, 0);
		break;
	case SRK_FD:
		break;
	}
	if (r->kind == SRK_RENAME || r->kind == SRK_LINK) {
		at = r->atflags >= 0 ? (int)a[r->atflags] : 0;
		if ((e = read_path(c, r->dirfd, r->path,
			 r->kind == SRK_LINK ? sysreq_at_how(at, 0, 1)
					     : SR_ENTRY,
			 c->path)) != 0)
			return e;
		if ((e = read_path(
			 c, r->dirfd2, r->path2, SR_ENTRY, c->path2)) != 0)
			return e;
		msg_init(c, OP_WRITE);
		set_path(&c->m, c->path, c->path2, how);
		return 0;
	}
	if ((e = read_path(c, r->dirfd, r->path, how, c->path)) != 0)
		return e;
	/* a write through a descriptor open for writing: that open was
	 * judged */
	if (r->kind == SRK_FD && fd_writable(c->pid, (int)a[r->dirfd]))
		return 1;
	/* a new entry where one exists: the kernel's EEXIST, not a denial */
	if ((how & SR_MAKE) && lstat(c->path, &st) == 0)
		return EEXIST;
	msg_init(c, op);
	set_path(&c->m, c->path, NULL, how);
	return 0;
}

/* The argv of an exec (argument index AI) into c->m; 0 or an errno */
static int
read_argv(struct call *c, int ai)
{
	uint64_t base = c->n->data.args[ai], ptr;
	size_t used = 0;
	ssize_t len;
	uint32_t i;
	int e;

	c->m.argc = 0;
	if (base == 0)
		return 0;
	for (i = 0; i < AW_MSG_MAX_ARGV; i++) {
		if ((e = mem_read(c->pid, base + i * sizeof(ptr), &ptr,
			 sizeof(ptr))) != 0)
			return e;
		if (ptr == 0)
			return 0;
		if (used + 1 >= ARGV_BYTES)
			break;
		len = mem_str(c->pid, ptr, c->w->argbuf + used,
		    ARGV_BYTES - used < ARG_MAX_LEN ? ARGV_BYTES - used
						    : ARG_MAX_LEN);
		if (len == -ENAMETOOLONG)
			break;
		if (len < 0)
			return (int)-len;
		c->m.argv[c->m.argc++] = c->w->argbuf + used;
		used += (size_t)len + 1;
	}
	c->m.flags |= AW_MF_ARGV_TRUNCATED;
	return 0;
}

/* An exec: judged as the shim judges one, by the stricter of the name
 * given and the program it really is */
static int
build_exec(struct call *c)
{
	const struct sysreq *r = c->r;
	int at = r->atflags >= 0 ? (int)c->n->data.args[r->atflags] : 0;
	int e;

	e = read_path(
	    c, r->dirfd, r->path, sysreq_at_how(at, SR_FOLLOW, 0), c->path);
	if (e == ENOENT || e == ENOTDIR)
		return 1; /* not there: the kernel's answer */
	if (e != 0)
		return e;
	msg_init(c, OP_EXEC);
	set_path(&c->m, c->path, NULL, 0);
	c->m.flags &= (uint16_t) ~(AW_MF_NOFOLLOW | AW_MF_ENTRY);
	if ((e = read_argv(c, r->argv)) != 0)
		return e;
	/* the first word is the program as it is run */
	if (c->m.argc == 0)
		c->m.argc = 1;
	c->m.argv[0] = c->path;
	return 0;
}

/* A socket address at ADDR (LEN bytes) in the caller, judged; 0, 1 or an
 * errno as build_fs */
static int
build_sockaddr(struct call *c, uint64_t addr, uint64_t len)
{
	struct sockaddr_storage ss;
	struct sysreq_net net;
	char dir[PATH_MAX];
	const char *raw;
	struct canon_ctx k = { c->pid, c->tgid };
	struct pathres_fs fs = { caller_readlink, &k };
	int e;

	if (addr == 0 || len == 0)
		return 1;
	if (len > sizeof(ss))
		len = sizeof(ss);
	if ((e = mem_read(c->pid, addr, &ss, (size_t)len)) != 0)
		return e;
	sysreq_sockaddr(&ss, (size_t)len, c->r->how, &net);
	switch (net.kind) {
	case SRN_SKIP:
		return 1;
	case SRN_INET:
	case SRN_OTHER:
		msg_init(c, c->r->op);
		snprintf(c->path2, sizeof(c->path2), "%s", net.host);
		c->m.host = c->path2;
		if (net.kind == SRN_INET)
			c->m.addr = c->path2;
		c->m.port = net.port;
		return 0;
	case SRN_UNIX_ABSTRACT:
		/* a name only this machine's peers see; our own socket */
		if (c->r->op == OP_BIND || strcmp(net.path, c->w->ours) == 0)
			return 1;
		msg_init(c, OP_UNIX);
		snprintf(c->path, sizeof(c->path), "%s", net.path);
		set_path(&c->m, c->path, NULL, 0);
		return 0;
	}
	/* a socket file: bind makes its entry, connect reaches it */
	raw = net.path;
	if (raw[0] != '/' &&
	    (e = dir_of(c->pid, AT_FDCWD, dir, sizeof(dir))) != 0)
		return e;
	e = pathres_canon(&fs, raw[0] == '/' ? NULL : dir, raw,
	    c->r->op == OP_BIND ? 0 : PATHRES_FOLLOW_LAST, c->path,
	    sizeof(c->path));
	if (e != 0)
		return e == -ENOENT && c->r->op != OP_BIND ? 1 : EACCES;
	msg_init(c, c->r->op == OP_BIND ? OP_WRITE : OP_UNIX);
	/* bind makes the socket's entry: a file system write, failing as
	 * the kernel fails one (EACCES), as the shim fails it */
	if (c->r->op == OP_BIND)
		c->deny_errno = EACCES;
	set_path(&c->m, c->path, NULL, c->r->op == OP_BIND ? SR_ENTRY : 0);
	return 0;
}

/*
 * sendmmsg: its messages' addresses. One destination (or none) is judged
 * as sendmsg's; several different ones are refused, since one call is one
 * answer (glibc's resolver sends its two queries to the same server).
 */
static int
build_mmsg(struct call *c, uint64_t vec, uint64_t vlen)
{
	struct mmsghdr mm;
	struct sockaddr_storage first, ss;
	uint64_t i, at = 0;
	socklen_t flen = 0;
	int e;

	if (vlen > 1024) /* UIO_MAXIOV: the kernel takes no more */
		vlen = 1024;
	for (i = 0; i < vlen; i++) {
		if ((e = mem_read(
			 c->pid, vec + i * sizeof(mm), &mm, sizeof(mm))) != 0)
			return e;
		if (mm.msg_hdr.msg_name == NULL || mm.msg_hdr.msg_namelen == 0)
			continue;
		if (mm.msg_hdr.msg_namelen > sizeof(ss))
			mm.msg_hdr.msg_namelen = sizeof(ss);
		if ((e = mem_read(c->pid,
			 (uint64_t)(uintptr_t)mm.msg_hdr.msg_name, &ss,
			 mm.msg_hdr.msg_namelen)) != 0)
			return e;
		if (flen == 0) {
			memcpy(&first, &ss, mm.msg_hdr.msg_namelen);
			flen = mm.msg_hdr.msg_namelen;
			at = (uint64_t)(uintptr_t)mm.msg_hdr.msg_name;
		} else if (mm.msg_hdr.msg_namelen != flen ||
		    memcmp(&first, &ss, flen) != 0)
			return EPERM;
	}
	return flen == 0 ? 1 : build_sockaddr(c, at, flen);
}

static int
build_net(struct call *c)
{
	const __u64 *a = c->n->data.args;
	struct msghdr mh;
	int e;

	if (c->r->kind == SRK_SOCKADDR)
		return build_sockaddr(c, a[c->r->addr], a[c->r->addr + 1]);
	if (c->r->kind == SRK_SENDMMSG)
		return build_mmsg(c, a[c->r->addr], a[c->r->addr + 1]);
	if ((e = mem_read(c->pid, a[c->r->addr], &mh, sizeof(mh))) != 0)
		return e;
	return build_sockaddr(
	    c, (uint64_t)(uintptr_t)mh.msg_name, mh.msg_namelen);
}

static int
deny_errno(const struct sysreq *r)
{
	return r->cls == SRC_NET ? EPERM : EACCES;
}

/*
 * The calls of another ABI (int 0x80, x32) that go on: they touch no
 * path, no other process and no address. Everything else of that ABI is
 * refused: its numbers and names are not this table's (truncate64,
 * chown32, utimensat_time64...), and a list of what may go on is the one
 * that cannot miss a new way to write.
 */
static const char *const other_abi_ok[] = { "read", "write", "readv", "writev",
	"pread64", "pwrite64", "close", "mmap", "mmap2", "munmap", "mremap",
	"mprotect", "madvise", "brk", "exit", "exit_group", "rt_sigaction",
	"rt_sigprocmask", "rt_sigreturn", "sigreturn", "sigaction",
	"sigprocmask", "sigaltstack", "rt_sigsuspend", "getpid", "gettid",
	"getppid", "getpgrp", "getuid", "getuid32", "getgid", "getgid32",
	"geteuid", "geteuid32", "getegid", "getegid32", "set_thread_area",
	"get_thread_area", "set_tid_address", "set_robust_list", "rseq",
	"futex", "futex_time64", "clock_gettime", "clock_gettime64",
	"clock_getres", "clock_getres_time64", "gettimeofday", "time",
	"nanosleep", "clock_nanosleep", "clock_nanosleep_time64", "uname",
	"olduname", "fstat", "fstat64", "lseek", "_llseek", "poll", "ppoll",
	"ppoll_time64", "select", "_newselect", "pselect6", "pselect6_time64",
	"wait4", "waitpid", "waitid", "getrandom", "fcntl", "fcntl64", "dup",
	"dup2", "dup3", "pipe", "pipe2", "getcwd", "sched_yield", "getrlimit",
	"ugetrlimit", "prlimit64", "arch_prctl", "ioctl", "recvfrom", "recvmsg",
	"recv", "getdents", "getdents64", "alarm", "pause", "getitimer",
	"setitimer", "times", "sysinfo", "getrusage", "umask" };

static int
other_abi_harmless(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(other_abi_ok) / sizeof(other_abi_ok[0]); i++)
		if (strcmp(name, other_abi_ok[i]) == 0)
			return 1;
	return 0;
}

/* A call of another ABI (int 0x80, x32): its judged calls are refused */
static void
other_abi(struct watch *w, int fd, const struct seccomp_notif *n)
{
	struct floor_event ev;
	char *name;
	char buf[80];
	uint32_t arch = n->data.arch;
	int nr = n->data.nr;

#ifdef __x86_64__
	if (arch == AUDIT_ARCH_X86_64 && (nr & 0x40000000))
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X32, nr);
	else
#endif
		name = seccomp_syscall_resolve_num_arch(arch, nr);
	if (name != NULL && floor_call(name)) {
		/* a tree watched from its first child sends the floor's
		 * calls of every ABI: refused, or the tree check */
		free(name);
		if (floor_trace(fd, n, w->root, &ev) == 0) {
			if (w->ops->refused != NULL)
				w->ops->refused(w->ctx, &ev);
			respond(fd, n->id, ev.err, 0);
		}
		return;
	}
	if (name != NULL && other_abi_harmless(name)) {
		free(name);
		if (id_valid(fd, n->id))
			respond(fd, n->id, 0, 1);
		return;
	}
	snprintf(buf, sizeof(buf), "%s (a call of another ABI)",
	    name != NULL ? name : "?");
	free(name);
	memset(&ev, 0, sizeof(ev));
	ev.pid = n->pid;
	ev.call = buf;
	ev.why = "the watch judges this architecture's calls only: of a "
		 "32-bit or x32 call, only those that touch no path, process "
		 "or address go on";
	if (w->ops->refused != NULL)
		w->ops->refused(w->ctx, &ev);
	respond(fd, n->id, EPERM, 0);
}

static int
pending_slot(struct watch *w)
{
	int k;

	for (k = 0; k < MAX_PENDING; k++)
		if (!w->pend[k].used)
			return k;
	return -1;
}

/* One notification N on listener FD */
static void
serve(struct watch *w, int fd, const struct seccomp_notif *n)
{
	struct call c;
	struct floor_event ev;
	uint64_t key;
	int e, k, v;

	if (n->data.arch != watch_arch()
#ifdef __x86_64__
	    || (n->data.nr & 0x40000000)
#endif
	) {
		other_abi(w, fd, n);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.w = w;
	c.fd = fd;
	c.n = n;
	c.pid = (pid_t)n->pid;
	if ((c.tgid = tgid_of(c.pid, &c.ppid)) == 0) {
		respond(fd, n->id, EACCES, 0); /* gone, or not ours to see */
		return;
	}
	if ((c.r = sysreq_find(n->data.nr)) == NULL) {
		/* the ptrace family: inside the tree, or refused */
		if (floor_trace(fd, n, w->root, &ev) == 0) {
			if (w->ops->refused != NULL)
				w->ops->refused(w->ctx, &ev);
			respond(fd, n->id, ev.err, 0);
		}
		return;
	}
	e = c.r->kind == SRK_EXEC ? build_exec(&c)
	    : c.r->cls == SRC_NET ? build_net(&c)
				  : build_fs(&c);
	/* what was read was the caller's, and the caller is still there */
	if (!id_valid(fd, n->id))
		return;
	/* the first child's exec of the command, judged before it started:
	 * once, that program, that process */
	if (e == 0 && c.r->kind == SRK_EXEC && w->trust != 0 &&
	    c.pid == w->trust && strcmp(c.path, w->trust_path) == 0) {
		w->trust = 0;
		e = 1;
	}
	if (e == 1) {
		respond(fd, n->id, 0, 1);
		return;
	}
	if (e != 0) {
		respond(fd, n->id, e, 0);
		return;
	}
	if ((k = pending_slot(w)) == -1) {
		/* as many questions open as can be: refused at once */
		respond(fd, n->id, deny_errno(c.r), 0);
		return;
	}
	w->pend[k].gen = ++w->gen & 0xffffffu;
	key = (uint64_t)w->pend[k].gen << 16 | (unsigned int)k;
	v = w->ops->decide(w->ctx, &c.m, key);
	if (v == WATCH_DEFER) {
		w->pend[k].used = 1;
		w->pend[k].fd = fd;
		w->pend[k].id = n->id;
		w->pend[k].deny_errno =
		    c.deny_errno != 0 ? c.deny_errno : deny_errno(c.r);
		return;
	}
	answer(
	    fd, n->id, v, c.deny_errno != 0 ? c.deny_errno : deny_errno(c.r));
}

/* Drop listener I: no process uses its filter any more */
static void
drop(struct watch *w, int i)
{
	int k;

	for (k = 0; k < MAX_PENDING; k++)
		if (w->pend[k].used && w->pend[k].fd == w->fds[i])
			w->pend[k].used = 0;
	close(w->fds[i]);
	w->fds[i] = w->fds[--w->n];
}

void
watch_ready(struct watch *w, const struct pollfd *pfd, int n)
{
	struct pollfd one;
	int i, j, turn;

	for (i = n - 1; i >= 0; i--) {
		if (pfd[i].revents == 0)
			continue;
		for (j = 0; j < w->n && w->fds[j] != pfd[i].fd; j++)
			;
		if (j == w->n)
			continue;
		for (turn = 0; turn < TURN; turn++) {
			one.fd = w->fds[j];
			one.events = POLLIN;
			one.revents = 0;
			if (poll(&one, 1, 0) <= 0)
				break;
			if (!(one.revents & POLLIN)) {
				/* POLLHUP: the last process of it is gone */
				if (one.revents &
				    (POLLHUP | POLLERR | POLLNVAL))
					drop(w, j);
				break;
			}
			memset(w->req, 0, sizeof(*w->req));
			/* ENOENT: the caller died between poll and here */
			if (ioctl(w->fds[j], SECCOMP_IOCTL_NOTIF_RECV,
				w->req) == -1)
				continue;
			serve(w, w->fds[j], w->req);
		}
	}
}
