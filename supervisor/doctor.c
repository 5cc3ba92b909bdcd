/*
 * doctor.c: agentwrap --doctor (see doctor.h). Three steps: probe the
 * machine into struct facts (each probe for real, in a child where it
 * changes process state), judge each way out from the facts and the mode
 * (pure), then print a table or one JSON document of the same rows.
 *
 * Runs in the supervisor. What it judges is what agentwrap does today
 * (docs/trust-model.md), not what is planned: a layer not built yet is
 * reported as such whatever the kernel offers.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <jansson.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vis.h>

#include "doctor.h"
#include "floor.h"
#include "landlock.h"
#include "run.h"

#define PROBE_SECONDS 5 /* a probe that hangs is killed after this */
#define SHIM_LOADED 0 /* exit statuses of doctor_probe_child */
#define SHIM_MISSING 3
#define ADDFD_TARGET 200 /* the descriptor number the ADDFD probe asks for */

#ifndef SECCOMP_IOCTL_NOTIF_ADDFD
#define SECCOMP_IOCTL_NOTIF_ADDFD SECCOMP_IOW(3, struct seccomp_notif_addfd)
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#define CAP_BIT_SYS_PTRACE 19
#define CAP_BIT_SYS_ADMIN 21

/* yes, no, or the probe could not tell */
enum tri { T_NO = 0, T_YES = 1, T_UNKNOWN = -1 };

struct probe {
	enum tri ok;
	char why[200]; /* what was found, or why not */
};

/* A sysctl: absent (-1), or its value */
struct knob {
	long v;
	int present;
};

struct facts {
	struct utsname un;
	int kmaj, kmin;
	const char *glibc;
	uid_t uid;
	int cap_admin, cap_ptrace; /* effective capabilities */
	int seccomp_mode; /* PR_GET_SECCOMP of agentwrap itself, -1 none */
	struct probe filter, notify, cont, addfd;
	int cont_probed, addfd_probed; /* else from the kernel version */
	long landlock_abi; /* 0: none */
	struct probe landlock;
	struct probe uring;
	struct knob uring_disabled;
	struct knob yama, tiocsti;
	struct probe userns;
	struct knob userns_clone, max_userns, aa_userns;
	struct probe shim;
	char shim_path[PATH_MAX];
	enum floor_state floor;
	int nnp; /* no_new_privs could be set */
	char floor_why[200];
};

/* One line of a table: a mechanism found, or a way out judged */
struct row {
	const char *id; /* the JSON key */
	const char *label; /* the table's left column */
	enum tri ok; /* mechanism: available; way out: covered */
	char text[320]; /* the right column, for a person */
	json_t *extra; /* more JSON members, or NULL */
};

#define MAXROWS 16

struct report {
	struct row mech[MAXROWS], esc[MAXROWS];
	size_t nmech, nesc;
};

static void say(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* --- probes --- */

static int
kernel_at_least(const struct facts *f, int maj, int min)
{
	return f->kmaj > maj || (f->kmaj == maj && f->kmin >= min);
}

/* Read a sysctl or /proc number at PATH */
static struct knob
knob_read(const char *path)
{
	struct knob k = { -1, 0 };
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		return k;
	if (fscanf(fp, "%ld", &k.v) == 1)
		k.present = 1;
	fclose(fp);
	return k;
}

/* The effective capability set of this process, from /proc */
static unsigned long long
cap_eff(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *fp;

	if ((fp = fopen("/proc/self/status", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(fp);
	return caps;
}

struct child_answer {
	int ok;
	char why[200];
};

/*
 * fork() with a pipe from the child to us, FD[1] its end: the child's
 * pid, 0 in the child, or -1 with P saying why.
 */
static pid_t
fork_piped(int fd[2], struct probe *p)
{
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) == -1) {
		p->ok = T_UNKNOWN;
		say(p->why, sizeof(p->why), "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		p->ok = T_UNKNOWN;
		say(p->why, sizeof(p->why), "fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
	}
	return pid;
}

/* What the child of fork_piped wrote (one read), then its exit status */
static ssize_t
collect(pid_t pid, int fd[2], void *buf, size_t len, int *status)
{
	ssize_t n;

	close(fd[1]);
	do
		n = read(fd[0], buf, len);
	while (n == -1 && errno == EINTR);
	close(fd[0]);
	*status = 0;
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
	return n;
}

/*
 * Run FN in a forked child, which may change its own state at will, and
 * bring back its answer. A child that dies or hangs is an unknown.
 */
static void
in_child(enum tri (*fn)(char *, size_t), struct probe *p)
{
	struct child_answer a;
	ssize_t n;
	pid_t pid;
	int fd[2], status = 0;

	if ((pid = fork_piped(fd, p)) == -1)
		return;
	if (pid == 0) {
		close(fd[0]);
		alarm(PROBE_SECONDS);
		memset(&a, 0, sizeof(a));
		a.ok = fn(a.why, sizeof(a.why));
		if (write(fd[1], &a, sizeof(a)) != (ssize_t)sizeof(a))
			_exit(1);
		_exit(0);
	}
	n = collect(pid, fd, &a, sizeof(a), &status);
	if (n != (ssize_t)sizeof(a)) {
		p->ok = T_UNKNOWN;
		if (WIFSIGNALED(status))
			say(p->why, sizeof(p->why),
			    "the probe was killed by signal %d (%s)",
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			say(p->why, sizeof(p->why),
			    "the probe ended without an answer");
		return;
	}
	a.why[sizeof(a.why) - 1] = '\0';
	p->ok = a.ok == T_YES ? T_YES : a.ok == T_NO ? T_NO : T_UNKNOWN;
	memcpy(p->why, a.why, sizeof(p->why));
}

/* A filter that allows everything, after no_new_privs: may we filter? */
static enum tri
probe_filter(char *why, size_t len)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 1, allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		say(why, len, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return T_NO;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == -1) {
		say(why, len, "%s",
		    errno == EINVAL ? "the kernel has no seccomp filters"
				    : strerror(errno));
		return T_NO;
	}
	say(why, len, "a filter loads");
	return T_YES;
}

/*
 * A user-notify filter on getppid (nothing else in the probe calls it); a
 * grandchild calls it, and the child, holding the listener, first adds a
 * descriptor to the grandchild (ADDFD, 5.9) then lets the call go on
 * (CONTINUE, 5.5). The grandchild's exit status says what it saw: bit 0
 * the real call ran, bit 1 the descriptor arrived. WHY gets "c a": each 1
 * or 0.
 */
static enum tri
probe_notify_flags(char *why, size_t len)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct seccomp_notif_addfd add;
	scmp_filter_ctx ctx;
	pid_t pid;
	int lfd, status, addfd_ok, cont_ok, r;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL ||
	    seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0) != 0) {
		say(why, len, "cannot build the filter");
		return T_UNKNOWN;
	}
	if ((r = seccomp_load(ctx)) != 0 ||
	    (lfd = seccomp_notify_fd(ctx)) < 0) {
		say(why, len, "cannot load a user-notify filter: %s",
		    strerror(r != 0 ? -r : EINVAL));
		return T_NO;
	}
	if ((pid = fork()) == -1) {
		say(why, len, "fork: %s", strerror(errno));
		return T_UNKNOWN;
	}
	if (pid == 0) {
		r = syscall(SYS_getppid) > 0;
		if (fcntl(ADDFD_TARGET, F_GETFD) != -1)
			r |= 2;
		_exit(r);
	}
	if (seccomp_notify_alloc(&req, &resp) != 0 ||
	    seccomp_notify_receive(lfd, req) != 0) {
		say(why, len, "no notification came");
		return T_UNKNOWN;
	}
	memset(&add, 0, sizeof(add));
	add.id = req->id;
	add.flags = SECCOMP_ADDFD_FLAG_SETFD;
	add.srcfd = lfd;
	add.newfd = ADDFD_TARGET;
	addfd_ok = ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0;
	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	cont_ok = seccomp_notify_respond(lfd, resp) == 0;
	if (!cont_ok) {
		resp->flags = 0;
		resp->error = -ENOSYS;
		seccomp_notify_respond(lfd, resp);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status)) {
		say(why, len, "the grandchild did not exit");
		return T_UNKNOWN;
	}
	/* believe the grandchild, who saw the effect */
	cont_ok = cont_ok && (WEXITSTATUS(status) & 1);
	addfd_ok = addfd_ok && (WEXITSTATUS(status) & 2);
	say(why, len, "%d %d", cont_ok, addfd_ok);
	return T_YES;
}

static enum tri
probe_uring(char *why, size_t len)
{
#ifdef SYS_io_uring_setup
	struct io_uring_params params;

	memset(&params, 0, sizeof(params));
	if (syscall(SYS_io_uring_setup, 1, &params) >= 0) {
		say(why, len, "io_uring_setup works");
		return T_YES;
	}
	say(why, len, "io_uring_setup: %s", strerror(errno));
	return T_NO;
#else
	say(why, len, "no io_uring_setup in this build");
	return T_UNKNOWN;
#endif
}

static enum tri
probe_userns(char *why, size_t len)
{
	if (unshare(CLONE_NEWUSER) == 0) {
		say(why, len, "unshare(CLONE_NEWUSER) works for this user");
		return T_YES;
	}
	say(why, len, "unshare(CLONE_NEWUSER): %s", strerror(errno));
	return T_NO;
}

/* The floor exactly as a run installs it; WHY gets "STATE NNP reason" */
static int probe_floor_seccomp;

static enum tri
probe_floor(char *why, size_t len)
{
	struct floor_prog fp;
	enum floor_state st;
	char err[120];
	int lfd, nnp,
	    have = probe_floor_seccomp && floor_prepare(&fp, 0, 0) == 0;

	/* a forked child of ours with one thread: it may allocate. The
	 * watched filter, as a run with the watch from its first child
	 * installs it: a listener says user-notify works */
	lfd = floor_install(have ? &fp : NULL, 1, &st, err, sizeof(err));
	if (lfd >= 0)
		close(lfd);
	else if (st != FLOOR_NONE)
		st = FLOOR_ERRNO; /* the floor, but no listener for the watch */
	if (probe_floor_seccomp && !have)
		say(err, sizeof(err), "cannot build the filter");
	nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	say(why, len, "%d %d %s", (int)st, nnp, err);
	return T_YES;
}

void
doctor_probe_child(void)
{
	const char *e = getenv(DOCTOR_ENV_PROBE);

	if (e == NULL || strcmp(e, "shim") != 0)
		return;
	_exit(dlsym(RTLD_DEFAULT, "agentwrap_shim_marker") != NULL
		? SHIM_LOADED
		: SHIM_MISSING);
}

/*
 * Start agentwrap itself, a dynamically linked program, with the shim a
 * run would use in LD_PRELOAD and nothing else (the shim stays inert
 * without agentwrap's variables); doctor_probe_child says whether the shim
 * is in it. The loader's complaint, if any, is the reason.
 */
static void
probe_shim(struct facts *f)
{
	char env_preload[PATH_MAX + 16], err[512], *envp[3], *argv[2], *v;
	struct probe *p = &f->shim;
	pid_t pid;
	int fd[2], status = 0;

	if (run_find_shim(
		f->shim_path, sizeof(f->shim_path), err, sizeof(err)) == -1) {
		f->shim_path[0] = '\0';
		p->ok = T_NO;
		say(p->why, sizeof(p->why), "%s", err);
		return;
	}
	say(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", f->shim_path);
	envp[0] = env_preload;
	envp[1] = DOCTOR_ENV_PROBE "=shim";
	envp[2] = NULL;
	argv[0] = "agentwrap";
	argv[1] = NULL;
	if ((pid = fork_piped(fd, p)) == -1)
		return;
	if (pid == 0) {
		dup2(fd[1], STDERR_FILENO);
		alarm(PROBE_SECONDS);
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	memset(err, 0, sizeof(err));
	collect(pid, fd, err, sizeof(err) - 1, &status);
	err[strcspn(err, "\n")] = '\0';
	if (stravis(&v, err, VIS_OCTAL | VIS_TAB | VIS_CSTYLE) == -1)
		v = NULL;
	if (WIFEXITED(status) && WEXITSTATUS(status) == SHIM_LOADED) {
		p->ok = T_YES;
		say(p->why, sizeof(p->why), "a dynamic program loads the shim");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == SHIM_MISSING) {
		p->ok = T_NO;
		say(p->why, sizeof(p->why),
		    "a dynamic program ran without the shim%s%s",
		    v != NULL && *v != '\0' ? ": " : "", v != NULL ? v : "");
	} else {
		p->ok = T_UNKNOWN;
		say(p->why, sizeof(p->why), "the probe %s %d%s%s",
		    WIFSIGNALED(status) ? "was killed by signal"
					: "exited with",
		    WIFSIGNALED(status) ? WTERMSIG(status)
					: WEXITSTATUS(status),
		    v != NULL && *v != '\0' ? ": " : "", v != NULL ? v : "");
	}
	free(v);
}

static void
probe_seccomp(struct facts *f)
{
	struct seccomp_notif_sizes sz;
	char why[sizeof(f->cont.why)];
	int c = 0, a = 0;

	f->seccomp_mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	in_child(probe_filter, &f->filter);
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0) {
		f->notify.ok = T_YES;
		say(f->notify.why, sizeof(f->notify.why),
		    "SECCOMP_GET_NOTIF_SIZES answers");
	} else {
		f->notify.ok = T_NO;
		say(f->notify.why, sizeof(f->notify.why), "%s",
		    errno == EINVAL ? "not in this kernel (5.0 and later)"
				    : strerror(errno));
	}
	f->cont.ok = f->addfd.ok = T_NO;
	if (f->notify.ok != T_YES || f->filter.ok != T_YES) {
		say(f->cont.why, sizeof(f->cont.why), "needs user-notify");
		say(f->addfd.why, sizeof(f->addfd.why), "needs user-notify");
		return;
	}
	in_child(probe_notify_flags, &f->cont);
	if (f->cont.ok == T_YES && sscanf(f->cont.why, "%d %d", &c, &a) == 2) {
		f->cont_probed = f->addfd_probed = 1;
		f->cont.ok = c ? T_YES : T_NO;
		f->addfd.ok = a ? T_YES : T_NO;
		say(f->cont.why, sizeof(f->cont.why), "%s",
		    c ? "a notified call went on" : "refused by the kernel");
		say(f->addfd.why, sizeof(f->addfd.why), "%s",
		    a ? "a descriptor arrived" : "refused by the kernel");
		return;
	}
	/* the probe could not tell: the kernel version can */
	memcpy(why, f->cont.why, sizeof(why));
	f->cont.ok = kernel_at_least(f, 5, 5) ? T_YES : T_NO;
	f->addfd.ok = kernel_at_least(f, 5, 9) ? T_YES : T_NO;
	say(f->cont.why, sizeof(f->cont.why),
	    "from the kernel version, 5.5 and later; the probe: %s", why);
	say(f->addfd.why, sizeof(f->addfd.why),
	    "from the kernel version, 5.9 and later; the probe: %s", why);
}

static void
probe_landlock(struct facts *f)
{
#ifdef SYS_landlock_create_ruleset
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	if (abi > 0) {
		f->landlock_abi = abi;
		f->landlock.ok = T_YES;
		say(f->landlock.why, sizeof(f->landlock.why), "ABI %ld", abi);
		return;
	}
	f->landlock.ok = T_NO;
	say(f->landlock.why, sizeof(f->landlock.why), "%s",
	    errno == ENOSYS	      ? "not in this kernel (5.13 and later)"
		: errno == EOPNOTSUPP ? "built in but turned off at boot (lsm=)"
				      : strerror(errno));
#else
	f->landlock.ok = T_UNKNOWN;
	say(f->landlock.why, sizeof(f->landlock.why),
	    "no landlock_create_ruleset in this build");
#endif
}

static void
probe_all(struct facts *f, int seccomp_on)
{
	struct probe fl;
	unsigned long long caps;
	int st = FLOOR_NONE, off = 0;

	memset(f, 0, sizeof(*f));
	if (uname(&f->un) == -1)
		memset(&f->un, 0, sizeof(f->un));
	if (sscanf(f->un.release, "%d.%d", &f->kmaj, &f->kmin) != 2)
		f->kmaj = f->kmin = 0;
	f->glibc = gnu_get_libc_version();
	f->uid = getuid();
	caps = cap_eff();
	f->cap_admin = (caps >> CAP_BIT_SYS_ADMIN) & 1;
	f->cap_ptrace = (caps >> CAP_BIT_SYS_PTRACE) & 1;

	probe_seccomp(f);
	probe_landlock(f);
	f->uring_disabled = knob_read("/proc/sys/kernel/io_uring_disabled");
	in_child(probe_uring, &f->uring);
	f->yama = knob_read("/proc/sys/kernel/yama/ptrace_scope");
	f->tiocsti = knob_read("/proc/sys/dev/tty/legacy_tiocsti");
	in_child(probe_userns, &f->userns);
	f->userns_clone =
	    knob_read("/proc/sys/kernel/unprivileged_userns_clone");
	f->max_userns = knob_read("/proc/sys/user/max_user_namespaces");
	f->aa_userns =
	    knob_read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	probe_shim(f);

	probe_floor_seccomp = seccomp_on;
	in_child(probe_floor, &fl);
	f->floor = FLOOR_NONE;
	if (fl.ok == T_YES &&
	    sscanf(fl.why, "%d %d %n", &st, &f->nnp, &off) == 2) {
		f->floor = st == FLOOR_NOTIFY ? FLOOR_NOTIFY
		    : st == FLOOR_ERRNO	      ? FLOOR_ERRNO
					      : FLOOR_NONE;
		say(f->floor_why, sizeof(f->floor_why), "%s", fl.why + off);
	} else
		say(f->floor_why, sizeof(f->floor_why), "%s", fl.why);
}

/* --- judging: facts and mode to rows, no side effects --- */

static const char *const sandbox_names[] = { "read-only", "workspace-write",
	"danger-full-access" };
static const char *const approval_names[] = { "untrusted", "on-request",
	"on-failure", "never" };
static const char *const floor_names[] = { "notify", "errno", "none" };

static struct row *
add_row(
    struct row *v, size_t *n, const char *id, const char *label, enum tri ok)
{
	struct row *r = &v[(*n)++];

	r->id = id;
	r->label = label;
	r->ok = ok;
	r->text[0] = '\0';
	r->extra = json_object();
	return r;
}

static json_t *
knob_json(struct knob k)
{
	return k.present ? json_integer(k.v) : json_null();
}

/* "name = v" for a sysctl that is there, "" when it is not */
static void
knob_text(char *buf, size_t len, const char *name, struct knob k)
{
	if (k.present)
		say(buf, len, "%s = %ld", name, k.v);
	else
		buf[0] = '\0';
}

/* Would a run in this mode get a Landlock ruleset here? WHY if not */
static int
ll_used(
    const struct facts *f, const struct doctor_opts *o, char *why, size_t len)
{
	if (o->landlock_off != NULL) {
		snprintf(why, len, "turned off by %s", o->landlock_off);
		return 0;
	}
	if (f->landlock_abi < 2) {
		snprintf(why, len, "%s",
		    f->landlock_abi == 1 ? "ABI 1 only (2 is needed)"
					 : "not in this kernel");
		return 0;
	}
	return landlock_wanted(o->cfg, o->audit_only, why, len);
}

static void
judge_mechanisms(
    const struct facts *f, const struct doctor_opts *o, struct report *rp)
{
	struct row *r, *v = rp->mech;
	size_t *n = &rp->nmech;
	char k1[64], k2[64], k3[64], off[96] = "", why[160];
	const char *scope;
	json_t *j;

	if (o->seccomp_off != NULL)
		say(off, sizeof(off), "; turned off by %s", o->seccomp_off);

	r = add_row(v, n, "seccomp_filter", "seccomp filters", f->filter.ok);
	say(r->text, sizeof(r->text), "%s (%s)%s",
	    f->filter.ok == T_YES ? "yes" : "NO", f->filter.why, off);
	json_object_set_new(r->extra, "current_mode",
	    f->seccomp_mode >= 0 ? json_integer(f->seccomp_mode) : json_null());
	json_object_set_new(
	    r->extra, "turned_off", json_boolean(o->seccomp_off != NULL));
	if (f->seccomp_mode > 0)
		say(r->text + strlen(r->text),
		    sizeof(r->text) - strlen(r->text),
		    "; agentwrap already runs under a filter");

	r = add_row(
	    v, n, "seccomp_user_notify", "seccomp user-notify", f->notify.ok);
	say(r->text, sizeof(r->text), "%s (%s)%s",
	    f->notify.ok == T_YES ? "yes" : "NO", f->notify.why, off);
	json_object_set_new(
	    r->extra, "turned_off", json_boolean(o->seccomp_off != NULL));

	r = add_row(v, n, "seccomp_notify_continue",
	    "  USER_NOTIF_FLAG_CONTINUE", f->cont.ok);
	say(r->text, sizeof(r->text), "%s (%s)%s",
	    f->cont.ok == T_YES ? "yes" : "no", f->cont.why, off);
	json_object_set_new(r->extra, "probed", json_boolean(f->cont_probed));

	r = add_row(
	    v, n, "seccomp_notify_addfd", "  IOCTL_NOTIF_ADDFD", f->addfd.ok);
	say(r->text, sizeof(r->text), "%s (%s)%s",
	    f->addfd.ok == T_YES ? "yes" : "no", f->addfd.why, off);
	json_object_set_new(r->extra, "probed", json_boolean(f->addfd_probed));

	r = add_row(v, n, "landlock", "Landlock", f->landlock.ok);
	if (ll_used(f, o, why, sizeof(why)))
		say(r->text, sizeof(r->text),
		    "%s (%s); used in this mode: writes held to the roots, "
		    "guarded files outside them unreadable%s",
		    f->landlock.ok == T_YES ? "yes" : "no", f->landlock.why,
		    f->landlock_abi >= 4 && landlock_network_off(o->cfg)
			? ", TCP refused (network off)"
			: "");
	else
		say(r->text, sizeof(r->text), "%s (%s); not used: %s",
		    f->landlock.ok == T_YES ? "yes" : "no", f->landlock.why,
		    why);
	json_object_set_new(r->extra, "abi",
	    f->landlock_abi > 0 ? json_integer(f->landlock_abi) : json_null());
	json_object_set_new(
	    r->extra, "used", json_boolean(ll_used(f, o, why, sizeof(why))));
	json_object_set_new(
	    r->extra, "turned_off", json_boolean(o->landlock_off != NULL));

	r = add_row(v, n, "io_uring", "io_uring", f->uring.ok);
	knob_text(
	    k1, sizeof(k1), "kernel.io_uring_disabled", f->uring_disabled);
	say(r->text, sizeof(r->text), "%s (%s%s%s)",
	    f->uring.ok == T_YES ? "yes" : "no", f->uring.why, *k1 ? "; " : "",
	    k1);
	json_object_set_new(
	    r->extra, "io_uring_disabled", knob_json(f->uring_disabled));

	scope = !f->yama.present ? "absent: no restriction beyond the usual"
	    : f->yama.v == 0	 ? "0: no restriction beyond the usual"
	    : f->yama.v == 1	 ? "1: only descendants"
	    : f->yama.v == 2	 ? "2: only with CAP_SYS_PTRACE"
				 : "3: no attaching at all";
	r = add_row(v, n, "yama", "yama ptrace_scope",
	    f->yama.present && f->yama.v > 0 ? T_YES : T_NO);
	say(r->text, sizeof(r->text), "%s", scope);
	json_object_set_new(r->extra, "ptrace_scope", knob_json(f->yama));

	r = add_row(v, n, "tiocsti", "TIOCSTI",
	    !f->tiocsti.present || f->tiocsti.v != 0 || f->cap_admin ? T_YES
								     : T_NO);
	if (!f->tiocsti.present)
		say(r->text, sizeof(r->text),
		    "allowed (no dev.tty.legacy_tiocsti: kernel before 6.2)");
	else
		say(r->text, sizeof(r->text),
		    "%s (dev.tty.legacy_tiocsti = %ld%s)",
		    r->ok == T_YES ? "allowed" : "refused by the kernel",
		    f->tiocsti.v,
		    f->tiocsti.v == 0 && f->cap_admin
			? "; CAP_SYS_ADMIN may still"
			: "");
	json_object_set_new(r->extra, "legacy_tiocsti", knob_json(f->tiocsti));

	r = add_row(v, n, "user_namespaces", "user namespaces", f->userns.ok);
	knob_text(k1, sizeof(k1), "kernel.unprivileged_userns_clone",
	    f->userns_clone);
	knob_text(k2, sizeof(k2), "user.max_user_namespaces", f->max_userns);
	knob_text(k3, sizeof(k3),
	    "kernel.apparmor_restrict_unprivileged_userns", f->aa_userns);
	say(r->text, sizeof(r->text), "%s (%s%s%s%s%s%s%s)",
	    f->userns.ok == T_YES ? "yes" : "no", f->userns.why,
	    *k1 ? "; " : "", k1, *k2 ? "; " : "", k2, *k3 ? "; " : "", k3);
	json_object_set_new(
	    r->extra, "unprivileged_userns_clone", knob_json(f->userns_clone));
	json_object_set_new(
	    r->extra, "max_user_namespaces", knob_json(f->max_userns));
	json_object_set_new(r->extra, "apparmor_restrict_unprivileged_userns",
	    knob_json(f->aa_userns));

	r = add_row(v, n, "ld_preload", "LD_PRELOAD", f->shim.ok);
	say(r->text, sizeof(r->text), "%s (%s)",
	    f->shim.ok == T_YES ? "works" : "does NOT work", f->shim.why);
	/* json_string: NULL for a path that is not UTF-8 */
	if ((j = f->shim_path[0] != '\0' ? json_string(f->shim_path) : NULL) ==
	    NULL)
		j = json_null();
	json_object_set_new(r->extra, "shim", j);

	r = add_row(v, n, "kernel_floor", "agentwrap's kernel floor",
	    f->floor != FLOOR_NONE ? T_YES : T_NO);
	say(r->text, sizeof(r->text), "%s",
	    f->floor == FLOOR_NOTIFY
		? "installs (refusals are errno answers, not reported), and "
		  "the seccomp watch gets its user-notify listener"
		: f->floor == FLOOR_ERRNO
		? "installs, but no user-notify listener for the seccomp watch"
		: "off");
	if (f->floor_why[0] != '\0')
		say(r->text + strlen(r->text),
		    sizeof(r->text) - strlen(r->text), " (%s)", f->floor_why);
	json_object_set_new(
	    r->extra, "state", json_string(floor_names[f->floor]));
	json_object_set_new(r->extra, "no_new_privs", json_boolean(f->nnp));
}

static void
judge_escapes(
    const struct facts *f, const struct doctor_opts *o, struct report *rp)
{
	const struct config *cfg = o->cfg;
	struct row *r, *v = rp->esc;
	size_t *n = &rp->nesc;
	int floor_on = f->floor != FLOOR_NONE, unc;
	char nofloor[260], why[160];
	int danger = cfg->s[CFG_SANDBOX_MODE].val == SANDBOX_DANGER_FULL_ACCESS;

	say(nofloor, sizeof(nofloor), "no kernel floor (%s)",
	    f->floor_why[0] != '\0' ? f->floor_why : "?");

	r = add_row(v, n, "dynamic_programs", "dynamic programs' libc calls",
	    f->shim.ok == T_YES && !o->audit_only ? T_YES : T_NO);
	if (f->shim.ok != T_YES)
		say(r->text, sizeof(r->text), "the shim does not load here: %s",
		    f->shim.why);
	else if (o->audit_only)
		say(r->text, sizeof(r->text),
		    "recorded, not enforced (--audit-only)");
	else
		say(r->text, sizeof(r->text), "judged by the shim%s",
		    danger ? " (danger-full-access: only deny entries and "
			     "forbidden exec rules)"
			   : "");

	unc = o->cfg->s[CFG_UNCOVERED].val;
	r = add_row(v, n, "static_programs", "static, non-glibc programs",
	    (f->floor == FLOOR_NOTIFY || unc == UNCOVERED_DENY) &&
		    !o->audit_only
		? T_YES
		: T_NO);
	if (f->floor == FLOOR_NOTIFY)
		say(r->text, sizeof(r->text),
		    "%s by the seccomp watch (user-notify): their file, exec "
		    "and network calls, as the shim judges a dynamic "
		    "program's",
		    o->audit_only ? "recorded, not enforced," : "judged");
	else if (unc == UNCOVERED_DENY && !o->audit_only)
		say(r->text, sizeof(r->text),
		    "refused: agentwrap.uncovered = deny keeps them from "
		    "running");
	else
		say(r->text, sizeof(r->text),
		    "%sseccomp user-notify layer not built yet; their exec is "
		    "%s",
		    ll_used(f, o, why, sizeof(why))
			? "partly: Landlock holds their writes to the roots "
			  "and keeps guarded files outside them unread; "
			  "other reads, protected names and exec rules are "
			  "not judged, the "
			: "",
		    unc == UNCOVERED_ASK ? "asked about "
					   "(agentwrap.uncovered = ask)"
					 : "noted as not covered");

	r = add_row(v, n, "raw_syscalls", "raw syscall instructions",
	    f->floor == FLOOR_NOTIFY && cfg->s[CFG_STRICT].val && !o->audit_only
		? T_YES
		: T_NO);
	if (f->floor == FLOOR_NOTIFY && cfg->s[CFG_STRICT].val)
		say(r->text, sizeof(r->text),
		    "%s by the seccomp watch in every process "
		    "(agentwrap.strict)",
		    o->audit_only ? "recorded, not enforced," : "judged");
	else
		say(r->text, sizeof(r->text), "%s (--strict judges them%s)",
		    ll_used(f, o, why, sizeof(why))
			? "partly: Landlock holds their writes to the roots "
			  "and keeps guarded files outside them unread; "
			  "the rest is not seen"
			: "no layer sees them",
		    f->floor == FLOOR_NOTIFY ? ""
					     : ", where there is user-notify");

	r = add_row(v, n, "userns_bind_mount", "user namespace + bind mount",
	    floor_on ? T_YES : T_NO);
	if (floor_on)
		say(r->text, sizeof(r->text), "refused by the kernel floor");
	else if (f->cap_admin)
		say(r->text, sizeof(r->text),
		    "%s, and this user may mount (CAP_SYS_ADMIN)", nofloor);
	else if (f->userns.ok == T_NO) {
		r->ok = T_YES;
		say(r->text, sizeof(r->text),
		    "the kernel refuses user namespaces to this user; %s",
		    nofloor);
	} else
		say(r->text, sizeof(r->text), "%s: unshare -r, then mount",
		    nofloor);

	r = add_row(v, n, "setuid_programs", "set-user-ID programs",
	    f->nnp ? T_YES : T_NO);
	if (f->nnp)
		say(r->text, sizeof(r->text),
		    "run as the user under no_new_privs (set in every mode)");
	else
		say(r->text, sizeof(r->text),
		    "no_new_privs cannot be set here (%s): a run would not "
		    "start",
		    f->floor_why);

	r = add_row(v, n, "tiocsti", "TIOCSTI into the prompt",
	    floor_on ? T_YES : T_NO);
	if (floor_on)
		say(r->text, sizeof(r->text), "refused by the kernel floor");
	else if (f->tiocsti.present && f->tiocsti.v == 0 && !f->cap_admin) {
		r->ok = T_YES;
		say(r->text, sizeof(r->text),
		    "the kernel refuses it (dev.tty.legacy_tiocsti = 0)");
	} else
		say(r->text, sizeof(r->text), "%s, and the kernel allows it",
		    nofloor);

	r = add_row(v, n, "io_uring", "io_uring", floor_on ? T_YES : T_NO);
	if (floor_on)
		say(r->text, sizeof(r->text), "refused by the kernel floor");
	else if (f->uring.ok == T_NO) {
		r->ok = T_YES;
		say(r->text, sizeof(r->text), "the kernel refuses it (%s)",
		    f->uring.why);
	} else
		say(r->text, sizeof(r->text),
		    "%s: the shim refuses syscall(), not a raw "
		    "io_uring_setup",
		    nofloor);

	r = add_row(v, n, "ptrace_outside", "ptrace outside the tree",
	    floor_on &&
		    (ll_used(f, o, why, sizeof(why)) ||
			(f->floor == FLOOR_NOTIFY && cfg->s[CFG_STRICT].val))
		? T_YES
		: T_NO);
	if (r->ok == T_YES)
		say(r->text, sizeof(r->text), "refused by %s",
		    ll_used(f, o, why, sizeof(why))
			? "Landlock's ptrace scoping"
			: "the seccomp watch (agentwrap.strict)");
	else if (floor_on)
		say(r->text, sizeof(r->text),
		    "partly: the watch refuses it for static programs%s, the "
		    "floor refuses it at the supervisor; a dynamic program "
		    "reaches other processes of the user "
		    "(--strict or Landlock refuse it)",
		    f->floor == FLOOR_NOTIFY ? "" : " (no user-notify here)");
	else if (f->yama.present && f->yama.v >= 1 &&
	    (f->yama.v == 3 || !f->cap_ptrace)) {
		r->ok = T_YES;
		say(r->text, sizeof(r->text),
		    "refused by yama (ptrace_scope = %ld); %s", f->yama.v,
		    nofloor);
	} else
		say(r->text, sizeof(r->text), "%s, and no yama restriction",
		    nofloor);

	r = add_row(v, n, "supervisor_killed", "agentwrap killed mid-run",
	    (f->floor == FLOOR_NOTIFY && cfg->s[CFG_STRICT].val) ||
		    (!o->keeper_off && floor_on)
		? T_YES
		: T_NO);
	if (!o->keeper_off && floor_on) {
		say(r->text, sizeof(r->text),
		    "the keeper ends the tree, and the floor keeps the tree "
		    "from reaching it; %s",
		    f->floor == FLOOR_NOTIFY && cfg->s[CFG_STRICT].val
			? "until it has, every judged call fails"
			: "until it has (about a millisecond), a dynamic "
			  "program's raw calls act");
	} else
		say(r->text, sizeof(r->text), "%sshims fail closed%s%s; %s",
		    o->keeper_off ? "no keeper (AGENTWRAP_DISABLE=keeper): "
				  : "the tree can kill the keeper first: ",
		    floor_on ? ", the floor holds" : "",
		    ll_used(f, o, why, sizeof(why)) ? ", Landlock holds" : "",
		    f->floor != FLOOR_NOTIFY ? "static programs act on"
			: cfg->s[CFG_STRICT].val
			? "every judged call fails (the watch's ENOSYS)"
			: "static programs' judged calls fail (the watch's "
			  "ENOSYS); "
			  "a dynamic program's raw calls act on");

	r = add_row(v, n, "path_races", "path swapped after check", T_NO);
	if (ll_used(f, o, why, sizeof(why)))
		say(r->text, sizeof(r->text),
		    "writes: Landlock holds them to the roots whatever the "
		    "path "
		    "becomes; protected names inside the roots stay racy");
	else
		say(r->text, sizeof(r->text),
		    "only a kernel layer closes it: Landlock is not used (%s)",
		    why);
}

/* --- output --- */

static json_t *
tri_json(enum tri t)
{
	return t == T_UNKNOWN ? json_null() : json_boolean(t == T_YES);
}

static json_t *
report_json(
    const struct facts *f, const struct doctor_opts *o, const struct report *rp)
{
	const struct config *cfg = o->cfg;
	json_t *doc, *mech, *esc, *e;
	size_t i;
	int mode = cfg->s[CFG_SANDBOX_MODE].val;

	mech = json_object();
	for (i = 0; i < rp->nmech; i++) {
		e = json_pack("{s:o, s:s}", "available",
		    tri_json(rp->mech[i].ok), "detail", rp->mech[i].text);
		json_object_update(e, rp->mech[i].extra);
		json_object_set_new(mech, rp->mech[i].id, e);
	}
	esc = json_array();
	for (i = 0; i < rp->nesc; i++)
		json_array_append_new(esc,
		    json_pack("{s:s, s:s, s:o, s:s}", "id", rp->esc[i].id,
			"what", rp->esc[i].label, "covered",
			tri_json(rp->esc[i].ok), "detail", rp->esc[i].text));
	doc = json_pack(
	    "{s:s, s:{s:s, s:s, s:s}, s:{s:i, s:b, s:b},"
	    " s:{s:s, s:s, s:b, s:b, s:b, s:o, s:b, s:o}, s:o, s:o}",
	    "agentwrap", o->version, "system", "kernel", f->un.release, "glibc",
	    f->glibc, "arch", f->un.machine, "user", "uid", (int)f->uid,
	    "cap_sys_admin", f->cap_admin, "cap_sys_ptrace", f->cap_ptrace,
	    "mode", "sandbox_mode", sandbox_names[mode], "approval_policy",
	    approval_names[cfg->s[CFG_APPROVAL_POLICY].val], "network",
	    mode == SANDBOX_DANGER_FULL_ACCESS ||
		(mode == SANDBOX_WORKSPACE_WRITE &&
		    cfg->s[CFG_NETWORK_ACCESS].val),
	    "audit_only", o->audit_only, "seccomp", o->seccomp_off == NULL,
	    "seccomp_off_by",
	    o->seccomp_off != NULL ? json_string(o->seccomp_off) : json_null(),
	    "landlock", o->landlock_off == NULL, "landlock_off_by",
	    o->landlock_off != NULL ? json_string(o->landlock_off)
				    : json_null(),
	    "mechanisms", mech, "escapes", esc);
	return doc;
}

/* S for a terminal: control bytes escaped */
static void
put_vis(FILE *fp, const char *s)
{
	char *v;

	if (stravis(&v, s, VIS_OCTAL | VIS_TAB | VIS_CSTYLE) == -1) {
		fputs("?", fp);
		return;
	}
	fputs(v, fp);
	free(v);
}

static void
put_rows(FILE *fp, const char *head, const struct row *v, size_t n, int escapes)
{
	size_t i;

	fprintf(fp, "\n%-30s %s\n", head, escapes ? "on this machine" : "here");
	for (i = 0; i < n; i++) {
		fprintf(fp, "%-30s ", v[i].label);
		if (escapes)
			fputs(v[i].ok == T_YES	  ? "covered: "
				: v[i].ok == T_NO ? "NOT covered: "
						  : "unknown: ",
			    fp);
		put_vis(fp, v[i].text);
		fputc('\n', fp);
	}
}

static void
report_text(FILE *fp, const struct facts *f, const struct doctor_opts *o,
    const struct report *rp)
{
	const struct config *cfg = o->cfg;
	int mode = cfg->s[CFG_SANDBOX_MODE].val;
	int net = mode == SANDBOX_DANGER_FULL_ACCESS ||
	    (mode == SANDBOX_WORKSPACE_WRITE && cfg->s[CFG_NETWORK_ACCESS].val);

	fprintf(fp, "agentwrap %s doctor\n", o->version);
	fprintf(fp, "%-30s Linux %s, glibc %s, %s\n", "system", f->un.release,
	    f->glibc, f->un.machine);
	fprintf(fp, "%-30s uid %d%s\n", "user", (int)f->uid,
	    f->cap_admin ? ", CAP_SYS_ADMIN" : "");
	fprintf(fp, "%-30s %s, approvals %s, network %s%s, seccomp %s%s%s\n",
	    "mode", sandbox_names[mode],
	    approval_names[cfg->s[CFG_APPROVAL_POLICY].val], net ? "on" : "off",
	    o->audit_only ? ", --audit-only" : "",
	    o->seccomp_off != NULL ? "off (" : "on",
	    o->seccomp_off != NULL ? o->seccomp_off : "",
	    o->seccomp_off != NULL ? ")" : "");
	put_rows(fp, "mechanism", rp->mech, rp->nmech, 0);
	put_rows(fp, "way out", rp->esc, rp->nesc, 1);
}

int
doctor_run(const struct doctor_opts *o)
{
	struct facts f;
	struct report rp;
	json_t *doc;
	size_t i;
	int r = 0;

	/* what the children print must not come out twice */
	fflush(NULL);
	probe_all(&f, o->seccomp_off == NULL);
	if (o->seccomp_off != NULL && f.floor == FLOOR_NONE && f.nnp)
		say(f.floor_why, sizeof(f.floor_why), "turned off by %s",
		    o->seccomp_off);
	memset(&rp, 0, sizeof(rp));
	judge_mechanisms(&f, o, &rp);
	judge_escapes(&f, o, &rp);
	if (o->json) {
		if ((doc = report_json(&f, o, &rp)) == NULL ||
		    json_dumpf(doc, stdout,
			JSON_INDENT(2) | JSON_PRESERVE_ORDER) == -1)
			r = RUN_EXIT_AGENTWRAP;
		json_decref(doc);
		putchar('\n');
	} else
		report_text(stdout, &f, o, &rp);
	for (i = 0; i < rp.nmech; i++)
		json_decref(rp.mech[i].extra);
	for (i = 0; i < rp.nesc; i++)
		json_decref(rp.esc[i].extra);
	if (fflush(stdout) != 0)
		r = RUN_EXIT_AGENTWRAP;
	return r;
}
