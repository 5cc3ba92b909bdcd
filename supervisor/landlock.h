/*
 * landlock.h: a Landlock ruleset for the whole tree, where the kernel has
 * it: writes only where the policy allows them without asking (the
 * writable roots, "write" paths entries, the terminals and null devices,
 * the regular files the command's standard output and error already write
 * to); no reading of guarded files (a "deny" paths entry, or one that
 * asks) outside the writable roots; and, from ABI 4, no TCP connect or
 * bind when the network is off.
 *
 * Landlock can only allow, so it is a floor under the shim, not a copy of
 * the policy: protected names inside a writable root (.git hooks, config
 * files) and guarded paths inside one stay the shim's to refuse, and a
 * static program the shim cannot follow is held to the roots by it alone.
 * It is applied only when no answer could widen the policy later
 * (approval_policy = never): an approved write outside the roots would
 * otherwise fail in the kernel.
 *
 * Runs in the child between fork and exec, after no_new_privs. Error
 * convention: the ABI applied (>= 2; *why then says what it could not
 * hold, or is empty), 0 if not applied (*why says why), -1 if it failed
 * half-way (the child must not run).
 */
#ifndef AGENTWRAP_LANDLOCK_H
#define AGENTWRAP_LANDLOCK_H

#include <stddef.h>

#include "policy.h"

/*
 * Is a ruleset wanted for a run with CFG? Not when nothing is enforced
 * (AUDIT_ONLY) or the mode writes everywhere; under auto, only when no
 * answer could widen the policy later (approval_policy = never). 1, or 0
 * with WHY saying why not.
 */
int landlock_wanted(
    const struct config *cfg, int audit_only, char *why, size_t len);

/* Is the network off for the whole tree under CFG (TCP may then be
 * refused outright)? */
int landlock_network_off(const struct config *cfg);

/* The best ABI this kernel offers, 0 if none */
int landlock_abi(void);

/* SHIM, the preload library, stays readable whatever is guarded */
int landlock_install(const struct policy *pol, int net_off, const char *shim,
    char *why, size_t whylen);

#endif /* AGENTWRAP_LANDLOCK_H */
