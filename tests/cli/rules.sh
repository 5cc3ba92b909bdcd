#!/bin/sh
# rules.sh: Codex execpolicy .rules files, through --rules FILE and
# agentwrap.exec.rules_files: their prefix_rule()s decide `--explain exec`
# (0 allow, 1 deny, 2 ask) next to the TOML rules, the strictest rule wins,
# errors exit 125 naming FILE:LINE:COL, a file others could write is
# refused, and every rules file read is off-limits to the sandbox.
. "$(dirname "$0")/lib.sh"

re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }
ET=$(re "$T")

A="$T/a.rules"
printf '%s\n' >"$A" \
    '# rules for the tests' \
    'prefix_rule(' \
    '    pattern = ["git", ["push", "fetch"]],' \
    '    decision = "prompt",' \
    '    justification = "talks to the network",' \
    '    match = [["git", "push", "origin"], "git fetch"],' \
    '    not_match = ["git status"],' \
    ')' \
    '' \
    "prefix_rule(pattern = ['rm', '-rf'], decision = 'forbidden'," \
    '    justification = "use git clean")' \
    'prefix_rule(pattern = ["make"])' \
    'prefix_rule(pattern = ["/opt/tool"], decision = "prompt")'
EA=$(re "$A")

# --- --rules decides --explain exec
decide 2 "^ask: running git needs approval: exec rule at $EA:2:1 says prompt: talks to the network\$" \
    --rules "$A" --explain exec git push origin
decide 2 "^ask: running /usr/bin/git needs approval: exec rule at $EA:2:1" \
    --rules "$A" --explain exec /usr/bin/git fetch
decide 0 "^allow: no exec rule matches git" --rules "$A" --explain exec git status
decide 1 "^deny: rm is forbidden by the exec rule at $EA:10:1: use git clean\$" \
    --rules "$A" --explain exec rm -rf build
decide 1 "^deny: /bin/rm is forbidden" --rules "$A" -s danger-full-access \
    --explain exec /bin/rm -rf /
decide 0 "no exec rule matches rm" --rules "$A" --explain exec rm -r -f x
decide 0 "^allow: make is allowed by the exec rule at $EA:12:1\$" \
    --rules "$A" -a untrusted --explain exec make -j2
decide 2 "approval_policy = untrusted" --rules "$A" -a untrusted \
    --explain exec cc x.c
decide 2 "^ask: running /opt/tool needs approval" --rules "$A" \
    --explain exec /opt/tool
decide 0 "no exec rule matches tool" --rules "$A" --explain exec tool
# a relative --rules path is taken from the current directory
cp "$A" ./here.rules
decide 1 "exec rule at here\\.rules:10:1" --rules here.rules \
    --explain exec rm -rf x

# --- several files: all rules count, the strictest wins
B="$T/b.rules"
printf '%s\n' >"$B" \
    'prefix_rule(pattern = ["make", "install"], decision = "forbidden")' \
    'prefix_rule(pattern = ["git"], decision = "allow")'
EB=$(re "$B")
decide 1 "^deny: make is forbidden by the exec rule at $EB:1:1" \
    --rules "$A" --rules "$B" --explain exec make install
decide 1 "^deny: make is forbidden by the exec rule at $EB:1:1" \
    --rules "$B" --rules "$A" --explain exec make install
decide 0 "exec rule at $EA:12:1" --rules "$A" --rules "$B" \
    --explain exec make all
decide 2 "exec rule at $EA:2:1 says prompt" --rules "$B" --rules "$A" \
    --explain exec git push

# --- agentwrap.exec.rules_files, next to the TOML rules
C="$T/c.toml"
printf '%s\n' >"$C" \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["make"]' \
    'decision = "prompt"' \
    '' \
    '[agentwrap.exec]' \
    "rules_files = [\"$A\", \"~/h.rules\"]"
cp "$B" "$HOME/h.rules"
EH=$(re "$HOME")
decide 2 "^ask: running make needs approval: exec rule at $ET/c\\.toml:1:1" \
    --config-file "$C" --explain exec make all
decide 1 "^deny: rm is forbidden by the exec rule at $EA:10:1" \
    --config-file "$C" --explain exec rm -rf x
decide 1 "exec rule at $EH/h\\.rules:1:1" --config-file "$C" \
    --explain exec make install
decide 0 "exec rule at $EH/h\\.rules:2:1" --config-file "$C" \
    --explain exec git log
# with -c, too; and a later agentwrap.exec.rules does not drop the files'
decide 1 "exec rule at $EB:1:1" \
    -c "agentwrap.exec.rules_files=[\"$B\"]" --explain exec make install
decide 1 "exec rule at $EA:10:1" --config-file "$C" \
    -c 'agentwrap.exec.rules=[]' --explain exec rm -rf x
decide 2 "exec rule at $EA:2:1" --rules "$A" -c 'agentwrap.exec.rules=[]' \
    --explain exec git push
# rules_files is an array: a later source replaces it
UC="$HOME/.config/agentwrap"
mkdir -p "$UC"
printf '[agentwrap.exec]\nrules_files = ["%s"]\n' "$B" >"$UC/config.toml"
decide 1 "exec rule at $EB:1:1" --explain exec make install
printf '[agentwrap.exec]\nrules_files = ["%s"]\n' "$A" >"$T/d.toml"
decide 0 "^allow: make is allowed by the exec rule at $EA:12:1" \
    --config-file "$T/d.toml" --explain exec make install
rm "$UC/config.toml"

# --- the order: TOML rules, then rules_files in order, then --rules
ntest=$((ntest + 1))
got=$("$AGENTWRAP" --config-file "$C" --rules "$B" --print-config 2>&1 |
    sed -n 's/^\[\[agentwrap\.exec\.rules\]\]  # //p' | tr '\n' ' ')
want="$T/c.toml:1:1 $A:2:1 $A:10:1 $A:12:1 $A:13:1 $HOME/h.rules:1:1 $HOME/h.rules:2:1 $B:1:1 $B:2:1 "
if [ "$got" != "$want" ]; then
	nfail=$((nfail + 1))
	echo "FAIL: order of exec rules in --print-config"
	echo "  want: $want"
	echo "  got:  $got"
fi
expect 0 "^# agentwrap\\.exec\\.rules_files = \\[\"$EA\", \"$EH/h\\.rules\"\\]  # $ET/c\\.toml:6:1\$" \
    --config-file "$C" --print-config
expect 0 "^# config file read: \"$EB\"\$" --rules "$B" --print-config
expect 0 "^justification = \"talks to the network\"\$" --rules "$A" \
    --print-config
# the printed configuration reads back, rules included
"$AGENTWRAP" --config-file "$C" --rules "$B" --print-config >"$T/printed.toml"
decide 1 "exec rule at $ET/printed\\.toml:[0-9]+:1" -c 'agentwrap.exec.rules_files=[]' \
    --config-file "$T/printed.toml" --explain exec make install

# --- rules files are agentwrap's configuration: never writable
decide 1 "^deny: $EA holds agentwrap's own configuration" --rules "$A" \
    --explain write "$A"
decide 1 "^deny: $EH/h\\.rules holds agentwrap's own configuration" \
    --config-file "$C" --explain write "$HOME/h.rules"
decide 1 "^deny: $ET/ws/here\\.rules holds agentwrap's own configuration" \
    --rules here.rules --explain write here.rules
decide 0 "^allow: $ET/ws/here\\.rules is inside the writable root" \
    --explain write here.rules
ln -s "$B" "$T/link.rules"
# a write through the link lands on the file itself
decide 1 "^deny: $EB holds agentwrap's own configuration" \
    --rules "$T/link.rules" --explain write "$T/link.rules"
decide 1 "holds agentwrap's own configuration" --rules "$T/link.rules" \
    --explain write "$B"

# --- files agentwrap refuses to read
chmod 664 "$B"
refuse "^agentwrap: --rules: $EB: writable by group or others \\(mode 664\\); refusing" \
    --rules "$B" --explain exec ls
chmod 646 "$B"
refuse "^agentwrap: agentwrap\\.exec\\.rules_files \\(-c agentwrap\\.exec\\.rules_files\\): $EB: writable by group or others \\(mode 646\\)" \
    -c "agentwrap.exec.rules_files=[\"$B\"]" --explain exec ls
chmod 644 "$B"
if [ "$(id -u)" -eq 0 ]; then
	cp "$B" "$T/theirs.rules"
	chown nobody "$T/theirs.rules"
	refuse "^agentwrap: --rules: $ET/theirs\\.rules: owned by uid [0-9]+, not by you or root" \
	    --rules "$T/theirs.rules" --explain exec ls
fi
refuse "^agentwrap: --rules: $ET/nope\\.rules: No such file" \
    --rules "$T/nope.rules" --explain exec ls
refuse "^agentwrap: agentwrap\\.exec\\.rules_files \\($ET/e\\.toml:1:[0-9]+\\): $ET/nope\\.rules: No such file" \
    --config-file "$(printf 'agentwrap.exec.rules_files = ["%s"]\n' \
    "$T/nope.rules" >"$T/e.toml"; echo "$T/e.toml")" --explain exec ls
refuse "^agentwrap: --rules: $ET: not a regular file" --rules "$T" \
    --explain exec ls
refuse "agentwrap\\.exec\\.rules_files: relative path 'x\\.rules': rules files must be absolute" \
    -c 'agentwrap.exec.rules_files=["x.rules"]' --explain exec ls
refuse "^agentwrap: $ET/f\\.toml:1:31: agentwrap\\.exec\\.rules_files: expected a string, got integer" \
    --config-file "$(printf 'agentwrap.exec.rules_files = [1]\n' \
    >"$T/f.toml"; echo "$T/f.toml")" --explain exec ls
refuse "unknown key 'rules_file' in \\[agentwrap\\.exec\\]; did you mean 'rules_files'\\?" \
    -c 'agentwrap.exec.rules_file=[]' --explain exec ls

# --- errors in a rules file: exit 125, FILE:LINE:COL and what is wrong
# bad LINE:COL REGEX LINE...: a rules file of those lines is refused
bad() {
	pos=$1 msg=$2
	shift 2
	printf '%s\n' "$@" >"$T/bad.rules"
	refuse "^agentwrap: $ET/bad\\.rules:$pos: $msg" --rules "$T/bad.rules" \
	    --explain exec ls
}
bad 1:1 "unknown function 'foo': only prefix_rule\\(\\.\\.\\.\\) is supported" \
    'foo(pattern = ["a"])'
bad 2:1 "assignment to 'x': a rules file holds prefix_rule" \
    'prefix_rule(pattern = ["a"])' 'x = 1'
bad 1:13 "positional argument: prefix_rule\\(\\) takes keyword arguments only" \
    'prefix_rule(["a"])'
bad 3:5 "unknown keyword argument 'decison' to prefix_rule\\(\\); did you mean 'decision'\\?" \
    'prefix_rule(' '    pattern = ["a"],' '    decison = "allow",' ')'
bad 3:5 "duplicate keyword argument 'pattern' \\(first given at 2:5\\)" \
    'prefix_rule(' '    pattern = ["a"],' '    pattern = ["b"],' ')'
bad 2:16 "unterminated string" 'prefix_rule(' '    pattern = ["a],' ')'
bad 1:25 "unsupported escape: 'x' after a backslash" \
    'prefix_rule(pattern = ["\x41"])'
bad 1:23 "pattern must be a list, got a string" 'prefix_rule(pattern = "git")'
bad 1:41 "decision must be \"allow\", \"prompt\" or \"forbidden\", got \"deny\"" \
    'prefix_rule(pattern = ["a"], decision = "deny")'
bad 1:1 "prefix_rule\\(\\) without a pattern" 'prefix_rule(decision = "prompt")'
bad 1:12 "'\\(' of prefix_rule is never closed" 'prefix_rule(pattern = ["a"],'
bad 4:14 "match example \"git status\" does not match the pattern \\[\"git\", \\[\"push\", \"fetch\"\\]\\]" \
    'prefix_rule(' '    pattern = ["git", ["push", "fetch"]],' \
    '    match = [' '             "git status",' '    ],' ')'
bad 3:18 "not_match example \\[\"git\", \"push\"\\] matches the pattern" \
    'prefix_rule(' '    pattern = ["git", ["push", "fetch"]],' \
    '    not_match = [["git", "push"]],' ')'
# the error in the second file stops everything, and names that file
printf 'prefix_rule(pattern = ["a"])\n  prefix_rule(pattern = ["b"])\n' \
    >"$T/indent.rules"
refuse "^agentwrap: $ET/indent\\.rules:2:3: unexpected indentation" \
    --rules "$A" --rules "$T/indent.rules" --explain exec ls
refuse "^agentwrap: $ET/indent\\.rules:2:3: unexpected indentation" \
    -c "agentwrap.exec.rules_files=[\"$T/indent.rules\"]" --print-config

finish
