# Symlink, hard link, rename, "..", /proc/self/cwd, directory-descriptor,
# reopen and O_TMPFILE tricks aimed outside the workspace: each fails with
# EACCES and leaves everything as it was (tests/probe/tricks.c); a denied
# rename leaves both paths as they were.
. "$(dirname "$0")/lib.sh"

A="aw -q -a never --"
printf 'keep\n' > "$OUT/victim"
status 0 "every trick held" $A "$PROBES/tricks" "$WS" "$OUT"
if [ -s "$T/last.out" ] && grep -q ESCAPED "$T/last.out"; then
	grep ESCAPED "$T/last.out" | sed 's/^/    /'
fi
check "tricks ran them all" [ "$(grep -c '^held ' "$T/last.out")" -ge 30 ]
check "victim intact" [ "$(cat "$OUT/victim")" = keep ]
check "nothing else appeared outside" [ "$(ls -A "$OUT")" = victim ]
check "nothing appeared next to the workspace" \
    [ "$(ls -A "$T" | grep -v '^last\.' | tr '\n' ' ')" = "home out ws " ]

# the same idea from the shell, each checked on its effect (a redirection
# that fails is exit status 2 in sh, a failed command 1)
echo data > "$WS/mine"
status 1 "mv to a denied place" $A mv "$WS/mine" "$OUT/mine"
check "mv: source kept" [ "$(cat "$WS/mine")" = data ]
check "mv: nothing at the target" absent "$OUT/mine"
status 1 "mv a denied file in" $A mv "$OUT/victim" "$WS/v"
check "mv in: victim kept" [ "$(cat "$OUT/victim")" = keep ]
check "mv in: nothing inside" absent "$WS/v"
ln -s "$OUT" "$WS/lnk"
status 1 "cp through a symlinked directory" $A cp "$WS/mine" "$WS/lnk/c"
check "cp: nothing outside" absent "$OUT/c"
status 1 "rm through a symlinked directory" $A rm -f "$WS/lnk/victim"
check "rm: victim kept" [ "$(cat "$OUT/victim")" = keep ]
status 0 "rm of the link itself is inside" $A rm "$WS/lnk"
check "the link is gone, its target not" [ -d "$OUT" ]
mkdir -p "$WS/a/b"
status 2 "cd and .." $A sh -c "cd a/b && echo x > ../../../out/dd"
check "..: nothing outside" absent "$OUT/dd"
status 2 "/proc/self/cwd" $A sh -c "echo x > /proc/self/cwd/../out/pc"
check "/proc/self/cwd: nothing outside" absent "$OUT/pc"

# a shell writing to its own stdout or stderr by name: the descriptor is
# already open for writing, so a reopen is no new access (here the output
# goes to a file outside the workspace, as `agentwrap cmd > log` does)
status 0 "echo > /dev/stdout" $A sh -c 'echo hi > /dev/stdout'
check "/dev/stdout reached the redirected output" \
    [ "$(cat "$T/last.out")" = hi ]
status 0 "tee /dev/stderr" $A sh -c 'echo hi | tee /dev/stderr > /dev/null'
check "/dev/stderr reached the redirected output" \
    grep -qx hi "$T/last.err"
aw -q -a never -- sh -c 'echo one >> /proc/self/fd/1' >> "$OUT/log"
check "append through /proc/self/fd/1" [ "$(cat "$OUT/log")" = one ]

# making an entry that exists fails with EEXIST as it would anyway: mkdir -p
# of an absolute path walks its existing ancestors outside the workspace
# without a denial to report
status 0 "mkdir -p of an absolute path" aw -a never -- mkdir -p "$WS/m/n"
check "mkdir -p made it" [ -d "$WS/m/n" ]
check "mkdir -p: no denial reported" sh -c "! grep -q denied '$T/last.err'"
status 1 "mkdir of an existing outside directory" aw -a never -- mkdir "$OUT"
check "it says the directory exists" grep -q 'File exists' "$T/last.err"
check "and reports no denial" sh -c "! grep -q denied '$T/last.err'"
finish
