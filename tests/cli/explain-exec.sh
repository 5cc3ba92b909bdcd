#!/bin/sh
# explain-exec.sh: `agentwrap --explain exec COMMAND [ARG...]`: exec rules
# (argv prefixes, alternatives, bare names, the strictest rule wins),
# forbidden in every mode, prompt as ask, and the untrusted policy's list
# of read-only commands.
. "$(dirname "$0")/lib.sh"

R="$T/rules.toml"
printf '%s\n' >"$R" \
    '# exec rules for the tests' \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["rm"]' \
    'decision = "forbidden"' \
    'justification = "deleting needs a person"' \
    '' \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["git", ["push", "fetch"]]' \
    'decision = "prompt"' \
    '' \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["make"]' \
    'decision = "allow"' \
    '' \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["make", "install"]' \
    'decision = "forbidden"' \
    '' \
    '[[agentwrap.exec.rules]]' \
    'pattern = ["/opt/tool"]' \
    'decision = "prompt"'
set -- --config-file "$R"
CF1=$1 CF2=$2
set --

# no rule: allowed (it runs inside the sandbox)
decide 0 "^allow: no exec rule matches python3" --explain exec python3 x.py
decide 0 "^allow: no exec rule matches rm" --explain exec rm -rf x

# forbidden: deny, with the rule's place and justification, in every mode
decide 1 "^deny: rm is forbidden by the exec rule at .*rules\\.toml:2:1: deleting needs a person\$" \
    $CF1 $CF2 --explain exec rm -rf x
for m in read-only workspace-write danger-full-access; do
	decide 1 "^deny: rm is forbidden" $CF1 $CF2 -s "$m" --explain exec rm x
done
decide 1 "^deny: rm is forbidden" $CF1 $CF2 -a untrusted --explain exec rm
# a bare name matches any path to a program of that name
decide 1 "^deny: /usr/bin/rm is forbidden" $CF1 $CF2 --explain exec /usr/bin/rm x
decide 1 "^deny: \\./rm is forbidden" $CF1 $CF2 --explain exec ./rm x
decide 0 "no exec rule matches rmdir" $CF1 $CF2 --explain exec rmdir x
decide 0 "no exec rule matches /usr/bin/rm2" $CF1 $CF2 \
    --explain exec /usr/bin/rm2
# a path in a rule matches that path only
decide 2 "^ask: running /opt/tool needs approval" $CF1 $CF2 \
    --explain exec /opt/tool
decide 0 "no exec rule matches tool" $CF1 $CF2 --explain exec tool

# prompt: ask; alternatives; a prefix of argv
decide 2 "^ask: running git needs approval: exec rule at .*rules\\.toml:7:1 says prompt\$" \
    $CF1 $CF2 --explain exec git push origin main
decide 2 "^ask: running git needs approval" $CF1 $CF2 --explain exec git fetch
decide 0 "no exec rule matches git" $CF1 $CF2 --explain exec git status
decide 0 "no exec rule matches git" $CF1 $CF2 --explain exec git
decide 0 "no exec rule matches git" $CF1 $CF2 --explain exec git pushy
decide 1 "^deny: running git needs approval: .*approval_policy = never" \
    $CF1 $CF2 -a never --explain exec git push
decide 1 "after a failure" $CF1 $CF2 -a on-failure --explain exec git push
decide 2 "says prompt" $CF1 $CF2 -s danger-full-access \
    --explain exec git push

# the strictest matching rule wins: make allow, make install forbidden
decide 0 "^allow: make is allowed by the exec rule at .*rules\\.toml:11:1\$" \
    $CF1 $CF2 --explain exec make all
decide 1 "^deny: make is forbidden by the exec rule at .*rules\\.toml:15:1" \
    $CF1 $CF2 --explain exec make install
decide 1 "^deny: make is forbidden" $CF1 $CF2 -a untrusted \
    --explain exec make install

# -c replaces the file's rules
decide 0 "no exec rule matches rm" $CF1 $CF2 -c 'agentwrap.exec.rules=[]' \
    --explain exec rm x
decide 2 "^ask: running ls needs approval: exec rule at -c agentwrap\\.exec\\.rules says prompt" \
    $CF1 $CF2 -c 'agentwrap.exec.rules=[{pattern=["ls"],decision="prompt"}]' \
    --explain exec ls

# untrusted: ask unless a rule allows it or it only reads
decide 2 "^ask: running python3 needs approval: approval_policy = untrusted \\(--ask-for-approval\\)" \
    -a untrusted --explain exec python3 x.py
decide 2 "^ask: running sh needs approval" -a untrusted --explain exec sh -c true
for c in ls cat head tail wc grep pwd echo true false which; do
	decide 0 "^allow: $c is a known read-only command" -a untrusted \
	    --explain exec "$c"
done
decide 0 "^allow: /bin/cat is a known read-only command" -a untrusted \
    --explain exec /bin/cat f
for g in status log diff show; do
	decide 0 "^allow: git is a known read-only command" -a untrusted \
	    --explain exec git "$g"
done
decide 2 "^ask: running git needs approval" -a untrusted --explain exec git commit
decide 2 "^ask: running git needs approval" -a untrusted --explain exec git
decide 0 "^allow: make is allowed by the exec rule" $CF1 $CF2 -a untrusted \
    --explain exec make
decide 2 "^ask: running rm needs approval" -a untrusted --explain exec rm x
# under never, untrusted's asks become denials only under untrusted
decide 0 "^allow: no exec rule matches python3" -a never \
    --explain exec python3

# an empty command is denied
decide 1 "^deny: " --explain exec ''

finish
