"""Rebuild testdata/rotbench from a RoTBench checkout (github.com/Junjie-Ye/RoTBench).

    python3 testdata/rotbench/make_fixture.py /path/to/RoTBench

Writes {clean,slight,medium,heavy}.json (the cases picked below, verbatim, in RoTBench's format)
and candidates.jsonl: first actions a model might give for each case, each with the three
scores RoTBench's own Code/Evaluation/evaluate.py gives it (tool selection, parameter
identification, content filling). importers/rotbench_test.ts checks that tooltrial's first-action
check gives the same three scores.
"""
import importlib.util
import json
import os
import sys

# Per file: the cases kept (indices into RoTBench's file). Some are RoTBench's own data bugs,
# kept so that --skip-bad has something to refuse: clean 74 and slight 179 (the accepted call
# passes "code", the tool documents "code:"), clean 75 and medium 185 (two tools named
# "drivers"), heavy 124 (a required list with a duplicate).
PICKS = {
    "clean": [0, 2, 9, 35, 61, 74, 75, 88],
    "slight": [0, 9, 25, 105, 114, 140, 179, 200],
    "medium": [0, 28, 53, 100, 105, 150, 185, 205],
    "heavy": [0, 3, 10, 13, 69, 105, 124, 160],
}


def load_evaluate(root):
    spec = importlib.util.spec_from_file_location(
        "evaluate", os.path.join(root, "Code", "Evaluation", "evaluate.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def scores(ev, case, text):
    """RoTBench's three scores for one model output, from its own functions."""
    ev.cata_list = [[] for _ in range(7)]
    ev.check_list = []
    test = {"conversations": case["conversations"][:-1] + [{"from": "assistant", "value": text}]}
    ev.general_eval([test], [json.loads(json.dumps(case))])
    return [row[0] == 1 for row in ev.check_list]


def action(text):
    a = text[text.find("Action:") + 8: text.find("Action Input:")].strip()
    return a, json.loads(text[text.find("Action Input:") + 14:])


def candidates(case):
    """First actions to score: each accepted one, and near misses of the first."""
    tools = json.loads(case["conversations"][0]["value"][case["conversations"][0]["value"].find("["):-13])
    names = [t["name"] for t in tools]
    answers = case["conversations"][-1]["value"]
    out = []
    for a in answers:
        out.append(action(a))
    name, args = action(answers[0])
    other = next((n for n in names[:-2] if n not in [action(a)[0] for a in answers]), None)
    if other:
        out.append((other, args))
    out.append((name, {**args, "extra_param": "x"}))
    if args:
        k = next(iter(args))
        out.append((name, {x: v for x, v in args.items() if x != k}))
        changed = {**args}
        for x, v in args.items():
            if v != "None":
                changed[x] = v.upper() if v.upper() != v else v + " more"
                break
        out.append((name, changed))
        out.append((name, {x: ("512" if v == "None" else v) for x, v in args.items()}))
        out.append((name, {x: (7 if v == "None" else v) for x, v in args.items()}))
    out.append(("finish", {"answer": "I cannot handle the task"}))
    seen, unique = set(), []
    for n, a in out:
        key = json.dumps([n, a], sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append((n, a))
    return unique


def main(root):
    ev = load_evaluate(root)
    here = os.path.dirname(os.path.abspath(__file__))
    rows = []
    for level, picks in PICKS.items():
        with open(os.path.join(root, "Data", "First_Turn", f"{level}.json"), encoding="utf-8") as f:
            data = json.load(f)
        cases = [data[i] for i in picks]
        with open(os.path.join(here, f"{level}.json"), "w", encoding="utf-8") as f:
            json.dump(cases, f, ensure_ascii=False, indent=1)
            f.write("\n")
        for k, i in enumerate(picks):
            for name, args in candidates(data[i]):
                text = f"Thought:\nAction: {name}\nAction Input: {json.dumps(args, ensure_ascii=False)}"
                ts, pi, cf = scores(ev, data[i], text)
                rows.append({"file": level, "case": k, "rotbench_index": i, "action": name,
                             "args": args, "tool_selection": ts,
                             "parameter_identification": pi, "content_filling": cf})
    with open(os.path.join(here, "candidates.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{sum(len(p) for p in PICKS.values())} cases, {len(rows)} candidates")


if __name__ == "__main__":
    main(sys.argv[1])
