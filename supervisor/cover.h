/*
 * cover.h: can the shim follow a program into its exec? The one check,
 * linked into the shim (which judges every exec it sees) and into the
 * supervisor (which judges the first one), so that both say the same of
 * the same file.
 *
 * The shim cannot be inside: a static program (no PT_INTERP), a program
 * for another loader than glibc's (musl), a 32-bit program, an ELF file
 * whose headers cannot be read, and, where the exec runs in secure mode
 * (not under no_new_privs), a set-user-ID or set-group-ID program of
 * someone else or one with file capabilities. A script is looked through
 * to its interpreter, four levels deep as the kernel does. A file that
 * cannot be read but can be run cannot be looked into: uncovered too.
 *
 * The caller brings the file operations (raw system calls in the shim,
 * libc in the supervisor), each returning what the system call does or
 * -errno. Error convention: a reason (a static string), or NULL when the
 * shim follows the program or the exec will fail anyway.
 */
#ifndef AGENTWRAP_COVER_H
#define AGENTWRAP_COVER_H

#include <sys/stat.h>
#include <sys/types.h>

struct cover_io {
	long (*open)(const char *path); /* O_RDONLY|O_CLOEXEC: fd */
	long (*pread)(int fd, void *buf, size_t n, off_t off);
	long (*fstat)(int fd, struct stat *st);
	long (*has_caps)(int fd); /* >= 0: security.capability is set */
	long (*can_exec)(const char *path); /* 0: X_OK */
	void (*close)(int fd);
	uid_t euid;
	gid_t egid;
	int nnp; /* the exec runs under no_new_privs */
};

const char *cover_why_fd(const struct cover_io *io, int fd);
const char *cover_why_path(const struct cover_io *io, const char *path);

#endif /* AGENTWRAP_COVER_H */
