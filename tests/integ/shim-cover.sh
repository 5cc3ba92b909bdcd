# The tree stays covered: a child made by fork, vfork, a thread,
# posix_spawn, system, popen, every exec variant, an exec with an empty or
# doctored environment, after closefrom / close_range / closing every
# descriptor / FD_CLOEXEC everywhere / dup2 over every descriptor, still
# has the shim: its write outside the workspace fails, its write inside
# works (so it did not just lose the shim's descriptors and fail closed).
. "$(dirname "$0")/lib.sh"

A="aw -q -a never --"
for m in fork vfork thread spawn spawn-noenv spawn-closefrom system popen \
    envi nopreload badpreload fakevars execvp execl execle execlp sysexec \
    fexecve closefrom closerange closerange-sys closeloop cloexec dup2all \
    dup2proc; do
	status 0 "cover $m" $A "$PROBES/cover" $m "$OUT/$m" "$WS/$m"
	check "cover $m: the child wrote inside" [ -e "$WS/$m" ]
	check "cover $m: nothing outside" absent "$OUT/$m"
done
check "the parent of a vfork child is still judged" absent "$OUT/vfork.parent"

# the same from the shell and from python
W='echo x > "$0"; echo y > "$1"'
status 0 "env -i" $A env -i /bin/sh -c "$W" "$OUT/envi" "$WS/envi-sh"
check "env -i: inside written" [ -e "$WS/envi-sh" ]
check "env -i: outside absent" absent "$OUT/envi"
status 0 "env -u LD_PRELOAD" $A env -u LD_PRELOAD /bin/sh -c "$W" \
    "$OUT/envu" "$WS/envu"
check "env -u: inside written" [ -e "$WS/envu" ]
check "env -u: outside absent" absent "$OUT/envu"
status 0 "LD_PRELOAD replaced" $A env LD_PRELOAD=/nonexistent.so /bin/sh -c \
    "$W" "$OUT/envr" "$WS/envr"
check "LD_PRELOAD replaced: inside written" [ -e "$WS/envr" ]
check "LD_PRELOAD replaced: outside absent" absent "$OUT/envr"

cat > "$WS/py.py" <<'PYEOF'
import os, subprocess, sys
how, out, ins = sys.argv[1:4]
w = 'echo x > "$0"; echo y > "$1"'
cmd = ["/bin/sh", "-c", w, out, ins]
if how == "close_fds":
    subprocess.run(cmd, close_fds=True)
elif how == "pass_fds":
    r, wfd = os.pipe()
    subprocess.run(cmd, close_fds=True, pass_fds=(r, wfd))
elif how == "empty_env":
    subprocess.run(cmd, env={}, close_fds=True)
elif how == "closerange":
    os.closerange(3, 65536)
    os.execv(cmd[0], cmd)
elif how == "spawn_env":
    os.waitpid(os.posix_spawn(cmd[0], cmd, {"PATH": "/bin"}), 0)
elif how == "fork_exec":
    pid = os.fork()
    if pid == 0:
        os.closerange(3, 4096)
        os.execve(cmd[0], cmd, {})
    os.waitpid(pid, 0)
PYEOF
for how in close_fds pass_fds empty_env closerange spawn_env fork_exec; do
	status 0 "python $how" $A $PY "$WS/py.py" $how "$OUT/py-$how" \
	    "$WS/py-$how"
	check "python $how: inside written" [ -e "$WS/py-$how" ]
	check "python $how: outside absent" absent "$OUT/py-$how"
done

# a deep tree: sh -> sh -> env -i -> python -> sh
status 0 "deep tree" $A sh -c "sh -c 'env -i $PY -c \"import os; os.system(\\\"echo x > $OUT/deep; echo y > $WS/deep\\\")\"'"
check "deep tree: inside written" [ -e "$WS/deep" ]
check "deep tree: outside absent" absent "$OUT/deep"
finish
