#!/usr/bin/python3
"""ptydrive.py: run a command on a new pseudo-terminal (its controlling
terminal, stdin, stdout and stderr) and play a script against it, as a person
at a terminal would. Used by tests/integ/approvals-tty.sh.

    ptydrive.py --log FILE [--timeout S] STEP... -- COMMAND...

Steps, in order:
    expect:TEXT   wait until TEXT (Python escapes: \\r, \\x1b) appears in
                  the output after the previous match
    send:TEXT     write TEXT (same escapes) to the terminal
    sleep:SECS    wait
    close         close the terminal's master side (a hangup)
Then it reads until the command exits. Every byte the command wrote goes to
FILE, raw. Exits with the command's status (128+N for a signal), or 99 if a
step timed out (the command is killed).
"""
import codecs
import os
import pty
import select
import signal
import sys
import time


def unescape(s):
    return codecs.decode(s, "unicode_escape").encode("latin-1")


def main():
    args = sys.argv[1:]
    log, timeout = None, 30.0
    steps = []
    while args and args[0] != "--":
        a = args.pop(0)
        if a == "--log":
            log = args.pop(0)
        elif a == "--timeout":
            timeout = float(args.pop(0))
        else:
            steps.append(a)
    if not args or log is None:
        sys.exit("usage: ptydrive.py --log FILE [--timeout S] STEP... -- COMMAND...")
    cmd = args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    out = bytearray()
    seen = 0
    logf = open(log, "wb")
    closed = False

    def pump(wait):
        nonlocal closed
        if closed:
            time.sleep(wait)
            return
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return
        try:
            b = os.read(fd, 4096)
        except OSError:
            b = b""
        if not b:
            closed = True
            return
        out.extend(b)
        logf.write(b)
        logf.flush()

    def fail(why):
        sys.stderr.write("ptydrive: %s\n" % why)
        sys.stderr.write("ptydrive: output so far: %r\n" % bytes(out[-2000:]))
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
        sys.exit(99)

    for st in steps:
        kind, _, arg = st.partition(":")
        if kind == "expect":
            want = unescape(arg)
            end = time.time() + timeout
            while True:
                i = out.find(want, seen)
                if i >= 0:
                    seen = i + len(want)
                    break
                if closed or time.time() > end:
                    fail("never saw %r" % want)
                pump(0.1)
        elif kind == "send":
            os.write(fd, unescape(arg))
        elif kind == "sleep":
            end = time.time() + float(arg)
            while time.time() < end:
                pump(0.05)
        elif kind == "close":
            os.close(fd)
            closed = True
        else:
            fail("unknown step %r" % st)
    end = time.time() + timeout
    while True:
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            break
        if time.time() > end:
            fail("the command did not exit")
        pump(0.05)
    while not closed:
        pump(0)
        r, _, _ = select.select([fd], [], [], 0)
        if not r:
            break
    logf.close()
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


main()
