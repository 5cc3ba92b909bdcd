/*
 * sysreq.c: the judged system calls and how their arguments make a
 * request (see sysreq.h).
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "sysreq.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
/* Linux 6.13 and 6.17: extended attributes and inode flags by dirfd/path */
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat 466
#endif
#ifndef SYS_file_setattr
#define SYS_file_setattr 469
#endif

/* rows: number, kind, class, op, dirfd, path, dirfd2, path2, flags,
 * atflags, argv, addr, how */
#define ROW(nr, kind, cls, op, d, p, d2, p2, fl, at, av, ad, how)              \
	{                                                                      \
		SYS_##nr, "syscall:" #nr, kind, cls, op, d, p, d2, p2, fl, at, \
		    av, ad, how                                                \
	}
#define FSROW(nr, kind, d, p, d2, p2, fl, at, how)                             \
	ROW(nr, kind, SRC_FS, OP_WRITE, d, p, d2, p2, fl, at, -1, -1, how)
#define PATHROW(nr, d, p, at, how)                                             \
	FSROW(nr, SRK_PATH, d, p, -1, -1, -1, at, how)

const struct sysreq sysreq_table[] = {
#ifdef SYS_open
	FSROW(open, SRK_OPEN, -1, 0, -1, -1, 1, -1, 0),
#endif
	FSROW(openat, SRK_OPEN, 0, 1, -1, -1, 2, -1, 0),
	FSROW(openat2, SRK_OPENAT2, 0, 1, -1, -1, 2, -1, 0),
#ifdef SYS_creat
	FSROW(creat, SRK_CREAT, -1, 0, -1, -1, -1, -1, 0),
#endif
#ifdef SYS_unlink
	PATHROW(unlink, -1, 0, -1, SR_ENTRY),
	PATHROW(rmdir, -1, 0, -1, SR_ENTRY),
	PATHROW(mkdir, -1, 0, -1, SR_NEW),
	PATHROW(mknod, -1, 0, -1, SR_NEW),
#endif
	PATHROW(unlinkat, 0, 1, -1, SR_ENTRY),
	PATHROW(mkdirat, 0, 1, -1, SR_NEW),
	PATHROW(mknodat, 0, 1, -1, SR_NEW),
#ifdef SYS_rename
	FSROW(rename, SRK_RENAME, -1, 0, -1, 1, -1, -1, SR_ENTRY),
#endif
	FSROW(renameat, SRK_RENAME, 0, 1, 2, 3, -1, -1, SR_ENTRY),
	FSROW(renameat2, SRK_RENAME, 0, 1, 2, 3, -1, -1, SR_ENTRY),
#ifdef SYS_link
	FSROW(link, SRK_LINK, -1, 0, -1, 1, -1, -1, SR_NEW),
#endif
	FSROW(linkat, SRK_LINK, 0, 1, 2, 3, -1, 4, SR_NEW),
#ifdef SYS_symlink
	PATHROW(symlink, -1, 1, -1, SR_NEW),
#endif
	PATHROW(symlinkat, 1, 2, -1, SR_NEW),
#ifdef SYS_chmod
	PATHROW(chmod, -1, 0, -1, SR_FOLLOW),
	PATHROW(chown, -1, 0, -1, SR_FOLLOW),
	PATHROW(lchown, -1, 0, -1, SR_NOFOLLOW),
	PATHROW(utime, -1, 0, -1, SR_FOLLOW),
	PATHROW(utimes, -1, 0, -1, SR_FOLLOW),
	PATHROW(futimesat, 0, 1, -1, SR_NULL_FD),
#endif
	PATHROW(truncate, -1, 0, -1, SR_FOLLOW),
	PATHROW(setxattr, -1, 0, -1, SR_FOLLOW),
	PATHROW(removexattr, -1, 0, -1, SR_FOLLOW),
	PATHROW(lsetxattr, -1, 0, -1, SR_NOFOLLOW),
	PATHROW(lremovexattr, -1, 0, -1, SR_NOFOLLOW),
	PATHROW(fchmodat, 0, 1, -1, SR_FOLLOW),
	PATHROW(fchmodat2, 0, 1, 3, SR_FOLLOW),
	PATHROW(fchownat, 0, 1, 4, SR_FOLLOW),
	PATHROW(setxattrat, 0, 1, 2, SR_FOLLOW),
	PATHROW(removexattrat, 0, 1, 2, SR_FOLLOW),
	PATHROW(file_setattr, 0, 1, 4, SR_FOLLOW),
	PATHROW(utimensat, 0, 1, 3, SR_NULL_FD),
	FSROW(fchmod, SRK_FD, 0, -1, -1, -1, -1, -1, SR_EMPTY),
	FSROW(fchown, SRK_FD, 0, -1, -1, -1, -1, -1, SR_EMPTY),
	FSROW(fsetxattr, SRK_FD, 0, -1, -1, -1, -1, -1, SR_EMPTY),
	FSROW(fremovexattr, SRK_FD, 0, -1, -1, -1, -1, -1, SR_EMPTY),
	ROW(execve, SRK_EXEC, SRC_EXEC, OP_EXEC, -1, 0, -1, -1, -1, -1, 1, -1,
	    SR_FOLLOW),
	ROW(execveat, SRK_EXEC, SRC_EXEC, OP_EXEC, 0, 1, -1, -1, -1, 4, 2, -1,
	    SR_FOLLOW),
	ROW(connect, SRK_SOCKADDR, SRC_NET, OP_CONNECT, 0, -1, -1, -1, -1, -1,
	    -1, 1, 0),
	ROW(bind, SRK_SOCKADDR, SRC_NET, OP_BIND, 0, -1, -1, -1, -1, -1, -1, 1,
	    SR_BIND),
	ROW(sendto, SRK_SOCKADDR, SRC_NET, OP_CONNECT, 0, -1, -1, -1, -1, -1,
	    -1, 4, SR_SEND),
	ROW(sendmsg, SRK_SENDMSG, SRC_NET, OP_CONNECT, 0, -1, -1, -1, -1, -1,
	    -1, 1, SR_SEND),
	ROW(sendmmsg, SRK_SENDMMSG, SRC_NET, OP_CONNECT, 0, -1, -1, -1, -1, -1,
	    -1, 1, SR_SEND),
};
const size_t sysreq_count = sizeof(sysreq_table) / sizeof(sysreq_table[0]);

const struct sysreq *
sysreq_find(long nr)
{
	size_t i;

	for (i = 0; i < sysreq_count; i++)
		if (sysreq_table[i].nr == nr)
			return &sysreq_table[i];
	return NULL;
}

void
sysreq_open(int flags, int *op, int *how)
{
	int acc = flags & O_ACCMODE;

	*how = (flags & O_NOFOLLOW) ? SR_NOFOLLOW : SR_FOLLOW;
	if (flags & O_PATH) {
		*op = OP_READ;
		return;
	}
	*op = acc != O_RDONLY ||
		(flags & (O_CREAT | O_TRUNC | O_APPEND)) != 0 ||
		(flags & O_TMPFILE) == O_TMPFILE
	    ? OP_WRITE
	    : OP_READ;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		*how = SR_NEW;
}

int
sysreq_at_how(int atflags, int how, int is_link)
{
	if (is_link)
		how = (atflags & AT_SYMLINK_FOLLOW) ? SR_FOLLOW : SR_NOFOLLOW;
	else if (atflags & AT_SYMLINK_NOFOLLOW)
		how |= SR_NOFOLLOW;
	if (atflags & AT_EMPTY_PATH)
		how |= SR_EMPTY;
	return how;
}

void
sysreq_sockaddr(const void *sa, size_t len, int how, struct sysreq_net *out)
{
	struct sockaddr_storage ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&ss;
	size_t n, off = offsetof(struct sockaddr_un, sun_path);

	memset(out, 0, sizeof(*out));
	out->kind = SRN_SKIP;
	out->port = -1;
	if (sa == NULL || len < sizeof(sa_family_t))
		return; /* the kernel answers */
	memset(&ss, 0, sizeof(ss));
	if (len > sizeof(ss))
		len = sizeof(ss);
	memcpy(&ss, sa, len);
	if (ss.ss_family == AF_UNSPEC && (how & (SR_SEND | SR_BIND)))
		ss.ss_family =
		    AF_INET; /* as udp_sendmsg and inet_bind read it */
	switch (ss.ss_family) {
	case AF_INET:
		if (len < sizeof(*sin))
			return;
		out->a.family = AF_INET;
		memcpy(out->a.addr, &sin->sin_addr, 4);
		out->port = ntohs(sin->sin_port);
		break;
	case AF_INET6:
		if (len < 24) /* RFC 2133 size, without the scope */
			return;
		out->a.family = AF_INET6;
		memcpy(out->a.addr, &sin6->sin6_addr, 16);
		if (len >= sizeof(*sin6))
			out->a.scope_id = sin6->sin6_scope_id;
		out->port = ntohs(sin6->sin6_port);
		break;
	case AF_UNIX:
		if (len <= off)
			return; /* unnamed: autobind */
		n = len - off;
		if (n > sizeof(sun->sun_path))
			n = sizeof(sun->sun_path);
		if (sun->sun_path[0] == '\0') {
			/* abstract: "@name", all of the length given, as
			 * the kernel compares it (NULs that pad it to
			 * sizeof(struct sockaddr_un) are part of it); a NUL
			 * is "\0", so that "@foo" names neither "foo\0bar"
			 * nor "foo\0" */
			const char *b = sun->sun_path + 1;
			size_t i, o = 0;

			n--;
			out->path[o++] = '@';
			for (i = 0; i < n; i++) {
				if (b[i] == '\0' || b[i] == '\\') {
					out->path[o++] = '\\';
					out->path[o++] =
					    b[i] == '\0' ? '0' : '\\';
				} else
					out->path[o++] = b[i];
			}
			out->path[o] = '\0';
			out->kind = SRN_UNIX_ABSTRACT;
		} else {
			n = strnlen(sun->sun_path, n);
			memcpy(out->path, sun->sun_path, n);
			out->path[n] = '\0';
			out->kind = SRN_UNIX_PATH;
		}
		return;
	case AF_UNSPEC: /* connect: dissolve an association */
	case AF_NETLINK:
		return;
	default:
		/*
		 * Another family (vsock, packet, bluetooth...): judged as a
		 * name that never resolves, so it passes only where the
		 * network is unrestricted.
		 */
		snprintf(out->host, sizeof(out->host),
		    "address-family-%d.invalid", (int)ss.ss_family);
		out->kind = SRN_OTHER;
		return;
	}
	netaddr_format(&out->a, out->host, sizeof(out->host));
	out->kind = SRN_INET;
}

int
sysreq_anon_object(const char *p)
{
	const char *s;
	size_t n;

	if (strncmp(p, "/proc/", 6) == 0) {
		s = strrchr(p, '/');
		return strchr(s, ':') != NULL && s - p >= 9 &&
		    memcmp(s - 3, "/fd", 3) == 0;
	}
	n = strlen(p);
	return strncmp(p, "/memfd:", 7) == 0 && n > 10 &&
	    strcmp(p + n - 10, " (deleted)") == 0;
}
