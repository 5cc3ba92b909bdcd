/*
 * execdeny: run PROGRAM FILE through each C entry point and print what the
 * caller saw, one line each: "execve EACCES", "posix_spawn EACCES",
 * "posix_spawnp EACCES", "execvp EACCES", "syscall EACCES" (exec in a
 * child; the line gives its errno) and "system STATUS", "popen STATUS"
 * (the shell's exit status when the shell could not run PROGRAM).
 *
 *   execdeny PROGRAM FILE
 *
 * Exits 0, or 100 on misuse. The calling test checks FILE and the lines.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char *
ename(int e)
{
	return e == 0	  ? "0"
	    : e == EACCES ? "EACCES"
	    : e == EPERM  ? "EPERM"
	    : e == ENOENT ? "ENOENT"
			  : strerror(e);
}

/* exec in a child by HOW; the child reports errno as its exit status */
static void
in_child(const char *how, char *const argv[])
{
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		if (strcmp(how, "execve") == 0)
			execve(argv[0], argv, environ);
		else if (strcmp(how, "execvp") == 0)
			execvp(argv[0], argv);
		else
			syscall(SYS_execve, argv[0], argv, environ);
		_exit(errno);
	}
	waitpid(pid, &st, 0);
	printf("%s %s\n", how, WIFEXITED(st) ? ename(WEXITSTATUS(st)) : "?");
}

int
main(int argc, char **argv)
{
	char cmd[4096];
	char *av[3];
	pid_t pid;
	FILE *f;
	int e, st;

	if (argc != 3)
		return 100;
	av[0] = argv[1];
	av[1] = argv[2];
	av[2] = NULL;
	in_child("execve", av);
	in_child("execvp", av);
	in_child("syscall", av);
	e = posix_spawn(&pid, argv[1], NULL, NULL, av, environ);
	if (e == 0)
		waitpid(pid, NULL, 0);
	printf("posix_spawn %s\n", ename(e));
	e = posix_spawnp(&pid, argv[1], NULL, NULL, av, environ);
	if (e == 0)
		waitpid(pid, NULL, 0);
	printf("posix_spawnp %s\n", ename(e));
	snprintf(cmd, sizeof(cmd), "'%s' '%s' 2>/dev/null", argv[1], argv[2]);
	st = system(cmd);
	printf("system %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	if ((f = popen(cmd, "r")) != NULL) {
		st = pclose(f);
		printf("popen %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else
		printf("popen %s\n", ename(errno));
	return 0;
}
