# --audit writes JSON Lines: a header, one record per intercepted call, a
# footer; any bytes in a path survive; --audit-only enforces nothing.
. "$(dirname "$0")/lib.sh"

status 2 "audited run" aw -a never --audit "$T/a.jsonl" -- \
    sh -c "cat /etc/hostname > in.txt; echo x > '$OUT/denied'"
check "audit file exists" [ -s "$T/a.jsonl" ]
cat > "$T/check.py" <<'PYEOF'
import base64, json, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
mode = sys.argv[2]
def fail(msg):
    print(msg); sys.exit(1)
if recs[0].get("type") != "session_start": fail("no header first")
if recs[-1].get("type") != "session_end": fail("no footer last")
ev = [r for r in recs[1:-1] if r.get("type") != "exit"]
# the supervisor reaps the command (and orphans): one exit record each
exits = [r for r in recs if r.get("type") == "exit"]
for r in exits:
    if not isinstance(r.get("pid"), int) or ("exit_status" in r) == ("signal" in r): fail("exit record: %r" % r)
for r in ev:
    for k in ("ts", "pid", "call", "op", "verdict", "layer"):
        if k not in r: fail("record without %s: %r" % (k, r))
    if not r["ts"].endswith("Z") or "." not in r["ts"]: fail("ts not RFC 3339 UTC with fraction: %r" % r["ts"])
def path_of(r):
    if "path_b64" in r: return base64.b64decode(r["path_b64"])
    return r.get("path", "").encode()
if mode == "basic":
    ws, out = sys.argv[3].encode(), sys.argv[4].encode()
    if not any(r["op"] == "read" and path_of(r) == b"/etc/hostname" and r["verdict"] == "allow" for r in ev): fail("no read of /etc/hostname")
    if not any(r["op"] == "write" and path_of(r) == ws + b"/in.txt" and r["verdict"] == "allow" for r in ev): fail("no write of in.txt")
    if not any(r["op"] == "write" and path_of(r) == out + b"/denied" and r["verdict"] == "deny" for r in ev): fail("no denied write")
    if not any(r["op"] == "exec" and r.get("argv", [None])[0] == "cat" for r in ev): fail("no exec of cat")
    if recs[-1].get("exit_status") != 2: fail("footer exit status %r" % recs[-1].get("exit_status"))
    if not any(x.get("exit_status") == 2 for x in exits): fail("no exit record with the command's status: %r" % exits)
elif mode == "bytes":
    want = sys.argv[3].encode() + b"/odd-\xff\xfe-\x1b[31m-\n-name"
    if not any(path_of(r) == want for r in ev): fail("odd path not recoverable")
elif mode == "auditonly":
    out = sys.argv[3].encode()
    if not any(path_of(r) == out + b"/ao" and r["verdict"] == "deny" and r.get("audit_only") for r in ev): fail("audit-only record missing")
print("ok")
PYEOF
status 0 "audit records" $PY "$T/check.py" "$T/a.jsonl" basic "$WS" "$OUT"
check "denied file absent" absent "$OUT/denied"

# a path made of arbitrary bytes
status 0 "odd bytes run" aw --audit "$T/b.jsonl" -- $PY -c "open(b'$WS/odd-\\xff\\xfe-\\x1b[31m-\\n-name', 'w').close()"
status 0 "odd bytes recoverable" $PY "$T/check.py" "$T/b.jsonl" bytes "$WS"

# --audit-only: nothing enforced, everything recorded
status 0 "audit-only run" aw --audit-only --audit "$T/c.jsonl" -- sh -c "echo x > '$OUT/ao'"
check "audit-only let it happen" [ -f "$OUT/ao" ]
status 0 "audit-only recorded" $PY "$T/check.py" "$T/c.jsonl" auditonly "$OUT"

# stderr: one line per distinct denial, a summary, -q silences both
aw -a never -- sh -c "echo 1 > '$OUT/q'; echo 2 > '$OUT/q'; echo 3 > '$OUT/q'" 2> "$T/err.txt"
n=$(grep -c "^agentwrap: denied" "$T/err.txt")
check "one line for three identical denials (got $n)" [ "$n" -eq 1 ]
# the line is out before the call fails: so before the shell's message
check "the denial line comes before the shell's own message" sh -c \
    "head -n 1 '$T/err.txt' | grep -q '^agentwrap: denied write'"
check "summary line" grep -q "^agentwrap: .*denied" "$T/err.txt"
# a static program, which only the seccomp layer can judge: --report says
# so, and its pid is the kernel's (the notification's): the one $! gave
W="$PROBES/watchcalls"
aw -q -a never --no-landlock --audit "$T/st.jsonl" -- sh -c \
    '"$0" write in-static.txt & echo $! > "$1"; wait $!; "$0" write "$2/static-out"; exit 0' \
    "$W" "$WS/st.pid" "$OUT" >"$T/st.out" 2>&1
check "the static program wrote in the workspace" test -s "$WS/in-static.txt"
check "and not outside" test ! -e "$OUT/static-out"
"$AGENTWRAP" --report "$T/st.jsonl" >"$T/st.txt"
spid=$(cat "$WS/st.pid")
check "--report: the static write, seen by the seccomp layer" \
    grep -q "^  $WS/in-static.txt  x1  \[seccomp\]$" "$T/st.txt"
check "--report: the outside write, denied by the seccomp layer" \
    grep -q "^  write $OUT/static-out  x1  pid [0-9]*  rule sandbox_workspace_write.writable_roots  \[seccomp\]$" "$T/st.txt"
check "--report: the static process by its real pid ($spid), seen by seccomp" \
    grep -Eq "^  $spid +ppid [0-9]+ +.*watchcalls.*\[([a-z]+\+)*seccomp\]" "$T/st.txt"
check "--report: seccomp's count" grep -Eq "^seen by: .*seccomp [1-9]" "$T/st.txt"
aw -q -a never -- sh -c "echo 1 > '$OUT/q'" 2> "$T/quiet.txt"
check "-q: no agentwrap lines" sh -c "! grep -q '^agentwrap:' '$T/quiet.txt'"
finish
