/*
 * cover.c: the coverage check (see cover.h). No allocation, no stdio: it
 * runs inside the shim's exec hooks too.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "cover.h"

#define MAX_DEPTH 5 /* #! levels the kernel follows (the sixth: ELOOP) */
#define MAX_PHDRS 64
#define MAX_SHDRS 256 /* section headers looked at for a runtime's mark */
#define MAX_NOTE 512 /* bytes of a PT_NOTE segment read */
#define MAX_NAMES 1024 /* bytes of the section names read */
#define SHDR_CHUNK 16 /* section headers read at once */

static const char *why_fd(const struct cover_io *io, int fd, int depth);

const char cover_unreadable[] = "a program the shim cannot read, so cannot "
				"tell whether it can follow it";

static const char *
why_path(const struct cover_io *io, const char *path, int depth)
{
	const char *why;
	long fd = io->open(path);

	/* not readable but runnable (mode 0711); one that cannot even be
	 * reached (execvp trying a directory of PATH it may not search)
	 * fails the exec anyway */
	if (fd == -EACCES && io->can_exec(path) == 0)
		return cover_unreadable;
	if (fd < 0)
		return NULL;
	why = why_fd(io, (int)fd, depth);
	io->close((int)fd);
	return why;
}

/* the interpreter named on a "#!" line, in place in LINE; NULL if none */
static char *
interpreter(char *line)
{
	char *s, *w;

	for (s = line + 2; *s == ' ' || *s == '\t'; s++)
		;
	for (w = s; *w != '\0' && *w != ' ' && *w != '\t' && *w != '\n'; w++)
		;
	*w = '\0';
	return *s != '\0' ? s : NULL;
}

static const char go_why[] =
    "a Go program: its runtime makes its system calls itself, past the "
    "shim (even linked with glibc)";
static const char bun_why[] =
    "a Bun program: it makes its file system calls itself, past the shim "
    "(even linked with glibc)";

/* Does a note of owner "Go" lie in the N bytes of notes at BUF? */
static int
go_note(const unsigned char *buf, size_t n)
{
	Elf64_Nhdr nh;
	size_t off = 0, name, desc;

	while (off + sizeof(nh) <= n) {
		memcpy(&nh, buf + off, sizeof(nh));
		off += sizeof(nh);
		name = ((size_t)nh.n_namesz + 3) & ~(size_t)3;
		desc = ((size_t)nh.n_descsz + 3) & ~(size_t)3;
		if (nh.n_namesz > n || nh.n_descsz > n || name > n - off)
			return 0;
		if (nh.n_namesz == 3 && memcmp(buf + off, "Go", 3) == 0)
			return 1;
		off += name;
		if (desc > n - off)
			return 0;
		off += desc;
	}
	return 0;
}

/*
 * A program whose runtime makes system calls without libc, so that the
 * shim inside it sees few of them: Go (a "Go" note, or a .go.buildinfo
 * section) and Bun (its .bun section). Its reason, or NULL. Only what the
 * headers say is looked at: a few reads, every exec.
 */
static const char *
raw_runtime(const struct cover_io *io, int fd, const Elf64_Ehdr *eh,
    const Elf64_Phdr *ph, size_t nph)
{
	unsigned char note[MAX_NOTE];
	Elf64_Shdr sh[SHDR_CHUNK], str;
	char names[MAX_NAMES];
	size_t i, j, k, nsh, len;
	long n;

	for (i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_NOTE || ph[i].p_filesz == 0)
			continue;
		len = ph[i].p_filesz < sizeof(note) ? (size_t)ph[i].p_filesz
						    : sizeof(note);
		n = io->pread(fd, note, len, (off_t)ph[i].p_offset);
		if (n > 0 && go_note(note, (size_t)n))
			return go_why;
	}
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
		return NULL; /* no section headers (stripped of them) */
	if (io->pread(fd, &str, sizeof(str),
		(off_t)(eh->e_shoff +
		    (Elf64_Off)eh->e_shstrndx * sizeof(str))) !=
	    (long)sizeof(str))
		return NULL;
	/* the names, once (a name past what fits is not looked at) */
	len = str.sh_size < sizeof(names) - 1 ? (size_t)str.sh_size
					      : sizeof(names) - 1;
	if ((n = io->pread(fd, names, len, (off_t)str.sh_offset)) <= 0)
		return NULL;
	names[n] = '\0';
	len = (size_t)n;
	nsh = eh->e_shnum < MAX_SHDRS ? eh->e_shnum : MAX_SHDRS;
	for (i = 0; i < nsh; i += k) {
		k = nsh - i < SHDR_CHUNK ? nsh - i : SHDR_CHUNK;
		n = io->pread(fd, sh, k * sizeof(sh[0]),
		    (off_t)(eh->e_shoff + (Elf64_Off)i * sizeof(sh[0])));
		if (n < (long)(k * sizeof(sh[0])))
			return NULL;
		for (j = 0; j < k; j++) {
			if (sh[j].sh_name >= len)
				continue;
			if (strcmp(names + sh[j].sh_name, ".bun") == 0)
				return bun_why;
			if (strcmp(names + sh[j].sh_name, ".go.buildinfo") == 0)
				return go_why;
		}
	}
	return NULL;
}

static const char *
why_elf(const struct cover_io *io, int fd, const Elf64_Ehdr *eh)
{
	Elf64_Phdr ph[MAX_PHDRS];
	char interp[256];
	size_t i, nph;
	long n;

	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return "a 32-bit program: the 64-bit shim cannot be loaded "
		       "into it";
	if (eh->e_machine != EM_X86_64 && eh->e_machine != EM_AARCH64)
		return NULL; /* not for this machine: the exec fails */
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0)
		return "an ELF file without program headers";
	nph = eh->e_phnum < MAX_PHDRS ? eh->e_phnum : MAX_PHDRS;
	n = io->pread(fd, ph, nph * sizeof(Elf64_Phdr), (off_t)eh->e_phoff);
	if (n < (long)(nph * sizeof(Elf64_Phdr)))
		return "an ELF file whose program headers cannot be read";
	for (i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_INTERP)
			continue;
		if (ph[i].p_filesz == 0 || ph[i].p_filesz >= sizeof(interp))
			return "a program with an unusual loader";
		n = io->pread(
		    fd, interp, ph[i].p_filesz, (off_t)ph[i].p_offset);
		if (n != (long)ph[i].p_filesz)
			return "a program whose loader cannot be read";
		interp[n] = '\0';
		if (strstr(interp, "/ld-linux") == NULL)
			return "a program with a loader other than glibc's: "
			       "it does not load the shim";
		return raw_runtime(io, fd, eh, ph, nph);
	}
	return "a statically linked program: the shim cannot follow it";
}

static const char *
why_fd(const struct cover_io *io, int fd, int depth)
{
	Elf64_Ehdr eh;
	struct stat st;
	char line[256], *s;
	long n;

	/* outside no_new_privs, set-user-ID bits and file capabilities
	 * make the exec secure (AT_SECURE): the loader drops LD_PRELOAD */
	if (!io->nnp) {
		if (io->fstat(fd, &st) == 0 &&
		    (((st.st_mode & S_ISUID) && st.st_uid != io->euid) ||
			((st.st_mode & S_ISGID) && st.st_gid != io->egid)))
			return "a set-user-ID or set-group-ID program: the "
			       "loader ignores LD_PRELOAD";
		if (io->has_caps(fd) >= 0)
			return "a program with file capabilities "
			       "(security.capability): it runs in secure mode "
			       "and the loader ignores LD_PRELOAD";
	}
	n = io->pread(fd, line, sizeof(line) - 1, 0);
	if (n < 2)
		return NULL; /* empty: the exec fails, or runs sh on nothing */
	line[n] = '\0';
	if (line[0] == '#' && line[1] == '!') {
		if ((s = interpreter(line)) == NULL)
			return NULL; /* no interpreter: ENOEXEC */
		/* the stricter answer where we cannot look as the kernel
		 * would: a chain past our depth, an interpreter taken from
		 * the directory of whoever runs the script */
		if (depth >= MAX_DEPTH)
			return "a chain of #! scripts too deep to follow";
		if (*s != '/')
			return "a script whose interpreter is a relative path: "
			       "the shim cannot tell what it runs";
		return why_path(io, s, depth + 1);
	}
	if ((size_t)n < sizeof(eh) || memcmp(line, ELFMAG, SELFMAG) != 0)
		return NULL; /* not a format the kernel runs: ENOEXEC */
	memcpy(&eh, line, sizeof(eh));
	return why_elf(io, fd, &eh);
}

int
cover_from_dir(const char *dir, const char *rel, char *out, size_t len)
{
	size_t d, r;

	if (dir == NULL || rel[0] == '/') {
		if ((r = strlen(rel)) >= len)
			return -1;
		memcpy(out, rel, r + 1);
		return 0;
	}
	while (rel[0] == '.' && rel[1] == '/')
		for (rel += 2; *rel == '/'; rel++)
			;
	d = strlen(dir);
	if (d == 1 && dir[0] == '/')
		d = 0;
	r = strlen(rel);
	if (d + 1 + r >= len)
		return -1;
	memcpy(out, dir, d);
	out[d] = '/';
	memcpy(out + d + 1, rel, r + 1);
	return 0;
}

int
cover_search(const struct cover_io *io, const char *path_env, const char *dir,
    const char *name, int exec_only, char *out, size_t len)
{
	const char *p, *e;
	char rel[4096];
	struct stat st;
	size_t n, k;

	if (path_env == NULL)
		path_env = "/bin:/usr/bin"; /* glibc's default */
	k = strlen(name);
	for (p = path_env;; p = e + 1) {
		e = strchrnul(p, ':');
		n = (size_t)(e - p);
		if (n + 1 + k < sizeof(rel)) {
			/* the empty entry: this directory, as "./NAME", so
			 * that what is found always holds a '/' */
			if (n == 0)
				rel[n++] = '.';
			else
				memcpy(rel, p, n);
			rel[n++] = '/';
			memcpy(rel + n, name, k + 1);
			if (cover_from_dir(dir, rel, out, len) == 0 &&
			    io->stat(out, &st) == 0 &&
			    (!exec_only ||
				(S_ISREG(st.st_mode) &&
				    io->can_exec(out) == 0)))
				return 1;
		}
		out[0] = '\0';
		if (*e == '\0')
			return 0;
	}
}

const char *
cover_why_fd(const struct cover_io *io, int fd)
{
	return why_fd(io, fd, 0);
}

const char *
cover_why_path(const struct cover_io *io, const char *path)
{
	return why_path(io, path, 0);
}
