# git under agentwrap, -a never, the default agentwrap.filesystem.git =
# "work": git does its ordinary work in any repository of the workspace;
# hooks, info/, and the config and pointers of repositories that existed
# when the run started stay as they were. "read-only" protects the whole
# git directory, as Codex does.
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
export GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE
g() { git -c init.defaultBranch=main "$@"; }
# run_in DIR STATUS DESCRIPTION SCRIPT [agentwrap options]: SCRIPT run by sh
# in DIR under agentwrap -a never (the workspace stays $WS)
run_in() {
	d=$1 want=$2 desc=$3 script=$4
	shift 4
	status "$want" "$desc" aw -a never "$@" -- sh -c "cd '$d' && $script"
}
ncommits() { git -C "$1" rev-list --count HEAD 2>/dev/null || echo 0; }
# every entry under DIR: name, type, size, mode, inode, change time
tree_state() { (cd "$1" && find . -print0 | sort -z |
    xargs -0 stat -c '%n %F %s %a %i %Z.%z') }

# --- a repository made during the run: everything git needs works
status 0 "init, commit, mv, commit" aw -a never -- sh -c \
    'git -c init.defaultBranch=main init -q repo && cd repo && echo a > a &&
     git add -A && git commit -qm one && git mv a b && git commit -qm two'
check "both commits exist" [ "$(ncommits "$WS/repo")" -eq 2 ]
check "b is tracked, a is not" [ "$(git -C "$WS/repo" ls-files)" = b ]
status 0 "a new repository's config is writable" aw -a never -- sh -c \
    'git init -q r2 && git -C r2 config user.name Zed'
check "the config was written" \
    [ "$(git -C "$WS/r2" config --get user.name)" = Zed ]
check "git init copied the sample hooks" [ -f "$WS/r2/.git/hooks/pre-commit.sample" ]
status 0 "a new repository can be removed again" aw -a never -- sh -c \
    'git init -q scratch && rm -rf scratch'
check "it is gone" absent "$WS/scratch"

# --- a repository that existed before the run
g init -q "$WS/old" && echo a >"$WS/old/a" && g -C "$WS/old" add a &&
    g -C "$WS/old" commit -qm one || fail "setting up old"
cp "$WS/old/.git/config" "$T/config.orig"
cp "$WS/old/.git/hooks/pre-commit.sample" "$T/sample.orig"
ls "$WS/old/.git/hooks" >"$T/hooks.orig"
O=$WS/old
run_in "$O" 0 "commit in an existing repository" \
    'echo b > b && git add b && git commit -qm two'
check "the commit exists" [ "$(ncommits "$WS/old")" -eq 2 ]
for plant in 'echo "#!/bin/sh" > .git/hooks/pre-commit' \
    'cp .git/hooks/pre-commit.sample .git/hooks/pre-commit' \
    'mv .git/hooks/pre-commit.sample .git/hooks/pre-commit' \
    'ln .git/hooks/pre-commit.sample .git/hooks/pre-commit' \
    'ln -s pre-commit.sample .git/hooks/pre-commit' \
    'chmod +x .git/hooks/pre-commit.sample'; do
	run_in "$O" 1 "plant a hook: $plant" "$plant || exit 1"
	check "no pre-commit hook after: $plant" \
	    absent "$WS/old/.git/hooks/pre-commit"
done
check "the hook files are unchanged" cmp -s "$T/sample.orig" \
    "$WS/old/.git/hooks/pre-commit.sample"
check "no hook file came or went" sh -c \
    "ls '$WS/old/.git/hooks' | cmp -s - '$T/hooks.orig'"
check "the sample kept its mode" [ "$(stat -c %a "$T/sample.orig")" = \
    "$(stat -c %a "$WS/old/.git/hooks/pre-commit.sample")" ]
run_in "$O" 4 "git config core.hooksPath" 'git config core.hooksPath x'
run_in "$O" 1 "append to .git/config" 'echo "[core]" >> .git/config || exit 1'
run_in "$O" 1 "replace .git/config" 'echo x > c && mv c .git/config'
check "config unchanged, byte for byte" cmp -s "$T/config.orig" "$WS/old/.git/config"
check "no config.lock left behind" absent "$WS/old/.git/config.lock"
run_in "$O" 1 "create .git/info/attributes" \
    'echo "* filter=x" > .git/info/attributes || exit 1'
check "no info/attributes" absent "$WS/old/.git/info/attributes"
run_in "$O" 1 "point objects elsewhere" \
    'echo /tmp > .git/objects/info/alternates || exit 1'
check "no alternates" absent "$WS/old/.git/objects/info/alternates"
run_in "$O" 1 "replace the .git directory" 'mv .git .git-old'
check ".git still there" [ -f "$WS/old/.git/HEAD" ]

# --- agentwrap.filesystem.git = "read-only": as before, nothing changes
tree_state "$WS/old/.git" >"$T/ro.before"
run_in "$O" 128 "commit with the whole .git protected" \
    'echo c > c && git add c && git commit -qm three' \
    -c agentwrap.filesystem.git=read-only
check "the denial names the setting" \
    grep -q 'agentwrap.filesystem.git = "read-only"' "$T/last.err"
check "no third commit" [ "$(ncommits "$WS/old")" -eq 2 ]
tree_state "$WS/old/.git" >"$T/ro.after"
check "nothing under .git changed" cmp -s "$T/ro.before" "$T/ro.after"
status 1 "git init with the whole .git protected" \
    aw -a never -c agentwrap.filesystem.git=read-only -- git init -q "$WS/ro"
check "no repository made" absent "$WS/ro/.git"

# --- worktrees: one made before the run, one during
g -C "$WS/old" worktree add -q "$WS/wt0" -b b0 || fail "setting up wt0"
cp "$WS/old/.git/worktrees/wt0/commondir" "$T/commondir.orig"
run_in "$WS/wt0" 0 "commit in a worktree that existed" \
    'echo w > w && git add w && git commit -qm w'
check "that commit exists" [ "$(ncommits "$WS/wt0")" -eq 3 ]
run_in "$WS/wt0" 1 "repoint the worktree's commondir" \
    "echo '$WS/repo/.git' > '$WS/old/.git/worktrees/wt0/commondir' || exit 1"
run_in "$WS/wt0" 1 "rewrite the worktree's .git file" \
    "echo 'gitdir: $WS/repo/.git' > .git || exit 1"
check "commondir unchanged" cmp -s "$T/commondir.orig" \
    "$WS/old/.git/worktrees/wt0/commondir"
check ".git file unchanged" grep -q "old/.git/worktrees/wt0" "$WS/wt0/.git"
run_in "$O" 0 "git worktree add during the run, commit there" \
    "git worktree add -q '$WS/wt1' -b b1 && cd '$WS/wt1' &&
     echo v > v && git add v && git commit -qm v"
check "the new worktree's commit exists" [ "$(ncommits "$WS/wt1")" -eq 3 ]

# --- submodules: added during the run, then protected in the next one
g init -q "$WS/sub" && echo s >"$WS/sub/s" && g -C "$WS/sub" add s &&
    g -C "$WS/sub" commit -qm s || fail "setting up sub"
status 0 "add a local submodule" aw -a never -- sh -c \
    'git -c init.defaultBranch=main init -q super && cd super &&
     git -c protocol.file.allow=always submodule add -q ../sub libs/s &&
     git commit -qm add'
check "the submodule's git directory is in .git/modules" \
    [ -f "$WS/super/.git/modules/libs/s/config" ]
check "the superproject recorded it" [ "$(ncommits "$WS/super")" -eq 1 ]
cp "$WS/super/.git/modules/libs/s/config" "$T/subconfig.orig"
S=$WS/super/libs/s
run_in "$S" 0 "commit in the submodule" 'echo t > t && git add t && git commit -qm t'
check "the submodule's commit exists" [ "$(ncommits "$WS/super/libs/s")" -eq 2 ]
run_in "$S" 1 "plant a hook in the submodule's git directory" \
    "echo x > '$WS/super/.git/modules/libs/s/hooks/post-checkout' || exit 1"
check "no hook there" absent "$WS/super/.git/modules/libs/s/hooks/post-checkout"
run_in "$S" 4 "git config in the submodule" 'git config core.hooksPath h'
check "the submodule's config unchanged" cmp -s "$T/subconfig.orig" \
    "$WS/super/.git/modules/libs/s/config"
finish
