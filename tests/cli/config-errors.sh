#!/bin/sh
# config-errors.sh: bad usage and bad configuration: agentwrap decides
# nothing, prints nothing on stdout, says what is wrong (file:line:col and
# the key for config files) on stderr and exits 125.
. "$(dirname "$0")/lib.sh"

# bad FILE-CONTENT REGEX: that config file (through --config-file) is
# refused with REGEX, which starts after "agentwrap: FILE:"
bad() {
	printf '%s\n' "$1" >"$T/bad.toml"
	refuse "^agentwrap: $ET/bad\\.toml:$2" --config-file "$T/bad.toml" \
	    --explain read /etc/passwd
}

re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }
ET=$(re "$T")

# --- usage
refuse '^usage: agentwrap'
refuse 'unrecognized option' --bogus --explain read /x
refuse 'requires an argument' -s
refuse 'requires an argument' --print-config --config-file
refuse '^usage: agentwrap .*--explain' --explain
refuse '^usage: agentwrap .*--explain' --explain frob /x
refuse '^usage: agentwrap .*--explain' --explain read
refuse '^usage: agentwrap .*--explain' --explain read /a /b
refuse '^usage: agentwrap .*--explain' --explain write
refuse '^usage: agentwrap .*--explain' --explain connect
refuse '^usage: agentwrap .*--explain' --explain unix /a /b
refuse '^agentwrap: --explain bind needs ADDR:PORT' --explain bind 127.0.0.1
refuse '^agentwrap: --explain connect a\.com:http: port' \
    --explain connect a.com:http
refuse '^agentwrap: --explain connect \[::1\]:99999: port' \
    --explain connect '[::1]:99999'
refuse '^agentwrap: --explain connect : empty host' --explain connect ''
refuse '^agentwrap: --print-config takes no command' --print-config extra
refuse '^agentwrap: --print-config takes no command' --print-config \
    --explain read /x
refuse '^agentwrap: --config-file given twice' --config-file /dev/null \
    --config-file /dev/null --print-config
refuse "^agentwrap: --resolve a\\.com: expected HOST=ADDR" \
    --resolve a.com --explain read /x
refuse "^agentwrap: --resolve =1\\.2\\.3\\.4: expected HOST=ADDR" \
    --resolve =1.2.3.4 --explain read /x
refuse "^agentwrap: --resolve a\\.com=notip: 'notip' is not an IP address" \
    --resolve a.com=notip --explain read /x
refuse "^agentwrap: --resolve bad host=1\\.2\\.3\\.4: bad host name" \
    --resolve 'bad host=1.2.3.4' --explain read /x
# AGENTWRAP_DNS_TTL: seconds, 0 to 86400, nothing else; checked before the
# command runs (it does not run)
for v in "" abc -1 1.5 86401 1000000 "1 "; do
	AGENTWRAP_DNS_TTL=$v
	export AGENTWRAP_DNS_TTL
	refuse "^agentwrap: AGENTWRAP_DNS_TTL: '.*' is not a number of seconds from 0 to 86400" \
	    -q -- sh -c 'echo ran > ran'
	check "AGENTWRAP_DNS_TTL='$v': the command did not run" [ ! -e ran ]
done
AGENTWRAP_DNS_TTL=0
expect 0 '' -q -- true
AGENTWRAP_DNS_TTL=86400
expect 0 '' -q -- true
unset AGENTWRAP_DNS_TTL
# -h and --version are not errors
expect 0 '^usage: agentwrap' -h
expect 0 '^agentwrap [0-9]+\.[0-9]+' --version

# --- bad options
refuse "^agentwrap: --sandbox: bad sandbox mode 'bogus'; expected one of read-only, workspace-write, danger-full-access\$" \
    -s bogus --explain read /x
refuse "^agentwrap: --sandbox: bad sandbox mode 'Read-Only'" \
    --sandbox Read-Only --explain read /x
refuse "^agentwrap: --ask-for-approval: bad approval policy 'sometimes'; expected one of untrusted, on-request, on-failure, never\$" \
    -a sometimes --explain read /x
refuse "^agentwrap: --cd $ET/nope: " -C "$T/nope" --explain read /x
printf 'x\n' >"$T/file"
refuse "^agentwrap: --cd $ET/file: " -C "$T/file" --explain read /x
refuse "^agentwrap: --add-dir $ET/nope: " --add-dir "$T/nope" \
    --explain read /x

# --- bad -c
refuse "^agentwrap: -c '': expected key=value" -c '' --explain read /x
refuse "^agentwrap: -c 'sandbox_mode': expected key=value" \
    -c sandbox_mode --explain read /x
refuse "^agentwrap: -c 'sandbox_mod=read-only': unknown key 'sandbox_mod' in the top level; did you mean 'sandbox_mode'\\?\$" \
    -c sandbox_mod=read-only --explain read /x
refuse "^agentwrap: -c 'sandbox_mode=bogus': sandbox_mode: bad value 'bogus'" \
    -c sandbox_mode=bogus --explain read /x
refuse "^agentwrap: -c 'sandbox_workspace_write\\.netwrok_access=true': unknown key 'netwrok_access' in \\[sandbox_workspace_write\\]; did you mean 'network_access'\\?\$" \
    -c sandbox_workspace_write.netwrok_access=true --explain read /x
refuse "network_access: expected a boolean" \
    -c sandbox_workspace_write.network_access=yes --explain read /x
refuse "global '\\*' deny" \
    -c 'features.network_proxy.domains={"*"="deny"}' --explain read /x
refuse "writable_roots: relative path 'rel'" \
    -c 'sandbox_workspace_write.writable_roots=["rel"]' --explain read /x
# a bad -c fails even when an option would set the same thing
refuse "bad value 'bogus'" -s read-only -c sandbox_mode=bogus \
    --explain read /x

# --- bad config files: file:line:col: message naming the key
bad '[sandbox_workspace_write]
netwrok_access = true' \
    "2:1: unknown key 'netwrok_access' in \\[sandbox_workspace_write\\]; did you mean 'network_access'\\?\$"
bad 'sandbox_mod = "read-only"' \
    "1:1: unknown key 'sandbox_mod' in the top level; did you mean 'sandbox_mode'\\?\$"
bad '[features.network_proxy]
enable = true' \
    "2:1: unknown key 'enable' in \\[features\\.network_proxy\\]; did you mean 'enabled'\\?\$"
bad '[agentwrap]
filesystm = {}' "2:1: unknown key 'filesystm' in \\[agentwrap\\]; did you mean 'filesystem'\\?\$"
bad '[agentwrap.filesystem]
path = { "/x" = "deny" }' "2:1: unknown key 'path' in \\[agentwrap\\.filesystem\\]; did you mean 'paths'\\?\$"
bad '[agentwrap.exec]
rule = []' "2:1: unknown key 'rule' in \\[agentwrap\\.exec\\]; did you mean 'rules'\\?\$"
bad '[[agentwrap.exec.rules]]
pattern = ["ls"]
decison = "allow"' "3:1: unknown key 'decison' .*did you mean 'decision'\\?\$"
bad '[agentwrap]
frobnicate = 1' "2:1: unknown key 'frobnicate' in \\[agentwrap\\]\$"
bad '
sandbox_mode = 2' "2:16: sandbox_mode: expected a string"
bad '[agentwrap.filesystem]
git = "protect"' \
    "2:7: agentwrap\\.filesystem\\.git: bad value 'protect'; expected one of work, read-only\$"
bad '[agentwrap.filesystem]
git = true' "2:7: agentwrap\\.filesystem\\.git: expected a string \\(one of work, read-only\\), got boolean\$"
bad '[agentwrap.filesystem]
gti = "work"' "2:1: unknown key 'gti' in \\[agentwrap\\.filesystem\\]; did you mean 'git'\\?\$"
refuse "^agentwrap: -c 'agentwrap.filesystem.git=readonly': agentwrap\\.filesystem\\.git: bad value 'readonly'" \
    -c agentwrap.filesystem.git=readonly --explain read /x
bad 'approval_policy = "always"' \
    "1:19: approval_policy: bad value 'always'; expected one of untrusted, on-request, on-failure, never\$"
bad '[sandbox_workspace_write]
network_access = "yes"' "2:18: sandbox_workspace_write\\.network_access: expected a boolean"
bad '[sandbox_workspace_write]
writable_roots = ["/ok", "relative"]' \
    "2:26: sandbox_workspace_write\\.writable_roots: relative path 'relative'"
bad '[features.network_proxy]
domains = { "a.com" = "allow", "*" = "deny" }' \
    "2:32: features\\.network_proxy\\.domains: a global '\\*' deny is not allowed"
bad '[features.network_proxy]
domains = { "https://a.com/" = "allow" }' \
    "2:13: features\\.network_proxy\\.domains: malformed domain pattern 'https://a\\.com/'"
bad '[features.network_proxy]
domains = { "a.*.com" = "allow" }' \
    "2:13: features\\.network_proxy\\.domains: malformed domain pattern 'a\\.\\*\\.com'"
bad '[features.network_proxy]
domains = { "a.com" = "allowed" }' \
    "2:23: features\\.network_proxy\\.domains: bad value for 'a\\.com'"
bad '[agentwrap.filesystem]
paths = { "secrets" = "deny" }' \
    "2:11: agentwrap\\.filesystem\\.paths: relative path 'secrets'"
bad '[[agentwrap.exec.rules]]
pattern = ["rm"]
decision = "deny"' "3:12: agentwrap\\.exec\\.rules: decision must be one of"
# not TOML
bad 'sandbox_mode = ' "1:[0-9]+: "
bad '[sandbox_workspace_write' "1:[0-9]+: "
bad 'sandbox_mode = "read-only"
sandbox_mode = "read-only"' "2:[0-9]+: "
printf 'model = "a\000b"\n' >"$T/nul.toml"
refuse "^agentwrap: $ET/nul\\.toml:1:[0-9]+: " --config-file "$T/nul.toml" \
    --print-config
# control bytes quoted from a config file or -c value reach the terminal
# escaped, on one line
printf '[agentwrap]\n"\\u001b[31mred\\nline" = 1\n' >"$T/esc.toml"
refuse "^agentwrap: $ET/esc\\.toml:2:1: unknown key '\\\\033\\[31mred\\\\nline' in \\[agentwrap\\]\$" \
    --config-file "$T/esc.toml" --print-config
ESC=$(printf '\033')
set -f		# $a is split on purpose, not globbed
for a in "--config-file $T/esc.toml" "-c sandbox_mode=${ESC}[2Jx"; do
	ntest=$((ntest + 1))
	"$AGENTWRAP" $a --print-config >"$T/out" 2>"$T/err"
	if [ "$(grep -c '' "$T/err")" -ne 1 ] || grep -q "$ESC" "$T/err"; then
		nfail=$((nfail + 1))
		echo "FAIL: agentwrap $a: raw control bytes or several lines:"
		sed -n l "$T/err"
	fi
done
set +f
# other Codex keys are fine
printf '%s\n' 'model = "o3"' '[mcp_servers.x]' 'command = "npx"' \
    '[features]' 'web_search = true' '[profiles.p]' 'sandbox_mode = "no"' \
    >"$T/codex.toml"
expect 0 '^sandbox_mode = "workspace-write"  # default$' \
    --config-file "$T/codex.toml" --print-config

# --- files agentwrap will not read
refuse "^agentwrap: $ET/missing\\.toml: No such file" \
    --config-file "$T/missing.toml" --explain read /x
refuse "^agentwrap: $ET: not a regular file" --config-file "$T" \
    --explain read /x
printf 'sandbox_mode = "read-only"\n' >"$T/gw.toml"
chmod 664 "$T/gw.toml"
refuse "^agentwrap: $ET/gw\\.toml: writable by group or others \\(mode 664\\)" \
    --config-file "$T/gw.toml" --explain read /x
chmod 646 "$T/gw.toml"
refuse "^agentwrap: $ET/gw\\.toml: writable by group or others \\(mode 646\\)" \
    --config-file "$T/gw.toml" --explain read /x
chmod 644 "$T/gw.toml"
expect 2 '^ask: .*read-only' --config-file "$T/gw.toml" --explain write x
# too large
printf '%01048577d' 0 >"$T/big.toml"
refuse "^agentwrap: $ET/big\\.toml: larger than" --config-file "$T/big.toml" \
    --explain read /x

# an error in any source stops the run, whatever comes later
refuse "^agentwrap: $ET/bad\\.toml:" --config-file "$T/bad.toml" \
    -s danger-full-access -c sandbox_mode=read-only --explain read /x

finish
