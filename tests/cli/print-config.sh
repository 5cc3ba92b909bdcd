#!/bin/sh
# print-config.sh: `agentwrap --print-config`: the effective configuration as
# TOML, each value followed by where it came from (file:line:col, -c key,
# an option, default); the output is a config file that gives the same
# configuration back, whatever bytes the paths hold.
. "$(dirname "$0")/lib.sh"

re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }
W=$(pwd -P)
EW=$(re "$W")
TP=$(cd "$T" && pwd -P)
ET=$(re "$TP")

# values only: no comment lines, no trailing "  # where"
values() { sed -e '/^#/d' -e 's/  # .*$//' "$1"; }

# same_values FILE [args...]: `--config-file FILE --print-config` prints the
# same values as FILE holds, and exits 0
same_values() {
	f=$1; shift
	ntest=$((ntest + 1))
	"$AGENTWRAP" "$@" --config-file "$f" --print-config >"$T/back" 2>&1
	got=$?
	if [ "$got" -ne 0 ] || [ "$(values "$f")" != "$(values "$T/back")" ]; then
		nfail=$((nfail + 1))
		echo "FAIL: $f does not read back the same (exit $got)"
		sed 's/^/    /' "$f"
		echo "  read back:"
		sed 's/^/    /' "$T/back"
	fi
}

# print FILE [args...]: agentwrap [args...] --print-config >FILE, exit 0
print() {
	f=$1; shift
	ntest=$((ntest + 1))
	if ! "$AGENTWRAP" "$@" --print-config >"$f" 2>"$T/err" ||
	    [ -s "$T/err" ]; then
		nfail=$((nfail + 1))
		echo "FAIL: agentwrap $* --print-config"
		sed 's/^/    /' "$T/err"
	fi
}

# --- the defaults, each marked as such
for l in 'sandbox_mode = "workspace-write"' 'approval_policy = "on-request"' \
    'writable_roots = \[\]' 'network_access = false' \
    'exclude_tmpdir_env_var = false' 'exclude_slash_tmp = false' \
    'enabled = false' 'allow_local_binding = false' 'enable_socks5 = true' \
    'enable_socks5_udp = true' 'allow_upstream_proxy = true' \
    'dangerously_allow_non_loopback_proxy = false' \
    'dangerously_allow_all_unix_sockets = false' \
    'protected = \["\.git", "\.codex", "\.agents", "\.agentwrap"\]' \
    'git = "work"' \
    '"~/\.ssh" = "ask"' '"~/\.aws" = "ask"' '"~/\.gnupg" = "ask"' \
    '"~/\.netrc" = "ask"' '"~/\.git-credentials" = "ask"' \
    '"~/\.config/gh" = "ask"' '"~/\.docker/config\.json" = "ask"' \
    '"~/\.kube" = "ask"'; do
	expect 0 "^$l  # default\$" --print-config
done
expect 0 "^# workspace \\(-C\\): \"$EW\"  # default \\(current directory\\)\$" \
    --print-config
for t in sandbox_workspace_write features.network_proxy \
    features.network_proxy.domains features.network_proxy.unix_sockets \
    agentwrap.filesystem agentwrap.filesystem.paths; do
	expect 0 "^\\[$(re "$t")\\]\$" --print-config
done

# --- where each value came from
mkdir -p "$T/add" "$T/cd"
printf '%s\n' '# a config' '' 'sandbox_mode = "read-only"' \
    '[features.network_proxy]' '  domains = { "a.com" = "allow" }' \
    '[agentwrap.filesystem]' 'paths = { "/srv/secret" = "deny" }' \
    '[[agentwrap.exec.rules]]' 'pattern = ["git", ["push", "fetch"]]' \
    'decision = "prompt"' 'justification = "it talks to the network"' \
    >"$T/c.toml"
set -- --config-file "$T/c.toml" -a never -n -C "$T/cd" --add-dir "$T/add" \
    -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "b.com" = "deny" }'
expect 0 "^# config file read: \"$ET/c\\.toml\"\$" "$@" --print-config
expect 0 "^sandbox_mode = \"read-only\"  # $ET/c\\.toml:3:1\$" "$@" \
    --print-config
expect 0 '^approval_policy = "never"  # --ask-for-approval$' "$@" \
    --print-config
expect 0 '^network_access = true  # --network$' "$@" --print-config
expect 0 '^enabled = true  # -c features\.network_proxy$' "$@" --print-config
expect 0 "^\"a\\.com\" = \"allow\"  # $ET/c\\.toml:5:15\$" "$@" --print-config
expect 0 '^"b\.com" = "deny"  # -c features\.network_proxy\.domains$' "$@" \
    --print-config
expect 0 "^\"/srv/secret\" = \"deny\"  # $ET/c\\.toml:7:11\$" "$@" \
    --print-config
expect 0 "^# workspace \\(-C\\): \"$ET/cd\"  # --cd\$" "$@" --print-config
expect 0 "^# extra writable root \\(--add-dir\\): \"$ET/add\"\$" "$@" \
    --print-config
expect 0 "^\\[\\[agentwrap\\.exec\\.rules\\]\\]  # $ET/c\\.toml:8:1\$" "$@" \
    --print-config
expect 0 '^pattern = \["git", \["push", "fetch"\]\]$' "$@" --print-config
expect 0 '^decision = "prompt"$' "$@" --print-config
expect 0 '^justification = "it talks to the network"$' "$@" --print-config
expect 0 '^sandbox_mode = "danger-full-access"  # --sandbox$' \
    -s danger-full-access --print-config
expect 0 '^sandbox_mode = "danger-full-access"  # -c sandbox_mode$' \
    -c sandbox_mode=danger-full-access --print-config

# --- the output reads back to the same configuration
print "$T/p1.toml"
same_values "$T/p1.toml"
print "$T/p2.toml" "$@"
same_values "$T/p2.toml"
printf '%s\n' 'approval_policy = "untrusted"' '[sandbox_workspace_write]' \
    "writable_roots = [\"$TP/add\", \"/q\\\"uote\\\\back\", \"/t\\tab\", \"/\\u00e9t\\u00e9\"]" \
    'exclude_slash_tmp = true' 'exclude_tmpdir_env_var = true' \
    '[features.network_proxy]' 'enabled = true' 'allow_local_binding = true' \
    'enable_socks5 = false' 'enable_socks5_udp = false' \
    'allow_upstream_proxy = false' \
    'dangerously_allow_non_loopback_proxy = true' \
    'dangerously_allow_all_unix_sockets = true' \
    'domains = { "*" = "allow", "**.Example.ORG." = "allow", "x.example.org" = "deny", "[::1]" = "allow" }' \
    'unix_sockets = { "/run/a b.sock" = "allow", "@abstract" = "allow" }' \
    '[agentwrap.filesystem]' 'protected = [".git", ".hg"]' 'git = "read-only"' \
    'paths = { "~" = "write", "/a\nb" = "deny", "/x = \"write\"" = "read" }' \
    '[[agentwrap.exec.rules]]' 'pattern = [["a", "b"], "c\"d", "e\\f"]' \
    'justification = "line\nbreak \"quoted\""' \
    '[[agentwrap.exec.rules]]' 'pattern = ["x"]' 'decision = "forbidden"' \
    >"$T/full.toml"
print "$T/p3.toml" --config-file "$T/full.toml" -s read-only
same_values "$T/p3.toml"
expect 0 '^sandbox_mode = "read-only"  # .*/p3\.toml:[0-9]+:1$' \
    --config-file "$T/p3.toml" --print-config
expect 0 '^"/a\\u000ab" = "deny"' --config-file "$T/p3.toml" --print-config

# --- odd bytes in paths from the command line and in a config file's name
# cannot break out of their comment: the output still reads back the same
ODD=$(printf 'odd\nsandbox_mode = "danger-full-access"\n[x]\001\177\377"\\#')
mkdir -p "$T/$ODD"
printf 'approval_policy = "never"\n' >"$T/$ODD.toml"
print "$T/p4.toml" --add-dir "$T/$ODD" -C "$T/$ODD" \
    --config-file "$T/$ODD.toml" -s read-only
same_values "$T/p4.toml"
expect 0 '^sandbox_mode = "read-only"  # .*/p4\.toml:[0-9]+:1$' \
    --config-file "$T/p4.toml" --print-config
expect 0 '^# extra writable root \(--add-dir\): ".*/odd\\u000asandbox_mode = \\"danger-full-access\\"\\u000a\[x\]\\u0001\\u007f\\uFFFD\\"\\\\#"$' \
    --add-dir "$T/$ODD" --print-config
expect 0 '^approval_policy = "never"  # .*/odd\\u000asandbox_mode = \\"danger-full-access\\"\\u000a\[x\]\\u0001\\u007f\\uFFFD\\"\\\\#\.toml:1:1$' \
    --config-file "$T/$ODD.toml" --print-config
# and nothing of it was taken as TOML
ntest=$((ntest + 1))
if grep -q '^\[x\]' "$T/p4.toml" || grep -q '^sandbox_mode = "danger' "$T/p4.toml"
then
	nfail=$((nfail + 1))
	echo "FAIL: a path broke out of its comment:"
	sed 's/^/    /' "$T/p4.toml"
fi

finish
