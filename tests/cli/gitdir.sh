# The gitdir that a `.git` file points to (worktrees, submodules) is as
# protected as a .git directory; dropping ".git" from protected lifts both.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/repo.git/worktrees/w1" "$T/ws/src"
printf 'gitdir: %s/repo.git/worktrees/w1\n' "$T" > "$T/ws/.git"
expect 2 '^ask: .*repo.git/worktrees/w1/HEAD.*protected' \
    --add-dir "$T/repo.git" --explain write "$T/repo.git/worktrees/w1/HEAD"
expect 0 '^allow: ' --add-dir "$T/repo.git" --explain write "$T/repo.git/other"
expect 2 '^ask: .*protected' --explain write .git
expect 0 '^allow: ' --explain write src/main.c
# relative gitdir, resolved against the workspace
printf 'gitdir: ../repo.git/worktrees/w1\n' > "$T/ws/.git"
expect 2 '^ask: .*protected' --add-dir "$T/repo.git" \
    --explain write "$T/repo.git/worktrees/w1/index"
expect 0 '^allow: ' --add-dir "$T/repo.git" \
    -c 'agentwrap.filesystem.protected=[".codex"]' \
    --explain write "$T/repo.git/worktrees/w1/index"
finish
