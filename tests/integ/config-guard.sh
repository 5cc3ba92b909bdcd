# agentwrap's own configuration cannot be changed from inside a run, even
# when it lies in a writable root: not the files read, not a symlink that
# names one, not the user config directory, not by moving a parent.
. "$(dirname "$0")/lib.sh"

mkdir -p "$HOME/.config/agentwrap"
printf 'sandbox_mode = "workspace-write"\n' > "$HOME/.config/agentwrap/config.toml"
printf 'approval_policy = "never"\n' > "$WS/cfg.toml"
ln -s cfg.toml "$WS/cfg-link.toml"

status 2 "overwrite the --config-file" aw --config-file cfg.toml -- sh -c 'echo sandbox_mode = \"danger-full-access\" > cfg.toml'
check "config file unchanged" grep -q never "$WS/cfg.toml"
status 1 "remove the config through its relative symlink name" aw --config-file cfg-link.toml -- rm cfg-link.toml
check "symlink still there" [ -L "$WS/cfg-link.toml" ]
status 1 "rename the config away" aw --config-file cfg.toml -- mv cfg.toml old.toml
check "config not renamed" [ -f "$WS/cfg.toml" ]

# the user config, with the workspace at $HOME so that it is writable
status 2 "write the user config" "$AGENTWRAP" -a never -C "$HOME" -- sh -c "echo 'sandbox_mode = \"danger-full-access\"' > '$HOME/.config/agentwrap/config.toml'"
check "user config unchanged" grep -q workspace-write "$HOME/.config/agentwrap/config.toml"
status 1 "move ~/.config away" "$AGENTWRAP" -a never -C "$HOME" -- mv "$HOME/.config" "$HOME/.config.old"
check "~/.config still there" [ -d "$HOME/.config/agentwrap" ]
status 0 "other files under ~/.config are fine" "$AGENTWRAP" -a never -C "$HOME" -- sh -c "echo x > '$HOME/.config/other.txt'"
check "other file written" [ -f "$HOME/.config/other.txt" ]
finish
