#!/usr/bin/python3
"""harness.py: a small reference harness for agentwrap's approval protocol
(docs/approvals.md), in the Python standard library only.

It answers agentwrap's approval_request lines with approval_response lines,
deciding by rules given on the command line, and logs every line it sees
and sends. Two ways to reach agentwrap:

  harness.py [options] --listen PATH
      listen on the Unix socket PATH, serve the first connection
      (agentwrap --approval-socket PATH), exit when it closes

  harness.py [options] --spawn -- agentwrap --approval-fd {fd} ... COMMAND
      make a socketpair, start the command with one end inherited (every
      "{fd}" in its arguments becomes that descriptor's number), serve the
      other end, exit with the command's status

Rules, tried in order; the first that matches decides (default: deny):

  --rule 'OP:GLOB=DECISION'
      OP is read, write, exec, connect, resolve, unix, bind or *; GLOB
      (fnmatch) is matched against the path, the host, or the argv words
      joined by spaces. DECISION is allow, allow_session, deny,
      deny_session, or ignore (never answer: agentwrap's timeout decides).

Misbehaving on purpose, for tests:

  --batch N          hold answers until N questions are open (or --batch-wait
                     seconds passed), then answer them newest first
  --noise            around each answer, send garbage: a line that is not
                     JSON, a wrong type, an unknown key, an unknown id, a bad
                     decision, a line longer than 64 KiB, and after the
                     answer the same id again with the opposite decision
  --disconnect-after N
                     close the connection once N questions came in,
                     answering none of them
  --log FILE         append "<- line" / "-> line" for each line
  --rerun DECISION   the answer to a rerun_request (approval_policy =
                     on-failure): allow, deny (the default) or ignore

Test tool; trusts nothing it reads beyond what it needs to answer.
"""
import argparse
import fnmatch
import json
import os
import selectors
import socket
import subprocess
import sys
import time

DECISIONS = ("allow", "allow_session", "deny", "deny_session", "ignore")
OPPOSITE = {"allow": "deny", "allow_session": "deny", "deny": "allow",
            "deny_session": "allow"}


def parse_rule(text):
    match, sep, decision = text.rpartition("=")
    op, sep2, glob = match.partition(":")
    if not sep or not sep2 or decision not in DECISIONS:
        raise argparse.ArgumentTypeError(
            "rule %r: expected OP:GLOB=DECISION" % text)
    return op, glob, decision


def subject(req):
    if "argv" in req:
        return " ".join(str(w) for w in req["argv"])
    if "path" in req:
        return str(req["path"])
    return str(req.get("host", ""))


def decide(rules, req):
    for op, glob, decision in rules:
        if op not in ("*", req.get("op")):
            continue
        if fnmatch.fnmatchcase(subject(req), glob):
            return decision
    return "deny"


class Harness:
    def __init__(self, sock, args):
        self.sock = sock
        self.args = args
        self.inbuf = b""
        self.held = []          # (id, decision), in arrival order
        self.held_since = None
        self.seen = 0
        self.closed = False
        self.log = open(args.log, "a") if args.log else None

    def note(self, arrow, line):
        if self.log:
            self.log.write("%s %s\n" % (arrow, line))
            self.log.flush()

    def send(self, obj_or_text):
        if isinstance(obj_or_text, str):
            line = obj_or_text
        else:
            line = json.dumps(obj_or_text, separators=(",", ":"))
        self.note("->", line[:200])
        try:
            self.sock.sendall(line.encode() + b"\n")
        except OSError:
            self.closed = True

    def answer(self, rid, decision):
        noise = self.args.noise
        if noise:
            self.send("this is not json")
            self.send({"type": "approval_request", "id": rid,
                       "decision": "allow"})
            self.send({"type": "approval_response", "id": rid,
                       "decision": "allow", "extra": 1})
            self.send({"type": "approval_response", "id": rid + 100000,
                       "decision": "allow"})
            self.send({"type": "approval_response", "id": rid,
                       "decision": "yes please"})
            self.send('{"type":"approval_response","id":%d,'
                      '"decision":"deny","decision":"allow"}' % rid)
            self.send("x" * (70 * 1024))
        self.send({"type": "approval_response", "id": rid,
                   "decision": decision})
        if noise:
            self.send({"type": "approval_response", "id": rid,
                       "decision": OPPOSITE[decision]})

    def flush_held(self, force=False):
        if not self.held:
            return
        if self.args.batch and not force and len(self.held) < self.args.batch:
            if time.monotonic() - self.held_since < self.args.batch_wait:
                return
        for rid, decision in reversed(self.held):
            self.answer(rid, decision)
        self.held = []
        self.held_since = None

    def on_line(self, raw):
        text = raw.decode("utf-8", "replace")
        self.note("<-", text)
        try:
            msg = json.loads(text)
        except ValueError:
            return
        if not isinstance(msg, dict):
            return
        if msg.get("type") == "approval_cancel":
            self.held = [h for h in self.held if h[0] != msg.get("id")]
            return
        if msg.get("type") == "rerun_request":
            # approval_policy = on-failure: run the failed command again?
            if isinstance(msg.get("id"), int) and self.args.rerun != "ignore":
                self.send({"type": "rerun_response", "id": msg["id"],
                           "decision": self.args.rerun})
            return
        if msg.get("type") != "approval_request":
            return
        rid = msg.get("id")
        if not isinstance(rid, int):
            return
        self.seen += 1
        if self.args.disconnect_after and \
                self.seen >= self.args.disconnect_after:
            self.note("--", "disconnecting")
            self.sock.close()
            self.closed = True
            return
        decision = decide(self.args.rule, msg)
        if decision == "ignore":
            return
        if self.held_since is None:
            self.held_since = time.monotonic()
        self.held.append((rid, decision))
        self.flush_held()

    def on_readable(self):
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.closed = True
            return
        self.inbuf += data
        while b"\n" in self.inbuf:
            line, self.inbuf = self.inbuf.split(b"\n", 1)
            self.on_line(line)
            if self.closed:
                return

    def serve(self, proc=None):
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ)
        while not self.closed:
            for _key, _ev in sel.select(0.05):
                self.on_readable()
                if self.closed:
                    break
            if not self.closed:
                self.flush_held()
            if proc is not None and proc.poll() is not None:
                # the command is done; read what is left, then stop
                self.sock.setblocking(False)
                try:
                    while not self.closed:
                        self.on_readable()
                except BlockingIOError:
                    pass
                break
        sel.close()
        if not self.closed:
            self.sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    how = ap.add_mutually_exclusive_group(required=True)
    how.add_argument("--listen", metavar="PATH")
    how.add_argument("--spawn", action="store_true")
    ap.add_argument("--rule", action="append", type=parse_rule, default=[])
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--batch-wait", type=float, default=30.0)
    ap.add_argument("--noise", action="store_true")
    ap.add_argument("--disconnect-after", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--rerun", choices=["allow", "deny", "ignore"],
                    default="deny")
    ap.add_argument("command", nargs="*")
    args = ap.parse_args()

    if args.listen:
        if args.command:
            ap.error("--listen takes no command")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.unlink(args.listen)
        except FileNotFoundError:
            pass
        srv.bind(args.listen)
        srv.listen(1)
        conn, _ = srv.accept()
        srv.close()
        Harness(conn, args).serve()
        return 0

    if not args.command:
        ap.error("--spawn needs a command")
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    fd = theirs.fileno()
    cmd = [a.replace("{fd}", str(fd)) for a in args.command]
    proc = subprocess.Popen(cmd, pass_fds=(fd,))
    theirs.close()
    Harness(ours, args).serve(proc)
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
