# python3: open, os.open, pathlib, shutil, subprocess(close_fds=True),
# threads, os.posix_spawn and multiprocessing, inside and outside.
. "$(dirname "$0")/lib.sh"

A="aw -a never --"
cat > "$WS/t.py" <<PYEOF
import os, sys, shutil, pathlib, subprocess, threading, multiprocessing
out = sys.argv[1]
what = sys.argv[2]
def attempt(f):
    try:
        f()
        print("ok")
    except PermissionError:
        print("denied")
if what == "open":
    attempt(lambda: open(os.path.join(out, "open"), "w").write("x"))
elif what == "osopen":
    attempt(lambda: os.close(os.open(os.path.join(out, "osopen"), os.O_WRONLY | os.O_CREAT, 0o644)))
elif what == "pathlib":
    attempt(lambda: pathlib.Path(out, "pathlib").write_text("x"))
elif what == "shutil":
    attempt(lambda: shutil.copy("t.py", os.path.join(out, "shutil")))
elif what == "subprocess":
    subprocess.run(["/bin/sh", "-c", "echo x > '%s/subprocess'" % out], close_fds=True)
elif what == "thread":
    t = threading.Thread(target=lambda: attempt(lambda: open(os.path.join(out, "thread"), "w").write("x")))
    t.start(); t.join()
elif what == "spawn":
    pid = os.posix_spawn("/bin/sh", ["/bin/sh", "-c", "echo x > '%s/spawn'" % out], dict(os.environ))
    os.waitpid(pid, 0)
elif what == "mp":
    p = multiprocessing.Process(target=lambda: open(os.path.join(out, "mp"), "w").write("x"))
    p.start(); p.join()
PYEOF
for what in open osopen pathlib shutil thread; do
	status 0 "python $what outside" $A $PY t.py "$OUT" $what
	check "python $what said denied" grep -qx denied "$T/last.out"
	check "python $what target absent" absent "$OUT/$what"
	status 0 "python $what inside" $A $PY t.py "$WS" $what
	check "python $what inside worked" [ -e "$WS/$what" ]
done
for what in subprocess spawn mp; do
	$A $PY t.py "$OUT" $what >/dev/null 2>&1
	check "python $what target absent" absent "$OUT/$what"
	status 0 "python $what inside" $A $PY t.py "$WS" $what
	check "python $what inside worked" [ -e "$WS/$what" ]
done
finish
