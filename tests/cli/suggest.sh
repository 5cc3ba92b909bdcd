#!/bin/sh
# suggest.sh: agentwrap --suggest on a log recorded from a real run that
# writes outside the writable roots, reads a guarded file and writes into
# the home: the policy it prints lets the same command run again under
# -a never with nothing denied but what it refused to widen (the home),
# said loudly; its TOML is agentwrap's own. And a run under -a untrusted
# that uses a Unix socket and runs a program that needs approval.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
OUT="$T/out"
mkdir -p "$OUT/sub" "$HOME/.ssh"
echo "key-bytes" >"$HOME/.ssh/id_test"
cat >"$T/ws/job.py" <<'PYEOF'
import os, sys
out = os.environ["OUTSIDE"]
for name in ("a.txt", "b.txt"):
    try:
        with open(os.path.join(out, "sub", name), "w") as f:
            f.write("x")
    except OSError as e:
        print("outside refused:", e.errno)
try:
    print("read:", open(os.path.expanduser("~/.ssh/id_test")).read().strip())
except OSError as e:
    print("read refused:", e.errno)
try:
    open(os.path.expanduser("~/.bashrc"), "a").write("# x\n")
    print("home written")
except OSError as e:
    print("home refused:", e.errno)
PYEOF
run() {
	OUTSIDE="$OUT" "$AGENTWRAP" -C "$T/ws" \
	    -c sandbox_workspace_write.exclude_slash_tmp=true \
	    -c sandbox_workspace_write.exclude_tmpdir_env_var=true "$@"
}

# the control: under -a never, enforced, the run is refused three ways
run -a never -- $PY job.py >"$T/c.out" 2>"$T/c.err"
check "control: the outside write is refused" test ! -e "$OUT/sub/a.txt"
check "control: the guarded read is refused" grep -q "^read refused: 13$" "$T/c.out"
check "control: the home write is refused" grep -q "^home refused: 13$" "$T/c.out"

# recorded with nothing enforced, then a policy suggested from the log
run -q -a never --audit-only --audit "$T/run.jsonl" -- $PY job.py >/dev/null 2>&1
rm -f "$OUT/sub/a.txt" "$OUT/sub/b.txt" "$HOME/.bashrc"
"$AGENTWRAP" --suggest "$T/run.jsonl" >"$T/s.toml" 2>"$T/s.err"
check "--suggest exits 0, says nothing on stderr" test $? -eq 0 -a ! -s "$T/s.err"
check "the narrowest root: the directory written" \
    grep -qx "  \"$OUT/sub\"," "$T/s.toml"
check "the guarded file alone, as read" \
    grep -qx "\"$HOME/.ssh/id_test\" = \"read\"" "$T/s.toml"
check "the home is not suggested, loudly" \
    grep -q "^# !!! NOT SUGGESTED: a writable root at $HOME$" "$T/s.toml"
check "nor / or the home as a root" \
    sh -c "! grep -qx '  \"/\",' '$T/s.toml' && ! grep -qx '  \"$HOME\",' '$T/s.toml'"
check "its TOML is agentwrap's config" \
    "$AGENTWRAP" --config-file "$T/s.toml" --print-config >/dev/null

# the same command under that policy and -a never: what it allows happens
run -a never --config-file "$T/s.toml" -- $PY job.py >"$T/r.out" 2>"$T/r.err"
check "the outside writes happen" test -s "$OUT/sub/a.txt" -a -s "$OUT/sub/b.txt"
check "the guarded read happens" grep -q "^read: key-bytes$" "$T/r.out"
check "the home write is still refused" grep -q "^home refused: 13$" "$T/r.out"
check "it is the one denial" \
    [ "$(grep -c '^agentwrap: denied ' "$T/r.err")" = 1 ]
check "and it is the home's" grep -q "^agentwrap: denied write $HOME/.bashrc " "$T/r.err"

# a Unix socket no rule allows and a program that needs approval (under
# -a untrusted, with nothing that can approve): recorded, suggested, and
# the same command again under the policy reaches the socket and runs the
# program with nothing denied
cat >"$T/usrv.py" <<'PYEOF'
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
open(path + ".ready", "w").close()
while True:
    c, _ = s.accept()
    open(log, "a").write(c.recv(100).decode() + "\n")
    c.close()
PYEOF
$PY "$T/usrv.py" "$T/u.sock" "$T/u.log" &
upid=$!
trap 'kill $upid 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -e "$T/u.sock.ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
cat >"$T/ws/job2.py" <<'PYEOF'
import os, socket, subprocess, sys
tag = sys.argv[1]
try:
    c = socket.socket(socket.AF_UNIX)
    c.connect(os.environ["USOCK"])
    c.sendall(tag.encode())
    c.close()
except OSError as e:
    print("socket refused:", e.errno)
r = subprocess.run(["/usr/bin/touch", "made-" + tag])
print("touch:", r.returncode)
PYEOF
run2() {
	USOCK="$T/u.sock" run -a untrusted "$@"
}
run2 -- $PY job2.py control >"$T/u0.out" 2>"$T/u0.err"
check "control: the socket is refused" sh -c "! grep -qs control '$T/u.log'"
check "control: the program is refused" test ! -e "$T/ws/made-control"
run2 -q --audit-only --audit "$T/u.jsonl" -- $PY job2.py rec >/dev/null 2>&1
check "recorded: under --audit-only it reached the socket" grep -qx rec "$T/u.log"
"$AGENTWRAP" --suggest "$T/u.jsonl" >"$T/u.toml" 2>"$T/u.err"
check "suggested: the socket" grep -qx "\"$T/u.sock\" = \"allow\"" "$T/u.toml"
check "suggested: an exec rule for touch" grep -qx 'pattern = \["/usr/bin/touch"\]' "$T/u.toml"
run2 --config-file "$T/u.toml" -- $PY job2.py again >"$T/u2.out" 2>"$T/u2.err"
check "under the policy: the socket got the bytes" grep -qx again "$T/u.log"
check "under the policy: the program ran" test -e "$T/ws/made-again"
check "under the policy: nothing denied" sh -c "! grep -q '^agentwrap: denied' '$T/u2.err'"
kill $upid 2>/dev/null

# the word an exec was run by is the process's choice: a program of the
# workspace run as "sh" must not get an allow rule for every sh
printf '%s\n' '{"type":"event","ts":"2026-12-04T23:08:57.065000Z","pid":7,"op":"exec","path":"'"$T"'/ws/tool","argv":["sh","-c","x"],"verdict":"deny","ask":true,"rule":"approval_policy","layer":"preload","audit_only":true}' >"$T/w.jsonl"
"$AGENTWRAP" --suggest "$T/w.jsonl" >"$T/w.toml" 2>&1
check "a forged word: the program's own rule" grep -qx "pattern = \[\"$T/ws/tool\"\]" "$T/w.toml"
check "a forged word: no rule for sh, said loudly" \
    grep -q '^# !!! NOT SUGGESTED: .*: sh$' "$T/w.toml"
check "a forged word: sh still needs approval under it" \
    sh -c "'$AGENTWRAP' -a untrusted --config-file '$T/w.toml' --explain exec sh -c x | grep -q '^ask: '"

expect 125 "agentwrap: --suggest takes no --all, --json or --pid" --suggest "$T/run.jsonl" --json
finish
