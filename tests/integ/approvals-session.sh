# Session grants: an allow_session answer lets every later process do
# exactly that without a question (the shims pick up the new policy
# generation), a deny_session answer denies it without a question, neither
# covers anything the question did not name, and --save-grants appends them
# as TOML that agentwrap reads back.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
. "$D/lib.sh"
. "$D/approvals.inc"

# allow_session, seen by other processes: sh, a child sh, python
H="--rule write:*=allow_session"
status 0 "allow_session run" hrun --save-grants "$T/g.toml" -- sh -c "
    echo 1 > '$OUT/s'
    sh -c \"echo 2 >> '$OUT/s'\"
    $PY -c \"open('$OUT/s', 'a').write('3\\\\n')\""
check "all three writes happened" [ "$(cat "$OUT/s" 2>/dev/null | tr '\n' ' ')" = "1 2 3 " ]
check "one question only" [ "$(asked)" -eq 1 ]
check "audit: one grant, later writes by it" audit_ok 'len(grants) == 1 and
    grants[0]["decision"] == "allow_session" and
    grants[0]["path"] == "'"$OUT"'/s" and grants[0]["op"] == "write" and
    len([r for r in ev if r["op"] == "write" and
    r.get("rule") == "session-grant" and r["verdict"] == "allow"]) >= 2'
check "grant in the exit summary" grep -q \
    "^agentwrap: session grant: allow write: exactly the path $OUT/s (approval request 1, harness)" \
    "$T/last.err"
check "saved as TOML" grep -qx "\"$OUT/s\" = \"write\"" "$T/g.toml"
# one mapping from a denial to its setting: the saved entry names the
# wider setting in the same words as the denial line of the same write
# (and --report's "to allow")
status 2 "the same write, denied" "$AGENTWRAP" $AWOPTS -a never --audit "$T/dn.jsonl" \
    -- sh -c "echo 1 > '$OUT/s'"
check "the denial line's setting" grep -q \
    "to allow: --add-dir $OUT or sandbox_workspace_write.writable_roots$" "$T/last.err"
check "the saved grant names it in the same words" grep -qx \
    "# or wider, the whole directory: --add-dir $OUT or sandbox_workspace_write.writable_roots" "$T/g.toml"
"$AGENTWRAP" --report "$T/dn.jsonl" >"$T/dn.txt"
check "and --report too" grep -qx \
    "      to allow: --add-dir $OUT or sandbox_workspace_write.writable_roots" "$T/dn.txt"
status 0 "saved file is a config agentwrap reads" "$AGENTWRAP" \
    --config-file "$T/g.toml" $AWOPTS --explain write "$OUT/s"
check "it allows that path" grep -q "^allow: " "$T/last.out"
status 2 "and no other" "$AGENTWRAP" --config-file "$T/g.toml" $AWOPTS \
    --explain write "$OUT/s2"

# never wider than asked: another path in the same directory asks again
H="--rule write:*=allow_session"
status 0 "two paths" hrun -- sh -c "echo > '$OUT/a1'; echo > '$OUT/a2'; echo > '$OUT/a1'"
check "both written" [ -f "$OUT/a1" ] && [ -f "$OUT/a2" ]
check "two questions, not three" [ "$(asked)" -eq 2 ]

# deny_session: later attempts are denied without a question
H="--rule write:*=deny_session"
status 0 "deny_session run" hrun -- sh -c "echo 1 > '$OUT/d'; echo 2 > '$OUT/d';
    sh -c \"echo 3 > '$OUT/d'\"; true"
check "denied file absent" absent "$OUT/d"
check "deny_session: one question" [ "$(asked)" -eq 1 ]
check "audit: later denials by the grant" audit_ok 'len(grants) == 1 and
    grants[0]["decision"] == "deny_session" and
    len([r for r in ev if r["op"] == "write" and r["verdict"] == "deny" and
    r.get("rule") == "session-grant"]) >= 2'

# exec: a command prefix (argv[0..1]) under untrusted
H="--rule exec:sh*=allow --rule exec:touch*=allow_session"
status 0 "exec grant" hrun -a untrusted -- sh -c "touch '$WS/e1'; touch '$WS/e1' '$WS/e2'; sh -c \"touch '$WS/e1' '$WS/e3'\"; touch '$WS/e4'"
check "granted prefix ran three times" [ -f "$WS/e2" ] && [ -f "$WS/e3" ]
check "another argv[1] was asked (and allowed)" [ -f "$WS/e4" ]
check "exec questions: sh, sh, touch e1, touch e4" hlog_ok '
    [r["argv"][:2] for r in reqs if r["argv"][0] == "touch"] ==
    [["touch", "'"$WS"'/e1"], ["touch", "'"$WS"'/e4"]]'

# --save-grants appends; a second run keeps the file valid
H="--rule write:*=allow_session"
status 0 "second save" hrun --save-grants "$T/g.toml" -- sh -c "echo > '$OUT/s2'"
check "two blocks" [ "$(grep -c '^# agentwrap --save-grants' "$T/g.toml")" -eq 2 ]
status 0 "appended file still reads" "$AGENTWRAP" --config-file "$T/g.toml" \
    $AWOPTS --explain write "$OUT/s"
status 0 "the new grant is in it" "$AGENTWRAP" --config-file "$T/g.toml" \
    $AWOPTS --explain write "$OUT/s2"
check "one table, both entries in it" [ "$(grep -c '^\[agentwrap.filesystem.paths\]$' "$T/g.toml")" -eq 1 ]
# the same key again cannot go in: it is appended as a comment
status 0 "third save, same path" hrun --save-grants "$T/g.toml" -- sh -c "echo > '$OUT/s2'"
check "a repeated key is commented, with a note" grep -q \
    "^# this does not fit in the file" "$T/g.toml"
status 0 "the file still reads" "$AGENTWRAP" --config-file "$T/g.toml" \
    $AWOPTS --explain write "$OUT/s2"
# a name no TOML string can hold exactly is only a comment
H="--rule write:*=allow_session"
status 0 "odd bytes" hrun --save-grants "$T/g2.toml" -- $PY -c \
    "open(b'$OUT/odd-\\xff-\\n-\\r-\\b-x', 'w').close()"
status 0 "odd bytes: file reads" "$AGENTWRAP" --config-file "$T/g2.toml" \
    -C "$WS" --print-config
check "odd bytes: not UTF-8 noted" grep -q "not UTF-8" "$T/g2.toml"
finish
