/*
 * sysreq.h: which system calls are judged, and how each one's arguments
 * make a request. One table, read by both layers: the shim's syscall(2)
 * hook (preload/sys.c) and the supervisor's user-notify handler
 * (supervisor/watch.c), which reads the same arguments out of the calling
 * process; the watch filter (supervisor/watchbpf.c) is built from it too,
 * so that what is notified and what is judged cannot drift apart.
 *
 * Pure: no system call, no allocation. Linked into the shim and the
 * supervisor. Error convention: functions return 0 or a positive errno;
 * lookups return NULL when there is nothing.
 */
#ifndef AGENTWRAP_SYSREQ_H
#define AGENTWRAP_SYSREQ_H

#include <stddef.h>

#include "policy.h"

/* How a path is judged (the shim's J_* flags are these) */
#define SR_FOLLOW 0x0
#define SR_NOFOLLOW REQ_NOFOLLOW /* acts on a link itself */
#define SR_ENTRY (REQ_NOFOLLOW | REQ_ENTRY) /* creates/removes an entry */
#define SR_EMPTY 0x100 /* AT_EMPTY_PATH given: "" is the fd */
#define SR_NULL_FD 0x200 /* a NULL path means the fd itself */
/* makes a new entry: where one exists the kernel fails with EEXIST first,
 * so a denied call fails that way too, without a denial to report */
#define SR_MAKE 0x400
#define SR_NEW (SR_ENTRY | SR_MAKE)

/* What shape a call's arguments have */
enum sysreq_kind {
	SRK_OPEN, /* DIRFD (or AT_FDCWD), PATH, FLAGS: judged by its flags */
	SRK_OPENAT2, /* DIRFD, PATH, struct open_how * in FLAGS' place */
	SRK_CREAT, /* PATH: open O_WRONLY|O_CREAT|O_TRUNC */
	SRK_PATH, /* DIRFD, PATH, HOW; AT flags in ATFLAGS if >= 0 */
	SRK_RENAME, /* DIRFD, PATH -> DIRFD2, PATH2: both entries */
	SRK_LINK, /* the same; the first followed per ATFLAGS */
	SRK_FD, /* DIRFD only: a write through a descriptor (fchmod...) */
	SRK_EXEC, /* DIRFD, PATH, ARGV (args[ARGV]), ATFLAGS */
	SRK_SOCKADDR, /* FD, ADDR (args[ADDR]), LEN (args[ADDR + 1]) */
	SRK_SENDMSG, /* FD, struct msghdr * (args[ADDR]) */
	SRK_SENDMMSG, /* FD, struct mmsghdr * (args[ADDR]), VLEN after it */
};

/* The class of a call: what it fails with when denied */
enum sysreq_cls {
	SRC_FS, /* EACCES */
	SRC_EXEC, /* EACCES */
	SRC_NET, /* EPERM */
};

/* Argument indexes; -1: none (a DIRFD of -1 means AT_FDCWD) */
struct sysreq {
	long nr; /* this architecture's number */
	const char *call; /* "syscall:openat": the name is call + 8 */
	unsigned char kind; /* enum sysreq_kind */
	unsigned char cls; /* enum sysreq_cls */
	unsigned char op; /* enum pol_op (OP_WRITE, OP_CONNECT...) */
	signed char dirfd, path, dirfd2, path2;
	signed char flags; /* SRK_OPEN: the open flags */
	signed char atflags; /* AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH... */
	signed char argv; /* SRK_EXEC */
	signed char addr; /* SRK_SOCKADDR, SRK_SENDMSG */
	int how; /* SR_* */
};

/* Every judged call of this architecture, and how many */
extern const struct sysreq sysreq_table[];
extern const size_t sysreq_count;

/* The row for NR, or NULL: not judged */
const struct sysreq *sysreq_find(long nr);

/*
 * An open's FLAGS as a request: *OP (OP_READ or OP_WRITE) and *HOW
 * (SR_FOLLOW, SR_NOFOLLOW, or SR_NEW for O_CREAT|O_EXCL). The same for an
 * O_PATH descriptor (a read: it gives no access to the bytes).
 */
void sysreq_open(int flags, int *op, int *how);

/*
 * AT flags as HOW bits: AT_SYMLINK_NOFOLLOW -> SR_NOFOLLOW, AT_EMPTY_PATH
 * -> SR_EMPTY, and for linkat AT_SYMLINK_FOLLOW (the only way it follows).
 */
int sysreq_at_how(int atflags, int how, int is_link);

/* A socket address as a request */
enum sysreq_net_kind {
	SRN_SKIP, /* nothing to judge: the kernel answers (or AF_UNSPEC) */
	SRN_INET, /* HOST is the address text, PORT its port, A the address */
	SRN_UNIX_PATH, /* PATH: a socket file, relative to the cwd */
	SRN_UNIX_ABSTRACT, /* PATH: "@name" */
	SRN_OTHER, /* HOST: "address-family-N.invalid" (never resolves) */
};
struct sysreq_net {
	int kind;
	char host[64];
	int port;
	struct netaddr a;
	/* sun_path and a NUL, or '@' and the whole name: a NUL in it
	 * written \0, a backslash \\ */
	char path[2 * 108 + 2];
};
/*
 * Read LEN bytes of SA (a copy the caller made) into OUT. HOW: SR_SEND
 * for sendto/sendmsg/sendmmsg, SR_BIND for bind, 0 for connect. AF_UNSPEC
 * dissolves a connect, but an IPv4 socket's send and bind take it as
 * AF_INET (the kernel's compatibility rule): judged as that address.
 */
#define SR_SEND 0x1000
#define SR_BIND 0x2000
void sysreq_sockaddr(
    const void *sa, size_t len, int how, struct sysreq_net *out);

/*
 * A path that names no filesystem object: a pipe, socket or anonymous
 * inode reached through /proc/PID/fd, a deleted memfd.
 */
int sysreq_anon_object(const char *canon);

#endif /* AGENTWRAP_SYSREQ_H */
