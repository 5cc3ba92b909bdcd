#!/bin/sh
# user-config-reach.sh: a user config behind a directory of another user
# that we may not search (HOME still someone else's after su or setpriv
# without a login shell) cannot be ours: one warning line, and the command
# runs without it. A config we cannot read is still refused before anything
# runs: a file that is there but unreadable, a file others may write, or
# behind a directory of our own that we may not search (a sandboxed command
# could have done that chmod to drop the config from the next run).
#
# The permissions must hold for the user agentwrap runs as, so root runs
# agentwrap as nobody; nobody (as tests/run stages it) runs it directly and
# takes /root as the other user's directory, when it may not search it.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$T"
	asuser() { setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env "$@"; }
	own() { chown -R nobody:nogroup "$@"; }
	# a directory of root's that nobody may not search
	O=$T/other
	mkdir -p "$O/.config/agentwrap" "$O/xdg/agentwrap"
	chmod 700 "$O"
else
	asuser() { env "$@"; }
	own() { :; }
	O=/root
	[ -x /root ] && O=""
fi
R=$T/run	# where the command runs and writes
mkdir -p "$R"
own "$R"

# conf DIR [MODE]: DIR/config.toml, ours unless we are root, with MODE
conf() {
	mkdir -p "$1"
	rm -f "$1/config.toml"
	printf 'sandbox_mode = "read-only"\n' >"$1/config.toml"
	own "$1/config.toml"
	chmod "${2:-644}" "$1/config.toml"
}

# run CODE ENV...: agentwrap with ENV (HOME=...) runs a command that writes
# $R/ran; it exits CODE, and the file is there exactly when CODE is 0
run() {
	code=$1; shift
	rm -f "$R/ran"
	asuser -C "$R" "$@" "$AGENTWRAP" -a never -- sh -c 'echo ran >ran' \
	    >"$T/out" 2>"$T/err"
	got=$?
	check "$*: exit $got, wanted $code: $(cat "$T/err")" \
	    test "$got" -eq "$code"
	if [ "$code" -eq 0 ]; then
		check "$*: the command ran" test -f "$R/ran"
	else
		check "$*: nothing ran" test ! -e "$R/ran"
	fi
}

# warned PATH: stderr is one line, that PATH is not used
warned() {
	check "one warning line about $1: $(cat "$T/err")" \
	    test "$(grep -c '' "$T/err")" -eq 1
	check "it names $1 and says it is not used" \
	    grep -q "^agentwrap: user config $1 cannot be reached.*not used" \
	    "$T/err"
}

if [ -n "$O" ]; then
	[ "$O" = /root ] || conf "$O/.config/agentwrap"
	run 0 HOME="$O"
	warned "$O/.config/agentwrap/config.toml"
	[ "$O" = /root ] || conf "$O/xdg/agentwrap"
	run 0 HOME="$T/home" XDG_CONFIG_HOME="$O/xdg"
	warned "$O/xdg/agentwrap/config.toml"
else
	echo "note: not tried: /root is searchable, no directory of another user to try"
fi

# our own directory that we may not search: refused
H=$T/mine
conf "$H/.config/agentwrap"
own "$H"
chmod 000 "$H/.config"
run 125 HOME="$H"
check "refused as Permission denied" grep -q \
    "^agentwrap: $H/.config/agentwrap/config.toml: Permission denied" "$T/err"
check "naming the directory of ours" grep -q "($H/.config is yours" "$T/err"
chmod 755 "$H/.config"

# a file that is there but that we may not read: refused
conf "$H/.config/agentwrap" 000
run 125 HOME="$H"
check "unreadable file refused" grep -q \
    "^agentwrap: $H/.config/agentwrap/config.toml: Permission denied" "$T/err"
# one that others may write: refused
conf "$H/.config/agentwrap" 664
run 125 HOME="$H"
check "group-writable file refused" grep -q "writable by group or others" \
    "$T/err"
if [ "$(id -u)" -eq 0 ]; then
	# root's, mode 600, in directories we may search: refused
	H=$T/rootfile
	mkdir -p "$H/.config/agentwrap"
	printf 'sandbox_mode = "read-only"\n' >"$H/.config/agentwrap/config.toml"
	chmod 600 "$H/.config/agentwrap/config.toml"
	run 125 HOME="$H"
	check "root's 600 file refused" grep -q \
	    "^agentwrap: $H/.config/agentwrap/config.toml: Permission denied" \
	    "$T/err"
fi

finish
