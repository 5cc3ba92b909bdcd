#!/bin/sh
# suggest.sh: agentwrap --suggest on a log recorded from a real run that
# writes outside the writable roots, reads a guarded file and writes into
# the home: the policy it prints lets the same command run again under
# -a never with nothing denied but what it refused to widen (the home),
# said loudly; its TOML is agentwrap's own.
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

expect 125 "agentwrap: --suggest takes no --all, --json or --pid" --suggest "$T/run.jsonl" --json
finish
