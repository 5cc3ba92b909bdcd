#!/usr/bin/python3
"""A scripted model server for running real coding-agent CLIs end to end.

It listens on 127.0.0.1 and speaks just enough of two model APIs for an
agent to run a fixed list of shell commands, one per turn, and then end with a
text answer:

  POST .../responses   the OpenAI Responses API, streamed (what the Codex CLI
                       uses with wire_api = "responses")
  POST .../messages    the Anthropic Messages API, streamed or not (what
                       Claude Code uses with ANTHROPIC_BASE_URL)

Which command comes next is read from the request itself, not kept in the
server: the number of tool results the agent has sent back so far is the index
of the next command. So a retried request gets the same answer, and side
requests an agent makes (a title, a quota probe: requests that offer no shell
tool) get a short text answer and do not move the script on.

Every request is appended to the log file as one JSON line (method, path,
selected headers, the body as JSON when it is JSON), so a test can see what
came back from each command.

Usage:
  modelserver.py [--script FILE] --log FILE --port-file FILE [--host A] [--port N]

FILE for --script is JSON: {"commands": [ENTRY, ...], "final": "text"}, where
an ENTRY is a shell command or {"tool": NAME, "input": {...}, "shell": CMD}
(the agent's own tool NAME where it offers one, else the shell command CMD).
The chosen port is written to --port-file once the server listens (written
last, so a reader can wait for it to be non-empty). The server stops after
--max-requests requests (default 400) or --lifetime seconds (default 900),
whichever comes first, so that a test that forgets it cannot leave it behind.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"requests": 0}


def log_line(path, record):
    with LOCK:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, sort_keys=True) + "\n")


def sse_event(kind, data):
    """One server-sent event: a named event with a JSON data line."""
    return ("event: %s\ndata: %s\n\n" % (kind, json.dumps(data))).encode()


def shell_of(entry):
    """The shell command of a script entry.

    An entry is a shell command, or {"tool": NAME, "input": {...},
    "shell": COMMAND}: a call of the agent's own tool NAME where the client
    offers one by that name (Claude Code's Write or Read), else COMMAND.
    """
    if isinstance(entry, dict):
        return entry.get("shell", "true")
    return entry


# ---------------------------------------------------------------------------
# OpenAI Responses API (Codex)

def responses_tool_results(body):
    """How many tool outputs the agent has returned in this conversation."""
    n = 0
    for item in body.get("input") or []:
        if isinstance(item, dict) and item.get("type") in (
                "function_call_output", "custom_tool_call_output",
                "local_shell_call_output"):
            n += 1
    return n


def responses_pick_tool(body):
    """The shell tool this client offers and how to fill its arguments.

    Codex's tool set changes between versions and models: a function
    "shell" taking an argv array, "shell_command" or "exec_command" taking
    a string, or the built-in "local_shell". Read what is offered rather
    than guess.
    """
    tools = body.get("tools") or []
    by_name = {}
    for t in tools:
        if not isinstance(t, dict):
            continue
        if t.get("type") == "local_shell":
            by_name["local_shell"] = t
        name = t.get("name")
        if name:
            by_name[name] = t
    for name in ("exec_command", "shell_command", "shell", "local_shell"):
        if name in by_name:
            return name, by_name[name]
    return None, None


def responses_call_item(name, tool, command, call_id):
    if name == "local_shell":
        return {"type": "local_shell_call", "call_id": call_id,
                "id": "lsh_" + call_id, "status": "completed",
                "action": {"type": "exec",
                           "command": ["bash", "-lc", command]}}
    props = ((tool.get("parameters") or {}).get("properties") or {})
    if "cmd" in props:
        args = {"cmd": command}
    elif "command" in props and \
            (props["command"].get("type") == "array"):
        args = {"command": ["bash", "-lc", command]}
    else:
        args = {"command": command}
    if "workdir" in props and "WORKDIR" in os.environ:
        args["workdir"] = os.environ["WORKDIR"]
    return {"type": "function_call", "call_id": call_id,
            "id": "fc_" + call_id, "name": name,
            "arguments": json.dumps(args)}


def responses_stream(body, script):
    rid = "resp_%d" % int(time.time() * 1000)
    out = [sse_event("response.created",
                     {"type": "response.created",
                      "response": {"id": rid, "status": "in_progress"}})]
    name, tool = responses_pick_tool(body)
    step = responses_tool_results(body)
    cmds = script["commands"]
    if name is not None and step < len(cmds):
        item = responses_call_item(name, tool, shell_of(cmds[step]),
                                   "call_%d" % step)
    else:
        text = script.get("final", "done") if name is not None else "ok"
        item = {"type": "message", "role": "assistant", "id": "msg_" + rid,
                "status": "completed",
                "content": [{"type": "output_text", "text": text,
                             "annotations": []}]}
        added = dict(item, status="in_progress",
                     content=[{"type": "output_text", "text": "",
                               "annotations": []}])
        out.append(sse_event("response.output_item.added",
                             {"type": "response.output_item.added",
                              "output_index": 0, "item": added}))
        out.append(sse_event("response.output_text.delta",
                             {"type": "response.output_text.delta",
                              "item_id": item["id"], "output_index": 0,
                              "content_index": 0, "delta": text}))
    out.append(sse_event("response.output_item.done",
                         {"type": "response.output_item.done",
                          "output_index": 0, "item": item}))
    usage = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": 5,
             "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": 15}
    out.append(sse_event("response.completed",
                         {"type": "response.completed",
                          "response": {"id": rid, "status": "completed",
                                       "output": [item], "usage": usage}}))
    return b"".join(out)


# ---------------------------------------------------------------------------
# Anthropic Messages API (Claude Code)

def messages_tool_results(body):
    n = 0
    for m in body.get("messages") or []:
        if not isinstance(m, dict) or m.get("role") != "user":
            continue
        content = m.get("content")
        if isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and \
                        block.get("type") == "tool_result":
                    n += 1
    return n


def messages_has_bash(body):
    for t in body.get("tools") or []:
        if isinstance(t, dict) and t.get("name") == "Bash":
            return True
    return False


def messages_plan(body, script):
    """The content blocks of the answer and its stop reason."""
    step = messages_tool_results(body)
    cmds = script["commands"]
    if messages_has_bash(body) and step < len(cmds):
        entry = cmds[step]
        offered = {t.get("name") for t in body.get("tools") or []
                   if isinstance(t, dict)}
        if isinstance(entry, dict) and entry.get("tool") in offered:
            name, tool_input = entry["tool"], entry.get("input") or {}
        else:
            name = "Bash"
            tool_input = {"command": shell_of(entry),
                          "description": "scripted step %d" % step}
        block = {"type": "tool_use", "id": "toolu_%02d" % step,
                 "name": name, "input": tool_input}
        return [block], "tool_use"
    text = script.get("final", "done") if messages_has_bash(body) else "ok"
    return [{"type": "text", "text": text}], "end_turn"


def messages_json(body, script):
    blocks, stop = messages_plan(body, script)
    return json.dumps({
        "id": "msg_%d" % int(time.time() * 1000), "type": "message",
        "role": "assistant", "model": body.get("model", "scripted"),
        "content": blocks, "stop_reason": stop, "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5}}).encode()


def messages_stream(body, script):
    blocks, stop = messages_plan(body, script)
    mid = "msg_%d" % int(time.time() * 1000)
    out = [sse_event("message_start", {
        "type": "message_start",
        "message": {"id": mid, "type": "message", "role": "assistant",
                    "model": body.get("model", "scripted"), "content": [],
                    "stop_reason": None, "stop_sequence": None,
                    "usage": {"input_tokens": 10, "output_tokens": 1}}})]
    for i, block in enumerate(blocks):
        if block["type"] == "tool_use":
            start = {"type": "tool_use", "id": block["id"],
                     "name": block["name"], "input": {}}
            delta = {"type": "input_json_delta",
                     "partial_json": json.dumps(block["input"])}
        else:
            start = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        out.append(sse_event("content_block_start",
                             {"type": "content_block_start", "index": i,
                              "content_block": start}))
        out.append(sse_event("content_block_delta",
                             {"type": "content_block_delta", "index": i,
                              "delta": delta}))
        out.append(sse_event("content_block_stop",
                             {"type": "content_block_stop", "index": i}))
    out.append(sse_event("message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": stop, "stop_sequence": None},
        "usage": {"output_tokens": 5}}))
    out.append(sse_event("message_stop", {"type": "message_stop"}))
    return b"".join(out)


# ---------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scripted-model/1"

    def log_message(self, fmt, *args):  # quiet: the log file has it all
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return raw

    def _send(self, code, ctype, payload):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        if ctype == "text/event-stream":
            self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _record(self, raw):
        with LOCK:
            STATE["requests"] += 1
            count = STATE["requests"]
        rec = {"n": count, "method": self.command, "path": self.path,
               "headers": {k.lower(): v for k, v in self.headers.items()
                           if k.lower() in ("user-agent", "content-type",
                                            "content-encoding",
                                            "anthropic-version",
                                            "anthropic-beta", "originator",
                                            "x-api-key")
                           or k.lower().startswith("x-stainless")}}
        body = None
        if raw:
            try:
                body = json.loads(raw)
                rec["body"] = body
            except ValueError:
                rec["body_raw_len"] = len(raw)
        log_line(self.server.log_path, rec)
        if count >= self.server.max_requests:
            threading.Thread(target=self.server.shutdown,
                             daemon=True).start()
        return body

    def do_GET(self):
        self._record(b"")
        path = self.path.split("?", 1)[0]
        if path.endswith("/models"):
            self._send(200, "application/json",
                       json.dumps({"object": "list", "data": [],
                                   "models": []}).encode())
        else:
            self._send(404, "application/json", b'{"error":"not found"}')

    def do_HEAD(self):
        self._record(b"")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        raw = self._body()
        body = self._record(raw)
        path = self.path.split("?", 1)[0]
        script = self.server.script
        if not isinstance(body, dict):
            self._send(400, "application/json",
                       b'{"error":"body is not JSON"}')
        elif path.endswith("/responses"):
            self._send(200, "text/event-stream",
                       responses_stream(body, script))
        elif path.endswith("/messages/count_tokens"):
            self._send(200, "application/json", b'{"input_tokens": 10}')
        elif path.endswith("/messages"):
            if body.get("stream"):
                self._send(200, "text/event-stream",
                           messages_stream(body, script))
            else:
                self._send(200, "application/json",
                           messages_json(body, script))
        else:
            self._send(404, "application/json", b'{"error":"not found"}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--script", help="no script: answer every request with text")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-requests", type=int, default=400)
    ap.add_argument("--lifetime", type=float, default=900)
    a = ap.parse_args()
    script = {"commands": [], "final": "done"}
    if a.script:
        with open(a.script, encoding="utf-8") as f:
            script = json.load(f)
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    srv.script = script
    srv.log_path = a.log
    srv.max_requests = a.max_requests
    timer = threading.Timer(a.lifetime, srv.shutdown)
    timer.daemon = True
    timer.start()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, a.port_file)
    try:
        srv.serve_forever()
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
