#!/bin/sh
# config-sources.sh: where configuration comes from and which source wins:
# defaults; $AGENTWRAP_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/agentwrap/
# config.toml; --config-file; -s/-a/-C/--add-dir/-n; then -c. Files others
# can write are refused, and every config file is denied for writing.
. "$(dirname "$0")/lib.sh"

# lacks REGEX [args...]: exit 0 and no line of the output matches REGEX
lacks() {
	re=$1; shift
	ntest=$((ntest + 1))
	out=$("$AGENTWRAP" "$@" 2>&1)
	got=$?
	if [ "$got" -ne 0 ] || printf '%s\n' "$out" | grep -Eq -- "$re"; then
		nfail=$((nfail + 1))
		echo "FAIL: agentwrap $*"
		echo "  expected exit 0 and no line matching /$re/"
		echo "  got exit $got:"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
}

re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }
W=$(pwd -P)
EW=$(re "$W")
TP=$(cd "$T" && pwd -P)
ET=$(re "$TP")
EH=$(re "$HOME")
UC="$HOME/.config/agentwrap"
mkdir -p "$UC" "$T/xdg/agentwrap" "$T/r1" "$T/r2" "$T/other"

# --- no config file at all: the defaults
expect 0 '^sandbox_mode = "workspace-write"  # default$' --print-config
lacks '^# config file read' --print-config
expect 0 '^allow: ' --explain write f

# --- ~/.config/agentwrap/config.toml
printf '%s\n' '# user config' 'sandbox_mode = "read-only"' \
    'approval_policy = "untrusted"' >"$UC/config.toml"
expect 0 "^# config file read: \"$EH/\\.config/agentwrap/config\\.toml\"\$" \
    --print-config
expect 0 "^sandbox_mode = \"read-only\"  # $EH/\\.config/agentwrap/config\\.toml:2:1\$" \
    --print-config
expect 2 "^ask: writing $EW/f needs approval: sandbox_mode = read-only \\($EH/\\.config/agentwrap/config\\.toml:2:1\\)" \
    --explain write f

# --- ${XDG_CONFIG_HOME}/agentwrap/config.toml replaces ~/.config
printf '%s\n' 'approval_policy = "never"' >"$T/xdg/agentwrap/config.toml"
export XDG_CONFIG_HOME="$T/xdg"
expect 0 "^approval_policy = \"never\"  # $ET/xdg/agentwrap/config\\.toml:1:1\$" \
    --print-config
expect 0 '^sandbox_mode = "workspace-write"  # default$' --print-config
lacks '\.config/agentwrap/config\.toml' --print-config
# without a file there: nothing read, not the ~/.config one either
export XDG_CONFIG_HOME="$T/xdg-empty"
lacks '^# config file read' --print-config
unset XDG_CONFIG_HOME

# --- $AGENTWRAP_CONFIG replaces the user config
printf '%s\n' '[sandbox_workspace_write]' 'network_access = true' \
    >"$T/env.toml"
export AGENTWRAP_CONFIG="$T/env.toml"
expect 0 "^network_access = true  # $ET/env\\.toml:2:1\$" --print-config
expect 0 '^sandbox_mode = "workspace-write"  # default$' --print-config
lacks 'user config|\.config/agentwrap/config\.toml' --print-config
expect 0 '^allow: network access is on' --explain connect 93.184.216.34:443
# it must exist
export AGENTWRAP_CONFIG="$T/missing.toml"
refuse "^agentwrap: $(re "$T")/missing\\.toml: No such file or directory" \
    --explain read /x
refuse "missing\\.toml" --print-config
# empty: as if unset
export AGENTWRAP_CONFIG=
expect 0 "^sandbox_mode = \"read-only\"  # $EH/\\.config/agentwrap/config\\.toml:2:1\$" \
    --print-config
unset AGENTWRAP_CONFIG

# --- --config-file comes after the user config
printf '%s\n' 'sandbox_mode = "danger-full-access"' >"$T/extra.toml"
expect 0 "^sandbox_mode = \"danger-full-access\"  # $(re "$T")/extra\\.toml:1:1\$" \
    --config-file "$T/extra.toml" --print-config
expect 0 "^approval_policy = \"untrusted\"  # $EH/\\.config/agentwrap/config\\.toml:3:1\$" \
    --config-file "$T/extra.toml" --print-config
expect 0 '^allow: sandbox_mode = danger-full-access' \
    --config-file "$T/extra.toml" --explain write /etc/aw-probe
# both files are listed, in order
ntest=$((ntest + 1))
"$AGENTWRAP" --config-file "$T/extra.toml" --print-config >"$T/p" 2>&1
if [ "$(grep '^# config file read' "$T/p" | sed -n 1p)" != \
    "# config file read: \"$HOME/.config/agentwrap/config.toml\"" ] ||
    [ "$(grep '^# config file read' "$T/p" | sed -n 2p)" != \
    "# config file read: \"$TP/extra.toml\"" ]; then
	nfail=$((nfail + 1))
	echo "FAIL: config files not listed in order:"
	sed 's/^/    /' "$T/p"
fi
# --config-file also comes after $AGENTWRAP_CONFIG
export AGENTWRAP_CONFIG="$T/env.toml"
printf '%s\n' '[sandbox_workspace_write]' 'network_access = false' \
    >"$T/nonet.toml"
expect 0 "^network_access = false  # $(re "$T")/nonet\\.toml:2:1\$" \
    --config-file "$T/nonet.toml" --print-config
unset AGENTWRAP_CONFIG

# --- options come after the files
expect 0 '^sandbox_mode = "workspace-write"  # --sandbox$' \
    --config-file "$T/extra.toml" -s workspace-write --print-config
expect 0 '^approval_policy = "on-request"  # --ask-for-approval$' \
    -a on-request --print-config
expect 2 '^ask: writing /etc/aw-probe needs approval' \
    --config-file "$T/extra.toml" -s workspace-write -a on-request \
    --explain write /etc/aw-probe
expect 0 '^network_access = true  # --network$' \
    --config-file "$T/nonet.toml" -n --print-config
expect 0 "^# workspace \\(-C\\): \"$ET/other\"  # --cd\$" -C "$T/other" \
    --print-config
expect 0 "^# workspace \\(-C\\): \"$EW\"  # default \\(current directory\\)\$" \
    --print-config
expect 0 "^# extra writable root \\(--add-dir\\): \"$ET/r1\"\$" \
    --add-dir "$T/r1" --print-config

# --- -c comes last, wherever it is on the command line
expect 0 '^sandbox_mode = "read-only"  # -c sandbox_mode$' \
    -c sandbox_mode=read-only -s danger-full-access --print-config
expect 0 '^sandbox_mode = "read-only"  # -c sandbox_mode$' \
    -s danger-full-access -c sandbox_mode=read-only --print-config
expect 2 '^ask: writing /etc/aw-probe needs approval: sandbox_mode = read-only \(-c sandbox_mode\)' \
    -c sandbox_mode=read-only -s danger-full-access --explain write /etc/aw-probe
expect 0 '^approval_policy = "never"  # -c approval_policy$' \
    -c approval_policy=never -a untrusted --print-config
expect 2 '^ask: connecting to 93\.184\.216\.34 needs approval: network access is off \(sandbox_workspace_write\.network_access = false, -c sandbox_workspace_write\.network_access\)' \
    -c sandbox_workspace_write.network_access=false -n -s workspace-write \
    --explain connect 93.184.216.34:443
# ... and the later -c wins
expect 0 '^sandbox_mode = "danger-full-access"  # -c sandbox_mode$' \
    -c sandbox_mode=read-only -c sandbox_mode=danger-full-access --print-config

# --- maps merge per key across sources, arrays replace
printf '%s\n' '[features.network_proxy]' 'enabled = true' \
    'domains = { "a.com" = "allow", "b.com" = "allow" }' \
    '[sandbox_workspace_write]' "writable_roots = [\"$TP/r1\"]" \
    'network_access = true' 'exclude_slash_tmp = true' \
    'exclude_tmpdir_env_var = true' >"$UC/config.toml"
printf '%s\n' '[features.network_proxy]' \
    'domains = { "b.com" = "deny", "c.com" = "allow" }' \
    '[sandbox_workspace_write]' "writable_roots = [\"$TP/r2\"]" \
    >"$T/layer.toml"
C='features.network_proxy.domains={ "c.com" = "deny", "d.com" = "allow" }'
RS="--resolve a.com=93.184.216.34 --resolve b.com=93.184.216.34
    --resolve c.com=93.184.216.34 --resolve d.com=93.184.216.34"
expect 0 "^allow: a\\.com is allowed: .*\\($EH/\\.config/agentwrap/config\\.toml:3:13\\)" \
    --config-file "$T/layer.toml" -c "$C" $RS --explain connect a.com:443
expect 1 "^deny: b\\.com is denied: .*\\($ET/layer\\.toml:2:13\\)" \
    --config-file "$T/layer.toml" -c "$C" $RS --explain connect b.com:443
expect 1 '^deny: c\.com is denied: .*\(-c features\.network_proxy\.domains\)' \
    --config-file "$T/layer.toml" -c "$C" $RS --explain connect c.com:443
expect 0 '^allow: d\.com is allowed' \
    --config-file "$T/layer.toml" -c "$C" $RS --explain connect d.com:443
# without the later sources, b.com is still allowed by the first
expect 0 '^allow: b\.com is allowed' $RS --explain connect b.com:443
expect 0 "^allow: $ET/r2/f is inside the writable root $ET/r2 \\(writable_roots\\)" \
    --config-file "$T/layer.toml" --explain write "$T/r2/f"
expect 2 "^ask: writing $ET/r1/f needs approval" \
    --config-file "$T/layer.toml" --explain write "$T/r1/f"
expect 0 "^allow: $ET/r1/f is inside the writable root $ET/r1" \
    --explain write "$T/r1/f"
expect 0 "^writable_roots = \\[\"$ET/r2\"\\]  # $ET/layer\\.toml:4:1\$" \
    --config-file "$T/layer.toml" --print-config

# --- files that others can write are refused, from every source
printf 'sandbox_mode = "read-only"\n' >"$UC/config.toml"
chmod g+w "$UC/config.toml"
refuse "^agentwrap: $EH/\\.config/agentwrap/config\\.toml: writable by group or others \\(mode 664\\); refusing" \
    --explain read /x
chmod g-w,o+w "$UC/config.toml"
refuse "writable by group or others \\(mode 646\\)" --print-config
chmod 644 "$UC/config.toml"
expect 0 '^sandbox_mode = "read-only"' --print-config
printf 'sandbox_mode = "read-only"\n' >"$T/gw.toml"
chmod 620 "$T/gw.toml"
export AGENTWRAP_CONFIG="$T/gw.toml"
refuse "gw\\.toml: writable by group or others \\(mode 620\\)" --print-config
unset AGENTWRAP_CONFIG
refuse "gw\\.toml: writable by group or others \\(mode 620\\)" \
    --config-file "$T/gw.toml" --print-config
export XDG_CONFIG_HOME="$T/xdg"
printf 'sandbox_mode = "read-only"\n' >"$T/xdg/agentwrap/config.toml"
chmod 666 "$T/xdg/agentwrap/config.toml"
refuse "xdg/agentwrap/config\\.toml: writable by group or others \\(mode 666\\)" \
    --print-config
chmod 644 "$T/xdg/agentwrap/config.toml"
# a user config that cannot be looked at is an error, not an absent file
# (only an unprivileged user can test it: root passes the permissions)
chmod 000 "$T/xdg/agentwrap"
if ! [ -e "$T/xdg/agentwrap/config.toml" ]; then
	refuse "^agentwrap: $ET/xdg/agentwrap/config\\.toml: Permission denied" \
	    --print-config
fi
chmod 755 "$T/xdg/agentwrap"
unset XDG_CONFIG_HOME

# --- a config file may never be written from inside the sandbox
mkdir -p sub
printf 'approval_policy = "on-request"\n' >"$W/aw.toml"
expect 0 "^allow: $EW/aw\\.toml is inside the writable root" \
    -s workspace-write --explain write aw.toml
for m in workspace-write read-only; do
	expect 1 "^deny: $EW/aw\\.toml holds agentwrap's own configuration" \
	    --config-file aw.toml -s "$m" --explain write aw.toml
	expect 1 "^deny: $EW/aw\\.toml holds agentwrap's own configuration" \
	    --config-file ./sub/../aw.toml -s "$m" --explain write "$W/aw.toml"
done
expect 0 "^allow: reading $EW/aw\\.toml is allowed" --config-file aw.toml \
    -s workspace-write --explain read aw.toml
expect 1 "^deny: $EH/\\.config/agentwrap/config\\.toml holds agentwrap's own configuration" \
    -s workspace-write --explain write "$UC/config.toml"
export AGENTWRAP_CONFIG="$W/aw.toml"
expect 1 "^deny: $EW/aw\\.toml holds agentwrap's own configuration" \
    --explain write aw.toml
unset AGENTWRAP_CONFIG
# nor can the sandbox create the user config for the next run
mkdir -p "$T/home2"
H=$HOME
export HOME="$TP/home2"
expect 1 "^deny: $ET/home2/\\.config/agentwrap/config\\.toml holds agentwrap's own configuration" \
    --explain write "$T/home2/.config/agentwrap/config.toml"
export HOME="$H"
export XDG_CONFIG_HOME="$T/xdg2"
expect 1 "^deny: $ET/xdg2/agentwrap/config\\.toml holds agentwrap's own configuration" \
    --explain write "$T/xdg2/agentwrap/config.toml"
unset XDG_CONFIG_HOME

finish
