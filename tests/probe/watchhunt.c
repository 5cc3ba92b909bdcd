/*
 * watchhunt: the ways past the seccomp watch that an escape hunt found,
 * each kept as a mode (tests/integ/watch-hunt.sh tries them, after the
 * fix, against what they did before it). Built static: the watch, not a
 * shim, must be what refuses.
 *
 *   watchhunt unspec IP PORT     UDP sendto and sendmsg with sin_family
 *                                AF_UNSPEC (an IPv4 send takes it as
 *                                AF_INET)
 *   watchhunt mmsg IP PORT       one sendmmsg of two UDP messages
 *   watchhunt int80trunc PATH    truncate64(PATH, 0) through int 0x80, a
 *                                32-bit call the 64-bit table has no name for
 *   watchhunt int80chown PATH    chown32(PATH) through int 0x80
 *   watchhunt openrace PATH N    N opens of PATH for writing (O_CREAT)
 *                                while a thread flips PATH's last '0'
 *                                to '1' and back: the pointer race of
 *                                CONTINUE. Prints how many opens worked
 *                                ("opened K of N"); exits 0.
 *
 * Prints "done NAME" or "refused NAME: ERROR" for each call; exits 0 if
 * every call worked, 1 if any was refused, 100 on misuse.
 */
#include <sys/socket.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "int80.h"
#include "rawopen.h"

static int
say(const char *name, long r, int e)
{
	if (r >= 0)
		printf("done %s\n", name);
	else
		printf("refused %s: %s\n", name, strerror(e));
	fflush(stdout);
	return r >= 0 ? 0 : 1;
}

#if defined(__x86_64__)
/* int 0x80 takes 32-bit pointers: a static, non-PIE program's data is low */
static char low[4096];

#endif

static char race_path[4096];
static size_t race_at;
static volatile int race_stop, race_started;

static void *
flipper(void *arg)
{
	volatile char *p = (volatile char *)race_path + race_at;

	(void)arg;
	race_started = 1;
	while (!race_stop)
		*p = *p == '0' ? '1' : '0';
	return NULL;
}

static int
openrace(const char *path, int n)
{
	pthread_t t;
	char *at;
	long fd;
	int i, ok = 0;

	if (strlen(path) >= sizeof(race_path) ||
	    (at = strrchr(path, '0')) == NULL)
		return 100;
	strcpy(race_path, path);
	race_at = (size_t)(at - path);
	if (pthread_create(&t, NULL, flipper, NULL) != 0)
		return 100;
	while (!race_started)
		;
	for (i = 0; i < n; i++) {
		fd = rawopenat(race_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			ok++;
			close((int)fd);
		}
	}
	race_stop = 1;
	pthread_join(t, NULL);
	printf("opened %d of %d\n", ok, n);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "openrace") == 0)
		return openrace(argv[2], atoi(argv[3]));
	struct sockaddr_in a;
	int s, rc = 0;

	if (argc == 4 &&
	    (strcmp(argv[1], "unspec") == 0 || strcmp(argv[1], "mmsg") == 0)) {
		memset(&a, 0, sizeof(a));
		a.sin_family =
		    strcmp(argv[1], "unspec") == 0 ? AF_UNSPEC : AF_INET;
		a.sin_port = htons((unsigned short)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1 ||
		    (s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
			return 100;
		if (a.sin_family == AF_UNSPEC) {
			struct iovec iov = { "unspec-sendmsg\n", 15 };
			struct msghdr m;
			long r;

			r = sendto(s, "unspec-sendto\n", 14, 0,
			    (struct sockaddr *)&a, sizeof(a));
			rc |= say("sendto", r, errno);
			memset(&m, 0, sizeof(m));
			m.msg_name = &a;
			m.msg_namelen = sizeof(a);
			m.msg_iov = &iov;
			m.msg_iovlen = 1;
			r = sendmsg(s, &m, 0);
			rc |= say("sendmsg", r, errno);
		} else {
			struct iovec iov = { "mmsg\n", 5 };
			struct mmsghdr mm[2];
			int i;

			memset(mm, 0, sizeof(mm));
			for (i = 0; i < 2; i++) {
				mm[i].msg_hdr.msg_name = &a;
				mm[i].msg_hdr.msg_namelen = sizeof(a);
				mm[i].msg_hdr.msg_iov = &iov;
				mm[i].msg_hdr.msg_iovlen = 1;
			}
			rc |= say("sendmmsg", sendmmsg(s, mm, 2, 0), errno);
		}
		return rc;
	}
#if defined(__x86_64__)
	if (argc == 3 && strcmp(argv[1], "int80trunc") == 0) {
		long r;

		snprintf(low, sizeof(low), "%s", argv[2]);
		r = int80(193, (long)low, 0, 0); /* truncate64 */
		return say("truncate64", r, errno);
	}
	if (argc == 3 && strcmp(argv[1], "int80chown") == 0) {
		long r;

		snprintf(low, sizeof(low), "%s", argv[2]);
		r = int80(212, (long)low, (long)getuid(),
		    (long)getgid()); /* chown32 */
		return say("chown32", r, errno);
	}
#endif
	fprintf(stderr,
	    "usage: watchhunt unspec|mmsg IP PORT | "
	    "int80trunc|int80chown PATH\n");
	return 100;
}
