# Exec judged in every process: a forbidden program fails with EACCES from
# sh, bash (under another argv[0]), python (subprocess, os.posix_spawn,
# os.system) and C (execve, posix_spawn, system, popen), and it did not
# run; what is allowed runs.
. "$(dirname "$0")/lib.sh"

R="$T/rules.toml"
printf '%s\n' >"$R" \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["rm"]' \
    'decision = "forbidden"' \
    '' \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["git", "push"]' \
    'decision = "prompt"'
A="aw -q -a never --config-file $R --"
RM=$(command -v rm)

touch v1 v2 v3 v4 v5 v6 v7
status 126 "sh: rm forbidden" $A sh -c 'rm v1'
check "sh: v1 kept" [ -e v1 ]
check "sh says Permission denied" grep -q 'Permission denied' "$T/last.err"
if command -v bash >/dev/null 2>&1; then
	status 126 "bash: rm run as ls" $A bash -c "exec -a ls $RM v2"
	check "bash: v2 kept" [ -e v2 ]
fi
cat > "$T/x.py" <<'PYEOF'
import os, subprocess, sys
how, rm, f = sys.argv[1:4]
try:
    if how == "subprocess":
        subprocess.run([rm, f])
    elif how == "spawn":
        os.waitpid(os.posix_spawn(rm, [rm, f], dict(os.environ)), 0)
    elif how == "system":
        print(os.waitstatus_to_exitcode(os.system("rm " + f)))
        sys.exit(0)
    print("ran")
except PermissionError:
    print("denied")
PYEOF
status 0 "python subprocess" $A $PY "$T/x.py" subprocess "$RM" v3
check "python subprocess: denied" [ "$(cat "$T/last.out")" = denied ]
check "python subprocess: v3 kept" [ -e v3 ]
status 0 "python posix_spawn" $A $PY "$T/x.py" spawn "$RM" v4
check "python posix_spawn: denied" [ "$(cat "$T/last.out")" = denied ]
check "python posix_spawn: v4 kept" [ -e v4 ]
status 0 "python os.system" $A $PY "$T/x.py" system "$RM" v5
check "python os.system: the shell could not run rm" \
    [ "$(cat "$T/last.out")" = 126 ]
check "python os.system: v5 kept" [ -e v5 ]

# C: every exec entry point
touch v8
status 0 "C entry points" $A "$PROBES/execdeny" "$RM" v8
for how in execve execvp syscall posix_spawn posix_spawnp; do
	check "C $how: EACCES" grep -qx "$how EACCES" "$T/last.out"
done
check "C system: the shell could not run it" grep -qx "system 126" "$T/last.out"
check "C popen: the shell could not run it" grep -qx "popen 126" "$T/last.out"
check "C: v8 kept" [ -e v8 ]

# prompt is asked, and asking is denied for now (-a never)
status 126 "git push needs approval" $A sh -c 'git push 2>/dev/null'

# allowed programs run, and so do their children
status 0 "allowed" $A sh -c 'ls v6 && cat v6 && sh -c "echo nested > n.txt"'
check "nested child ran" [ "$(cat n.txt)" = nested ]
# without the rule rm runs and removes
status 0 "rm without the rule" aw -q -a never -- sh -c 'rm v7'
check "v7 removed" absent v7
finish
