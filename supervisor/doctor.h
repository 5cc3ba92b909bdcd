/*
 * doctor.h: agentwrap --doctor, what this machine offers agentwrap and,
 * for the configured mode, which ways out are closed here and which are
 * not.
 *
 * Runs in the supervisor, before any command: every probe that changes
 * process state (a seccomp filter, no_new_privs, a new user namespace, an
 * io_uring) runs in a forked child, so agentwrap itself is left as it was.
 *
 * Error convention: doctor_run returns the exit status (0 when the report
 * was written, whatever it says; 125 when it could not be). It prints the
 * report on stdout and nothing else.
 */
#ifndef AGENTWRAP_DOCTOR_H
#define AGENTWRAP_DOCTOR_H

#include "config.h"

/* Set in the environment of the child that checks the shim loads */
#define DOCTOR_ENV_PROBE "AGENTWRAP_DOCTOR_PROBE"

struct doctor_opts {
	const struct config *cfg;
	const char *version;
	int json; /* --json: one JSON document instead of the table */
	int audit_only; /* --audit-only */
	/* what turned a layer off ("--no-seccomp", "AGENTWRAP_DISABLE=..."),
	 * or NULL when it is on */
	const char *seccomp_off;
	const char *landlock_off;
	int keeper_off; /* AGENTWRAP_DISABLE=keeper */
};

int doctor_run(const struct doctor_opts *o);

/*
 * First thing in main: in the child doctor_run starts with the shim in
 * LD_PRELOAD (DOCTOR_ENV_PROBE=shim), exit at once, 0 if the shim is
 * loaded in this process and 3 if not. Returns in any other process.
 */
void doctor_probe_child(void);

#endif /* AGENTWRAP_DOCTOR_H */
