# The kernel floor: what every process of the tree is refused, whatever it
# is (a static program here, so that no shim can be what refuses), tried
# unwrapped first to prove that the call works on this machine, then
# wrapped. And no_new_privs: a set-user-ID program runs as the user, with
# the shim inside it. Then --no-seccomp, the documented weaker outcome.
. "$(dirname "$0")/lib.sh"

F="$PROBES/floorcalls"
H="$PROBES/floorhunt"
A="aw -a never --audit $T/floor.jsonl --"

# a process of ours that is not in the tree, for ptrace and pidfd_getfd
sleep 120 &
NB=$!

# refusedby PROBE NAME [ARG]: works unwrapped (or the machine cannot show
# it, said), refused wrapped with EPERM or ENOSYS; refused: floorcalls'
refusedby() {
	p=$1
	shift
	"$p" "$@" >"$T/plain.out" 2>&1
	if [ $? -ne 0 ]; then
		echo "note: $*: fails here even unwrapped ($(cat "$T/plain.out")); not tried"
		return
	fi
	pass
	status 1 "$1 refused in the tree" $A "$p" "$@"
	check "$1: the call failed, so nothing happened" \
	    grep -q "^refused $1: " "$T/last.out"
	cp "$T/floor.jsonl" "$T/$1.jsonl"
}
refused() { refusedby "$F" "$@"; }

refused userns
refused clonens
refused int80
refused uring
refused tiocsti
refused ptrace "$NB"
refused getfd "$NB"
# the same calls another way: 32-bit, upper bits the kernel drops
refusedby "$H" int80ptrace "$NB"
refusedby "$H" int80clone
refusedby "$H" clonehigh
refused tiocsti high
refused tiocsti int80
# the same with the pidfd swapped, by another thread, between a child of
# its own and NB while the supervisor looks at which process it names
refusedby "$H" getfdrace "$NB" 1

refused uffd
refused listener

# killing the supervisor (and the keeper, which would end the probe: see
# keeper.sh) must not open the floor nor the watch: a
# listener of the tree's own is refused by the watch filter itself, the
# floor's refusals need no supervisor, and the calls the supervisor
# answered fail (ENOSYS) once it is gone: a static program writes nothing
aw_nokeeper -q -a never --no-landlock -- "$F" killsup "$WS/killsup" "$OUT/killsup" \
    >/dev/null 2>&1
n=0
while ! grep -q '^write' "$WS/killsup" 2>/dev/null && [ $n -lt 60 ]; do
	sleep 0.05
	n=$((n + 1))
done
check "the probe ran after the supervisor died" grep -q '^write' "$WS/killsup"
check "no listener of its own: $(cat "$WS/killsup" 2>/dev/null)" \
    grep -q "^listener Operation not permitted" "$WS/killsup"
check "and unshare still fails" sh -c "! grep -q '^unshare done' '$WS/killsup'"
check "and a write outside fails: the watch answers ENOSYS" \
    grep -q "^write Function not implemented" "$WS/killsup"
check "nothing was written outside" [ ! -e "$OUT/killsup" ]

# calls the kernel itself refuses here for other reasons (not a console,
# one's own namespace): unwrapped they reach it (EINVAL, ENOTTY), wrapped
# the floor answers first (EPERM)
first() {
	"$F" "$1" >"$T/plain.out" 2>&1
	rc=$?
	check "$1 reaches the kernel unwrapped: $(cat "$T/plain.out")" \
	    test "$rc" -eq 2
	status 1 "$1: the floor answers first" $A "$F" "$1"
	check "$1 refused with EPERM" \
	    grep -q "^refused $1: Operation not permitted" "$T/last.out"
}
first tioclinux
first setns

# process_vm_writev into a process outside the tree: the floor alone
# (Landlock would refuse even the read)
"$F" pvwrite "$NB" >"$T/plain.out" 2>&1
if [ $? -eq 0 ]; then
	pass
	status 1 "process_vm_writev outside the tree" aw -a never \
	    --no-landlock -- "$F" pvwrite "$NB"
	check "refused by the floor" grep -q "^refused pvwrite: " "$T/last.out"
else
	echo "note: process_vm_writev fails here even unwrapped; not tried"
fi

# what must still work: tracing a child of one's own, threads and spawns
# (glibc tries clone3, refused with ENOSYS, then clone)
status 0 "ptrace of its own child goes on" $A "$F" ptracekid
check "the child was attached" grep -q "^done ptracekid" "$T/last.out"
status 0 "pidfd_getfd of its own child's descriptor" $A "$H" getfdkid
check "it got it" grep -q "^done getfdkid" "$T/last.out"
status 0 "a thread and a posix_spawn" $A "$F" threads
check "both ran" grep -q "^done threads" "$T/last.out"

# one denial line per call name, and a seccomp record in the audit log,
# where the watch gets the floor's calls: a tree watched from its first
# child (--strict, or a static command). Elsewhere the floor's refusals
# are errno answers of the kernel's alone, not reported.
status 1 "unshare twice" aw -a never --strict --audit "$T/floor.jsonl" -- \
    sh -c "'$F' userns; '$F' userns"
check "one line for both" \
    test "$(grep -c 'denied unshare (floorcalls' "$T/last.err")" -eq 1
cat > "$T/rec.py" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
hits = [r for r in recs if r.get("op") == "floor" and
        r.get("call") == sys.argv[2] and r.get("layer") == "seccomp" and
        r.get("verdict") == "deny" and r.get("exe", "").endswith("floorcalls")]
sys.exit(0 if hits else 1)
PYEOF
check "an audit record: op floor, layer seccomp, the program" \
    $PY "$T/rec.py" "$T/floor.jsonl" unshare
if [ -f "$T/tiocsti.jsonl" ]; then
	check "and for TIOCSTI" $PY "$T/rec.py" "$T/tiocsti.jsonl" \
	    "ioctl(TIOCSTI)"
fi

# the escape the floor exists for: a user namespace, a bind mount of an
# outside file onto a workspace name, a write through that name
echo outside > "$OUT/target"
: > "$WS/name"
if unshare -rm sh -c "mount --bind '$OUT/target' '$WS/name' &&
    [ \"\$(cat '$WS/name')\" = outside ]" 2>/dev/null; then
	pass
	aw -q -a never -- unshare -rm sh -c \
	    "mount --bind '$OUT/target' '$WS/name' && echo written > '$WS/name'" \
	    >/dev/null 2>&1
	check "the outside file is unchanged" \
	    test "$(cat "$OUT/target")" = outside
	check "the workspace name is untouched" test ! -s "$WS/name"
	# the same through a seccomp listener of the program's own: the newest
	# filter's notification wins, and its listener may answer CONTINUE
	echo outside > "$OUT/target"
	if "$H" shadow unshare -rm sh -c "mount --bind '$OUT/target' '$WS/name' &&
	    echo written > '$WS/name'" >/dev/null 2>&1 &&
	    [ "$(cat "$OUT/target")" = written ]; then
		pass
		echo outside > "$OUT/target"
		: > "$WS/name"
		status 1 "a listener of its own is refused" aw -q -a never -- \
		    "$H" shadow unshare -rm sh -c \
		    "mount --bind '$OUT/target' '$WS/name' && echo written > '$WS/name'"
		check "the outside file is unchanged, again" \
		    test "$(cat "$OUT/target")" = outside
	else
		echo "note: a seccomp listener of its own does not work here; not tried"
	fi
else
	echo "note: unprivileged user namespaces are off here; bind mount not tried"
fi

# code written through /proc/PID/mem into a process outside the tree that
# sleeps in a system call, run once it is stopped and continued: no
# ptrace(2) call. The holder (a process of the supervisor's, dumpable so
# that the tree may open its descriptors) must not run it: it would be a
# process of the user's without the floor or the shim.
sleep 120 &
VICTIM=$!
sleep 0.1
"$H" memexec "$VICTIM" "echo x > '$OUT/plainjack'" >/dev/null 2>&1
n=0
while [ ! -e "$OUT/plainjack" ] && [ $n -lt 40 ]; do sleep 0.05; n=$((n + 1)); done
if [ -e "$OUT/plainjack" ] && command -v pgrep >/dev/null; then
	pass
	aw -q -a never -- sh -c "h=\$(pgrep -x -P \$PPID agentwrap-hold) &&
	    '$H' memexec \"\$h\" \"echo x > '$OUT/hijack'\"; n=0
	    while [ ! -e '$OUT/hijack' ] && [ \$n -lt 40 ]; do
	    sleep 0.05; n=\$((n + 1)); done" >"$T/last.out" 2>&1
	check "the holder ran nothing: nothing written outside" \
	    absent "$OUT/hijack"
else
	echo "note: /proc/PID/mem cannot be written here; holder not tried"
fi
kill "$VICTIM" 2>/dev/null

# the same against a process of the user's outside the tree: the floor
# cannot see a path, but Landlock (applied under -a never) scopes ptrace
# access, /proc/PID/mem included, to the tree's own domain; without it
# this is a way out (trust-model.md says so)
if [ -e "$OUT/plainjack" ] && [ "$($PY -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')" -ge 1 ]; then
	sleep 120 &
	VICTIM=$!
	sleep 0.1
	aw -q -a never -- sh -c "'$H' memexec $VICTIM \"echo x > '$OUT/outjack'\"
	    sleep 1" >"$T/last.out" 2>&1
	sleep 0.5
	check "under Landlock, an outside process ran nothing" \
	    absent "$OUT/outjack"
	kill "$VICTIM" 2>/dev/null
	sleep 120 &
	VICTIM=$!
	sleep 0.1
	aw -q -a never --no-landlock -- sh -c \
	    "'$H' memexec $VICTIM \"echo x > '$OUT/outjack2'\"; sleep 1" \
	    >"$T/last.out" 2>&1
	sleep 0.5
	check "without Landlock the watch refuses the static program's open of its memory" \
	    absent "$OUT/outjack2"
	aw -q -a never --no-landlock --no-seccomp -c agentwrap.uncovered=allow -- sh -c \
	    "'$H' memexec $VICTIM \"echo x > '$OUT/outjack3'\"; sleep 1" \
	    >"$T/last.out" 2>&1
	n=0
	while [ ! -e "$OUT/outjack3" ] && [ $n -lt 40 ]; do sleep 0.05; n=$((n + 1)); done
	check "without either it is a way out (the documented weaker outcome)" \
	    [ -e "$OUT/outjack3" ]
	kill "$VICTIM" 2>/dev/null
fi

# a set-user-ID program (tests/run makes one as root, $SUIDTEE): under
# no_new_privs it runs as the user, with the shim inside, and is judged
if [ -n "${SUIDTEE:-}" ] && [ "$(id -u)" -ne 0 ]; then
	# somewhere its owner may write without any capability
	open=$(mktemp -d /tmp/aw-suid.XXXXXX)
	chmod 777 "$open"
	echo x | "$SUIDTEE" "$open/plain" >/dev/null
	check "unwrapped, it runs as its owner" \
	    test "$(stat -c %u "$open/plain" 2>/dev/null)" = 0
	rm -rf "$open" 2>/dev/null
	status 1 "a set-user-ID tee writing outside" aw -q -a never -- \
	    sh -c "echo x | '$SUIDTEE' '$OUT/suid'"
	check "nothing written outside" absent "$OUT/suid"
	status 0 "a set-user-ID tee writing inside" aw -q -a never -- \
	    sh -c "echo x | '$SUIDTEE' '$WS/suid'"
	check "written inside, as the user" \
	    test "$(stat -c %u "$WS/suid")" -eq "$(id -u)"
	status 0 "reported as covered" aw -a never -- \
	    sh -c "echo x | '$SUIDTEE' '$WS/suid2'"
	check "no 'not covered' line" sh -c "! grep -q 'not covered' '$T/last.err'"
else
	echo "note: no set-user-ID program to try (tests/run makes one as root)"
fi

# --no-seccomp and AGENTWRAP_DISABLE=seccomp: no floor, and agentwrap says so
status 0 "--no-seccomp: unshare works again" aw -a never --no-seccomp -c agentwrap.uncovered=allow -- \
    "$F" userns
check "it says there is no floor" grep -q "no kernel floor" "$T/last.err"
export AGENTWRAP_DISABLE=seccomp
status 0 "AGENTWRAP_DISABLE=seccomp: the same" aw -a never -c agentwrap.uncovered=allow -- "$F" userns
export AGENTWRAP_DISABLE=secomp
status 125 "a misspelt layer is an error" aw -a never -- "$F" userns
check "naming it" grep -q "unknown layer 'secomp'" "$T/last.err"
unset AGENTWRAP_DISABLE

kill "$NB" 2>/dev/null
finish
