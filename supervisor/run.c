/*
 * run.c: run a command under the policy. This is the supervisor proper:
 * it sets up the ring, the policy snapshot, the attach socket and the
 * seccomp watch, starts the command (launch.c), and then runs one event
 * loop until the command exits: poll over every source (the signalfd, the
 * approval channel, the ring's doorbell, the attach socket and its waiting
 * connections, each watch listener), with pending work (open questions,
 * waiting connections, notifications left from a bounded turn) kept as
 * state, never as a blocking call. Then it drains the ring, ends what is
 * left of the process tree, and exits with the command's status. What each
 * request gets is decided in handlers.c.
 *
 * Runs in the supervisor, the only trusted process.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>

#include <dirent.h>
#include <elf.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "clock.h"
#include "approve.h"
#include "attach.h"
#include "cover.h"
#include "floor.h"
#include "watch.h"
#include "watchbpf.h"
#include "landlock.h"
#include "proc.h"
#include "audit.h"
#include "harness.h"
#include "hold.h"
#include "msg.h"
#include "prompt.h"
#include "report.h"
#include "ring.h"
#include "run.h"
#include "launch.h"

extern char **environ;

#define GRACE_MS 1000 /* after SIGTERM, before SIGKILL */
#define GIVE_UP_MS 4000 /* stop trying to end the tree */
#define SPIN_US 20 /* the supervisor's wait for more work */
#define SPIN_SCORE_MAX 8
#define SPIN_SCORE_MIN (-8)

#include "run_int.h"

/* --- setting up --- */

int
run_find_shim(char *out, size_t cap, char *err, size_t errlen)
{
	const char *env = getenv(RUN_ENV_SHIM_PATH);
	char exe[PATH_MAX], *slash;
	ssize_t n;

	err[0] = '\0';
	if (env != NULL && *env != '\0') {
		if (env[0] != '/') {
			run_say_vis(err, errlen,
			    "%s%s: must be an absolute path",
			    RUN_ENV_SHIM_PATH "=", env);
			return -1;
		}
		if ((size_t)snprintf(out, cap, "%s", env) >= cap) {
			snprintf(
			    err, errlen, "%s: too long", RUN_ENV_SHIM_PATH);
			return -1;
		}
	} else {
		if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) ==
		    -1) {
			snprintf(err, errlen, "readlink /proc/self/exe: %s",
			    strerror(errno));
			return -1;
		}
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		/* beside the binary (a build tree), else where make install
		 * puts it: PREFIX/lib/agentwrap beside PREFIX/bin */
		if ((size_t)snprintf(out, cap, "%s/libagentwrap.so", exe) >=
		    cap) {
			snprintf(
			    err, errlen, "the path of the shim is too long");
			return -1;
		}
		if (access(out, R_OK) == -1) {
			char inst[PATH_MAX], real[PATH_MAX];

			if ((size_t)snprintf(inst, sizeof(inst),
				"%s/../lib/agentwrap/libagentwrap.so",
				exe) < sizeof(inst) &&
			    realpath(inst, real) != NULL &&
			    (size_t)snprintf(out, cap, "%s", real) >= cap) {
				snprintf(err, errlen,
				    "the path of the shim is too long");
				return -1;
			}
		}
	}
	/* LD_PRELOAD splits on these */
	if (strpbrk(out, ": \t\n") != NULL) {
		run_say_vis(err, errlen,
		    "the shim's path %s%s holds a colon or a space, which "
		    "LD_PRELOAD cannot carry; set AGENTWRAP_SHIM_PATH",
		    out, "");
		return -1;
	}
	if (access(out, R_OK) == -1) {
		run_say_vis(err, errlen,
		    "cannot use the shim %s: %s (build it with make, or "
		    "set AGENTWRAP_SHIM_PATH)",
		    out, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The command itself: no shim watches the supervisor's own exec, so the
 * first exec is judged here, as the shim judges every later one: with the
 * caller's argv and with argv[0] as the program found in $PATH; the
 * stricter verdict wins. The program is looked for from where the command
 * starts (-C), not from here. Returns the verdict to enforce.
 */
static int
judge_first_exec(struct run *st, char **argv)
{
	const char *dir =
	    st->o->chdir_workspace ? st->o->cfg->s[CFG_WORKSPACE].str : NULL;
	char prog[PATH_MAX], *av0 = argv[0];
	const char *why;
	struct pol_decision d, d2;
	struct pol_request req;
	struct aw_msg m;
	size_t argc;
	int n, uncovered;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	memset(&req, 0, sizeof(req));
	req.op = OP_EXEC;
	req.argv = (const char *const *)argv;
	req.argc = argc;
	req.port = -1;
	if (strchr(av0, '/') == NULL)
		cover_search(launch_cover_io(), getenv("PATH"), dir, av0, 1,
		    prog, sizeof(prog));
	else if (cover_from_dir(dir, av0, prog, sizeof(prog)) == -1)
		prog[0] = '\0';
	/* a program not found is not run: nothing to report */
	why = prog[0] != '\0' ? launch_uncovered(prog) : NULL;
	if (prog[0] == '\0' || realpath(prog, st->first_prog) == NULL)
		st->first_prog[0] = '\0';
	uncovered = why != NULL;
	/* the watch follows it: covered, by the seccomp layer (not a
	 * program it cannot read: the kernel makes that one not dumpable,
	 * and the watch reads the caller's memory) */
	if (uncovered && st->watch_on && why != cover_unreadable) {
		st->watch_first = 1;
		uncovered = 0;
	}
	if (uncovered)
		req.flags |= REQ_UNCOVERED;
	policy_decide(st->o->pol, &req, &d);
	/* the program as found, and as it really is: a symlink named myrm
	 * to /bin/rm is rm */
	for (n = 0; n < 2 && prog[0] != '\0'; n++) {
		char real[PATH_MAX];

		if (n == 1) {
			if (realpath(prog, real) == NULL)
				break;
			argv[0] = real;
		} else
			argv[0] = prog;
		policy_decide(st->o->pol, &req, &d2);
		argv[0] = av0;
		if (d2.verdict == VERDICT_DENY ||
		    (d2.verdict == VERDICT_ASK && d.verdict == VERDICT_ALLOW))
			d = d2;
	}
	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_EVENT;
	m.op = OP_EXEC;
	m.layer = AW_LAYER_SUPERVISOR;
	m.pid = getpid();
	m.ppid = getppid();
	m.port = -1;
	m.ts_ns = clock_realtime_ns();
	m.call = "execvp";
	m.exe = "agentwrap";
	m.flags = uncovered ? AW_MF_UNCOVERED : 0;
	m.path = prog[0] != '\0' ? prog : av0;
	m.path_len = strlen(m.path);
	for (m.argc = 0; m.argc < argc && m.argc < AW_MSG_MAX_ARGV; m.argc++)
		m.argv[m.argc] = argv[m.argc];
	if (d.verdict == VERDICT_ASK && !st->o->audit_only) {
		/* nothing runs yet: wait for the answer here */
		m.type = AW_MSG_ASK;
		n = approve_ask_wait(st->ap, &m, &d);
		m.type = AW_MSG_EVENT;
	} else {
		run_record(st, &m, &d);
		n = run_enforce(st, d.verdict);
	}
	/* an approved one too: it runs unjudged all the same */
	if (n == VERDICT_ALLOW && uncovered) {
		m.op = AW_OP_UNCOVERED;
		if (st->audit != NULL)
			audit_event(st->audit, &m);
		report_uncovered(st->report, &m);
	}
	return n;
}

/* --- the event loop --- */

/* Reap every child that has exited, reclaiming its slots first. */
static void
reap(struct run *st)
{
	siginfo_t si;
	int status;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
			if (errno == EINTR)
				continue;
			return; /* ECHILD */
		}
		if (si.si_pid == 0)
			return;
		/*
		 * The zombie still holds its pid: read what it posted, then
		 * free what it held, before the pid can be reused.
		 */
		ring_serve(&st->ring, run_handle, st);
		if (st->ap != NULL)
			approve_drop_pid(st->ap, si.si_pid);
		ring_reclaim_pid(&st->ring, si.si_pid);
		if (waitpid(si.si_pid, &status, WNOHANG) != si.si_pid)
			continue;
		if (st->audit != NULL && si.si_pid != st->holder)
			audit_exit(st->audit, si.si_pid, status);
		if (si.si_pid == st->holder)
			st->holder = 0; /* killed: the attach socket remains */
		if (si.si_pid == st->child) {
			st->child_done = 1;
			st->child_status = status;
		}
	}
}

static void
signals(struct run *st)
{
	struct signalfd_siginfo si;

	while (read(st->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(st);
			continue;
		}
		/*
		 * The terminal sends SIGINT, SIGQUIT, SIGWINCH... to the
		 * whole foreground process group, the command included
		 * (SI_KERNEL): forwarding those would deliver them twice.
		 */
		if (si.ssi_code == SI_KERNEL || st->child_done)
			continue;
		kill(st->child, (int)si.ssi_signo);
	}
}

/* The child says how its floor stands: keep the listener, or say once
 * what is missing */
static void
floor_start(struct run *st, int sock)
{
	char err[160];
	int fd, num;

	if (floor_recv(sock, &fd, &st->floor, err, sizeof(err), &st->landlock,
		st->landlock_why, sizeof(st->landlock_why)) == -1)
		return; /* the child failed before: it says why */
	if (fd >= 0) {
		/* its number in the child: take it, then let the child go on */
		num = fd;
		if ((fd = watch_fetch(st->child, num)) == -1)
			snprintf(err, sizeof(err),
			    "the listener could not be taken from the command: "
			    "%s",
			    strerror(errno));
		else if (st->watch == NULL || watch_add(st->watch, fd) == -1) {
			close(fd);
			fd = -1;
		}
		/* 1: taken; 0: the child must not run unwatched */
		/* fails only if the child is gone: it said why, or will */
		(void)!write(sock, fd >= 0 ? "\1" : "", 1);
	}
	if (fd < 0 && st->watch_first)
		snprintf(st->watch_why, sizeof(st->watch_why), "%s", err);
	if (st->o->quiet)
		return;
	/* applied, with something it could not hold */
	if (st->landlock > 0 && st->landlock_why[0] != '\0')
		warnx("Landlock: %s", st->landlock_why);
	if (st->floor == FLOOR_NONE)
		warnx("no kernel floor (%s): namespaces, mounts, io_uring and "
		      "TIOCSTI are not refused",
		    err);
}

/*
 * Read the exec pipe (the child's failure, or its close when the exec
 * succeeded) into MSG. A watched first child's exec waits for us: serve
 * the listeners meanwhile, letting the child's own exec go on (it was
 * judged already, by judge_first_exec). Returns what read(2) did.
 */
static ssize_t
wait_exec(struct run *st, int fd, void *msg, size_t len)
{
	struct pollfd pfd[1 + WATCH_MAX_LISTENERS];
	ssize_t n;
	int nw;

	watch_trust_exec(st->watch, st->child, st->first_prog);
	for (;;) {
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		nw = st->watch != NULL
		    ? watch_pollfds(st->watch, pfd + 1, WATCH_MAX_LISTENERS)
		    : 0;
		if (poll(pfd, 1 + (nfds_t)nw, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (nw > 0)
			watch_ready(st->watch, pfd + 1, nw);
		if (pfd[0].revents)
			break;
	}
	watch_trust_exec(st->watch, 0, NULL);
	do
		n = read(fd, msg, len);
	while (n == -1 && errno == EINTR);
	return n;
}

/*
 * Sleep until the doorbell rings, a signal comes, the approval channel has
 * something or TIMEOUT_MS passes (sooner if a question times out).
 */
static void
wait_events(struct run *st, int timeout_ms)
{
	struct pollfd *pfd;
	size_t want;
	int next, chan, na, nw, np, n;

	/* the fixed sources, then the attach socket's, then every listener,
	 * then the proxy's */
	want = 4 + 1 + 64 + (size_t)watch_count(st->watch) +
	    (st->proxy != NULL ? 2 + 2 * PROXY_MAX_CONNS : 0);
	if (want > st->pfdcap) {
		if ((pfd = realloc(st->pfd, want * sizeof(*pfd))) == NULL)
			want = st->pfdcap; /* serve what fits */
		else {
			st->pfd = pfd;
			st->pfdcap = want;
		}
	}
	pfd = st->pfd;
	pfd[0].fd = st->sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = -1; /* the approval channel, if any */
	pfd[1].events = 0;
	pfd[2].fd = st->ring.doorbell_fd;
	pfd[2].events = POLLIN;
	pfd[3].fd = dns_pollfd(st->dns); /* a lookup finished */
	pfd[3].events = POLLIN;
	next = dns_next_ms(st->dns);
	if (next >= 0 && (timeout_ms < 0 || next < timeout_ms))
		timeout_ms = next;
	if (st->ap != NULL) {
		pfd[1].fd = approve_pollfd(st->ap, &pfd[1].events);
		next = approve_next_ms(st->ap);
		if (next >= 0 && (timeout_ms < 0 || next < timeout_ms))
			timeout_ms = next;
	}
	na = 0;
	if (st->attach != NULL) {
		na = attach_pollfds(st->attach, pfd + 4, 1 + 64);
		next = attach_next_ms(st->attach);
		if (next >= 0 && (timeout_ms < 0 || next < timeout_ms))
			timeout_ms = next;
	}
	nw = st->watch != NULL
	    ? watch_pollfds(st->watch, pfd + 4 + na, (int)st->pfdcap - 4 - na)
	    : 0;
	np = st->proxy != NULL ? proxy_pollfds(st->proxy, pfd + 4 + na + nw,
				     (int)st->pfdcap - 4 - na - nw)
			       : 0;
	next = proxy_next_ms(st->proxy);
	if (next >= 0 && (timeout_ms < 0 || next < timeout_ms))
		timeout_ms = next;
	chan = pfd[1].fd >= 0;
	if (ring_prepare_sleep(&st->ring)) {
		/* work waits: only look for the other sources, so that they
		 * never starve; the doorbell is not polled */
		pfd[2].fd = -1;
		n = poll(pfd, 4 + (nfds_t)na + (nfds_t)nw + (nfds_t)np, 0);
	} else {
		n = poll(
		    pfd, 4 + (nfds_t)na + (nfds_t)nw + (nfds_t)np, timeout_ms);
		ring_after_sleep(&st->ring);
	}
	if (n > 0) {
		if (pfd[0].revents & POLLIN)
			signals(st);
		if (chan && pfd[1].revents)
			approve_ready(st->ap, pfd[1].revents);
		if (nw > 0)
			watch_ready(st->watch, pfd + 4 + na, nw);
	}
	if (st->proxy != NULL) {
		if (n <= 0)
			for (next = 0; next < np; next++)
				pfd[4 + na + nw + next].revents = 0;
		proxy_ready(st->proxy, pfd + 4 + na + nw, np);
	}
	/* finished lookups, and those whose time is up */
	if (st->dns != NULL &&
	    ((n > 0 && pfd[3].revents) || dns_next_ms(st->dns) == 0))
		run_dns_ready(st);
	if (st->attach != NULL)
		attach_ready(st->attach, pfd + 4, n > 0 ? na : 0);
	if (st->ap != NULL)
		approve_tick(st->ap);
}

/*
 * The command has exited: end what is left of its tree. SIGTERM (and
 * SIGCONT, so that stopped ones can act on it) to every descendant, a
 * short grace while the ring is still served (they may be waiting for an
 * answer), then SIGKILL until none is left. We are a subreaper, so orphans
 * come to us to be reaped.
 */
static void
end_tree(struct run *st)
{
	uint64_t t0 = clock_mono_ms(), el;
	pid_t *pids, self = getpid();
	size_t n, i;
	int termed = 0;

	for (;;) {
		n = proc_descendants(self, &pids);
		/* the holder is ours, not the command's */
		for (i = 0; i < n; i++)
			if (pids[i] == st->holder)
				pids[i--] = pids[--n];
		if (n == 0) {
			free(pids);
			break;
		}
		el = clock_mono_ms() - t0;
		if (el >= GIVE_UP_MS) {
			warnx("%zu process%s of the command could not be ended",
			    n, n == 1 ? "" : "es");
			free(pids);
			break;
		}
		if (!termed || el >= GRACE_MS)
			for (i = 0; i < n; i++) {
				kill(pids[i], termed ? SIGKILL : SIGTERM);
				if (!termed)
					kill(pids[i], SIGCONT);
			}
		termed = 1;
		free(pids);
		ring_serve(&st->ring, run_handle, st);
		wait_events(st, 20);
		reap(st);
	}
	reap(st);
}

/*
 * After serving: wait a little, awake, for the next message? A client in a
 * loop of round trips sends its next request within microseconds, and a
 * supervisor asleep in poll() costs it a wake-up each time; but spinning in
 * vain burns a core that a parallel build needs. So spin only while it has
 * paid off lately: each spin that finds work, and each sleep that was cut
 * short within the spin time, raises the score; each spin in vain lowers it
 * twice as much.
 */
static int
spin_for_more(struct run *st)
{
	if (st->spin_score < 0)
		return 0;
	if (ring_spin(&st->ring, SPIN_US * 1000)) {
		if (st->spin_score < SPIN_SCORE_MAX)
			st->spin_score++;
		return 1;
	}
	st->spin_score -= 2;
	if (st->spin_score < SPIN_SCORE_MIN)
		st->spin_score = SPIN_SCORE_MIN;
	return 0;
}

/* Serve until no message waits; then free what dead owners left. */
static void
drain(struct run *st)
{
	int pending;

	do {
		while (ring_serve(&st->ring, run_handle, st) > 0)
			;
		ring_reclaim(&st->ring, 1);
		ring_count(&st->ring, &pending, NULL);
	} while (pending > 0);
}

/*
 * The upstream proxy named in agentwrap's own environment (the first of
 * HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy, ALL_PROXY, all_proxy
 * that is set), for PX to go through; NO_PROXY's names go directly. 0, or
 * -1 after a line saying why (a URL it cannot use, a host that does not
 * resolve: the user meant a proxy, and going around it is no answer).
 */
static int
use_upstream(struct proxy *px)
{
	static const char *const names[] = { "HTTPS_PROXY", "https_proxy",
		"HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy" };
	const char *url = NULL, *name = NULL, *np;
	struct netaddr a[PROXY_MAX_ADDRS];
	struct proxy_req r;
	char auth[520], why[160];
	size_t i;
	int n;

	for (i = 0; url == NULL; i++) {
		if (i == sizeof(names) / sizeof(names[0]))
			return 0;
		if ((url = getenv(names[i])) != NULL && *url == '\0')
			url = NULL;
		name = names[i];
	}
	if (proxy_parse_upstream(
		url, &r, auth, sizeof(auth), why, sizeof(why)) == -1) {
		warnx("%s: %s; to connect directly instead: -c "
		      "features.network_proxy.allow_upstream_proxy=false",
		    name, why);
		return -1;
	}
	if ((n = resolve_system(r.host, a, PROXY_MAX_ADDRS)) <= 0) {
		warnx("%s: the upstream proxy %s does not resolve; to connect "
		      "directly instead: -c "
		      "features.network_proxy.allow_upstream_proxy=false",
		    name, r.host);
		return -1;
	}
	if ((np = getenv("NO_PROXY")) == NULL)
		np = getenv("no_proxy");
	proxy_set_upstream(
	    px, a, (size_t)n, r.port, auth[0] != '\0' ? auth : NULL, np);
	return 0;
}

int
run_command(const struct run_opts *o, char **argv)
{
	struct run st;
	struct approve_setup aps;
	struct floor_prog fp;
	int have_fp = 0;
	uint8_t token[AW_TOKEN_LEN];
	char shim[PATH_MAX], errbuf[512], **env = NULL;
	sigset_t mask, oldmask;
	int snap_fd = -1, pipefd[2] = { -1, -1 }, floorfd[2] = { -1, -1 },
	    msg[2], status;
	int signo = 0, r = RUN_EXIT_AGENTWRAP, lingering, grants_failed = 0;
	int reran = 0;
	uint64_t t0;
	ssize_t n;

	memset(&st, 0, sizeof(st));
	st.o = o;
	st.sfd = -1;
	/* the watch for programs the shim cannot follow: where the kernel
	 * has user-notify and seccomp is not turned off */
	st.watch_on = !o->no_seccomp && watch_available();
	policy_set_watch(o->pol, st.watch_on);
	if (o->cfg->s[CFG_STRICT].val && !st.watch_on) {
		warnx("agentwrap.strict is set, but %s: nothing was run",
		    o->no_seccomp ? "seccomp is turned off (--no-seccomp or "
				    "AGENTWRAP_DISABLE=seccomp)"
				  : "this kernel has no seccomp user-notify");
		return RUN_EXIT_AGENTWRAP;
	}
	st.watch_first = st.watch_on && o->cfg->s[CFG_STRICT].val;
	/* the floor's filter, compiled here: the child between fork and
	 * exec only loads it (libseccomp allocates; we have threads) */
	if (!o->no_seccomp) {
		/* none made: the child says it cannot build the filter */
		(void)floor_prepare(&fp, o->keeper, o->kgroup);
		have_fp = 1;
	}
	st.ring.ring_fd = st.ring.doorbell_fd = -1;

	if (run_find_shim(shim, sizeof(shim), errbuf, sizeof(errbuf)) == -1) {
		warnx("%s", errbuf);
		return RUN_EXIT_AGENTWRAP;
	}
	/* the tree runs as us: it must not ptrace us or open our fds */
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		warn("prctl PR_SET_DUMPABLE");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
		warn("prctl PR_SET_CHILD_SUBREAPER");
		return RUN_EXIT_AGENTWRAP;
	}
	if (o->audit != NULL) {
		if (audit_open(&st.audit, o->audit, errbuf, sizeof(errbuf)) ==
		    -1) {
			run_warn_vis("%s%s", errbuf, "");
			return RUN_EXIT_AGENTWRAP;
		}
		if (audit_start(st.audit, o->version, o->cfg, argv,
			o->audit_only) == -1)
			goto out;
	}
	/* the resolver, where names are judged: its threads start before
	 * anything is forked, and only ever resolve */
	if (policy_judges_names(o->pol) &&
	    ((st.dns = dns_new(o->rt)) == NULL ||
		(st.dnsbuf = malloc(AW_SLOT_DATA)) == NULL)) {
		warnx("cannot start the resolver");
		goto out;
	}
	if (st.dns != NULL && o->dns_ttl_ms >= 0)
		dns_set_ttl(st.dns, (uint64_t)o->dns_ttl_ms);
	/* the proxy, for programs that do not resolve through libc: its
	 * port goes into the snapshot (the one loopback target allowed),
	 * its address into the command's environment */
	if (st.dns != NULL) {
		struct proxy_opts po;
		const char *pe[16];
		size_t i, npe;

		po.socks5 = o->cfg->s[CFG_ENABLE_SOCKS5].val != 0;
		po.socks5_udp = o->cfg->s[CFG_ENABLE_SOCKS5_UDP].val != 0;
		po.nonloopback = o->cfg->s[CFG_NON_LOOPBACK_PROXY].val != 0;
		po.no_sock_diag = o->no_sock_diag;
		if ((st.proxy = proxy_new(run_proxy_decide, &st, &po, errbuf,
			 sizeof(errbuf))) == NULL) {
			warnx("the proxy: %s", errbuf);
			goto out;
		}
		policy_set_proxy_port(o->pol, proxy_port(st.proxy));
		if (o->cfg->s[CFG_ALLOW_UPSTREAM_PROXY].val &&
		    use_upstream(st.proxy) == -1)
			goto out;
		npe = proxy_env(st.proxy, pe, 16);
		for (i = 0; i < npe; i++) {
			char *v = strdup(pe[i]);

			if (v == NULL || putenv(v) != 0) {
				warn("putenv");
				free(v);
				goto out;
			}
		}
	}
	if ((st.report = report_new(o->pol, st.dns, o->quiet)) == NULL) {
		warnx("out of memory");
		goto out;
	}

	memset(&aps, 0, sizeof(aps));
	aps.ring = &st.ring;
	aps.pol = o->pol;
	aps.dns = st.dns;
	aps.hand_out = run_hand_out;
	aps.hand_ctx = &st;
	aps.audit = st.audit;
	aps.report = st.report;
	aps.timeout_s = o->cfg->s[CFG_APPROVAL_TIMEOUT].val;
	aps.audit_only = o->audit_only;
	aps.save_grants = o->save_grants;
	aps.argv = argv;
	if ((st.ap = approve_new(&aps)) == NULL) {
		warnx("out of memory");
		goto out;
	}
	/* a harness that hangs up must be an error we see, not our death */
	signal(SIGPIPE, SIG_IGN);
	/* before the command starts: its first question has somewhere to go */
	if ((o->approval_fd >= 0 &&
		harness_attach_fd(
		    st.ap, o->approval_fd, errbuf, sizeof(errbuf)) == -1) ||
	    (o->approval_socket != NULL &&
		harness_connect(
		    st.ap, o->approval_socket, errbuf, sizeof(errbuf)) == -1)) {
		run_warn_vis("%s%s", errbuf, "");
		goto out;
	}
	/* no harness: a person at the controlling terminal, if there is one */
	if (o->approval_fd < 0 && o->approval_socket == NULL &&
	    prompt_attach_tty(st.ap) == -1) {
		warnx("out of memory");
		goto out;
	}
	if (judge_first_exec(&st, argv) != VERDICT_ALLOW) {
		/* as env(1) does for a command it may not run */
		r = 126;
		if (st.audit != NULL)
			audit_end(st.audit, r, 0);
		report_summary(st.report);
		goto out;
	}
	if (getrandom(token, sizeof(token), 0) != (ssize_t)sizeof(token)) {
		warn("getrandom");
		goto out;
	}
	if (ring_create(&st.ring, token) == -1) {
		warn("cannot create the ring");
		goto out;
	}
	if ((snap_fd = launch_snapshot(o->pol)) == -1)
		goto out;
	if (ring_set_snapshot(&st.ring, snap_fd) == -1) {
		warn("fstat of the policy snapshot");
		goto out;
	}
	if ((st.attach = attach_open(token, st.ring.ring_fd, snap_fd)) ==
	    NULL) {
		warn("cannot open the attach socket");
		goto out;
	}
	if (st.watch_on) {
		if ((st.watch = watch_new(&run_watch_ops, &st, 0,
			 attach_name(st.attach))) == NULL) {
			warnx("out of memory");
			goto out;
		}
		attach_set_watch(st.attach, run_take_listener, &st);
	}
	/* without it each process asks the attach socket: slower, as sound */
	if ((st.holder = hold_start(st.ring.ring_fd, snap_fd)) == -1) {
		warn("cannot start the holder of the ring");
		st.holder = 0;
	}
	if ((env = launch_env(shim, attach_name(st.attach), st.holder, token,
		 o->audit != NULL, o->audit_only)) == NULL) {
		warnx("out of memory");
		goto out;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &mask, &oldmask) == -1) {
		warn("sigprocmask");
		goto out;
	}
	if ((st.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1) {
		warn("signalfd");
		goto out_mask;
	}
	/* a closed audit pipe must be an error we see, not our death */
	signal(SIGPIPE, SIG_IGN);
again:
	if (pipe2(pipefd, O_CLOEXEC) == -1) {
		warn("pipe2");
		goto out_mask;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, floorfd) ==
	    -1) {
		warn("socketpair");
		goto out_mask;
	}
	if ((st.child = fork()) == -1) {
		warn("fork");
		goto out_mask;
	}
	if (st.child > 0 && st.watch != NULL)
		watch_set_root(st.watch, st.child);
	if (st.child == 0)
		launch_child(o, have_fp ? &fp : NULL, st.watch_first, shim,
		    argv, env, &oldmask, pipefd[1], floorfd[1]);
	close(pipefd[1]);
	pipefd[1] = -1;
	close(floorfd[1]);
	floorfd[1] = -1;
	floor_start(&st, floorfd[0]);
	close(floorfd[0]);
	floorfd[0] = -1;
	n = wait_exec(&st, pipefd[0], msg, sizeof(msg));
	if (n == (ssize_t)sizeof(msg)) {
		if (msg[0] == CHILD_NNP)
			warnx("PR_SET_NO_NEW_PRIVS: %s", strerror(msg[1]));
		else if (msg[0] == CHILD_LANDLOCK)
			warnx("agentwrap.landlock = on, but no Landlock "
			      "ruleset could be applied (%s); nothing was run",
			    st.landlock_why[0] ? st.landlock_why : "?");
		else if (msg[0] == CHILD_WATCH)
			warnx(
			    "%s needs the seccomp watch, but %s; nothing was "
			    "run (agentwrap.uncovered and --no-seccomp decide "
			    "how such a program may run without it)",
			    o->cfg->s[CFG_STRICT].val ? "agentwrap.strict"
						      : "the command",
			    st.watch_why[0] ? st.watch_why : "?");
		else if (msg[0] == CHILD_CHDIR)
			run_warn_vis("cannot enter the workspace %s: %s",
			    o->cfg->s[CFG_WORKSPACE].str, strerror(msg[1]));
		else
			run_warn_vis("%s: %s", argv[0], strerror(msg[1]));
	}

	while (!st.child_done) {
		if (ring_serve(&st.ring, run_handle, &st) > 0 &&
		    spin_for_more(&st))
			continue;
		ring_count(&st.ring, NULL, &lingering);
		t0 = clock_mono_us();
		wait_events(&st, lingering > 0 ? 100 : -1);
		/* woken at once: spinning would have caught it */
		if (clock_mono_us() - t0 < SPIN_US &&
		    st.spin_score < SPIN_SCORE_MAX)
			st.spin_score++;
	}
	drain(&st);
	end_tree(&st);
	drain(&st);
	/* on-failure: the command failed after denials that could have been
	 * asked; run it once more with exactly those granted, if told to */
	if (!reran && !o->audit_only && st.child_status != 0 &&
	    o->cfg->s[CFG_APPROVAL_POLICY].val == APPROVAL_ON_FAILURE &&
	    approve_rerun_ask(st.ap) == 1) {
		reran = 1;
		if (st.audit != NULL)
			audit_rerun(st.audit,
			    WIFEXITED(st.child_status)
				? WEXITSTATUS(st.child_status)
				: 128 + WTERMSIG(st.child_status),
			    policy_ngrants(o->pol), approve_rerun_by(st.ap));
		st.child_done = 0;
		st.child_status = 0;
		close(pipefd[0]);
		pipefd[0] = -1;
		goto again;
	}
	if (approve_finish(st.ap) == -1)
		grants_failed = 1;

	status = st.child_status;
	if (WIFEXITED(status))
		r = WEXITSTATUS(status);
	else if (WIFSIGNALED(status)) {
		signo = WTERMSIG(status);
		r = 128 + signo;
	}
	if (st.audit != NULL)
		audit_end(st.audit, r, signo);
	report_summary(st.report);
	if (audit_failed(st.audit)) {
		warnx("the audit log is incomplete: exiting %d instead of the "
		      "command's %d",
		    RUN_EXIT_AGENTWRAP, r);
		r = RUN_EXIT_AGENTWRAP;
	} else if (grants_failed) {
		warnx("the session grants could not be saved: exiting %d "
		      "instead of the command's %d",
		    RUN_EXIT_AGENTWRAP, r);
		r = RUN_EXIT_AGENTWRAP;
	}
out_mask:
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
out:
	approve_free(st.ap);
	if (audit_close(st.audit) == -1)
		r = RUN_EXIT_AGENTWRAP;
	if (proxy_refused(st.proxy) > 0 && !o->quiet)
		warnx("the proxy turned away %lu connection%s of another user",
		    proxy_refused(st.proxy),
		    proxy_refused(st.proxy) == 1 ? "" : "s");
	report_free(st.report);
	run_dns_free(&st);
	dns_free(st.dns);
	proxy_free(st.proxy);
	free(st.dnsbuf);
	launch_env_free(env);
	if (pipefd[0] != -1)
		close(pipefd[0]);
	if (pipefd[1] != -1)
		close(pipefd[1]);
	if (floorfd[0] != -1)
		close(floorfd[0]);
	if (floorfd[1] != -1)
		close(floorfd[1]);
	watch_free(st.watch);
	free(st.pfd);
	if (have_fp)
		floor_prog_free(&fp);
	if (st.sfd != -1)
		close(st.sfd);
	hold_stop(st.holder);
	attach_close(st.attach);
	if (snap_fd != -1)
		close(snap_fd);
	if (st.ring.ring != NULL)
		ring_destroy(&st.ring);
	return r;
}
