/*
 * cover: does the shim stay in every process of the tree? Runs, in a new
 * process or thread made the way MODE says, a writer that tries OUTSIDE
 * then INSIDE. Under agentwrap (only INSIDE writable) the expected effect is
 * INSIDE written and OUTSIDE absent: OUTSIDE present means a process escaped
 * the shim, INSIDE absent means it lost the shim's descriptors and failed
 * closed. The calling test asserts on the files.
 *
 *   cover MODE OUTSIDE INSIDE
 *
 * MODE: fork vfork thread spawn spawn-noenv spawn-closefrom system popen
 * envi nopreload badpreload fakevars execvp execl execle execlp sysexec
 * fexecve closefrom closerange closerange-sys closeloop cloexec dup2all
 * dup2proc
 *
 * Exits with the writer's status (0 when the writer ran), 100 on misuse.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char *outside, *inside;
static const char script[] = "echo x > \"$0\"; echo y > \"$1\"";

static void
write_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, "x\n", 2) != 2)
			perror("write");
		close(fd);
	}
}

static void *
thread_writer(void *arg)
{
	(void)arg;
	write_file(outside);
	write_file(inside);
	return NULL;
}

static int
wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return 101;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
exec_writer(char *const envp[])
{
	char *argv[] = { "sh", "-c", (char *)script, (char *)outside,
		(char *)inside, NULL };

	execve("/bin/sh", argv, envp);
	perror("execve");
	_exit(99);
}

static int
max_fd(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur > 65536)
		return 65536;
	return (int)rl.rlim_cur;
}

int
main(int argc, char **argv)
{
	char *wargv[] = { "sh", "-c", (char *)script, NULL, NULL, NULL };
	char *empty[] = { NULL };
	char *badpre[] = { "LD_PRELOAD=/nonexistent/libnothing.so",
		"PATH=/usr/bin:/bin", NULL };
	char *fake[] = { "AGENTWRAP_SOCK=agentwrap.nobody.listens",
		"AGENTWRAP_TOKEN=00000000000000000000000000000000",
		"LD_PRELOAD=", "PATH=/usr/bin:/bin", NULL };
	char cmd[4096], **env;
	const char *mode;
	pthread_t t;
	pid_t pid;
	int fd, i, n, e;

	if (argc != 4)
		return 100;
	mode = argv[1];
	outside = argv[2];
	inside = argv[3];
	wargv[3] = (char *)outside;
	wargv[4] = (char *)inside;
	snprintf(
	    cmd, sizeof(cmd), "sh -c '%s' '%s' '%s'", script, outside, inside);

	if (strcmp(mode, "fork") == 0) {
		if ((pid = fork()) == 0) {
			write_file(outside);
			write_file(inside);
			_exit(0);
		}
		return wait_status(pid);
	}
	if (strcmp(mode, "vfork") == 0) {
		if ((pid = vfork()) == 0)
			exec_writer(environ);
		e = wait_status(pid);
		/* the parent must still be judged after its vfork child */
		snprintf(cmd, sizeof(cmd), "%s.parent", outside);
		write_file(cmd);
		return e;
	}
	if (strcmp(mode, "thread") == 0) {
		if (pthread_create(&t, NULL, thread_writer, NULL) != 0)
			return 101;
		pthread_join(t, NULL);
		return 0;
	}
	if (strcmp(mode, "spawn") == 0 || strcmp(mode, "spawn-noenv") == 0) {
		env = strcmp(mode, "spawn") == 0 ? environ : empty;
		if ((e = posix_spawn(
			 &pid, "/bin/sh", NULL, NULL, wargv, env)) != 0) {
			fprintf(stderr, "posix_spawn: %s\n", strerror(e));
			return 101;
		}
		return wait_status(pid);
	}
	if (strcmp(mode, "spawn-closefrom") == 0) {
		posix_spawn_file_actions_t fa;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addclosefrom_np(&fa, 3);
		/* and every open descriptor replaced, one by one */
		for (i = 3; i < 1024; i++)
			if (fcntl(i, F_GETFD) != -1)
				posix_spawn_file_actions_adddup2(&fa, 2, i);
		if ((e = posix_spawnp(&pid, "sh", &fa, NULL, wargv, environ)) !=
		    0) {
			fprintf(stderr, "posix_spawnp: %s\n", strerror(e));
			return 101;
		}
		posix_spawn_file_actions_destroy(&fa);
		return wait_status(pid);
	}
	if (strcmp(mode, "system") == 0) {
		e = system(cmd);
		return WIFEXITED(e) ? WEXITSTATUS(e) : 101;
	}
	if (strcmp(mode, "popen") == 0) {
		FILE *f = popen(cmd, "r");

		if (f == NULL)
			return 101;
		while (fgetc(f) != EOF)
			;
		e = pclose(f);
		return WIFEXITED(e) ? WEXITSTATUS(e) : 101;
	}
	if (strcmp(mode, "envi") == 0)
		exec_writer(empty);
	if (strcmp(mode, "nopreload") == 0) {
		/* the environment as the program sees it, LD_PRELOAD emptied */
		for (n = 0; environ[n] != NULL; n++)
			;
		env = calloc((size_t)n + 2, sizeof(*env));
		for (i = 0; i < n; i++)
			env[i] = environ[i];
		env[n] = "LD_PRELOAD=";
		exec_writer(env);
	}
	if (strcmp(mode, "badpreload") == 0)
		exec_writer(badpre);
	if (strcmp(mode, "fakevars") == 0)
		exec_writer(fake);
	if (strcmp(mode, "execvp") == 0) {
		execvp("sh", wargv);
		return 99;
	}
	if (strcmp(mode, "execl") == 0) {
		execl("/bin/sh", "sh", "-c", script, outside, inside,
		    (char *)NULL);
		return 99;
	}
	if (strcmp(mode, "execle") == 0) {
		execle("/bin/sh", "sh", "-c", script, outside, inside,
		    (char *)NULL, empty);
		return 99;
	}
	if (strcmp(mode, "execlp") == 0) {
		execlp("sh", "sh", "-c", script, outside, inside, (char *)NULL);
		return 99;
	}
	if (strcmp(mode, "sysexec") == 0) {
		syscall(SYS_execve, "/bin/sh", wargv, empty);
		return 99;
	}
	if (strcmp(mode, "fexecve") == 0) {
		if ((fd = open("/bin/sh", O_RDONLY)) == -1)
			return 101;
		fexecve(fd, wargv, empty);
		return 99;
	}
	if (strcmp(mode, "closefrom") == 0) {
		closefrom(3);
		exec_writer(environ);
	}
	if (strcmp(mode, "closerange") == 0) {
		close_range(3, ~0U, 0);
		exec_writer(environ);
	}
	if (strcmp(mode, "closerange-sys") == 0) {
		syscall(SYS_close_range, 3, ~0U, 0);
		exec_writer(environ);
	}
	if (strcmp(mode, "closeloop") == 0) {
		n = max_fd();
		for (i = 3; i < n; i++)
			close(i);
		exec_writer(environ);
	}
	if (strcmp(mode, "cloexec") == 0) {
		n = max_fd();
		for (i = 3; i < n; i++)
			fcntl(i, F_SETFD, FD_CLOEXEC);
		exec_writer(environ);
	}
	if (strcmp(mode, "dup2all") == 0) {
		struct rlimit rl;

		/* room above 1023 for what the shim has to move */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2048 &&
		    rl.rlim_max >= 2048) {
			rl.rlim_cur = 2048;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		if ((fd = open("/dev/null", O_RDONLY)) == -1)
			return 101;
		for (i = 3; i < 1024; i++)
			if (i != fd && dup2(fd, i) == -1) {
				fprintf(stderr, "dup2 %d: %s\n", i,
				    strerror(errno));
				return 101;
			}
		exec_writer(environ);
	}
	if (strcmp(mode, "dup2proc") == 0) {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *de;
		int fds[256], nfds = 0;

		if (d == NULL || (fd = open("/dev/null", O_RDONLY)) == -1)
			return 101;
		while ((de = readdir(d)) != NULL && nfds < 256)
			if ((i = atoi(de->d_name)) > 2 && i != dirfd(d))
				fds[nfds++] = i;
		closedir(d);
		for (i = 0; i < nfds; i++)
			if (fds[i] != fd)
				dup2(fd, fds[i]);
		exec_writer(environ);
	}
	fprintf(stderr, "cover: unknown mode %s\n", mode);
	return 100;
}
