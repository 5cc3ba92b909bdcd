# A program the shim cannot follow (a static binary: no PT_INTERP), where
# no seccomp watch follows it either (--no-seccomp here: as on a kernel
# without user-notify): the exec is reported in the audit log as
# uncovered, not silently ignored, and agentwrap.uncovered decides whether
# it runs. (With the watch, tests/integ/watch.sh judges what such a
# program does; here the last check shows it is no longer "uncovered".)
. "$(dirname "$0")/lib.sh"

BB=$(command -v busybox || true)
# scripts/setup installs busybox-static: without it this is a failure
if [ -z "$BB" ] || ldd "$BB" >/dev/null 2>&1; then
	echo "FAIL: no static busybox (scripts/setup installs busybox-static)"
	exit 1
fi
status 0 "a static program runs" aw -q --no-seccomp -a never \
    -c agentwrap.uncovered=allow --audit "$T/s.jsonl" -- sh -c "'$BB' true"
cat > "$T/uncovered.py" <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
bb = sys.argv[2]
hits = [r for r in recs if r.get("op") == "uncovered"
        and (r.get("path", "").endswith("busybox") or bb in r.get("argv", []))]
print(len(hits))
sys.exit(0 if hits else 1)
PYEOF
status 0 "the static exec is in the audit log as uncovered" \
    $PY "$T/uncovered.py" "$T/s.jsonl" "$BB"

# a script whose interpreter is static: the shim (judging an exec from sh)
# and the supervisor (judging the command itself) give the same answer,
# from the one check both link (supervisor/cover.c)
printf '#!%s sh\necho ran > "$1"\n' "$BB" > "$WS/bbscript"
chmod 755 "$WS/bbscript"
status 0 "a script with a static interpreter, run from sh" \
    aw --no-seccomp -a never -c agentwrap.uncovered=allow -- \
    sh -c "'$WS/bbscript' '$WS/from-sh'"
check "it ran" [ -s "$WS/from-sh" ]
check "the shim reports it as not covered" \
    grep -q "not covered: $WS/bbscript" "$T/last.err"
status 0 "the same script as the command itself" \
    aw --no-seccomp -a never -c agentwrap.uncovered=allow -- \
    "$WS/bbscript" "$WS/first"
check "it ran" [ -s "$WS/first" ]
check "the supervisor reports it as not covered too" \
    grep -q "not covered: $WS/bbscript" "$T/last.err"

# agentwrap.uncovered: refuse (or ask about) what the shim cannot follow,
# from sh and as the command itself; the default lets it run
status 0 "uncovered = deny: sh goes on" aw --no-seccomp -a never \
    -c agentwrap.uncovered=deny -- sh -c "'$BB' touch '$WS/bb1'; true"
check "the static program did not run" absent "$WS/bb1"
check "the denial names the setting, and what would allow it" \
    grep -q "agentwrap.uncovered = deny.*to allow: -c agentwrap.uncovered=allow" \
    "$T/last.err"
status 126 "uncovered = deny: as the command" aw --no-seccomp -a never \
    -c agentwrap.uncovered=deny -- "$BB" touch "$WS/bb2"
check "it did not run" absent "$WS/bb2"
status 0 "uncovered = ask, -a never: denied" aw --no-seccomp -a never \
    -c agentwrap.uncovered=ask -- sh -c "'$BB' touch '$WS/bb3'; true"
check "it did not run" absent "$WS/bb3"
# what the kernel follows and a shorter look would not: an interpreter by
# a relative name (the kernel takes it from the caller's directory), and
# five #! scripts, the last run by the static program
cp "$BB" "$WS/sh"
printf '#!sh\n/bin/true\n' > "$WS/rel"
chmod 755 "$WS/rel"
# each level passes the scripts before it as arguments: touch the last one
printf '#!%s sh\nfor a; do :; done; touch "$a"\n' "$BB" > "$WS/c0"
for i in 1 2 3 4; do
	printf '#!%s\n' "$WS/c$((i - 1))" > "$WS/c$i"
done
chmod 755 "$WS/c0" "$WS/c1" "$WS/c2" "$WS/c3" "$WS/c4"
(cd "$WS" && ./rel) && (cd "$WS" && ./c4 "$WS/chain0")
check "unwrapped, the kernel runs both" [ -e "$WS/chain0" ]
status 0 "uncovered = deny: a relative interpreter" aw --no-seccomp -a never \
    -c agentwrap.uncovered=deny -- sh -c "cd '$WS' && ./rel; true"
check "refused" grep -q "denied exec.*rel" "$T/last.err"
status 0 "uncovered = deny: five #! scripts to a static program" aw --no-seccomp -a never \
    -c agentwrap.uncovered=deny -- sh -c "'$WS/c4' '$WS/chain1'; true"
check "the static program at the end did not run" absent "$WS/chain1"
status 126 "the same chain as the command itself" aw --no-seccomp -a never \
    -c agentwrap.uncovered=deny -- "$WS/c4" "$WS/chain2"
check "it did not run" absent "$WS/chain2"
status 0 "uncovered = deny leaves dynamic programs alone" aw --no-seccomp -a never \
    -c agentwrap.uncovered=deny -- sh -c "touch '$WS/dyn'"
check "a dynamic program ran" [ -e "$WS/dyn" ]
# nothing follows it: by default it does not run; allow lets it
status 0 "by default it is refused" aw --no-seccomp -a never -- \
    sh -c "'$BB' touch '$WS/bb4'; true"
check "it did not run" absent "$WS/bb4"
check "the denial says what would allow it" \
    grep -q "to allow: -c agentwrap.uncovered=allow" "$T/last.err"
status 0 "uncovered = allow: it runs" aw --no-seccomp -a never \
    -c agentwrap.uncovered=allow -- sh -c "'$BB' touch '$WS/bb5'"
check "it ran" [ -e "$WS/bb5" ]

# a dynamic program is not reported as uncovered
status 0 "a dynamic program runs" aw -q -a never --audit "$T/d.jsonl" -- \
    sh -c '/bin/true'
check "no uncovered record for a dynamic program" \
    sh -c "! grep -q '\"uncovered\"' '$T/d.jsonl'"
# with the watch (the default where the kernel has user-notify), a static
# program is followed: no uncovered record, and agentwrap.uncovered = deny
# does not keep it from running
status 0 "watched: a static program runs" aw -q -a never --audit "$T/w.jsonl" \
    -c agentwrap.uncovered=deny -- sh -c "'$BB' touch '$WS/bbw'"
check "it ran" [ -e "$WS/bbw" ]
check "no uncovered record for a watched static program" \
    sh -c "! grep -q '\"uncovered\"' '$T/w.jsonl'"
# a static program that may be run but not read (mode 0111): the kernel
# makes it not dumpable, so the watch cannot read its calls either; as
# nothing follows it, it does not run (root reads it all the same, so it
# is followed then)
mkdir -p "$WS/xo"
cp "$BB" "$WS/xo/busybox"
chmod 0111 "$WS/xo/busybox"
status 0 "an execute-only static program" aw -a never -- \
    sh -c "'$WS/xo/busybox' touch '$WS/xo1'; true"
if [ "$(id -u)" -ne 0 ]; then
	check "not run: nothing can follow it" absent "$WS/xo1"
	check "said, with the setting" \
	    grep -q "agentwrap.uncovered = deny" "$T/last.err"
else
	check "as root it is readable, and followed" [ -e "$WS/xo1" ]
fi
finish
