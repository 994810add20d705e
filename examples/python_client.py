#!/usr/bin/env python3
"""Drive one tooltrial episode over HTTP with nothing but the Python standard library.

Start the server first:   deno task serve            (http://127.0.0.1:8787)
Then, for example:
  python3 examples/python_client.py --env library --task lib-001 \
      --call search_books '{"query": "Ten Thousand Lanterns"}' --answer "Mei Lin Zhao, 2013"

An RL trainer does the same in its rollout loop: POST /v1/sessions, then one POST .../step per
model turn (tool calls, or a plain message as the answer), and read `result.reward` when `done`.
"""
import argparse
import json
import os
import urllib.error
import urllib.request


def request(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return json.load(res)
    except urllib.error.HTTPError as err:
        problem = json.load(err)["error"]
        raise SystemExit(f"{method} {path}: {problem['status']} {problem['message']} ({problem.get('hint', '')})")
    except urllib.error.URLError as err:
        raise SystemExit(f"cannot reach {base}: {err.reason} (start the server with: deno task serve)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8787")
    p.add_argument("--token", default=os.environ.get("TOOLTRIAL_TOKEN"))
    p.add_argument("--env", required=True)
    p.add_argument("--task", required=True)
    p.add_argument("--variant", default="clean")
    p.add_argument("--protocol", default="direct")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--call", nargs=2, action="append", default=[], metavar=("TOOL", "JSON_ARGS"),
                   help="a tool call to make (repeatable), in the names the tool list shows")
    p.add_argument("--answer", required=True, help="the final answer")
    a = p.parse_args()

    session = request(a.url, "POST", "/v1/sessions", {
        "env": a.env, "task": a.task, "variant": a.variant, "protocol": a.protocol,
        "seed": a.seed, "agent": "python",
    }, a.token)
    sid = session["session"]
    print("task:", session["messages"][-1]["content"])
    print("tools:", ", ".join(t["function"]["name"] for t in session["tools"]))

    turns = [{"role": "assistant", "content": None, "tool_calls": [
        {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": args}}]}
        for i, (name, args) in enumerate(a.call)]
    turns.append({"role": "assistant", "content": a.answer})
    step = {}
    for message in turns:
        step = request(a.url, "POST", f"/v1/sessions/{sid}/step", {"message": message}, a.token)
        for obs in step["observations"]:
            print(f"{obs['name']} -> {obs['content'][:200]}")
        if step["done"]:
            break
    result = step.get("result") or request(a.url, "DELETE", f"/v1/sessions/{sid}", token=a.token)["result"]
    if step.get("done"):
        request(a.url, "DELETE", f"/v1/sessions/{sid}", token=a.token)
    print(json.dumps({"success": result["success"], "reward": result["reward"], "episode": result["episode"]}))


if __name__ == "__main__":
    main()
