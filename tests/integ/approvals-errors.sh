# What can go wrong with a harness, and what agentwrap does: answers out
# of order reach the right process; garbage, unknown and duplicate answers
# are logged and ignored; a harness that disconnects gets every open and
# later question denied, and nothing hangs; approval_timeout denies what
# nobody answers; a process that dies while it waits has its question
# withdrawn.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
. "$D/lib.sh"
. "$D/approvals.inc"

# out of order: three questions open at once, answered newest first
H="--batch 3 --rule write:*/ooo-b=deny --rule write:*=allow"
status 0 "out of order" hrun -- sh -c "echo a > '$OUT/ooo-a' &
    echo b > '$OUT/ooo-b' & echo c > '$OUT/ooo-c' & wait"
check "a written" [ -f "$OUT/ooo-a" ]
check "b denied" absent "$OUT/ooo-b"
check "c written" [ -f "$OUT/ooo-c" ]
check "answered in the reverse order of the questions" hlog_ok '
    len(reqs) == 3 and [a["id"] for a in answers] ==
    [r["id"] for r in reqs][::-1]'
check "each process got its own answer" audit_ok 'sorted((r["path"][-1],
    r["verdict"]) for r in asked) == [("a", "allow"), ("b", "deny"),
    ("c", "allow")]'

# garbage around every answer, and each answer sent twice (the second time
# with the opposite decision): only the first, well-formed one counts
H="--noise --rule write:*/n-deny=deny --rule write:*=allow"
status 0 "noise" hrun -- sh -c "echo 1 > '$OUT/n-allow'; echo 2 > '$OUT/n-deny';
    echo 3 > '$OUT/n-allow2'; true"
check "allowed despite the noise" [ -f "$OUT/n-allow" ] && [ -f "$OUT/n-allow2" ]
check "denied despite the noise" absent "$OUT/n-deny"
check "noise: three questions, three decisions" audit_ok '
    sorted(r["verdict"] for r in asked) == ["allow", "allow", "deny"] and
    all(r["decided_by"] == "harness" for r in asked)'
check "noise: every bad line logged" audit_ok '
    len(errors) == 3 * 8 and
    sum("not JSON" in e["why"] and "duplicate" not in e["why"]
        for e in errors) == 3 and
    sum("unknown type" in e["why"] for e in errors) == 3 and
    sum("unknown key" in e["why"] for e in errors) == 3 and
    sum("never asked" in e["why"] for e in errors) == 3 and
    sum("decision is not" in e["why"] for e in errors) == 3 and
    sum("64 KiB" in e["why"] for e in errors) == 3 and
    sum("no longer open" in e["why"] for e in errors) == 3 and
    sum("not JSON" in e["why"] and "duplicate" in e["why"]
        for e in errors) == 3 and recs[-1]["approval_errors"] == 24'
check "noise: said on stderr, bounded" test \
    "$(grep -c 'approval harness: ' "$T/last.err")" -eq 10

# a harness that disconnects: the open question is denied, so is every
# later one, and the run goes on to its end
H="--disconnect-after 1"
t0=$(date +%s)
status 0 "disconnect" hrun -- sh -c "echo 1 > '$OUT/dc1'; echo 2 > '$OUT/dc2';
    echo end > '$WS/end'"
check "disconnect: no hang" [ "$(elapsed_since "$t0")" -lt 30 ]
check "disconnect: open question denied" absent "$OUT/dc1"
check "disconnect: later question denied" absent "$OUT/dc2"
check "disconnect: the command went on" [ -f "$WS/end" ]
check "disconnect: said" grep -q "the approval harness is gone" "$T/last.err"
check "disconnect: decided_by no-channel" audit_ok 'len(asked) == 2 and
    all(r["decided_by"] == "no-channel" and r["verdict"] == "deny"
    for r in asked)'

# approval_timeout: nobody answers
H="--rule write:*=ignore"
t0=$(date +%s)
status 0 "timeout" hrun -c approval_timeout=1 -- sh -c "echo 1 > '$OUT/to'; true"
el=$(elapsed_since "$t0")
check "timeout: denied" absent "$OUT/to"
check "timeout: after about a second ($el s)" [ "$el" -ge 1 ] && [ "$el" -lt 30 ]
check "timeout: decided_by" audit_ok 'len(asked) == 1 and
    asked[0]["decided_by"] == "timeout" and asked[0]["wait_ms"] >= 900'
check "timeout: the harness was told" hlog_ok 'len(cancels) == 1 and
    cancels[0]["reason"] == "timeout" and cancels[0]["id"] == reqs[0]["id"]'
check "timeout: the line says so" grep -q \
    "nobody answered within approval_timeout = 1 s" "$T/last.err"

# a process that dies while it waits: its question is withdrawn
H="--rule write:*=ignore"
t0=$(date +%s)
status 0 "asker killed" hrun -c approval_timeout=100 -- sh -c "
    sh -c \"echo 1 > '$OUT/killed'\" & p=\$!
    i=0; while [ ! -s '$T/h.log' ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done
    sleep 0.3; kill -KILL \$p; wait; echo ok > '$WS/after'"
check "asker killed: no wait for the timeout" [ "$(elapsed_since "$t0")" -lt 30 ]
check "asker killed: the rest ran" [ -f "$WS/after" ]
check "asker killed: nothing written" absent "$OUT/killed"
check "asker killed: withdrawn" audit_ok 'len(asked) == 1 and
    asked[0]["decided_by"] == "withdrawn"'
check "asker killed: the harness was told" hlog_ok 'len(cancels) == 1 and
    cancels[0]["reason"] == "withdrawn"'
finish
