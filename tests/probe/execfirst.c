/*
 * execfirst PROG: execve(PROG) as the very first instruction after the
 * kernel starts it, without libc (x86_64). The supervisor once trusted
 * every exec of the first child until it saw the child's exec go through;
 * a command whose first act is an exec could slip a second one through
 * that window (tests/integ/watch-hunt.sh). Exits 1 if the exec failed.
 */
#if defined(__x86_64__)
static long
rs(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

void start_c(long *sp) __attribute__((used, noreturn));

void
start_c(long *sp)
{
	char **argv = (char **)(sp + 1);
	char *av[2] = { argv[1], 0 };
	char *ev[1] = { 0 };

	if (sp[0] >= 2)
		rs(59, (long)argv[1], (long)av, (long)ev); /* execve */
	rs(1, 2, (long)"execfirst: not run\n", 19);
	for (;;)
		rs(60, 1, 0, 0); /* exit */
}

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start_c\n");
#else
#include <unistd.h>
int
main(int argc, char **argv)
{
	if (argc >= 2)
		execv(argv[1], argv + 1);
	return 1;
}
#endif
