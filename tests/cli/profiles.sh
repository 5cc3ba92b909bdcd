# Codex profiles: `profile = "NAME"` applies [profiles.NAME] over the top
# level; a named profile that does not exist is an error.
. "$(dirname "$0")/lib.sh"

cfg="$T/cfg.toml"
printf 'profile = "ro"\nsandbox_mode = "workspace-write"\n[profiles.ro]\nsandbox_mode = "read-only"\n[profiles.other]\nsandbox_mode = "danger-full-access"\n' > "$cfg"
expect 2 '^ask: writing .*sandbox_mode = read-only \(.*cfg.toml:4:1\)' \
    --config-file "$cfg" --explain write x
printf 'sandbox_mode = "read-only"\n[profiles.other]\nsandbox_mode = "danger-full-access"\n' > "$cfg"
expect 2 '^ask: .*read-only' --config-file "$cfg" --explain write x
printf 'profile = "nope"\n' > "$cfg"
expect 125 "cfg.toml:1:11: profile 'nope' is selected but there is no \[profiles.nope\] table" \
    --config-file "$cfg" --explain write x
printf 'profile = "p"\n[profiles.p]\nsandbox_mod = "read-only"\n' > "$cfg"
expect 125 "cfg.toml:3:1: unknown key 'sandbox_mod'.*did you mean 'sandbox_mode'" \
    --config-file "$cfg" --explain write x
# -c cannot select a profile: the [profiles] tables are in the files
expect 125 "a profile can only be selected in a config file" -c profile=x --explain write x
finish
