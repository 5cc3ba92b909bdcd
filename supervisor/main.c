/*
 * main.c: agentwrap's command line.
 *
 *   agentwrap [options] [--] COMMAND [ARG...] run COMMAND under the policy
 *   agentwrap [options] --explain KIND ...   decide one request, say why
 *   agentwrap [options] --print-config       the effective configuration
 *   agentwrap [options] --doctor [--json]    what this machine covers
 *
 * Runs in the supervisor. Exit status: the command's (128+N if signal N
 * ended it, 126 cannot run, 127 not found); --explain's verdict (0 allow,
 * 1 deny, 2 ask); 125 for agentwrap's own errors (bad config, bad usage),
 * as env(1).
 */
#include <sys/stat.h>

#include <dlfcn.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vis.h>

#include "doctor.h"
#include "explain.h"
#include "keeper.h"
#include "logreport.h"
#include "loadcfg.h"
#include "policy.h"
#include "run.h"
#include "savegrants.h"

#define AGENTWRAP_VERSION "0.1.0"
#define EXIT_AGENTWRAP 125

enum {
	OPT_ADD_DIR = 256,
	OPT_CONFIG_FILE,
	OPT_EXPLAIN,
	OPT_RESOLVE,
	OPT_PRINT_CONFIG,
	OPT_VERSION,
	OPT_AUDIT,
	OPT_AUDIT_ONLY,
	OPT_RULES,
	OPT_APPROVAL_FD,
	OPT_APPROVAL_SOCKET,
	OPT_SAVE_GRANTS,
	OPT_NO_SECCOMP,
	OPT_DOCTOR,
	OPT_JSON,
	OPT_LANDLOCK,
	OPT_NO_LANDLOCK,
	OPT_STRICT,
	OPT_REPORT,
	OPT_ALL,
	OPT_PID,
	OPT_SUGGEST,
};

static const struct option longopts[] = {
	{ "sandbox", required_argument, NULL, 's' },
	{ "ask-for-approval", required_argument, NULL, 'a' },
	{ "cd", required_argument, NULL, 'C' },
	{ "add-dir", required_argument, NULL, OPT_ADD_DIR },
	{ "network", no_argument, NULL, 'n' },
	{ "config", required_argument, NULL, 'c' },
	{ "config-file", required_argument, NULL, OPT_CONFIG_FILE },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "resolve", required_argument, NULL, OPT_RESOLVE },
	{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
	{ "quiet", no_argument, NULL, 'q' },
	{ "audit", required_argument, NULL, OPT_AUDIT },
	{ "audit-only", no_argument, NULL, OPT_AUDIT_ONLY },
	{ "approval-fd", required_argument, NULL, OPT_APPROVAL_FD },
	{ "approval-socket", required_argument, NULL, OPT_APPROVAL_SOCKET },
	{ "save-grants", required_argument, NULL, OPT_SAVE_GRANTS },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "landlock", required_argument, NULL, OPT_LANDLOCK },
	{ "no-landlock", no_argument, NULL, OPT_NO_LANDLOCK },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "doctor", no_argument, NULL, OPT_DOCTOR },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "suggest", required_argument, NULL, OPT_SUGGEST },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void fatal(const char *);
static void warn_escaped(const char *msg);

/* Colour on FD: a terminal, and NO_COLOR unset or empty (no-color.org) */
static int
colour_ok(int fd)
{
	const char *no = getenv("NO_COLOR");

	return isatty(fd) && (no == NULL || no[0] == '\0');
}

/* --report FILE: 0, or 125 if FILE cannot be read or the report written */
static int
report_log(const char *file, int json, int all, long only_pid, int suggest)
{
	struct logrep *lr;
	char msg[PATH_MAX + 128];
	FILE *f;
	int r;

	if (strcmp(file, "-") == 0)
		f = stdin;
	else if ((f = fopen(file, "re")) == NULL) {
		snprintf(msg, sizeof(msg), "%s: %s", file, strerror(errno));
		warn_escaped(msg);
		return EXIT_AGENTWRAP;
	}
	if ((lr = logrep_new()) == NULL)
		err(EXIT_AGENTWRAP, "--report");
	if (only_pid > 0)
		logrep_only_pid(lr, only_pid);
	if (!json && !suggest)
		logrep_colour(lr, colour_ok(STDOUT_FILENO));
	r = logrep_read(lr, f);
	if (r == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", file, strerror(errno));
		warn_escaped(msg);
	}
	if (f != stdin)
		fclose(f);
	if (r == 0 &&
	    (suggest ? logrep_suggest(lr, stdout, getenv("HOME"))
		     : logrep_print(lr, stdout, json, all)) == -1) {
		warn("--report: stdout");
		r = -1;
	}
	logrep_free(lr);
	return r == 0 ? 0 : EXIT_AGENTWRAP;
}

/*
 * Is LAYER named in AGENTWRAP_DISABLE (a comma list of seccomp, landlock,
 * keeper, sock_diag), which simulates a kernel without it (or, for the
 * keeper, a keeper killed)? Another word is an error.
 */
static int
disabled(const char *layer)
{
	const char *e = getenv("AGENTWRAP_DISABLE"), *w, *end;
	char msg[160];
	int hit = 0;
	size_t n;

	if (e == NULL)
		return 0;
	for (w = e; *w != '\0'; w = *end != '\0' ? end + 1 : end) {
		end = strchrnul(w, ',');
		n = (size_t)(end - w);
		if (n == 0)
			continue;
		if ((n == 7 && strncmp(w, "seccomp", 7) == 0) ||
		    (n == 8 && strncmp(w, "landlock", 8) == 0) ||
		    (n == 6 && strncmp(w, "keeper", 6) == 0) ||
		    (n == 9 && strncmp(w, "sock_diag", 9) == 0))
			hit |= n == strlen(layer) && strncmp(w, layer, n) == 0;
		else {
			snprintf(msg, sizeof(msg),
			    "AGENTWRAP_DISABLE: unknown layer '%.*s' "
			    "(seccomp, landlock, keeper, sock_diag)",
			    (int)(n > 64 ? 64 : n), w);
			fatal(msg);
		}
	}
	return hit;
}

/*
 * AGENTWRAP_DNS_TTL: for how many seconds (0 to 86400) the supervisor uses
 * a name's answer again before it asks the system's resolver anew; -1
 * when unset. Anything else is an error.
 */
static long
dns_ttl_ms(void)
{
	const char *e = getenv("AGENTWRAP_DNS_TTL");
	char msg[160];
	long v = 0;
	size_t i;

	if (e == NULL)
		return -1;
	for (i = 0; e[i] >= '0' && e[i] <= '9' && i < 6; i++)
		v = v * 10 + (e[i] - '0');
	if (i == 0 || e[i] != '\0' || v > 86400) {
		snprintf(msg, sizeof(msg),
		    "AGENTWRAP_DNS_TTL: '%.32s' is not a number of seconds "
		    "from 0 to 86400",
		    e);
		fatal(msg);
	}
	return v * 1000;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: agentwrap [options] [--] COMMAND [ARG...]\n"
	    "       agentwrap [options] --explain read|write|unix PATH\n"
	    "       agentwrap [options] --explain exec COMMAND [ARG...]\n"
	    "       agentwrap [options] --explain connect|resolve HOST[:PORT]\n"
	    "       agentwrap [options] --explain bind ADDR:PORT\n"
	    "       agentwrap [options] --print-config\n"
	    "       agentwrap [options] --doctor [--json]\n"
	    "       agentwrap --report FILE|- [--pid N] [--all | --json]\n"
	    "       agentwrap --suggest FILE|-\n"
	    "options:\n"
	    "  -s, --sandbox MODE             read-only | workspace-write | "
	    "danger-full-access\n"
	    "  -a, --ask-for-approval POLICY  untrusted | on-request | "
	    "on-failure | never\n"
	    "  -C, --cd DIR                   the workspace (default: the "
	    "current directory)\n"
	    "      --add-dir DIR              another writable root "
	    "(repeatable)\n"
	    "  -n, --network                  network access on "
	    "(workspace-write)\n"
	    "  -c, --config KEY=VALUE         set a config key; VALUE is TOML, "
	    "else a string\n"
	    "      --config-file FILE         read FILE after the user config\n"
	    "      --rules FILE               read a Codex .rules file "
	    "(repeatable)\n"
	    "      --resolve HOST=ADDR[,ADDR] answer name resolution without "
	    "DNS\n"
	    "      --audit FILE|-|fd:N        write every intercepted call as "
	    "JSON Lines\n"
	    "      --audit-only               enforce nothing, record every "
	    "verdict\n"
	    "      --approval-fd N            ask a harness over descriptor N "
	    "(JSON Lines)\n"
	    "      --approval-socket PATH     ask a harness listening on a "
	    "Unix socket\n"
	    "      --save-grants FILE         append the session grants to "
	    "FILE as TOML\n"
	    "      --no-seccomp               no kernel floor and no watch (as "
	    "on a kernel\n"
	    "                                 without seccomp)\n"
	    "      --strict                   the seccomp watch for the whole "
	    "tree: raw\n"
	    "                                 system calls are judged too "
	    "(agentwrap.strict)\n"
	    "      --landlock auto|on|off     a Landlock ruleset for the tree "
	    "(agentwrap.landlock)\n"
	    "      --no-landlock              none (as on a kernel without "
	    "Landlock)\n"
	    "      --doctor [--json]          what this machine offers and "
	    "which escapes\n"
	    "                                 the configured mode covers "
	    "here\n"
	    "      --report FILE|-            an --audit log summed up (--pid "
	    "N: one\n"
	    "                                 process; --all: every entry; "
	    "--json:\n"
	    "                                 as one JSON document)\n"
	    "      --suggest FILE|-           a policy that lets the logged "
	    "run pass\n"
	    "  -q, --quiet                    no denial lines or summary on "
	    "stderr\n"
	    "  -h, --help, --version\n");
}

/*
 * Say MSG on stderr. Messages quote config files, keys and -c values,
 * untrusted bytes: escaped so they cannot draw on the terminal or fake a
 * second line.
 */
static void
warn_escaped(const char *msg)
{
	char *vis;

	if (stravis(&vis, msg, VIS_OCTAL | VIS_CSTYLE | VIS_TAB | VIS_NL) == -1)
		err(EXIT_AGENTWRAP, "stravis");
	warnx("%s", vis);
	free(vis);
}

/* Exit with agentwrap's status after MSG */
static _Noreturn void
fatal(const char *msg)
{
	warn_escaped(msg);
	exit(EXIT_AGENTWRAP);
}

/*
 * A file agentwrap writes (--audit FILE or fd:N, --save-grants FILE): the
 * policy makes it unwritable for the command, at PATH and with every
 * directory above it. That holds only for a file named by its real path
 * (a symlink on the way could be repointed) that has no other name (a
 * hard link made earlier would stay writable): anything else is refused
 * here, before the command starts. A descriptor that is no regular file
 * (a pipe, a terminal) is out of the command's reach already.
 */
static void
note_output(struct config *cfg, const char *spec, const char *opt)
{
	char cwd[PATH_MAX] = "", abs[PATH_MAX], canon[PATH_MAX] = "";
	char msg[3 * PATH_MAX];
	const char *errstr = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	if (strcmp(spec, "-") == 0)
		return; /* stderr, shared with the command anyway */
	if (strncmp(spec, "fd:", 3) == 0) {
		fd = (int)strtonum(spec + 3, 3, INT_MAX, &errstr);
		if (errstr != NULL || fstat(fd, &st) == -1 ||
		    !S_ISREG(st.st_mode) || st.st_nlink == 0)
			return; /* audit_open() says what is wrong with it */
		snprintf(canon, sizeof(canon), "/proc/self/fd/%d", fd);
		if ((n = readlink(canon, abs, sizeof(abs) - 1)) <= 0)
			n = 0;
		abs[n] = '\0';
	} else {
		if (spec[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
			err(EXIT_AGENTWRAP, "getcwd");
		if (pathres_lexical(cwd, spec, abs, sizeof(abs)) != 0) {
			snprintf(
			    msg, sizeof(msg), "%s %s: bad path", opt, spec);
			fatal(msg);
		}
		if (lstat(abs, &st) == -1) {
			if (errno != ENOENT) {
				snprintf(msg, sizeof(msg), "%s %s: %s", opt,
				    spec, strerror(errno));
				fatal(msg);
			}
			st.st_mode = S_IFREG; /* made by agentwrap */
			st.st_nlink = 1;
		}
	}
	if (abs[0] != '/' ||
	    pathres_canon(
		&pathres_real_fs, "/", abs, 0, canon, sizeof(canon)) != 0 ||
	    strcmp(canon, abs) != 0 || S_ISLNK(st.st_mode)) {
		snprintf(msg, sizeof(msg),
		    "%s %s: a symlink is on the way to it (%s); agentwrap "
		    "protects what it writes from the command only when it "
		    "is named by its real path",
		    opt, spec, abs[0] == '/' && canon[0] == '/' ? canon : abs);
		fatal(msg);
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, sizeof(msg),
		    "%s %s: not a regular file; its contents could not be "
		    "protected from the command (for the terminal: %s -)",
		    opt, spec, opt);
		fatal(msg);
	}
	if (st.st_nlink > 1) {
		snprintf(msg, sizeof(msg),
		    "%s %s: it has %lu names (hard links); agentwrap could "
		    "protect only this one from the command",
		    opt, spec, (unsigned long)st.st_nlink);
		fatal(msg);
	}
	if (config_note_output(cfg, abs, opt) == -1)
		err(EXIT_AGENTWRAP, "config_note_output");
}

static void
push(const char ***v, size_t *n, const char *s)
{
	const char **nv;

	if ((nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL)
		err(EXIT_AGENTWRAP, "reallocarray");
	nv[(*n)++] = s;
	*v = nv;
}

int
main(int argc, char **argv)
{
	struct loadcfg_opts o;
	struct run_opts ro;
	struct doctor_opts d;
	struct resolve_table *rt = NULL;
	struct config cfg;
	struct policy *pol = NULL;
	char errbuf[CFG_ERR + 256], *text;
	size_t textlen;
	const char *errstr;
	int ch, explain = 0, print_config = 0, doctor = 0, json = 0, r;
	int all = 0, suggest = 0;
	long long only_pid = 0;
	const char *report = NULL;
	static char llbuf[64];

	doctor_probe_child();
	memset(&o, 0, sizeof(o));
	memset(&ro, 0, sizeof(ro));
	ro.approval_fd = -1;
	while (!explain &&
	    (ch = getopt_long(argc, argv, "+s:a:C:nc:qh", longopts, NULL)) !=
		-1) {
		switch (ch) {
		case 's':
			o.sandbox = optarg;
			break;
		case 'a':
			o.approval = optarg;
			break;
		case 'C':
			o.workspace = optarg;
			break;
		case OPT_ADD_DIR:
			push(&o.add_dirs, &o.nadd_dirs, optarg);
			break;
		case 'n':
			o.network = true;
			break;
		case 'c':
			push(&o.assignments, &o.nassignments, optarg);
			break;
		case OPT_CONFIG_FILE:
			if (o.config_file != NULL)
				errx(EXIT_AGENTWRAP,
				    "--config-file given twice");
			o.config_file = optarg;
			break;
		case OPT_RULES:
			push(&o.rules_files, &o.nrules_files, optarg);
			break;
		case OPT_EXPLAIN:
			explain = 1;
			break;
		case OPT_RESOLVE:
			if (resolve_table_add(
				&rt, optarg, errbuf, sizeof(errbuf)) == -1)
				fatal(errbuf);
			break;
		case OPT_PRINT_CONFIG:
			print_config = 1;
			break;
		case OPT_DOCTOR:
			doctor = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case OPT_ALL:
			all = 1;
			break;
		case OPT_SUGGEST:
			report = optarg;
			suggest = 1;
			break;
		case OPT_PID:
			only_pid = strtonum(optarg, 1, INT32_MAX, &errstr);
			if (errstr != NULL)
				errx(EXIT_AGENTWRAP,
				    "--pid: a process id, not %s", optarg);
			break;
		case 'q':
			ro.quiet = 1;
			break;
		case OPT_AUDIT:
			if (ro.audit != NULL)
				errx(EXIT_AGENTWRAP, "--audit given twice");
			ro.audit = optarg;
			break;
		case OPT_AUDIT_ONLY:
			ro.audit_only = 1;
			break;
		case OPT_LANDLOCK:
			if (strcmp(optarg, "auto") != 0 &&
			    strcmp(optarg, "on") != 0 &&
			    strcmp(optarg, "off") != 0)
				errx(EXIT_AGENTWRAP,
				    "--landlock: auto, on or off");
			snprintf(llbuf, sizeof(llbuf),
			    "agentwrap.landlock=\"%s\"", optarg);
			push(&o.assignments, &o.nassignments, llbuf);
			break;
		case OPT_NO_LANDLOCK:
			ro.no_landlock = 1;
			break;
		case OPT_STRICT:
			push(&o.assignments, &o.nassignments,
			    "agentwrap.strict=true");
			break;
		case OPT_NO_SECCOMP:
			ro.no_seccomp = 1;
			break;
		case OPT_APPROVAL_FD:
			if (ro.approval_fd >= 0 || ro.approval_socket != NULL)
				errx(EXIT_AGENTWRAP,
				    "one approval channel: "
				    "--approval-fd or --approval-socket, once");
			ro.approval_fd =
			    (int)strtonum(optarg, 0, INT_MAX, &errstr);
			if (errstr != NULL)
				errx(EXIT_AGENTWRAP,
				    "--approval-fd: descriptor "
				    "number is %s",
				    errstr);
			break;
		case OPT_APPROVAL_SOCKET:
			if (ro.approval_fd >= 0 || ro.approval_socket != NULL)
				errx(EXIT_AGENTWRAP,
				    "one approval channel: "
				    "--approval-fd or --approval-socket, once");
			ro.approval_socket = optarg;
			break;
		case OPT_SAVE_GRANTS:
			if (ro.save_grants != NULL)
				errx(EXIT_AGENTWRAP,
				    "--save-grants given twice");
			ro.save_grants = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("agentwrap %s\n", AGENTWRAP_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_AGENTWRAP;
		}
	}
	argc -= optind;
	argv += optind;
	/* before the config: a usage error is one whatever the config says */
	if (report != NULL) {
		if (doctor || explain || print_config || argc > 0)
			errx(EXIT_AGENTWRAP,
			    "--report takes no command, --explain, --doctor or "
			    "--print-config");
		if (all && json)
			errx(EXIT_AGENTWRAP, "--json has every entry already");
		if (suggest && (all || json || only_pid > 0))
			errx(EXIT_AGENTWRAP,
			    "--suggest takes no --all, --json or --pid");
		return report_log(report, json, all, (long)only_pid, suggest);
	}
	if (all || only_pid > 0)
		errx(EXIT_AGENTWRAP, "--all and --pid go with --report");
	if (json && !doctor)
		errx(EXIT_AGENTWRAP, "--json goes with --doctor or --report");
	if (doctor && (explain || print_config || argc > 0))
		errx(EXIT_AGENTWRAP,
		    "--doctor takes no command, --explain or --print-config");

	/*
	 * A run: the keeper first, before any thread exists (the ring's
	 * starts one) and before the configuration is read, so that the
	 * keeper holds nothing of it
	 */
	if (!doctor && !explain && !print_config && argc > 0 &&
	    !disabled("keeper") && keeper_start(&ro.keeper, &ro.kgroup) == -1)
		warn("cannot start the keeper: if the supervisor dies, what "
		     "the filters do not catch goes on unjudged");

	if (loadcfg(&cfg, &o, errbuf, sizeof(errbuf)) == -1)
		fatal(errbuf);
	if (errbuf[0] != '\0')
		warn_escaped(errbuf); /* not fatal: see loadcfg.h */
	if (ro.audit != NULL)
		note_output(&cfg, ro.audit, "--audit");
	if (ro.save_grants != NULL) {
		note_output(&cfg, ro.save_grants, "--save-grants");
		/* the file savegrants writes first, then renames over it */
		if (savegrants_tmpname(cfg.outputs[cfg.noutputs - 1].path,
			errbuf, sizeof(errbuf)) == -1 ||
		    config_note_output(&cfg, errbuf, "--save-grants") == -1)
			errx(EXIT_AGENTWRAP, "--save-grants: path too long");
	}
	if (policy_compile(&cfg, NULL, &pol, errbuf, sizeof(errbuf)) == -1)
		fatal(errbuf);

	if (doctor) {
		memset(&d, 0, sizeof(d));
		d.cfg = &cfg;
		d.version = AGENTWRAP_VERSION;
		d.json = json;
		d.audit_only = ro.audit_only;
		d.seccomp_off = ro.no_seccomp ? "--no-seccomp"
		    : disabled("seccomp")     ? "AGENTWRAP_DISABLE=seccomp"
					      : NULL;
		d.landlock_off = ro.no_landlock ? "--no-landlock"
		    : disabled("landlock")	? "AGENTWRAP_DISABLE=landlock"
						: NULL;
		d.keeper_off = disabled("keeper");
		r = doctor_run(&d);
	} else if (print_config) {
		if (explain || argc > 0)
			errx(EXIT_AGENTWRAP, "--print-config takes no command");
		if (config_print(&cfg, &text, &textlen) == -1)
			err(EXIT_AGENTWRAP, "config_print");
		fwrite(text, 1, textlen, stdout);
		free(text);
		r = fflush(stdout) == 0 ? 0 : EXIT_AGENTWRAP;
	} else if (explain) {
		r = explain_run(pol, cfg.s[CFG_WORKSPACE].str, rt, argc, argv);
	} else if (argc == 0) {
		usage(stderr);
		r = EXIT_AGENTWRAP;
	} else if (dlsym(RTLD_DEFAULT, "agentwrap_shim_marker") != NULL) {
		/*
		 * Inside an agentwrap run the outer shim would carry the outer
		 * policy into our command and drop ours: refuse rather than
		 * run with a policy the user did not ask for.
		 */
		warnx("already running inside agentwrap: a nested run cannot "
		      "apply its own policy yet; run it outside agentwrap");
		r = EXIT_AGENTWRAP;
	} else {
		if (disabled("seccomp"))
			ro.no_seccomp = 1;
		if (disabled("landlock"))
			ro.no_landlock = 1;
		if (disabled("sock_diag"))
			ro.no_sock_diag = 1;
		ro.cfg = &cfg;
		ro.pol = pol;
		ro.rt = rt;
		ro.dns_ttl_ms = dns_ttl_ms();
		ro.version = AGENTWRAP_VERSION;
		ro.chdir_workspace = o.workspace != NULL;
		r = run_command(&ro, argv);
	}
	policy_free(pol);
	config_free(&cfg);
	resolve_table_free(rt);
	free(o.add_dirs);
	free(o.assignments);
	free(o.rules_files);
	return r;
}
