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
 *
 * Prints "done NAME" or "refused NAME: ERROR" for each call; exits 0 if
 * every call worked, 1 if any was refused, 100 on misuse.
 */
#include <sys/socket.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "int80.h"

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

int
main(int argc, char **argv)
{
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
