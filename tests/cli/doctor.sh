#!/bin/sh
# doctor.sh: `agentwrap --doctor [--json]`. Each fact the report gives is
# checked against the machine by other means where there is one (uname,
# getconf, the /proc files, unshare(1), the system calls made from
# python3), the floor against what a wrapped unshare(1) can do, and the
# text table against the JSON document. Runs as root and as nobody: every
# expectation is computed here, for this user, never assumed.
. "$(dirname "$0")/lib.sh"

# doc FILE [args...]: agentwrap --doctor --json ARGS into FILE, exit 0
doc() {
	f=$1; shift
	ntest=$((ntest + 1))
	"$AGENTWRAP" "$@" --doctor --json >"$f" 2>"$T/err"
	got=$?
	if [ "$got" -ne 0 ] || ! python3 -c 'import json,sys; json.load(sys.stdin)' \
	    <"$f"; then
		nfail=$((nfail + 1))
		echo "FAIL: agentwrap $* --doctor --json: exit $got, or not JSON"
		sed 's/^/    /' "$f" "$T/err"
	fi
}

# j FILE EXPR [ARG...]: the Python expression EXPR holds of the document in
# FILE (d), with the ARGs as a[0], a[1]...
j() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
a = sys.argv[3:]
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$@"
}

# knob PATH: the number in a /proc file, or "None" when it is absent
knob() { if [ -r "$1" ]; then cat "$1"; else echo None; fi; }

D=$T/doc.json
doc "$D"

# --- the document's shape, as docs/protocol.md describes it ---
check "json: top-level keys" j "$D" \
    'set(d) == {"agentwrap", "system", "user", "mode", "mechanisms", "escapes"}'
check "json: system keys" j "$D" \
    'set(d["system"]) == {"kernel", "glibc", "arch"}'
check "json: mode keys" j "$D" \
    'set(d["mode"]) >= {"sandbox_mode", "approval_policy", "network",
	"audit_only", "seccomp", "seccomp_off_by", "landlock",
	"landlock_off_by"}'
for m in seccomp_filter seccomp_user_notify seccomp_notify_continue \
    seccomp_notify_addfd landlock io_uring yama tiocsti user_namespaces \
    ld_preload kernel_floor; do
	check "json: mechanism $m with available and detail" j "$D" \
	    'a[0] in d["mechanisms"] and
	     {"available", "detail"} <= set(d["mechanisms"][a[0]]) and
	     d["mechanisms"][a[0]]["available"] in (True, False, None) and
	     isinstance(d["mechanisms"][a[0]]["detail"], str)' "$m"
done
check "json: every escape has id, what, covered, detail" j "$D" \
    'len(d["escapes"]) >= 8 and all(set(e) == {"id", "what", "covered",
	"detail"} and e["covered"] in (True, False, None) for e in d["escapes"])'
for e in dynamic_programs static_programs raw_syscalls userns_bind_mount \
    setuid_programs tiocsti io_uring ptrace_outside; do
	check "json: escape $e reported" j "$D" \
	    'a[0] in [e["id"] for e in d["escapes"]]' "$e"
done

# --- facts checked independently ---
check "kernel release is uname -r" j "$D" 'd["system"]["kernel"] == a[0]' \
    "$(uname -r)"
check "arch is uname -m" j "$D" 'd["system"]["arch"] == a[0]' "$(uname -m)"
check "glibc is getconf GNU_LIBC_VERSION" j "$D" \
    '"glibc " + d["system"]["glibc"] == a[0]' "$(getconf GNU_LIBC_VERSION)"
check "uid is id -u" j "$D" 'd["user"]["uid"] == int(a[0])' "$(id -u)"
check "legacy_tiocsti is the /proc file" j "$D" \
    'str(d["mechanisms"]["tiocsti"]["legacy_tiocsti"]) == a[0]' \
    "$(knob /proc/sys/dev/tty/legacy_tiocsti)"
check "ptrace_scope is the /proc file (absent: null)" j "$D" \
    'str(d["mechanisms"]["yama"]["ptrace_scope"]) == a[0]' \
    "$(knob /proc/sys/kernel/yama/ptrace_scope)"
check "io_uring_disabled is the /proc file" j "$D" \
    'str(d["mechanisms"]["io_uring"]["io_uring_disabled"]) == a[0]' \
    "$(knob /proc/sys/kernel/io_uring_disabled)"
check "max_user_namespaces is the /proc file" j "$D" \
    'str(d["mechanisms"]["user_namespaces"]["max_user_namespaces"]) == a[0]' \
    "$(knob /proc/sys/user/max_user_namespaces)"
check "unprivileged_userns_clone is the /proc file" j "$D" \
    'str(d["mechanisms"]["user_namespaces"]["unprivileged_userns_clone"])
	== a[0]' "$(knob /proc/sys/kernel/unprivileged_userns_clone)"
if unshare -U true 2>/dev/null; then userns=True; else userns=False; fi
check "user namespaces available iff unshare -U true works ($userns)" j "$D" \
    'str(d["mechanisms"]["user_namespaces"]["available"]) == a[0]' "$userns"

# the system calls themselves, from python3 (same numbers on every
# architecture that has them: the unified syscall table)
landlock=$(python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
print(r if r > 0 else None)')
check "Landlock ABI as landlock_create_ruleset says ($landlock)" j "$D" \
    'str(d["mechanisms"]["landlock"]["abi"]) == a[0] and
     d["mechanisms"]["landlock"]["available"] == (a[0] != "None")' "$landlock"
# used as a run in that mode would use it (tests/integ/landlock.sh shows
# the effect): with -a never where the ABI is 2 or more, not under the
# default approval policy, not with --no-landlock
"$AGENTWRAP" -a never --doctor --json >"$T/never.json"
"$AGENTWRAP" -a never --no-landlock --doctor --json >"$T/nol.json"
check "Landlock used with -a never iff ABI >= 2" j "$T/never.json" \
    'd["mechanisms"]["landlock"]["used"] == (a[0] != "None" and int(a[0]) >= 2)' \
    "$landlock"
check "not used under on-request" j "$D" \
    'd["mechanisms"]["landlock"]["used"] is False'
check "not used with --no-landlock" j "$T/nol.json" \
    'd["mechanisms"]["landlock"]["used"] is False'
uring=$(python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
p = ctypes.create_string_buffer(120)
print(libc.syscall(425, ctypes.c_uint(1), p) >= 0)')
check "io_uring available as io_uring_setup says ($uring)" j "$D" \
    'str(d["mechanisms"]["io_uring"]["available"]) == a[0]' "$uring"

check "LD_PRELOAD works with the built shim" j "$D" \
    'd["mechanisms"]["ld_preload"]["available"] is True and
     d["mechanisms"]["ld_preload"]["shim"].endswith("/libagentwrap.so")'

# --- the floor, against what a wrapped program can do ---
floor=$(python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["mechanisms"]["kernel_floor"]["state"])' "$D")
if grep -q '^Seccomp:' /proc/self/status; then
	check "a kernel with seccomp: the floor installs ($floor)" \
	    [ "$floor" = notify ] || [ "$floor" = errno ]
fi
if [ "$floor" != none ]; then
	check "floor on: a wrapped unshare -U fails" \
	    sh -c '! "$AGENTWRAP" -q -- unshare -U true 2>/dev/null'
	for e in userns_bind_mount tiocsti io_uring; do
		check "floor on: $e covered by the floor" j "$D" \
		    '[e for e in d["escapes"] if e["id"] == a[0]][0]["covered"]
		     is True and "kernel floor" in
		     [e for e in d["escapes"] if e["id"] == a[0]][0]["detail"]' "$e"
	done
fi
check "mode says seccomp on" j "$D" \
    'd["mode"]["seccomp"] is True and d["mode"]["seccomp_off_by"] is None'
# static programs: covered by the watch where the floor found user-notify
# (tests/integ/watch.sh shows it on effects); raw syscall instructions of
# dynamic programs and ptrace by a dynamic program only with --strict
check "static programs covered iff the watch has user-notify ($floor)" j "$D" \
    '[e for e in d["escapes"] if e["id"] == "static_programs"][0]["covered"]
     == (a[0] == "notify")' "$floor"
check "raw syscalls and ptrace: not covered by default" j "$D" \
    'all(e["covered"] is False for e in d["escapes"]
	 if e["id"] in ("raw_syscalls", "ptrace_outside"))'
"$AGENTWRAP" --strict --doctor --json >"$T/strict.json"
check "--strict: raw syscalls and ptrace covered iff user-notify" \
    j "$T/strict.json" \
    'all(e["covered"] == (a[0] == "notify") for e in d["escapes"]
	 if e["id"] in ("raw_syscalls", "ptrace_outside"))' "$floor"
"$AGENTWRAP" --no-seccomp -c agentwrap.uncovered=allow --doctor --json \
    >"$T/nosec.json"
check "--no-seccomp, uncovered = allow: static programs not covered" \
    j "$T/nosec.json" \
    '[e for e in d["escapes"] if e["id"] == "static_programs"][0]["covered"]
     is False'
# agentwrap.uncovered = deny: static programs do not run (shim-static.sh
# shows it on effects), and the report says so
"$AGENTWRAP" --no-seccomp -c agentwrap.uncovered=deny --doctor --json \
    >"$T/unc.json"
check "uncovered = deny: static programs covered, by that setting" \
    j "$T/unc.json" \
    '[e for e in d["escapes"] if e["id"] == "static_programs"][0]["covered"] is True and
     "agentwrap.uncovered" in [e for e in d["escapes"] if e["id"] == "static_programs"][0]["detail"]'
check "set-user-ID programs: under no_new_privs" j "$D" \
    'd["mechanisms"]["kernel_floor"]["no_new_privs"] is True and
     [e for e in d["escapes"] if e["id"] == "setuid_programs"][0]["covered"]'

# the keeper ends the tree where the floor guards it (tests/integ/keeper.sh
# shows both on effects); without the keeper, or without the floor, not
check "a killed supervisor: covered iff the floor is in" j "$D" \
    '[e for e in d["escapes"] if e["id"] == "supervisor_killed"][0]["covered"]
     == (a[0] != "none")' "$floor"
AGENTWRAP_DISABLE=keeper "$AGENTWRAP" --doctor --json >"$T/nokeep.json"
check "AGENTWRAP_DISABLE=keeper: a killed supervisor not covered, and why" \
    j "$T/nokeep.json" \
    '[e for e in d["escapes"] if e["id"] == "supervisor_killed"][0]["covered"]
     is False and "no keeper" in
     [e for e in d["escapes"] if e["id"] == "supervisor_killed"][0]["detail"]'

# --- --no-seccomp and AGENTWRAP_DISABLE=seccomp: the floor off ---
for how in --no-seccomp AGENTWRAP_DISABLE=seccomp; do
	N=$T/noseccomp.json
	if [ "$how" = --no-seccomp ]; then
		doc "$N" --no-seccomp
		"$AGENTWRAP" --no-seccomp --doctor >"$T/text" 2>&1
	else
		AGENTWRAP_DISABLE=seccomp doc "$N"
		AGENTWRAP_DISABLE=seccomp "$AGENTWRAP" --doctor >"$T/text" 2>&1
	fi
	check "$how: floor state none" j "$N" \
	    'd["mechanisms"]["kernel_floor"]["state"] == "none" and
	     d["mechanisms"]["kernel_floor"]["available"] is False'
	check "$how: mode says who turned seccomp off" j "$N" \
	    'd["mode"]["seccomp"] is False and d["mode"]["seccomp_off_by"] == a[0]' \
	    "$how"
	check "$how: no way out is closed by the floor" j "$N" \
	    'not any("refused by the kernel floor" in e["detail"]
		 for e in d["escapes"])'
	check "$how: the text's floor line says off" \
	    grep -Eq "^agentwrap's kernel floor +off \(turned off by $how\)" \
	    "$T/text"
	# the ways out are open as far as the kernel leaves them open
	check "$how: user namespace + mount open iff this user can" j "$N" \
	    '[e for e in d["escapes"] if e["id"] == "userns_bind_mount"][0]
	     ["covered"] == (a[0] == "False" and not d["user"]["cap_sys_admin"])' \
	    "$userns"
	check "$how: TIOCSTI open iff the kernel allows it" j "$N" \
	    '[e for e in d["escapes"] if e["id"] == "tiocsti"][0]["covered"] ==
	     (a[0] == "0" and not d["user"]["cap_sys_admin"])' \
	    "$(knob /proc/sys/dev/tty/legacy_tiocsti)"
	check "$how: io_uring open iff io_uring_setup works" j "$N" \
	    '[e for e in d["escapes"] if e["id"] == "io_uring"][0]["covered"]
	     == (a[0] == "False")' "$uring"
done
# and a wrapped run agrees: with the floor off, unshare -U works wrapped
# exactly when it works unwrapped
if [ "$userns" = True ]; then
	check "--no-seccomp: a wrapped unshare -U works" \
	    "$AGENTWRAP" -q --no-seccomp -- unshare -U true
fi

# --- the text table tells the same as the document ---
"$AGENTWRAP" --doctor >"$T/text" 2>"$T/err"
check "text: exit 0, nothing on stderr" [ $? -eq 0 ] && [ ! -s "$T/err" ]
check "text: the kernel release" grep -Fq "Linux $(uname -r), " "$T/text"
check "text: as many 'covered' rows as escapes, as many 'NOT covered'" j "$D" \
    'sum(not e["covered"] for e in d["escapes"]) == int(a[0]) and
     len(d["escapes"]) == int(a[1])' \
    "$(grep -c ' NOT covered: ' "$T/text")" \
    "$(grep -Ec ' (NOT )?covered: ' "$T/text")"

# --- the configured mode is parsed as a run would parse it ---
doc "$T/ro.json" -s read-only -a never
check "mode: read-only, never, network off" j "$T/ro.json" \
    'd["mode"]["sandbox_mode"] == "read-only" and
     d["mode"]["approval_policy"] == "never" and d["mode"]["network"] is False'
doc "$T/net.json" -n
check "mode: -n turns the network on" j "$T/net.json" 'd["mode"]["network"]'
doc "$T/ao.json" --audit-only
check "--audit-only: dynamic programs recorded, not enforced" j "$T/ao.json" \
    'd["mode"]["audit_only"] and [e for e in d["escapes"]
     if e["id"] == "dynamic_programs"][0]["covered"] is False'
refuse "sandbox_mode" -c sandbox_mode=bogus --doctor

# --- a shim that does not load: reported, and still exit 0 ---
AGENTWRAP_SHIM_PATH=/nonexistent/libagentwrap.so doc "$T/noshim.json"
check "no shim: LD_PRELOAD reported not working" j "$T/noshim.json" \
    'd["mechanisms"]["ld_preload"]["available"] is False and
     [e for e in d["escapes"] if e["id"] == "dynamic_programs"][0]
     ["covered"] is False'
printf 'not an ELF file\n' >"$T/junk.so"
AGENTWRAP_SHIM_PATH=$T/junk.so doc "$T/junk.json"
check "a shim the loader ignores: not working, the loader says why" \
    j "$T/junk.json" 'd["mechanisms"]["ld_preload"]["available"] is False and
     "cannot be preloaded" in d["mechanisms"]["ld_preload"]["detail"]'

# --- bad usage ---
refuse "takes no command" --doctor true
refuse "takes no command" --doctor --explain read /etc/passwd
refuse "takes no command" --doctor --print-config
refuse "goes with --doctor" --json
AGENTWRAP_DISABLE=bogus "$AGENTWRAP" --doctor >"$T/out" 2>"$T/err"
check "AGENTWRAP_DISABLE=bogus: exit 125" [ $? -eq 125 ]

finish
