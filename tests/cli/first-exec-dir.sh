#!/bin/sh
# first-exec-dir.sh: with -C DIR the command is started in DIR, so its
# program is judged as found from there: a relative path from DIR, a bare
# name through $PATH with relative entries (and the empty one) taken from
# DIR, not from agentwrap's own directory. Each directory has its own
# `tool` that writes which one it is; an exec rule forbids one of them, and
# the exit status and the file written say which program was judged and
# which one ran.
. "$(dirname "$0")/lib.sh"

W=$(pwd -P)	# agentwrap's directory
D=$W/d		# the -C directory
mkdir -p "$D/bin" "$W/bin"
for t in "$D/tool" "$D/bin/tool" "$W/tool" "$W/bin/tool"; do
	printf '#!/bin/sh\necho %s >ran\n' "$t" >"$t"
	chmod 755 "$t"
done
# a file with no #! is one the shim cannot follow: it would be reported
printf 'not a program\n' >"$W/missing"
chmod 755 "$W/missing"

forbid() {	# forbid PATH: a config file whose one rule forbids PATH
	printf '[[agentwrap.exec.rules]]\npattern = ["%s"]\n' "$1" >"$T/c.toml"
	printf 'decision = "forbidden"\n' >>"$T/c.toml"
}

# runs CODE RAN DESCRIPTION agentwrap-args...: agentwrap exits CODE, and
# the program that ran wrote RAN ("" for none) into its directory
runs() {
	code=$1; ran=$2; what=$3; shift 3
	rm -f "$D/ran" "$W/ran"
	"$AGENTWRAP" -a never "$@" >"$T/out" 2>"$T/err"
	got=$?
	check "$what: exit $got, wanted $code: $(cat "$T/err")" \
	    test "$got" -eq "$code"
	if [ -n "$ran" ]; then
		check "$what: $ran ran" sh -c \
		    "cat '$D/ran' '$W/ran' 2>/dev/null | grep -qx '$ran'"
	else
		check "$what: nothing ran" test ! -e "$D/ran" -a ! -e "$W/ran"
	fi
}

# judged DIRS OURS DESCRIPTION CMD: with -C d, a rule forbidding DIR's
# program DIRS stops CMD, and the denial names it; one forbidding ours
# (OURS) lets DIR's run
judged() {
	forbid "$1"
	runs 126 "" "$3, DIR's forbidden" --config-file "$T/c.toml" -C d -- "$4"
	check "$3: the denial names $1" grep -q "$1 is forbidden" "$T/err"
	forbid "$2"
	runs 0 "$1" "$3, ours forbidden" --config-file "$T/c.toml" -C d -- "$4"
}

# a relative path is DIR's program
judged "$D/tool" "$W/tool" "-C d ./tool" ./tool
# without -C it is ours, as before
forbid "$W/tool"
runs 126 "" "./tool, ours forbidden" --config-file "$T/c.toml" -- ./tool
# a bare name, through a relative entry of PATH and through the empty
# one: the directory the command starts in
opath=$PATH
PATH=bin:$opath
judged "$D/bin/tool" "$W/bin/tool" "-C d tool via bin" tool
PATH=:$opath
judged "$D/tool" "$W/tool" "-C d tool via ''" tool
PATH=$opath

# a file along PATH that may not be executed is skipped by execvp: the
# program judged is the one that runs, the next one (a rule forbidding it
# must hold, whatever sits before it in PATH)
mkdir -p "$W/noexec" "$W/exec"
printf '#!/bin/sh\necho noexec >"%s/ran"\n' "$W" >"$W/noexec/ntool"
chmod 644 "$W/noexec/ntool"
printf '#!/bin/sh\necho exec >"%s/ran"\n' "$W" >"$W/exec/ntool"
chmod 755 "$W/exec/ntool"
PATH=$W/noexec:$W/exec:$opath
forbid "$W/exec/ntool"
runs 126 "" "ntool past a file it may not run, forbidden" \
    --config-file "$T/c.toml" -- ntool
forbid "$W/noexec/ntool"
runs 0 exec "ntool past a file it may not run, the other forbidden" \
    --config-file "$T/c.toml" -- ntool
PATH=$opath

# a program that is only in our directory is not there for the command:
# not found, neither denied nor reported as uncovered
forbid "$W/missing"
runs 127 "" "-C d ./missing, ours forbidden" \
    --config-file "$T/c.toml" -C d -- ./missing
check "./missing: not found" grep -q "No such file or directory" "$T/err"
"$AGENTWRAP" -a never -C d -- ./missing >"$T/out" 2>"$T/err"
check "-C d ./missing: exit $?, not reported as uncovered: $(cat "$T/err")" \
    sh -c "! grep -q 'not covered' '$T/err'"
# nor a bare name that PATH does not find, as a file in our directory
PATH=/nonexistent "$AGENTWRAP" -a never -- missing >"$T/out" 2>"$T/err"
check "missing via PATH: not reported as uncovered: $(cat "$T/err")" \
    sh -c "! grep -q 'not covered' '$T/err'"

finish
