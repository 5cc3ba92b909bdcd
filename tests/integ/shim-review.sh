# Ways past the shim that a security review found, each tried under the
# default policy (workspace-write, network off) and checked on its effect:
# a file absent, a mode, a timestamp or an extended attribute unchanged,
# nothing received by a name server, and the denial reported
# (tests/probe/review.c makes the calls a shell cannot).
. "$(dirname "$0")/lib.sh"

A="aw -a never --"
R="$PROBES/review"
RM=$(command -v rm)

# 1. File capabilities make an exec secure (AT_SECURE), and the loader would
# ignore LD_PRELOAD; but the tree runs under no_new_privs (the kernel floor),
# where capabilities grant nothing and the exec is not secure: the shim is
# inside such a program, and it is not reported as uncovered
# (tests/integ/floor.sh shows the same for a set-user-ID program on its
# effects). Only root can set security.capability.
status 0 "a plain program" $A sh -c /bin/true
check "a plain program is covered" sh -c "! grep -q 'not covered' '$T/last.err'"
# tests/run, as root, prepares one ($CAPTRUE) before dropping to nobody
cap=${CAPTRUE:-}
if [ -z "$cap" ] && [ "$(id -u)" -eq 0 ] && command -v setcap >/dev/null 2>&1 &&
    cp /bin/true "$WS/captrue" && setcap cap_net_raw+ep "$WS/captrue"; then
	cap="$WS/captrue"
fi
if [ -n "$cap" ]; then
	status 0 "a program with file capabilities runs" $A "$cap"
	status 0 "a program with file capabilities, from sh" \
	    $A sh -c "'$cap'"
	check "it is not reported as not covered" \
	    sh -c "! grep -q 'not covered' '$T/last.err'"
else
	echo "note: file capabilities not tried: setting security.capability" \
	    "needs root (CAP_SETFCAP) and setcap; running as uid $(id -u)"
fi

# 1b. A program that can be run but not read (mode 0111) cannot be looked
# into: reported as not covered. A PATH search that tries directories the
# process may not even enter is not: each of those execs fails anyway.
# (root reads any file, so this is only tried as another user: tests/run
# runs the integration tests as nobody)
if [ "$(id -u)" -ne 0 ]; then
	cp /bin/true "$WS/xonly"
	chmod 0111 "$WS/xonly"
	# nothing can follow it (the watch cannot read a process the kernel
	# made not dumpable): refused by default, run and noted with allow
	status 126 "an execute-only program is refused" $A sh -c "'$WS/xonly'"
	check "the denial names agentwrap.uncovered" \
	    grep -q "agentwrap.uncovered = deny" "$T/last.err"
	status 0 "uncovered = allow: an execute-only program runs" \
	    aw -a never -c agentwrap.uncovered=allow -- sh -c "'$WS/xonly'"
	check "it is reported as not covered" \
	    grep -q "not covered: $WS/xonly" "$T/last.err"
else
	echo "note: execute-only program not tried: root can read it"
fi
mkdir -p "$T/shut/bin"
cp /bin/true "$T/shut/bin/xtrue"
chmod 0 "$T/shut"
status 0 "a PATH search through a directory it may not enter" $A env \
    PATH="$T/shut/bin:/usr/bin:/bin" $PY -c \
    'import subprocess; subprocess.run(["true"], check=True)'
check "no exec of it is reported as not covered" \
    sh -c "! grep -q 'not covered' '$T/last.err'"
chmod 755 "$T/shut"

# 2. Lookups glibc runs on its own resolver: reverse lookups, the raw DNS
# interface, getaddrinfo_a. With the network off each fails, says so, and
# sends nothing: the res_* calls are pointed at a name server of the
# test's own, which counts what it receives.
cat > "$T/dns.py" <<'PYEOF'
import os, socket, sys
if sys.argv[1] == "listen":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    s.settimeout(60)
    n = 0
    while s.recv(4096) != b"stop":
        n += 1
    with open(sys.argv[2] + ".count.tmp", "w") as f:
        f.write(str(n))
    os.rename(sys.argv[2] + ".count.tmp", sys.argv[2] + ".count")
elif sys.argv[1] == "stop":
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
        b"stop", ("127.0.0.1", int(sys.argv[2])))
else:
    for what, f in (("gethostbyaddr",
                     lambda: socket.gethostbyaddr("93.184.215.14")),
                    ("getnameinfo", lambda: socket.getnameinfo(
                        ("93.184.215.14", 80), socket.NI_NAMEREQD))):
        try:
            f()
            print(what, "resolved")
        except OSError:
            print(what, "failed")
    print("numeric", socket.getnameinfo(("93.184.215.14", 80),
                                        socket.NI_NUMERICSERV)[0])
PYEOF
listen() {
	rm -f "$T/port" "$T/port.count"
	$PY "$T/dns.py" listen "$T/port" &
	lpid=$!
	i=0
	# python's start can take seconds on a loaded 2-core machine
	while [ ! -s "$T/port" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$T/port" 2>/dev/null)
	[ -n "$port" ] || echo "the test's name server did not start"
}
# (called in $(...), a subshell, which cannot wait for the server: it
# waits for the count the server writes last)
received() {
	$PY "$T/dns.py" stop "$port"
	i=0
	while [ ! -e "$T/port.count" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cat "$T/port.count" 2>/dev/null || echo none
}
listen
"$R" nquery example.com "$port" >/dev/null
check "control: unwrapped, res_nquery reaches the test's name server" \
    [ "$(received)" -ge 1 ]
listen
status 0 "raw DNS and reverse lookups" $A "$R" dns example.com "$port"
check "nothing reached the name server" [ "$(received)" = 0 ]
for call in res_query res_search res_querydomain res_send res_nquery \
    __res_query; do
	check "$call fails with NO_RECOVERY" \
	    grep -qx "$call -1 h_errno=$((3))" "$T/last.out"
done
check "gethostbyaddr_r fails with NO_RECOVERY" \
    grep -qx "gethostbyaddr_r failed h_errno=3" "$T/last.out"
check "getaddrinfo_a fails with EAI_FAIL" \
    grep -qx "getaddrinfo_a -4 gai_error=EAI_FAIL" "$T/last.out"
check "the name's resolution is reported denied" \
    grep -q "^agentwrap: denied resolve example.com " "$T/last.err"
check "res_querydomain's name too" \
    grep -q "^agentwrap: denied resolve www.example.com " "$T/last.err"
check "the reverse lookup's address too" \
    grep -q "^agentwrap: denied resolve 93.184.215.14 " "$T/last.err"
status 0 "python reverse lookups" $A $PY "$T/dns.py" lookups
check "python gethostbyaddr fails" \
    grep -qx "gethostbyaddr failed" "$T/last.out"
check "python getnameinfo(NI_NAMEREQD) fails" \
    grep -qx "getnameinfo failed" "$T/last.out"
check "python getnameinfo without NI_NAMEREQD gives the number" \
    grep -qx "numeric 93.184.215.14" "$T/last.out"
check "python: denied resolve reported" \
    grep -q "^agentwrap: denied resolve 93.184.215.14 " "$T/last.err"

# 3. wordexp runs command substitutions in a shell of its own, past the
# shim: refused as under WRDE_NOCMD, reported as a denied exec of /bin/sh
"$R" wordexp cmd "\$(touch '$WS/ctl')" >/dev/null
check "control: unwrapped, wordexp runs the substitution" [ -e "$WS/ctl" ]
status 0 "wordexp with command substitutions" \
    $A "$R" wordexp cmd "a \$(touch '$OUT/w1') \`touch '$OUT/w2'\` b"
check "wordexp: WRDE_CMDSUB" grep -qx "wordexp WRDE_CMDSUB" "$T/last.out"
check "wordexp: \$(...) did not run" absent "$OUT/w1"
check "wordexp: \`...\` did not run" absent "$OUT/w2"
check "wordexp: a denied exec of /bin/sh is reported" \
    grep -q "^agentwrap: denied exec /bin/sh -c a " "$T/last.err"
status 0 "wordexp inside the workspace" \
    $A "$R" wordexp cmd "\$(touch '$WS/w3')"
check "wordexp: refused inside too (the shell is not covered)" \
    absent "$WS/w3"
status 0 "wordexp without substitutions" $A "$R" wordexp cmd 'x $((1+2)) y'
check "wordexp: the rest expands" grep -qx "wordexp ok x 3 y" "$T/last.out"
status 0 "wordexp with WRDE_NOCMD" $A "$R" wordexp nocmd "\$(touch '$OUT/w4')"
check "wordexp WRDE_NOCMD: WRDE_CMDSUB" \
    grep -qx "wordexp WRDE_CMDSUB" "$T/last.out"
check "wordexp WRDE_NOCMD: no denial (libc refused it)" \
    sh -c "! grep -q denied '$T/last.err'"

# 4. posix_spawn file actions: a relative open after a chdir action opens
# where the chdir leads, after an fchdir action somewhere unknown
status 0 "spawn: chdir outside, then a relative open" \
    $A "$R" spawnopen chdir "$OUT" f1
check "chdir outside: the open action is refused" \
    grep -qx "addopen EACCES" "$T/last.out"
check "chdir outside: nothing outside" absent "$OUT/f1"
check "chdir outside: nothing here" absent "$WS/f1"
status 0 "spawn: fchdir, then a relative open" \
    $A "$R" spawnopen fchdir "$OUT" f2
check "fchdir: the open action is refused" \
    grep -qx "addopen EACCES" "$T/last.out"
check "fchdir: nothing outside" absent "$OUT/f2"
mkdir -p "$WS/sub"
status 0 "spawn: chdir inside, then a relative open" \
    $A "$R" spawnopen chdir sub f3
check "chdir inside: spawned" grep -qx "spawn ok" "$T/last.out"
check "chdir inside: opened where the chdir leads" [ -f "$WS/sub/f3" ]
status 0 "spawn: chdir inside, then .. outside" \
    $A "$R" spawnopen chdir "$WS/sub" ../../out/f4
check "chdir and ..: refused" grep -qx "addopen EACCES" "$T/last.out"
check "chdir and ..: nothing outside" absent "$OUT/f4"

# 5. FIFOs are entries made like any other
status 1 "mkfifo outside" $A mkfifo "$OUT/fifo"
check "mkfifo: nothing outside" absent "$OUT/fifo"
status 0 "python os.mkfifo outside" $A $PY -c "import os
try:
    os.mkfifo('$OUT/pyfifo'); print('made')
except PermissionError:
    print('denied')"
check "python os.mkfifo: denied" grep -qx denied "$T/last.out"
check "python os.mkfifo: nothing outside" absent "$OUT/pyfifo"
status 0 "mkfifo and mkfifoat outside, from C" $A "$R" mkfifo "$OUT/cfifo"
check "C mkfifo: EACCES" grep -qx "mkfifo EACCES" "$T/last.out"
check "C mkfifoat: EACCES" grep -qx "mkfifoat EACCES" "$T/last.out"
check "C: nothing outside" sh -c "! ls '$OUT' | grep -q fifo"
status 0 "mkfifo inside" $A mkfifo "$WS/fifo"
check "mkfifo inside made it" [ -p "$WS/fifo" ]

# 6. Metadata: extended attributes by path, and mode, owner, times and
# attributes through a descriptor opened only for reading
echo keep > "$OUT/victim"
chmod 644 "$OUT/victim"
touch -d 2001-01-01 "$OUT/victim"
xattrs=0
if $PY -c 'import os, sys; os.setxattr(sys.argv[1], "user.keep", b"1")' \
    "$OUT/victim" 2>/dev/null; then
	xattrs=1
else
	echo "note: this filesystem takes no user.* attributes: only the" \
	    "calls' errors, mode and times are checked"
fi
mtime=$(stat -c %Y "$OUT/victim")
cat > "$T/meta.py" <<'PYEOF'
import os, sys
f = sys.argv[1]
def t(name, fn):
    try:
        fn()
        print(name, "ok")
    except PermissionError:
        print(name, "denied")
    except OSError as e:
        print(name, e.errno)
t("setxattr", lambda: os.setxattr(f, "user.review", b"x"))
t("lsetxattr", lambda: os.setxattr(f, "user.review", b"x",
                                   follow_symlinks=False))
t("removexattr", lambda: os.removexattr(f, "user.keep"))
fd = os.open(f, os.O_RDONLY)
t("fchmod", lambda: os.fchmod(fd, 0o777))
t("fchown", lambda: os.fchown(fd, os.getuid(), os.getgid()))
t("fsetxattr", lambda: os.setxattr(fd, "user.review", b"x"))
t("futimens", lambda: os.utime(fd, (1, 1)))
PYEOF
status 0 "python metadata writes outside" $A $PY "$T/meta.py" "$OUT/victim"
for call in setxattr lsetxattr removexattr fchmod fchown fsetxattr futimens
do
	check "python $call: denied" grep -qx "$call denied" "$T/last.out"
done
status 0 "C metadata writes through descriptors" \
    $A "$R" fdmeta "$OUT/victim"
check "C: every descriptor call refused" \
    [ "$(grep -c ' EACCES$' "$T/last.out")" -eq 12 ]
status 0 "C metadata writes by path and syscall()" \
    $A "$R" pathmeta "$OUT/victim"
check "C: every path call refused" \
    [ "$(grep -c ' EACCES$' "$T/last.out")" -eq 9 ]
check "the victim's mode is unchanged" \
    [ "$(stat -c %a "$OUT/victim")" = 644 ]
check "the victim's time is unchanged" \
    [ "$(stat -c %Y "$OUT/victim")" = "$mtime" ]
check "the victim's content is unchanged" [ "$(cat "$OUT/victim")" = keep ]
if [ "$xattrs" = 1 ]; then
	check "the victim's attributes are unchanged" [ "$($PY -c \
	    'import os, sys; print(" ".join(os.listxattr(sys.argv[1])))' \
	    "$OUT/victim")" = user.keep ]
fi
echo mine > "$WS/mine"
status 0 "metadata writes inside the workspace" $A "$R" fdmeta "$WS/mine"
check "inside: fchmod through a read-only descriptor works" \
    grep -qx "fchmod ok" "$T/last.out"
check "inside: the mode changed" [ "$(stat -c %a "$WS/mine")" = 777 ]

# 7. Exec rules on the program really run: a symlink's name is not the
# program's, nor is a relative path after a chdir action
printf '%s\n' >"$T/rules.toml" \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["rm"]' \
    'decision = "forbidden"'
X="aw -a never --config-file $T/rules.toml --"
ln -s "$RM" "$WS/myrm"
touch "$WS/v1" "$WS/v2" "$WS/v3"
status 126 "sh: rm through a symlink" $X sh -c './myrm v1'
check "sh: v1 kept" [ -e "$WS/v1" ]
check "sh: reported as the program it is" \
    grep -q "^agentwrap: denied exec $(readlink -f "$RM") v1 " "$T/last.err"
status 0 "python: rm through a symlink" $X $PY -c "import subprocess
try:
    subprocess.run(['./myrm', 'v2']); print('ran')
except PermissionError:
    print('denied')"
check "python: denied" grep -qx denied "$T/last.out"
check "python: v2 kept" [ -e "$WS/v2" ]
status 0 "posix_spawn of ./rm after a chdir action" \
    $X "$R" spawnrun "$(dirname "$RM")" ./rm "$WS/v3"
check "spawn: EACCES" grep -qx "spawn EACCES" "$T/last.out"
check "spawn: v3 kept" [ -e "$WS/v3" ]
status 0 "a symlink to an allowed program runs" $X sh -c \
    'ln -s /bin/echo myecho && ./myecho fine'
check "the allowed program ran" grep -qx fine "$T/last.out"

# 8. io_uring operations would pass every hook: the ring cannot be set up
status 0 "io_uring_setup" $A "$R" iouring
check "io_uring_setup fails with ENOSYS" \
    grep -qx "io_uring_setup ENOSYS" "$T/last.out"
check "io_uring is reported as not covered" \
    grep -q "^agentwrap: not covered: io_uring_setup " "$T/last.err"

# 9. A denial is reported however long its object: a 70000-byte host name
status 0 "a 70000-byte host name" \
    aw -a never --audit "$T/long.jsonl" -- "$R" longhost 70000
check "it fails with EAI_FAIL" grep -qx "getaddrinfo EAI_FAIL" "$T/last.out"
check "a denied resolve line appears" \
    grep -q "^agentwrap: denied resolve aaaaaaaaaaaaaaaa" "$T/last.err"
check "the audit log has it, cut and marked" $PY -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not any(r.get("op") == "resolve" and r.get("verdict") == "deny" and
                 r.get("host", "").startswith("aaaa") and
                 r["host"].endswith("\u2026") for r in recs))' "$T/long.jsonl"
finish
