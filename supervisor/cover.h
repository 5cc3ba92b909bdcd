/*
 * cover.h: which program an exec runs (the PATH search) and can the shim
 * follow it there? The one answer to each,
 * linked into the shim (which judges every exec it sees) and into the
 * supervisor (which judges the first one), so that both say the same of
 * the same file.
 *
 * The shim cannot be inside: a static program (no PT_INTERP), a program
 * for another loader than glibc's (musl), a 32-bit program, an ELF file
 * whose headers cannot be read, and, where the exec runs in secure mode
 * (not under no_new_privs), a set-user-ID or set-group-ID program of
 * someone else or one with file capabilities. Nor can it follow a program
 * whose runtime makes its system calls itself, which the headers show for
 * Go (its "Go" note, a .go.buildinfo section) and Bun (a .bun section):
 * the shim is inside it but sees few of its calls. A script is looked through
 * to its interpreter, five levels deep as the kernel does; a deeper chain,
 * or an interpreter named by a relative path (which the kernel looks up
 * from the caller's directory), is uncovered. A file that cannot be read
 * but can be run cannot be looked into: uncovered too.
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
	long (*stat)(const char *path, struct stat *st);
	long (*has_caps)(int fd); /* >= 0: security.capability is set */
	long (*can_exec)(const char *path); /* 0: X_OK */
	void (*close)(int fd);
	uid_t euid;
	gid_t egid;
	int nnp; /* the exec runs under no_new_privs */
};

/*
 * REL as seen from DIR, into OUT: REL itself when it is absolute or DIR is
 * NULL (the caller's own directory). Leading "./" are dropped, so that a
 * rule naming DIR/tool matches ./tool; nothing else is touched (".." after
 * a symlink stays the kernel's business). 0, or -1 if too long.
 */
int cover_from_dir(const char *dir, const char *rel, char *out, size_t len);

/*
 * execvp's search for NAME (no '/') along PATH_ENV (NULL: glibc's default
 * "/bin:/usr/bin"; an empty entry is the directory itself), from DIR (NULL:
 * the caller's directory): the first regular file that may be executed
 * (EXEC_ONLY), or the first name that exists at all (not EXEC_ONLY, to
 * tell "not found" from "not allowed"), into OUT. 1 if found, else 0 and
 * OUT is "".
 */
int cover_search(const struct cover_io *io, const char *path_env,
    const char *dir, const char *name, int exec_only, char *out, size_t len);

/*
 * The reason given for a program that may be run but not read (mode
 * 0711): the kernel makes such a process not dumpable, so the seccomp
 * watch, which reads the caller's memory, cannot follow it either.
 */
extern const char cover_unreadable[];

const char *cover_why_fd(const struct cover_io *io, int fd);
const char *cover_why_path(const struct cover_io *io, const char *path);

#endif /* AGENTWRAP_COVER_H */
