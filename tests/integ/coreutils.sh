# sh and coreutils under the default policy (workspace-write, network off):
# writes inside the workspace happen, writes outside do not, and a denied
# operation leaves everything as it was.
. "$(dirname "$0")/lib.sh"

A="aw -a never --"
# (dash exits 2 when a redirection fails, coreutils exit 1)

status 0 "sh writes inside" $A sh -c 'echo hi > a.txt'
check "a.txt holds hi" [ "$(cat a.txt 2>/dev/null)" = hi ]
status 2 "sh writes outside" $A sh -c "echo hi > '$OUT/x'"
check "outside file absent" absent "$OUT/x"
check "denial says permission denied" grep -q 'Permission denied' "$T/last.err"

status 0 "cp inside" $A cp a.txt b.txt
check "cp copied" [ "$(cat b.txt 2>/dev/null)" = hi ]
status 1 "cp outside" $A cp a.txt "$OUT/b"
check "cp target absent" absent "$OUT/b"

echo keep > "$OUT/victim"
status 1 "mv outside file in" $A mv "$OUT/victim" ./v
check "victim still there" [ "$(cat "$OUT/victim")" = keep ]
check "nothing moved in" absent ./v
status 1 "mv inside file out" $A mv a.txt "$OUT/"
check "a.txt still there" [ -f a.txt ]
check "nothing moved out" absent "$OUT/a.txt"

status 1 "rm outside" $A rm -f "$OUT/victim"
check "rm left the file" [ -f "$OUT/victim" ]
status 0 "rm inside" $A rm -f b.txt
check "rm removed" absent b.txt

status 1 "touch outside" $A touch "$OUT/t"
check "touch target absent" absent "$OUT/t"
status 1 "mkdir outside" $A mkdir "$OUT/d"
check "mkdir target absent" absent "$OUT/d"
status 0 "mkdir -p inside" $A mkdir -p d/e
check "mkdir made it" [ -d d/e ]
status 1 "tee outside" $A sh -c "echo y | tee '$OUT/tee'"
check "tee target absent" absent "$OUT/tee"

# a symlink inside pointing outside: writing through it is judged on the target
status 0 "ln -s inside" $A ln -s "$OUT/target" wl
check "link made" [ -L wl ]
status 2 "write through link" $A sh -c 'echo x > wl'
check "link target absent" absent "$OUT/target"
# a hard link to an outside file would let a later write reach it
echo orig > "$OUT/hard"
status 1 "ln outside file" $A ln "$OUT/hard" hl
check "no hard link" absent hl
check "outside file intact" [ "$(cat "$OUT/hard")" = orig ]
# .. and /proc/self/cwd aimed outside
status 2 "dot-dot outside" $A sh -c "echo x > ../out/dd"
check "dot-dot target absent" absent "$OUT/dd"
status 2 "proc cwd outside" $A sh -c "cd '$OUT' && cd '$WS' && echo x > /proc/self/cwd/../out/pc"
check "proc-cwd target absent" absent "$OUT/pc"

# protected names stay read-only inside the workspace
mkdir -p .git/hooks
echo '[core]' > .git/config
status 2 "write .git/config" $A sh -c 'echo x > .git/config'
check ".git/config unchanged" [ "$(cat .git/config)" = '[core]' ]
status 2 "write a hook" $A sh -c 'echo x > .git/hooks/pre-commit'
check "no hook" absent .git/hooks/pre-commit
status 0 "git's ordinary files are writable" $A sh -c 'echo x > .git/index'
check ".git/index written" [ -f .git/index ]

# reading is allowed
echo readable > "$OUT/r"
status 0 "cat outside" $A cat "$OUT/r"
check "cat printed it" grep -q readable "$T/last.out"
finish
