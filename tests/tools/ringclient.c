/*
 * ringclient.c: a stand-in for the shim, to test the supervisor end to end
 * without it. Run as the command under agentwrap (with AGENTWRAP_SHIM_PATH
 * pointing at an empty library): it attaches to the ring named by
 * AGENTWRAP_HOLDER or AGENTWRAP_SOCK and AGENTWRAP_TOKEN, and does one thing:
 *
 *   ringclient post OP VERDICT [OBJECT...]   one event (OP: read write exec
 *                                            connect resolve unix bind
 *                                            uncovered); OBJECT: the path
 *                                            (and path2), argv, or host port
 *   ringclient post-bytes                    a read event whose path is not UTF-8
 *   ringclient ask OP OBJECT...              a round trip; prints
 *                                            "verdict=N policy=V rule=R"
 *   ringclient resolve HOST                  prints the verdict and addresses
 *   ringclient malformed                     garbage, posted and asked
 *   ringclient flood PROCS N                 PROCS processes post N events each
 *   ringclient ping N                        N empty round trips; prints the
 *                                            latency p50/p99 in microseconds
 *   ringclient env                           both ways in work, and leave
 *                                            no descriptor open
 *   ringclient attach holder|socket          that way in works
 *
 * Test tool; runs inside the tree under test.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "policy.h"
#include "proto.h"
#include "ring.h"

static struct ring_client rc;

static uint64_t
ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Open descriptors, through /proc/self/fd (the listing's own not counted) */
static int
count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* Attach as the shim does: HOW is "holder", "socket" or NULL (either) */
static int
attach_by(const char *how)
{
	const char *sock = getenv(AW_ENV_SOCK), *tok = getenv(AW_ENV_TOKEN);
	const char *hold = getenv(AW_ENV_HOLDER);
	uint8_t token[AW_TOKEN_LEN];
	int snap_fd = -1, r = -1;

	if (sock == NULL || tok == NULL || ring_parse_token(tok, token) == -1) {
		fprintf(stderr, "ringclient: no ring in the environment\n");
		return -1;
	}
	if ((how == NULL || strcmp(how, "holder") == 0) && hold != NULL)
		r = ring_open_held(&rc, atol(hold), token, &snap_fd);
	if (r != 0 && (how == NULL || strcmp(how, "socket") == 0))
		r = ring_connect(&rc, sock, token, &snap_fd);
	if (r != 0) {
		fprintf(stderr, "ringclient: attach (%s) failed: %s\n",
		    how ? how : "any", strerror(-r));
		return -1;
	}
	close(snap_fd);
	return 0;
}

static int
attach(void)
{
	return attach_by(NULL);
}

static int
op_of(const char *s)
{
	static const char *const names[] = { "read", "write", "exec", "connect",
		"resolve", "unix", "bind" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	if (strcmp(s, "uncovered") == 0)
		return AW_OP_UNCOVERED;
	return -1;
}

/* Fill M for OP from the words OBJ[0..n). */
static int
fill(struct aw_msg *m, int type, int op, int verdict, char **obj, int n)
{
	int i;

	memset(m, 0, sizeof(*m));
	m->type = (uint16_t)type;
	m->op = (uint16_t)op;
	m->verdict = (uint8_t)verdict;
	m->layer = AW_LAYER_PRELOAD;
	m->pid = getpid();
	m->ppid = getppid();
	m->port = -1;
	m->ts_ns = ns(CLOCK_REALTIME);
	m->exe = "/usr/bin/ringclient";
	m->call = "test";
	switch (op) {
	case OP_CONNECT:
	case OP_BIND:
	case OP_RESOLVE:
		if (n < 1)
			return -1;
		m->host = obj[0];
		if (n > 1)
			m->port = atoi(obj[1]);
		break;
	case OP_EXEC:
	case AW_OP_UNCOVERED:
		for (i = 0; i < n && i < AW_MSG_MAX_ARGV; i++)
			m->argv[i] = obj[i];
		m->argc = (uint32_t)n;
		if (op == AW_OP_UNCOVERED && n > 0)
			m->path = obj[0];
		break;
	default:
		if (n < 1)
			return -1;
		m->path = obj[0];
		if (n > 1)
			m->path2 = obj[1];
		break;
	}
	return 0;
}

static int
post(struct aw_msg *m)
{
	uint8_t buf[AW_SLOT_DATA];
	int n;

	if ((n = msg_encode(buf, sizeof(buf), m)) < 0)
		return -1;
	return ring_post(&rc, buf, (size_t)n);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	uint8_t buf[AW_SLOT_DATA], ans[AW_SLOT_DATA];
	struct aw_msg m, a;
	uint64_t *lat, t0;
	int op, v, n, i, p, procs, count, st, bad = 0;
	uint32_t k;
	pid_t pid;

	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "env") == 0 || strcmp(argv[1], "attach") == 0) {
		/* env: both ways in work, and leave no descriptor open;
		 * attach HOW: that way works */
		int before = count_fds();

		if (argc > 2)
			return attach_by(argv[2]) == 0 ? (printf("ok\n"), 0)
						       : 1;
		if (attach_by("holder") == -1 || attach_by("socket") == -1)
			return 1;
		if (count_fds() != before) {
			fprintf(stderr,
			    "ringclient: %d descriptors, %d before\n",
			    count_fds(), before);
			return 1;
		}
		printf("ok\n");
		return 0;
	}
	if (attach() == -1)
		return 1;
	if (strcmp(argv[1], "post") == 0 && argc >= 4) {
		if ((op = op_of(argv[2])) == -1)
			return 2;
		v = strcmp(argv[3], "allow") == 0 ? VERDICT_ALLOW
		    : strcmp(argv[3], "ask") == 0 ? VERDICT_ASK
						  : VERDICT_DENY;
		if (fill(&m, AW_MSG_EVENT, op, v, argv + 4, argc - 4) == -1)
			return 2;
		return post(&m) == 0 ? 0 : 1;
	}
	if ((strcmp(argv[1], "post-proxy") == 0 ||
		strcmp(argv[1], "post-seccomp") == 0) &&
	    argc >= 3) {
		/* a forged record of the supervisor's proxy or watch */
		if (fill(&m, AW_MSG_EVENT, OP_CONNECT, VERDICT_ALLOW, argv + 2,
			argc - 2) == -1)
			return 2;
		m.layer = argv[1][5] == 'p' ? AW_LAYER_PROXY : AW_LAYER_SECCOMP;
		return post(&m) == 0 ? 0 : 1;
	}
	if (strcmp(argv[1], "post-bytes") == 0) {
		char *obj[] = { "/tmp/\xff\xfe-\x1b[31m-\xc3\xa9" };

		fill(&m, AW_MSG_EVENT, OP_READ, VERDICT_DENY, obj, 1);
		return post(&m) == 0 ? 0 : 1;
	}
	if ((strcmp(argv[1], "ask") == 0 && argc >= 4) ||
	    (strcmp(argv[1], "resolve") == 0 && argc == 3)) {
		if (argv[1][0] == 'r') {
			op = OP_RESOLVE;
			fill(&m, AW_MSG_RESOLVE, op, 0, argv + 2, 1);
		} else {
			if ((op = op_of(argv[2])) == -1)
				return 2;
			if (fill(&m, AW_MSG_ASK, op, 0, argv + 3, argc - 3) ==
			    -1)
				return 2;
		}
		if ((n = msg_encode(buf, sizeof(buf), &m)) < 0)
			return 1;
		v = -1;
		if ((n = ring_call(
			 &rc, buf, (size_t)n, ans, sizeof(ans), &v, 0)) < 0)
			return 1;
		if (msg_decode(ans, (size_t)n, &a) == -1) {
			printf("verdict=%d answer malformed\n", v);
			return 1;
		}
		printf("verdict=%d policy=%d rule=%s", v, a.verdict,
		    a.rule ? a.rule : "");
		for (k = 0; k < a.argc; k++)
			printf(" addr=%s", a.argv[k]);
		printf(
		    "%s\n", (a.flags & AW_MF_AUDIT_ONLY) ? " audit-only" : "");
		return 0;
	}
	if (strcmp(argv[1], "malformed") == 0) {
		memset(buf, 0xee, 100);
		if (ring_post(&rc, buf, 100) == -1)
			return 1;
		v = -1;
		n = ring_call(&rc, buf, 100, ans, sizeof(ans), &v, 0);
		printf("verdict=%d\n", v);
		return n < 0;
	}
	if (strcmp(argv[1], "flood") == 0 && argc == 4) {
		procs = atoi(argv[2]);
		count = atoi(argv[3]);
		for (p = 0; p < procs; p++) {
			if ((pid = fork()) == -1)
				return 1;
			if (pid > 0)
				continue;
			for (i = 0; i < count; i++) {
				char path[64], *obj[] = { path };

				snprintf(
				    path, sizeof(path), "/flood/%d/%d", p, i);
				fill(&m, AW_MSG_EVENT, OP_READ, VERDICT_ALLOW,
				    obj, 1);
				if (post(&m) == -1)
					_exit(1);
			}
			_exit(0);
		}
		while (wait(&st) > 0)
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				bad = 1;
		return bad;
	}
	if (strcmp(argv[1], "ping") == 0 && argc == 3) {
		count = atoi(argv[2]);
		if (count < 1 ||
		    (lat = calloc((size_t)count, sizeof(*lat))) == NULL)
			return 2;
		fill(&m, AW_MSG_PING, OP_READ, 0, NULL, 0);
		n = msg_encode(buf, sizeof(buf), &m);
		for (i = 0; i < count; i++) {
			t0 = ns(CLOCK_MONOTONIC);
			if (ring_call(&rc, buf, (size_t)n, ans, sizeof(ans), &v,
				0) < 0)
				return 1;
			lat[i] = ns(CLOCK_MONOTONIC) - t0;
		}
		qsort(lat, (size_t)count, sizeof(*lat), cmp_u64);
		printf("round trip p50 %.1f us, p99 %.1f us (%d calls)\n",
		    lat[count / 2] / 1000.0, lat[count * 99 / 100] / 1000.0,
		    count);
		free(lat);
		return 0;
	}
	return 2;
}
