/*
 * closeall: what a program the shim is not inside may do before it starts
 * a command (the Codex CLI does this): close every descriptor above 2 with
 * the raw close_range system call, then exec. Built static, so no shim is
 * ever in it.
 *
 *   closeall PROGRAM [ARG...]
 *
 * Exits 100 on misuse, 127 if the exec fails.
 */
#include <sys/syscall.h>

#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 100;
	syscall(SYS_close_range, 3, ~0U, 0);
	execv(argv[1], argv + 1);
	return 127;
}
