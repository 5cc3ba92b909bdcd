# The gitdir that a `.git` file points to (worktrees, submodules) is a git
# directory like a .git directory: git's ordinary files are writable, its
# config and pointers are not, and agentwrap.filesystem.git = "read-only"
# protects it whole; dropping ".git" from protected lifts both. The common
# directory its commondir names, and core.hooksPath, are found too.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/repo.git/worktrees/w1" "$T/repo.git/hooks" "$T/ws/src"
printf 'gitdir: %s/repo.git/worktrees/w1\n' "$T" > "$T/ws/.git"
printf '../..\n' > "$T/repo.git/worktrees/w1/commondir"
printf '[core]\n\tbare = true\n' > "$T/repo.git/config"
expect 0 '^allow: .*repo.git/worktrees/w1/HEAD' \
    --add-dir "$T/repo.git" --explain write "$T/repo.git/worktrees/w1/HEAD"
expect 2 '^ask: .*repo.git/worktrees/w1/commondir.*existed when the run started.*protected' \
    --add-dir "$T/repo.git" --explain write "$T/repo.git/worktrees/w1/commondir"
expect 2 '^ask: .*repo.git/worktrees/w1/HEAD.*read-only' \
    -c agentwrap.filesystem.git=read-only \
    --add-dir "$T/repo.git" --explain write "$T/repo.git/worktrees/w1/HEAD"
# the common directory (a bare repository, not named .git) is one too
expect 2 '^ask: .*repo.git/config.*protected' \
    --add-dir "$T/repo.git" --explain write "$T/repo.git/config"
expect 2 '^ask: .*repo.git/hooks/pre-commit.*hooks' \
    --add-dir "$T/repo.git" --explain write "$T/repo.git/hooks/pre-commit"
expect 0 '^allow: ' --add-dir "$T/repo.git" --explain write "$T/repo.git/objects/ab/cd"
expect 2 '^ask: .*protected' --explain write .git
expect 0 '^allow: ' --explain write src/main.c
# relative gitdir, resolved against the workspace
printf 'gitdir: ../repo.git/worktrees/w1\n' > "$T/ws/.git"
expect 2 '^ask: .*protected' --add-dir "$T/repo.git" \
    --explain write "$T/repo.git/worktrees/w1/gitdir"
expect 0 '^allow: ' --add-dir "$T/repo.git" \
    -c 'agentwrap.filesystem.protected=[".codex"]' \
    --explain write "$T/repo.git/worktrees/w1/gitdir"

# core.hooksPath of the repository at a root, relative to its work tree
mkdir -p "$T/hp/.git" "$T/hp/.husky"
printf '[core]\n\thooksPath = .husky # comment\n' > "$T/hp/.git/config"
expect 2 '^ask: .*hp/.husky/pre-commit.*core.hooksPath' \
    -C "$T/hp" --explain write "$T/hp/.husky/pre-commit"
expect 0 '^allow: ' -C "$T/hp" --explain write "$T/hp/other"
expect 0 '^allow: ' -C "$T/hp" -c 'agentwrap.filesystem.protected=[]' \
    --explain write "$T/hp/.husky/pre-commit"
# quoted, on the section's line, any case; and in the user's ~/.gitconfig
printf '[Core] HooksPath = "%s/hooks2"\n' "$T/hp" > "$T/hp/.git/config"
expect 2 '^ask: .*hp/hooks2/x.*core.hooksPath' \
    -C "$T/hp" --explain write "$T/hp/hooks2/x"
printf '[core]\n[core "sub"]\n\thooksPath = nothooks\n' > "$T/hp/.git/config"
expect 0 '^allow: ' -C "$T/hp" --explain write "$T/hp/nothooks/x"
printf '[core]\n\thooksPath = ~/ghooks\n' > "$HOME/.gitconfig"
expect 2 '^ask: .*ghooks/pre-push.*core.hooksPath.*gitconfig' \
    -C "$T/hp" --add-dir "$HOME" --explain write "$HOME/ghooks/pre-push"
rm "$HOME/.gitconfig"
# .git/hooks reached through a symlink: its target is protected
mkdir -p "$T/sl/.git" "$T/sl/myhooks"
ln -s ../myhooks "$T/sl/.git/hooks"
expect 2 '^ask: .*sl/myhooks/pre-commit.*symlink' \
    -C "$T/sl" --explain write "$T/sl/myhooks/pre-commit"
finish
