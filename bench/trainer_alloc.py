#!/usr/bin/env python3
"""The reference trainer's step loop with glibc's default allocator against the kept heap.

training/trainer.py keeps freed tensor memory in the heap (`keep_freed_memory`). This runs the
miniature's SFT step (models/toolmaster-mini/trial-sft's shape, batch 8, a 520-token shared prompt
and 150-400 tokens after it, seeded) in two trainer processes side by side, as `parallel: 2` runs
the two SFT stages, once with glibc's defaults (the trainer's libc lookup made to fail) and once as the trainer
runs, rounds alternating, and prints wall, user and system seconds per process and whether the
weights came out bit-identical.

    /usr/bin/python3 bench/trainer_alloc.py [steps=12] [rounds=3]
"""
import hashlib
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(steps):
    sys.path.insert(0, os.path.join(ROOT, "training"))
    if os.environ.get("HEAP") == "0":
        # glibc's defaults: the trainer finds no libc to tune, as on a system without glibc.
        import ctypes

        real = ctypes.CDLL

        def no_libc(name, *a, **k):
            if name == "libc.so.6":
                raise OSError("left at glibc's defaults for this measurement")
            return real(name, *a, **k)

        ctypes.CDLL = no_libc
        import trainer

        ctypes.CDLL = real
    else:
        import trainer
    import torch

    with open(os.path.join(ROOT, "models/toolmaster-mini/trial-sft/config.json")) as f:
        shape = json.load(f)
    tr = trainer.Trainer()
    tr.init({"shape": shape, "seed": 7, "threads": 1, "lr": 0.005})
    vocab = shape["vocab_size"]
    g = torch.Generator().manual_seed(1)
    prefix = torch.randint(0, vocab, (520,), generator=g).tolist()
    t0, c0 = time.time(), os.times()
    for step in range(steps):
        ids, mask = [], []
        for b in range(8):
            n = 150 + (step * 37 + b * 91) % 250
            ids.append(prefix + torch.randint(0, vocab, (n,), generator=g).tolist())
            mask.append([0] * 520 + [1] * n)
        tr.sft({"ids": ids, "mask": mask, "prefix": 520})
    c1 = os.times()
    h = hashlib.sha256()
    for p in tr.model.parameters():
        h.update(p.detach().numpy().tobytes())
    print(json.dumps({"wall": time.time() - t0, "user": c1.user - c0.user,
                      "sys": c1.system - c0.system, "weights": h.hexdigest()[:16]}))


def side_by_side(steps, heap):
    env = {**os.environ, "HEAP": "1" if heap else "0"}
    procs = [subprocess.Popen([sys.executable, __file__, "--child", str(steps)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) for _ in range(2)]
    return [json.loads(p.communicate()[0]) for p in procs]


def main():
    if sys.argv[1:2] == ["--child"]:
        return child(int(sys.argv[2]))
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(f"trainer step loop, {steps} SFT steps, 2 processes side by side, {rounds} rounds; "
          f"load {os.getloadavg()[0]:.2f}")
    runs = {False: [], True: []}
    for r in range(rounds):
        for heap in ([False, True] if r % 2 == 0 else [True, False]):
            runs[heap] += side_by_side(steps, heap)
    print("| allocator | wall, s | user, s | system, s |")
    print("| :-- | --: | --: | --: |")
    for heap, name in ((False, "glibc defaults"), (True, "heap kept (the trainer)")):
        rs = runs[heap]
        cell = lambda k: f"{min(x[k] for x in rs):.1f}–{max(x[k] for x in rs):.1f}"
        print(f"| {name} | {cell('wall')} | {cell('user')} | {cell('sys')} |")
    same = len({x["weights"] for x in runs[False] + runs[True]}) == 1
    print(f"weights bit-identical across allocators and runs: {str(same).lower()}; "
          f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
