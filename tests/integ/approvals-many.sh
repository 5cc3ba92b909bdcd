# 32 processes ask at once: the harness holds its answers until all 32
# questions are open (so they really are open together), then answers them
# newest first, allowing the even-numbered and denying the odd. Every
# process gets its own answer: exactly the even files exist, none hangs,
# none is lost, and the supervisor kept serving meanwhile.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
. "$D/lib.sh"
. "$D/approvals.inc"

H="--batch 32 --batch-wait 60 --rule write:*/even-*=allow --rule write:*=deny"
t0=$(date +%s)
status 0 "32 at once" hrun -- sh -c "
    i=0
    while [ \$i -lt 32 ]; do
        if [ \$((i % 2)) -eq 0 ]; then n=even-\$i; else n=odd-\$i; fi
        sh -c \"echo \$i > '$OUT/\$n'\" &
        i=\$((i + 1))
    done
    wait
    echo done > '$WS/done'"
check "32: no hang ($(elapsed_since "$t0") s)" [ "$(elapsed_since "$t0")" -lt 90 ]
check "32: the command finished" [ -f "$WS/done" ]
n=0; bad=0; i=0
while [ $i -lt 32 ]; do
	if [ $((i % 2)) -eq 0 ]; then
		[ "$(cat "$OUT/even-$i" 2>/dev/null)" = "$i" ] && n=$((n + 1)) || bad=$((bad + 1))
	else
		absent "$OUT/odd-$i" || bad=$((bad + 1))
	fi
	i=$((i + 1))
done
check "32: exactly the 16 even files exist ($n, $bad wrong)" [ "$n" -eq 16 ] && [ "$bad" -eq 0 ]
check "32: nothing else in $OUT" [ "$(ls "$OUT" | wc -l)" -eq 16 ]
check "32: 32 questions, all open at once, 32 answers" hlog_ok '
    len(reqs) == 32 and len(set(r["id"] for r in reqs)) == 32 and
    [a["id"] for a in answers] == [r["id"] for r in reqs][::-1]'
check "32: each recorded with its own answer" audit_ok 'len(asked) == 32 and
    all(r["decided_by"] == "harness" for r in asked) and
    all((r["verdict"] == "allow") == ("/even-" in r["path"]) for r in asked)
    and len(set(r["pid"] for r in asked)) == 32'
finish
