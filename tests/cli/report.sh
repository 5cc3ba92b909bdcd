#!/bin/sh
# report.sh: agentwrap --report on logs recorded from real runs: a python
# script that reads, writes, renames, deletes and spawns, with a denial;
# the same log cut short, with a corrupted line and garbage; a file name
# with terminal controls; --json; errors.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
OUT="$T/out"
mkdir -p "$OUT"
cat >"$T/ws/job.py" <<'EOF'
import os, subprocess
open("made.txt", "w").write("1")
os.rename("made.txt", "moved.txt")
os.link("moved.txt", "linked.txt")
open("gone.txt", "w").write("2")
os.unlink("gone.txt")
open("esc\033[2Jname", "w").write("3")
open("/etc/hostname").read()
subprocess.run(["/bin/true"], check=True)
try:
    open(os.environ["OUTSIDE"], "w")
except OSError:
    print("refused")
EOF
OUTSIDE="$OUT/outside" "$AGENTWRAP" -q -C "$T/ws" \
    -c sandbox_workspace_write.exclude_slash_tmp=true \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true \
    --audit "$T/run.jsonl" -- $PY job.py >"$T/job.out" 2>&1
check "the run ran, and its outside write was refused" \
    grep -qx refused "$T/job.out"
check "the refused file does not exist" test ! -e "$OUT/outside"

"$AGENTWRAP" --report "$T/run.jsonl" >"$T/r.txt" 2>"$T/r.err"
check "--report exits 0" test $? -eq 0
check "nothing on stderr" test ! -s "$T/r.err"
check "the command" grep -q "^command: $PY job.py$" "$T/r.txt"
check "a complete log: its exit status" grep -q ", exit status 0$" "$T/r.txt"
check "no cut-short note" sh -c "! grep -q 'cut short' '$T/r.txt'"
# the sections, each with what the run did
# in_section TITLE REGEX: a line of that section of $T/r.txt matches
in_section() {
	awk -v s="$1" '$0 ~ "^" s ": " { on = 1; next } /^$/ { on = 0 } on' \
	    "$T/r.txt" | grep -q -- "$2"
}
first_section() {
	[ "$(grep -m1 -E '^[a-z][a-zA-Z ,()]*: [0-9]+' "$T/r.txt" | cut -d: -f1)" = "$1" ]
}
check "denied comes first" first_section denied
check "the denial: object and rule" in_section denied \
    "^  write $OUT/outside  x1  pid [0-9]*  rule sandbox_workspace_write.writable_roots  \[supervisor\]$"
check "the denial: the setting that would allow it" in_section denied \
    "^      to allow: --add-dir $OUT or sandbox_workspace_write.writable_roots$"
check "written: the new file" in_section "files written or created" "^  $T/ws/made.txt  x1  \[preload\]$"
check "a link: its new name is written" in_section "files written or created" "^  $T/ws/linked.txt  x1  \[preload\]$"
check "renamed" in_section renamed "^  $T/ws/made.txt -> $T/ws/moved.txt  x1  \[preload\]$"
check "deleted" in_section "files deleted" "^  $T/ws/gone.txt  x1  \[preload\]$"
"$AGENTWRAP" --report "$T/run.jsonl" --all >"$T/all.txt"
check "--all: every directory read, /etc among them" \
    grep -q "^  /etc  x[0-9]*  \[preload\]$" "$T/all.txt"
check "--all lists more than the one screen" \
    [ "$(wc -l <"$T/all.txt")" -gt "$(wc -l <"$T/r.txt")" ]
check "programs run: /bin/true" in_section "programs run" "^  /[a-z/]*bin/true  x1  e.g. /bin/true  \[preload\]$"
check "which layer saw the calls: a count of each" \
    grep -Eq "^seen by: preload [1-9][0-9]*, supervisor [0-9]+, seccomp 0, proxy 0$" "$T/r.txt"
# the python process: the supervisor reaped it, so its exit is the kernel's
check "the command's process: its exit status and how long it was seen" \
    in_section "processes .pid, program." \
    "^  [0-9]* *ppid [0-9]* */usr/bin/python3[.0-9]*  ([0-9]* calls)  \[preload+supervisor\]  [0-9]*\.[0-9]* s, exit 0$"
check "the terminal control is escaped" sh -c "! grep -q \"$(printf '\033')\" '$T/r.txt' && grep -q 'esc\\\\033\[2Jname' '$T/r.txt'"

# --json: the same, as one document
"$AGENTWRAP" --report "$T/run.jsonl" --json >"$T/r.json"
check "--json is one JSON document with the tables" $PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
t = d['tables']
assert d['complete'] is True and d['exit_status'] == 0, d
assert [x['what'] for x in t['renamed']] == [sys.argv[2] + '/made.txt -> ' + sys.argv[2] + '/moved.txt'], t['renamed']
assert any(x['what'] == 'write ' + sys.argv[3] + '/outside' and x['rule'] == 'sandbox_workspace_write.writable_roots' and x['to_allow'] == '--add-dir ' + sys.argv[3] + ' or sandbox_workspace_write.writable_roots' for x in t['denied']), t['denied']
assert any(x['what'] == sys.argv[2] + '/gone.txt' for x in t['deleted'])
assert any(x['what'].startswith(sys.argv[2] + '/esc\x1b') for x in t['written'])
assert d['malformed_lines'] == 0
assert d['events_by_layer']['preload'] > 0 and d['events_by_layer']['seccomp'] == 0, d['events_by_layer']
assert all(x['layers'] == ['preload'] for x in t['written']), t['written']
ex = [p for p in t['processes'] if 'exit_status' in p]
assert len(ex) == 1 and ex[0]['exit_status'] == 0 and ex[0]['seen_for_s'] >= 0 and 'supervisor' in ex[0]['layers'], t['processes']
" "$T/r.json" "$T/ws" "$OUT"

# a log cut short, mid-line, with garbage and a line that is not a record
n=$(wc -l <"$T/run.jsonl")
{
	head -n 3 "$T/run.jsonl"
	echo 'not json at all'
	echo '[1, 2, 3]'
	sed -n "4,$((n - 2))p" "$T/run.jsonl"
	sed -n "$((n - 1))p" "$T/run.jsonl" | cut -c1-40
} >"$T/cut.jsonl"
"$AGENTWRAP" --report "$T/cut.jsonl" >"$T/c.txt" 2>&1
check "a damaged log is reported, exit 0" test $? -eq 0
check "it says the log was cut short" grep -q "cut short" "$T/c.txt"
check "the bad lines are named by number" \
    grep -q "^3 lines not a record, skipped: line 4, 5, $((n + 1))$" "$T/c.txt"
check "what it holds is still there" grep -q "^  $T/ws/gone.txt  x1  \[preload\]$" "$T/c.txt"

# a line missing from the middle: the footer's count says so
sed 5d "$T/run.jsonl" >"$T/gap.jsonl"
"$AGENTWRAP" --report "$T/gap.jsonl" >"$T/g.txt"
check "a record missing from the middle is noticed" \
    grep -q "^the footer counts [0-9]* events, the log holds [0-9]*: records are missing" "$T/g.txt"

# hostile strings: a start time that draws on the terminal, a version of
# 9000 bytes, a path of 3000 two-byte characters (each escaped to 8
# bytes): escaped, cut, never past a buffer; the JSON stays valid UTF-8
$PY -c "
import json, sys
o = open(sys.argv[1], 'w')
o.write(json.dumps({'type': 'session_start', 'ts': '\x1b]0;PWNED\x07\x1b[2J', 'argv': ['a' * 5000], 'version': 'v' * 9000}) + '\n')
o.write(json.dumps({'type': 'event', 'op': 'write', 'verdict': 'allow', 'pid': 1, 'path': '/x/' + '\u00e9' * 3000}) + '\n')
o.write(json.dumps({'type': 'event', 'op': 'exec', 'verdict': 'allow', 'pid': 1, 'path': '/bin/x', 'argv': ['\u00e9' * 600]}) + '\n')
o.write(json.dumps({'type': 'event', 'op': 'write', 'verdict': 'deny', 'pid': 1, 'rule': 'r', 'path': '/y/cr\rdenied: 0\b\x07'}) + '\n')
" "$T/hostile.jsonl"
"$AGENTWRAP" --report "$T/hostile.jsonl" >"$T/h.txt" 2>&1
check "a hostile log: reported, exit 0" test $? -eq 0
check "no terminal escape gets out" sh -c "! grep -q \"$(printf '\033')\" '$T/h.txt'"
check "the start time is escaped" grep -q 'started \\033\]0;PWNED' "$T/h.txt"
check "a carriage return, backspace and bell are escaped too" sh -c \
    "! grep -q \"\$(printf '[\r\b\a]')\" '$T/h.txt' && grep -qF '/y/cr\\rdenied: 0\\b\\a' '$T/h.txt'"
# colour only on a terminal, and never with NO_COLOR set; the log's own
# bytes stay escaped under it
on_tty() {
	$PY -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
' "$@"
}
ESC=$(printf '\033')
(unset NO_COLOR; on_tty "$AGENTWRAP" --report "$T/run.jsonl") >"$T/tty.txt"
check "on a terminal: the report is there" grep -q "^command: $PY job.py" "$T/tty.txt"
check "on a terminal: titles in bold, the denial in red" sh -c \
    "grep -q '${ESC}\[1mdenied: 1' '$T/tty.txt' && grep -q '^  ${ESC}\[31mwrite $OUT/outside${ESC}\[0m' '$T/tty.txt'"
NO_COLOR=1 on_tty "$AGENTWRAP" --report "$T/run.jsonl" >"$T/tty-nc.txt"
check "NO_COLOR: the same report, no colour" sh -c \
    "grep -q '^denied: 1' '$T/tty-nc.txt' && ! grep -q '$ESC' '$T/tty-nc.txt'"
(unset NO_COLOR; on_tty "$AGENTWRAP" --report "$T/hostile.jsonl") >"$T/tty-h.txt"
check "a hostile log on a terminal: only our colour sequences" sh -c \
    "grep -q '${ESC}\[1m' '$T/tty-h.txt' && ! grep -q '${ESC}\]' '$T/tty-h.txt' && grep -q 'started \\\\033\]0;PWNED' '$T/tty-h.txt'"
"$AGENTWRAP" --report "$T/hostile.jsonl" --json >"$T/h.json"
check "the JSON keeps every field, cut on a character" $PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['command'].startswith('aaa'), d['command'][:20]
w = d['tables']['written'][0]['what']
assert w.startswith('/x/\u00e9') and len(w.encode()) <= 2048, len(w.encode())
e = d['tables']['exec'][0]
assert e['argv'].startswith('\u00e9'), e
" "$T/h.json"

# an honest run is never disputed: a write the filesystem-minded rules
# allow while the file is new (a .git's info/exclude, a hook sample) but
# not once it exists, decided again after the call
mkdir -p "$T/ws/g"
for i in $(seq 1 30); do
	git init -q "$T/ws/g/r$i" && rm -f "$T/ws/g/r$i/.git/info/exclude"
done
"$AGENTWRAP" -q -C "$T/ws" --audit "$T/git.jsonl" -- $PY -c "
for i in range(1, 31):
    open('g/r%d/.git/info/exclude' % i, 'w').write('x')
    open('g/r%d/.git/hooks/my.sample' % i, 'w').write('x')
"
check "those writes happened" test -s "$T/ws/g/r30/.git/hooks/my.sample"
check "and none is marked disputed" sh -c "! grep -q '\"disputed\":true' '$T/git.jsonl'"

# --pid: one process's calls (here the one that ran /bin/true)
tpid=$($PY -c "
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get('op') == 'exec' and r.get('path', '').endswith('/true'):
        print(r['pid']); break
" "$T/run.jsonl")
"$AGENTWRAP" --report "$T/run.jsonl" --pid "$tpid" >"$T/p.txt"
check "--pid: says which process" grep -q "^only process $tpid: [0-9]* of the events$" "$T/p.txt"
check "--pid: its exec is there" grep -q "^  /[a-z/]*bin/true  x1" "$T/p.txt"
check "--pid: the others' writes are not" sh -c "! grep -q 'moved.txt' '$T/p.txt'"
check "--pid: one process" grep -q "^processes (pid, program): 1$" "$T/p.txt"

# from stdin
"$AGENTWRAP" --report - <"$T/run.jsonl" >"$T/s.txt"
check "--report - reads stdin" cmp -s "$T/r.txt" "$T/s.txt"

# errors
expect 125 "agentwrap: $T/none.jsonl: No such file or directory" --report "$T/none.jsonl"
expect 125 "agentwrap: --report takes no command" --report "$T/run.jsonl" -- true
expect 125 "agentwrap: --all and --pid go with --report" --all -- true
expect 125 "agentwrap: --all and --pid go with --report" --pid 5 -- true
expect 125 "agentwrap: --pid: a process id, not x" --report "$T/run.jsonl" --pid x
expect 125 "agentwrap: --json has every entry already" --report "$T/run.jsonl" --json --all
# a rename of a directory above a guarded path is decided by the bare
# rule agentwrap.filesystem.paths: its setting is still named (report_fix
# is also what --save-grants files such a grant by)
printf '%s\n' '{"type":"event","ts":"2026-12-04T23:08:57.065000Z","pid":7,"op":"write","call":"rename","path":"/w/a","path2":"/w/b","verdict":"deny","rule":"agentwrap.filesystem.paths","layer":"preload"}' >"$T/gp.jsonl"
"$AGENTWRAP" --report "$T/gp.jsonl" >"$T/gp.txt" 2>&1
check "a guarded path's bare rule: its setting to allow" \
    grep -qx "      to allow: change agentwrap.filesystem.paths" "$T/gp.txt"

finish
