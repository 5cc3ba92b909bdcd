#!/bin/sh
# run-supervisor.sh: `agentwrap [options] COMMAND`, the supervisor side, with
# a stand-in for the shim: AGENTWRAP_SHIM_PATH names an empty library, and
# the command build/tests/ringclient talks to the ring itself. Exit statuses,
# the command's environment and descriptors, denial lines and the summary,
# -q, the audit log (every event there, bytes kept, valid JSON, footer
# counts, a full disk), --audit-only, malformed messages, round trips, and
# the end of a tree that leaves processes behind.
. "$(dirname "$0")/lib.sh"

R=$(cd "$(dirname "$AGENTWRAP")" && pwd)/tests/ringclient
# the tools are built with ASan, which wants to come first: the empty shim
# is preloaded before it
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
SHIM="$T/empty.so"
printf 'void aw_test_empty(void) {}\n' >"$T/empty.c"
if ! cc -shared -fPIC -o "$SHIM" "$T/empty.c" 2>/dev/null; then
	SHIM=$(ldd /bin/sh | awk '/libc\.so/ { print $3 }')
fi
export AGENTWRAP_SHIM_PATH="$SHIM"

# status CODE REGEX CMD...: agentwrap -- CMD exits CODE, output matches REGEX
status() {
	code=$1; re=$2; shift 2
	expect "$code" "$re" -- "$@"
}

# exit statuses, as env(1)
status 0 '' true
status 3 '' sh -c 'exit 3'
status 143 '' sh -c 'kill -TERM $$'
status 137 '' sh -c 'kill -KILL $$'
# a PATH directory we may not search does not make it 126 (execvp's EACCES)
mkdir -p "$T/closed"
chmod 0 "$T/closed"
opath=$PATH
PATH=$T/closed/sub:/usr/bin:/bin
status 127 'agentwrap: no-such-command-x: No such file or directory' \
    no-such-command-x
PATH=$opath
status 127 'agentwrap: /nonexistent/cmd: No such file or directory' \
    /nonexistent/cmd
printf 'x' >"$T/noexec"
chmod 644 "$T/noexec"
status 126 'Permission denied' "$T/noexec"
AGENTWRAP_SHIM_PATH=/nonexistent/libagentwrap.so expect 125 \
    'cannot use the shim /nonexistent/libagentwrap.so' -- true
AGENTWRAP_SHIM_PATH=relative.so expect 125 'must be an absolute path' -- true
expect 125 'audit.*No such file or directory' --audit /nonexistent/dir/x -- true
expect 125 'audit fd:77: Bad file descriptor' --audit fd:77 -- true

# the environment the shim needs, the user's LD_PRELOAD kept aside (and
# the shim in it not loaded twice)
printf 'void aw_test_user(void) {}\n' >"$T/user.c"
check "a user's own preload library builds" \
    cc -shared -fPIC -o "$T/user.so" "$T/user.c"
U="$T/user.so"
out=$(LD_PRELOAD="$U:$SHIM" "$AGENTWRAP" -- sh -c \
    'echo "$LD_PRELOAD|$AGENTWRAP_LD_PRELOAD|$AGENTWRAP_SOCK|$AGENTWRAP_HOLDER|$AGENTWRAP_TOKEN|$AGENTWRAP_SHIM|${AGENTWRAP_AUDIT-}|${AGENTWRAP_AUDIT_ONLY-}"')
rest=${out#"$SHIM:$U|$U|"}
sock=${rest%%|*}
rest=${rest#*|}
holder=${rest%%|*}
rest=${rest#*|}
tok=${rest%%|*}
check "environment: $out" test "$out" = "$SHIM:$U|$U|$sock|$holder|$tok|$SHIM||"
out=$(LD_PRELOAD="$SHIM" "$AGENTWRAP" -- sh -c \
    'echo "$LD_PRELOAD|${AGENTWRAP_LD_PRELOAD-unset}"')
check "the shim as the user's only preload: once ($out)" \
    test "$out" = "$SHIM|unset"
check "AGENTWRAP_SOCK: $sock" sh -c "printf '%s' '$sock' | grep -Eqx 'agentwrap\.[0-9]+\.[0-9a-f]{24}'"
check "AGENTWRAP_HOLDER: $holder" sh -c "printf '%s' '$holder' | grep -Eqx '[1-9][0-9]*'"
check "AGENTWRAP_TOKEN: $tok" sh -c "printf '%s' '$tok' | grep -Eqx '[0-9a-f]{32}'"
# no descriptor of agentwrap's reaches the command: what it has open is
# what it was given (0, 1, 2 and the listing's own)
out=$("$AGENTWRAP" -- sh -c 'ls /proc/self/fd' </dev/null 2>/dev/null | tr '\n' ' ')
plain=$(sh -c 'ls /proc/self/fd' </dev/null 2>/dev/null | tr '\n' ' ')
check "the descriptors it was given: $out (unwrapped: $plain)" test "$out" = "$plain"
out=$("$AGENTWRAP" --audit-only -- sh -c \
    'echo "${AGENTWRAP_LD_PRELOAD-unset}|${AGENTWRAP_AUDIT-}|$AGENTWRAP_AUDIT_ONLY"')
check "audit-only environment: $out" test "$out" = "unset||1"
# -C: the command starts in the workspace; without it, where we are
mkdir -p "$T/other"
out=$("$AGENTWRAP" -C "$T/other" -- pwd)
check "-C: $out" test "$out" = "$(cd "$T/other" && pwd)"
out=$("$AGENTWRAP" -- pwd)
check "no -C: $out" test "$out" = "$(pwd)"
# the audit descriptor stays ours
out=$("$AGENTWRAP" --audit fd:7 -- sh -c 'ls /proc/$$/fd' 7>"$T/fd7.log")
check "fd:7 is not inherited" sh -c "! printf '%s\n' '$out' | grep -qx 7"
check "fd:7 got the log" grep -q session_end "$T/fd7.log"

# a full disk is reported, not ignored (a device reached by a descriptor:
# by name, a device is refused, as no policy can keep the command off it)
ntest=$((ntest + 1))
out=$("$AGENTWRAP" --audit fd:3 -- true 2>&1 3>/dev/full)
got=$?
if [ "$got" -ne 125 ] ||
    ! printf '%s\n' "$out" | grep -q 'audit log fd:3: No space left on device'; then
	nfail=$((nfail + 1))
	echo "FAIL: agentwrap --audit fd:3 3>/dev/full: exit $got: $out"
fi
refuse '^agentwrap: --audit /dev/full: not a regular file' --audit /dev/full -- true

# stragglers are ended, the run does not wait for them
start=$(date +%s)
status 0 '' sh -c "sleep 60 & echo \$! > '$T/s1'; (trap '' TERM; sleep 61) & echo \$! > '$T/s2'; exit 0"
check "stragglers ended quickly" test $(($(date +%s) - start)) -lt 10
# (by pid: other runs of this suite may have their own sleeps going)
check "no straggler left" sh -c "! kill -0 \$(cat '$T/s1') 2>/dev/null && ! kill -0 \$(cat '$T/s2') 2>/dev/null"

if [ ! -x "$R" ]; then
	check "ringclient built at $R (the ring tests need it)" false
	finish
	exit
fi

status 0 '^ok$' "$R" env

# a denial: one line, deduplicated, with the reason and the setting
"$AGENTWRAP" -- sh -c "'$R' post write deny /etc/hosts;
    '$R' post write deny /etc/hosts; '$R' post connect deny pypi.org 443" \
    >"$T/out" 2>"$T/err"
check "denials exit 0" test $? -eq 0
check "one line per denied object" test "$(grep -c 'denied write /etc/hosts' \
    "$T/err")" -eq 1
check "write denial text" grep -Eq '^agentwrap: denied write /etc/hosts \(ringclient\[[0-9]+\]\): writing /etc/hosts needs approval: it is outside the writable roots \(.*\); nothing can approve it in this run \(no --approval-socket or --approval-fd\), so it is denied; to allow: --add-dir /etc or sandbox_workspace_write.writable_roots$' "$T/err"
check "connect denial names -n" grep -q \
    'denied connect pypi.org:443 .*to allow: -n ' "$T/err"
check "summary" grep -qx \
    'agentwrap: 3 calls denied (2 write, 1 connect)' "$T/err"
"$AGENTWRAP" -q -- "$R" post write deny /etc/hosts >"$T/out" 2>"$T/err"
check "-q is quiet" test ! -s "$T/err"
# escaped, never raw
"$AGENTWRAP" -- "$R" post write deny "$(printf '/etc/\033[2Jx\ny')" \
    2>"$T/err"
check "escaped denial" grep -q 'denied write /etc/\\033\[2Jx\\ny ' "$T/err"

# round trips: the supervisor decides
# an ask with no approval channel is denied
status 0 '^verdict=1 policy=2 rule=sandbox_workspace_write.writable_roots$' \
    "$R" ask write /etc/hosts
status 0 '^verdict=0 policy=0 ' "$R" ask write "$(pwd)/x"
expect 0 '^verdict=1 policy=1 ' -a never -- "$R" ask write /etc/hosts
expect 0 '^verdict=0 policy=2 .* audit-only$' --audit-only -- \
    "$R" ask write /etc/hosts
expect 0 '^verdict=0 policy=0 .* addr=151\.101\.0\.223 addr=2a04:4e42::223$' \
    -n -c features.network_proxy=true \
    -c 'features.network_proxy.domains={"example.com"="allow"}' \
    --resolve example.com=151.101.0.223,2a04:4e42::223 -- \
    "$R" resolve example.com
status 0 '^verdict=1$' "$R" malformed

# the audit log: everything, valid JSON, bytes recoverable, counts
"$AGENTWRAP" -q --audit "$T/a.jsonl" -- "$R" flood 4 2500
check "flood exit" test $? -eq 0
# (plus one: the supervisor's own record of the first exec)
check "10000 events" test "$(grep '"type":"event"' "$T/a.jsonl" | grep -vc '"call":"execvp"')" -eq 10000
"$AGENTWRAP" -q --audit "$T/b.jsonl" -- sh -c "'$R' post-bytes;
    '$R' malformed; '$R' post exec allow ls \"\$(printf '\\377')\";
    '$R' ask write /etc/hosts" >/dev/null
cat >"$T/check.py" <<'EOF'
import base64, json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert recs[0]["type"] == "session_start" and recs[-1]["type"] == "session_end"
assert recs[0]["argv"][0] == "sh" and "sandbox_mode" in recs[0]["config"]
ev = [r for r in recs if r["type"] == "event"]
b = [r for r in ev if "path_b64" in r][0]
assert base64.b64decode(b["path_b64"]) == b"/tmp/\xff\xfe-\x1b[31m-\xc3\xa9", b
assert b["path"] == "/tmp/\ufffd\ufffd-\x1b[31m-\u00e9", b
first = [r for r in ev if r["op"] == "exec" and r["layer"] == "supervisor"]
assert len(first) == 1 and first[0]["argv"][0] == "sh", first
x = [r for r in ev if r["op"] == "exec" and r["layer"] != "supervisor"][0]
assert x["argv"][1] == "\ufffd" and base64.b64decode(x["argv_b64"][1]) == b"\xff"
w = [r for r in ev if r["op"] == "write"][0]
assert w["verdict"] == "deny" and w["ask"] and w["layer"] == "supervisor"
assert w["rule"] == "sandbox_workspace_write.writable_roots"
for r in ev:
    assert r["ts"].endswith("Z") and len(r["ts"]) == 27, r["ts"]
assert len([r for r in recs if r["type"] == "malformed"]) == 2
end = recs[-1]
assert end["exit_status"] == 0 and end["malformed"] == 2, end
assert end["counts"]["read"] == {"allow": 0, "deny": 1}, end
assert end["counts"]["write"] == {"allow": 0, "deny": 1}, end
assert end["counts"]["exec"] == {"allow": 2, "deny": 0}, end
EOF
check "audit log content" python3 "$T/check.py" "$T/b.jsonl"
# an event is what a process of the tree says happened: the supervisor
# decides each one again and marks a record its policy contradicts (here a
# forged "allowed" write outside the roots); honest ones stay unmarked
"$AGENTWRAP" --audit "$T/d.jsonl" -- sh -c "'$R' post write allow /etc/hosts
    '$R' post write deny /etc/hosts; '$R' post read allow /etc/hostname" \
    >/dev/null 2>"$T/d.err"
cat >"$T/checkd.py" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
ev = [r for r in recs if r["type"] == "event" and r["layer"] == "preload"]
assert len(ev) == 3, ev
forged, honest, read = ev
assert forged["op"] == "write" and forged["verdict"] == "allow", forged
assert forged["disputed"] is True and forged["supervisor_verdict"] == "deny", forged
assert forged["supervisor_rule"] == "sandbox_workspace_write.writable_roots", forged
assert "disputed" not in honest and honest["verdict"] == "deny", honest
assert "disputed" not in read and read["verdict"] == "allow", read
assert recs[-1]["disputed"] == 1, recs[-1]
EOF
check "a forged event is marked disputed" python3 "$T/checkd.py" "$T/d.jsonl"
# the proxy's and the watch's layers are the supervisor's own (their pids
# are the kernel's): a process that claims one is not believed (its
# message is malformed, not such a record)
for l in proxy seccomp; do
	"$AGENTWRAP" --audit "$T/px.jsonl" -- "$R" post-$l evil.test 443 \
	    >/dev/null 2>&1
	check "a forged $l record is refused as malformed" python3 -c "
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
assert not any(r.get('layer') == sys.argv[2] for r in recs), recs
m = [r for r in recs if r['type'] == 'malformed']
assert len(m) == 1 and 'other than the shim' in m[0]['why'], m
" "$T/px.jsonl" $l
done
check "and counted on stderr" grep -q "^agentwrap: 1 event claimed an allowed call the policy does not allow" "$T/d.err"
"$AGENTWRAP" --report "$T/d.jsonl" >"$T/d.txt"
check "--report lists the disputed record" \
    grep -qx "  write /etc/hosts  x1  (the policy says deny)  \\[preload\\]" "$T/d.txt"
"$AGENTWRAP" -q --audit-only --audit "$T/c.jsonl" -- "$R" post write deny /x
check "audit-only marks records" grep -q '"audit_only":true' "$T/c.jsonl"

finish
