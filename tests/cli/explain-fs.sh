#!/bin/sh
# explain-fs.sh: `agentwrap --explain read|write PATH`: the verdict line and
# exit status for writable roots (workspace, /tmp, $TMPDIR, writable_roots,
# --add-dir, -C), always-writable devices, protected names,
# agentwrap.filesystem.paths, the sandbox modes and the approval policies.
. "$(dirname "$0")/lib.sh"

# a path as an extended regular expression
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }

W=$(pwd -P)		# the workspace, canonical
TP=$(cd "$T" && pwd -P)
EW=$(re "$W")
ET=$(re "$TP")
mkdir -p sub .git sub/.git "$T/outside" "$T/wt" "$T/gitdir"
# a repository that exists before agentwrap starts
: >.git/config
# only the workspace is writable: /tmp and $TMPDIR (= /tmp) excluded
set -- -c sandbox_workspace_write.exclude_slash_tmp=true \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true
NOTMP1=$1 NOTMP2=$2 NOTMP3=$3 NOTMP4=$4
set --

# the workspace (the current directory) is writable, relative paths are
# made absolute against it, `..` resolved
decide 0 "^allow: $EW/f\\.txt is inside the writable root $EW \\(workspace\\)\$" \
    --explain write f.txt
decide 0 "$EW/sub/new is inside the writable root $EW " \
    --explain write sub/./new
decide 0 "$EW/g is inside" --explain write sub/../g
decide 0 "$EW/g is inside" --explain write "$W/sub/../g"

# outside it: ask, naming the roots
decide 2 "^ask: writing $ET/outside/f needs approval: it is outside the writable roots \\($EW\\)\$" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 --explain write ../outside/f
decide 2 "writing $ET/outside/f needs approval" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 --explain write sub/../../outside/f
decide 2 "writing /etc/aw-probe needs approval: it is outside the writable roots" \
    --explain write /etc/aw-probe
decide 2 "writing /dev/sda needs approval" --explain write /dev/sda
# reading is allowed everywhere that agentwrap.filesystem.paths does not guard
decide 0 "^allow: reading /etc/passwd is allowed" --explain read /etc/passwd
decide 0 "^allow: reading $ET/outside/f is allowed" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 --explain read ../outside/f

# /tmp and $TMPDIR, unless excluded
decide 0 "/tmp/aw-probe is inside the writable root /tmp" \
    --explain write /tmp/aw-probe
decide 2 "writing /tmp/aw-probe needs approval" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 --explain write /tmp/aw-probe
export TMPDIR="$TP/outside"
decide 0 "$ET/outside/f is inside the writable root $ET/outside \\(\\\$TMPDIR\\)" \
    -c sandbox_workspace_write.exclude_slash_tmp=true \
    --explain write "$T/outside/f"
decide 2 "writing $ET/outside/f needs approval" \
    -c sandbox_workspace_write.exclude_slash_tmp=true \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true \
    --explain write "$T/outside/f"
decide 0 "/tmp/aw-probe is inside the writable root /tmp" \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true \
    --explain write /tmp/aw-probe
export TMPDIR=/tmp

# more writable roots: writable_roots, --add-dir (relative to the current
# directory), -C (the workspace)
decide 0 "$ET/outside/f is inside the writable root $ET/outside \\(writable_roots\\)" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 \
    -c "sandbox_workspace_write.writable_roots=[\"$TP/outside\"]" \
    --explain write "$T/outside/f"
decide 0 "$ET/outside/f is inside the writable root $ET/outside \\(--add-dir\\)" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 --add-dir ../outside \
    --explain write "$T/outside/f"
decide 0 "$ET/outside/f is inside the writable root $ET/outside \\(workspace\\)" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 -C ../outside \
    --explain write "$T/outside/f"
# -C moves the workspace: the current directory is no longer writable
decide 2 "writing $EW/f needs approval: it is outside the writable roots \\($ET/outside\\)" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 -C ../outside --explain write "$W/f"
# a writable root does not cover its parent or a sibling with its prefix
decide 2 "writing $ET/outside-not/f needs approval" \
    $NOTMP1 $NOTMP2 $NOTMP3 $NOTMP4 --add-dir ../outside \
    --explain write "$T/outside-not/f"

# devices that are always writable, even in read-only
for d in /dev/null /dev/zero /dev/full /dev/tty /dev/ptmx /dev/pts/0 \
    /dev/shm/x; do
	decide 0 "^allow: $d is always writable" -s read-only --explain write "$d"
done

# protected names are read-only inside writable roots, at any depth
for p in .codex/x .agents/x .agentwrap/policy; do
	decide 2 "^ask: writing $EW/$(re "$p") needs approval: .* read-only inside writable roots \\(agentwrap\\.filesystem\\.protected\\)" \
	    --explain write "$p"
done
# in a git directory, git's ordinary work is allowed, not the rest
for p in .git/config .git .git/hooks/pre-commit sub/.git/info/attributes; do
	decide 2 "^ask: writing $EW/$(re "$p") needs approval: .*agentwrap\\.filesystem\\.git = \"work\" \\(default\\).*agentwrap\\.filesystem\\.protected" \
	    --explain write "$p"
done
decide 0 "$EW/sub/\\.git/HEAD is inside the writable root" \
    --explain write sub/.git/HEAD
for p in .git/HEAD sub/.git/HEAD; do
	decide 2 "^ask: writing $EW/$(re "$p") needs approval: \\.git is read-only inside writable roots \\(agentwrap\\.filesystem\\.protected, agentwrap\\.filesystem\\.git = \"read-only\" \\(-c agentwrap\\.filesystem\\.git\\)" \
	    -c agentwrap.filesystem.git=read-only --explain write "$p"
done
decide 0 "$EW/\\.gitignore is inside the writable root" \
    --explain write .gitignore
decide 0 "^allow: reading $EW/\\.git/config is allowed" \
    --explain read .git/config
# the gitdir a .git file points to is a git directory too
printf 'gitdir: %s\n' "$TP/gitdir" >"$T/wt/.git"
: >"$T/gitdir/config"
decide 2 "writing $ET/gitdir/config needs approval: .*agentwrap\\.filesystem\\.protected" \
    -C ../wt --add-dir "$T/gitdir" --explain write "$T/gitdir/config"
decide 0 "$ET/gitdir/HEAD is inside the writable root" \
    -C ../wt --add-dir "$T/gitdir" --explain write "$T/gitdir/HEAD"
decide 2 "writing $ET/gitdir/HEAD needs approval: .*agentwrap\\.filesystem\\.protected" \
    -C ../wt --add-dir "$T/gitdir" -c agentwrap.filesystem.git=read-only \
    --explain write "$T/gitdir/HEAD"
decide 0 "$ET/gitdir/HEAD is inside the writable root" \
    --add-dir "$T/gitdir" --explain write "$T/gitdir/HEAD"
# the list replaces the default
decide 0 "$EW/\\.git/config is inside the writable root" \
    -c 'agentwrap.filesystem.protected=[".hg"]' --explain write .git/config
decide 2 "writing $EW/\\.hg/x needs approval" \
    -c 'agentwrap.filesystem.protected=[".hg"]' --explain write .hg/x

# what agentwrap writes is never writable, and shown by --print-config
decide 1 "^deny: $EW/run\\.jsonl is written by agentwrap itself \\(--audit $EW/run\\.jsonl\\)" \
    --audit run.jsonl --explain write run.jsonl
decide 1 "^deny: $EW/sub/g\\.toml\\.agentwrap-new is written by agentwrap itself \\(--save-grants" \
    --save-grants sub/g.toml --explain write sub/g.toml.agentwrap-new
decide 0 "^allow: " --audit run.jsonl --explain read run.jsonl
expect 0 "^# written by agentwrap \\(--save-grants\\), never by the command: \"$EW/sub/g\\.toml\\.agentwrap-new\"\$" \
    --save-grants sub/g.toml --print-config

# sandbox modes
decide 2 "^ask: writing $EW/f needs approval: sandbox_mode = read-only \\(--sandbox\\)\$" \
    -s read-only --explain write f
decide 0 "^allow: reading $EW/f is allowed" -s read-only --explain read f
decide 0 "^allow: sandbox_mode = danger-full-access \\(--sandbox\\) allows writing /etc/aw-probe\$" \
    -s danger-full-access --explain write /etc/aw-probe
decide 0 "danger-full-access" -s danger-full-access --explain write .git/config

# approval policies turn ask into deny, or keep it
decide 1 "^deny: writing /etc/aw-probe needs approval: .*approval_policy = never \\(--ask-for-approval\\) never asks" \
    -a never --explain write /etc/aw-probe
decide 1 "approval_policy = on-failure .* after a failure" \
    -a on-failure --explain write /etc/aw-probe
decide 2 "^ask: writing /etc/aw-probe" -a on-request --explain write /etc/aw-probe
decide 2 "^ask: writing /etc/aw-probe" -a untrusted --explain write /etc/aw-probe
decide 1 "^deny: writing $EW/f needs approval: sandbox_mode = read-only" \
    -s read-only -a never --explain write f
# an allow stays an allow
decide 0 "inside the writable root" -a never --explain write f

# agentwrap.filesystem.paths: credential stores are "ask" by default, for
# reading too
mkdir -p "$HOME/.ssh"
HP=$(cd "$HOME" && pwd -P)
EH=$(re "$HP")
decide 2 "^ask: reading $EH/\\.ssh/id_rsa needs approval: agentwrap\\.filesystem\\.paths\\[\"~/\\.ssh\"\\] = \"ask\" \\(default\\)\$" \
    --explain read "$HOME/.ssh/id_rsa"
for p in .aws/credentials .gnupg/x .netrc .git-credentials .config/gh/hosts.yml \
    .docker/config.json .kube/config; do
	decide 2 "^ask: reading $EH/$(re "$p") needs approval: agentwrap\\.filesystem\\.paths" \
	    --explain read "$HOME/$p"
done
decide 1 "^deny: reading $EH/\\.ssh/id_rsa needs approval: .*never" \
    -a never --explain read "$HOME/.ssh/id_rsa"
decide 0 "^allow: reading $EH/\\.ssh/id_rsa is allowed" \
    -c 'agentwrap.filesystem.paths={"~/.ssh"="read"}' \
    --explain read "$HOME/.ssh/id_rsa"
decide 2 "writing $EH/\\.ssh/id_rsa needs approval: agentwrap\\.filesystem\\.paths\\[\"~/\\.ssh\"\\] = \"read\" \\(-c agentwrap\\.filesystem\\.paths\\)" \
    -c 'agentwrap.filesystem.paths={"~/.ssh"="read"}' \
    --explain write "$HOME/.ssh/id_rsa"
# deny, write, and the most specific path wins
decide 1 "^deny: reading $EW/sub/x is denied: agentwrap\\.filesystem\\.paths\\[\"$EW/sub\"\\] = \"deny\"" \
    -c "agentwrap.filesystem.paths={\"$W/sub\"=\"deny\"}" --explain read sub/x
decide 1 "^deny: .*\"deny\"" \
    -c "agentwrap.filesystem.paths={\"$W/sub\"=\"deny\"}" --explain write sub/x
decide 0 "agentwrap\\.filesystem\\.paths\\[\"$EW/sub/open\"\\] = \"write\"" \
    -c "agentwrap.filesystem.paths={\"$W/sub\"=\"deny\",\"$W/sub/open\"=\"write\"}" \
    --explain write sub/open/x
decide 1 "\"deny\"" \
    -c "agentwrap.filesystem.paths={\"$W/sub\"=\"deny\",\"$W/sub/open\"=\"write\"}" \
    --explain write sub/opener
decide 0 "^allow: writing /etc/aw-probe/x is allowed: agentwrap\\.filesystem\\.paths\\[\"/etc/aw-probe\"\\] = \"write\"" \
    -c 'agentwrap.filesystem.paths={"/etc/aw-probe"="write"}' \
    --explain write /etc/aw-probe/x
decide 2 "^ask: reading $EW/sub/x needs approval: .*\"ask\"" \
    -c "agentwrap.filesystem.paths={\"$W/sub\"=\"ask\"}" --explain read sub/x

# a path that cannot be judged is denied, never allowed
decide 1 "^deny: " --explain write ''
decide 1 "^deny: " --explain read ''

finish
