#!/usr/bin/python3
"""results.py LOG: what came back to the scripted model from each command.

LOG is modelserver.py's request log. Reads the last request that carried a
conversation (the one with every tool result in it) and prints one line per
tool result, "step N: OUTPUT" (newlines shown as " | ", cut to 300
characters). With --count, prints only the number of tool results.
"""
import json
import sys


def tool_outputs(body):
    outs = []
    for it in body.get("input") or []:
        if isinstance(it, dict) and str(it.get("type", "")).endswith(
                "call_output"):
            o = it.get("output")
            outs.append(o if isinstance(o, str) else json.dumps(o))
    for m in body.get("messages") or []:
        content = m.get("content") if isinstance(m, dict) else None
        for x in content if isinstance(content, list) else []:
            if isinstance(x, dict) and x.get("type") == "tool_result":
                o = x.get("content")
                outs.append(o if isinstance(o, str) else json.dumps(o))
    return outs


def main():
    args = sys.argv[1:]
    count = "--count" in args
    args = [a for a in args if a != "--count"]
    best = []
    try:
        with open(args[0], encoding="utf-8") as f:
            for line in f:
                body = json.loads(line).get("body") or {}
                outs = tool_outputs(body)
                if len(outs) >= len(best):
                    best = outs
    except OSError:
        pass
    if count:
        print(len(best))
        return 0
    for i, o in enumerate(best):
        # Codex prefixes its exec output with a header ending in "Output:"
        o = o.split("Output:\n", 1)[-1]
        print("step %d: %s" % (i, o.strip().replace("\n", " | ")[:300]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
