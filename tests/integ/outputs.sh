# What agentwrap writes during a run (--audit FILE or fd:N, --save-grants
# FILE) is out of the command's reach even inside the workspace: no write,
# truncation, rename, removal, chmod or hard link, no seeding it, no
# moving a directory above it. A file that cannot be kept so (a symlink
# on the way, a second name, a device) is refused before anything runs.
. "$(dirname "$0")/lib.sh"

# the log: JSON Lines, session_start first, session_end last, and at
# least MIN denied writes of its own path recorded
cat >"$T/check.py" <<'PYEOF'
import json, sys
path, target, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
recs = [json.loads(l) for l in open(path, "rb")]
if recs[0].get("type") != "session_start": sys.exit("no session_start first")
if recs[-1].get("type") != "session_end": sys.exit("no session_end last")
if any(r.get("type") not in ("event", "exit", "session_start", "session_end") for r in recs):
    sys.exit("a record of another type")
n = sum(1 for r in recs if r.get("op") == "write" and r.get("verdict") == "deny"
        and target in (r.get("path"), r.get("path2")))
if n < want: sys.exit("%d denied writes of %s recorded, expected %d" % (n, target, want))
print("ok")
PYEOF

attacks='echo x > run.jsonl; true > run.jsonl; echo x >> run.jsonl; rm -f run.jsonl;
    mv run.jsonl moved; echo y > other; mv -f other run.jsonl;
    ln run.jsonl hard && echo z >> hard; chmod 666 run.jsonl;
    ln -s /etc/passwd run.jsonl; mv logs logs.old; exit 0'

# --- --audit in the workspace, named relative (the common case)
status 0 "attacks on --audit run.jsonl" aw -a never --audit run.jsonl -- \
    sh -c "$attacks" 2>/dev/null
check "the log is intact JSON Lines and recorded each attempt" \
    $PY "$T/check.py" "$WS/run.jsonl" "$WS/run.jsonl" 8
check "not moved, not hard-linked" sh -c "[ ! -e '$WS/moved' ] && [ ! -e '$WS/hard' ]"
check "no line of the command's in it" sh -c "! grep -qx 'x\\|y\\|z' '$WS/run.jsonl'"
check "still mode 600" [ "$(stat -c %a "$WS/run.jsonl")" = 600 ]
check "still one name" [ "$(stat -c %h "$WS/run.jsonl")" = 1 ]

# --- a directory above it cannot be moved or replaced
mkdir -p "$WS/logs"
status 0 "move the log's directory" aw -a never --audit logs/run.jsonl -- \
    sh -c 'mv logs logs.old; mv logs/run.jsonl x; exit 0' 2>/dev/null
check "logs/ still there" [ -d "$WS/logs" ] && check "no logs.old" absent "$WS/logs.old"
check "that log is intact" $PY "$T/check.py" "$WS/logs/run.jsonl" "$WS/logs" 1

# --- fd:N on a regular file: protected at the name it has
status 0 "attacks on --audit fd:3" sh -c \
    "exec 3>'$WS/fd.jsonl'; '$AGENTWRAP' -C '$WS' -a never \
    -c sandbox_workspace_write.exclude_slash_tmp=true \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true --audit fd:3 -- \
    sh -c 'echo x > fd.jsonl; rm -f fd.jsonl; exit 0' 2>/dev/null"
check "the fd:3 log is intact" $PY "$T/check.py" "$WS/fd.jsonl" "$WS/fd.jsonl" 2

# --- --save-grants: neither rewritten nor seeded, nor its replacement
printf '# mine\n[agentwrap.filesystem.paths]\n"/srv/x" = "write"\n' >"$WS/grants.toml"
cp "$WS/grants.toml" "$T/grants.orig"
status 0 "attacks on --save-grants grants.toml" aw -a never \
    --save-grants grants.toml --audit "$T/g.jsonl" -- sh -c \
    'echo "sandbox_mode = \"danger-full-access\"" >> grants.toml; true > grants.toml;
     rm -f grants.toml; mv grants.toml g2; ln grants.toml g3;
     echo "[x]" > grants.toml.agentwrap-new; exit 0' 2>/dev/null
check "grants.toml unchanged, byte for byte" cmp -s "$T/grants.orig" "$WS/grants.toml"
check "no replacement file seeded" absent "$WS/grants.toml.agentwrap-new"
check "each attempt was recorded" $PY "$T/check.py" "$T/g.jsonl" "$WS/grants.toml" 5
status 0 "seed a grants file that is not there yet" aw -a never \
    --save-grants new-grants.toml -- sh -c \
    'echo "sandbox_mode = \"danger-full-access\"" > new-grants.toml; exit 0' 2>/dev/null
check "not seeded" absent "$WS/new-grants.toml"

# --- refused before anything runs: exit 125, the command never started
ln -s run.jsonl "$WS/link.jsonl"
mkdir -p "$OUT/real" && ln -s "$OUT/real" "$WS/linkdir"
echo a >"$WS/two.jsonl" && ln "$WS/two.jsonl" "$WS/two-b.jsonl"
for args in "--audit link.jsonl" "--audit linkdir/run.jsonl" \
    "--audit two.jsonl" "--audit /dev/null" "--save-grants link.jsonl" \
    "--save-grants two.jsonl" "--save-grants $WS/logs"; do
	# shellcheck disable=SC2086
	status 125 "refused: $args" aw -a never $args -- touch "$WS/ran"
	check "refused with a reason: $args" grep -q \
	    "^agentwrap: --[a-z-]* [^:]*: \\(a symlink is on the way\\|it has 2 names\\|not a regular file\\)" \
	    "$T/last.err"
	check "the command did not run: $args" absent "$WS/ran"
done
check "the hard-linked file was not truncated" [ "$(cat "$WS/two.jsonl")" = a ]
finish
