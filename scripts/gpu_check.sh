#!/usr/bin/env bash
# Issue 17's GPU check, as one prepared script: the miniature's recipe with a larger model on CUDA
# (training/toolmaster-gpu.yaml), timed, its comparison and stage records copied to $OUT (or
# runs/gpu-check). Refuses, saying why, where there is no GPU, no CUDA build of PyTorch at
# /usr/bin/python3, or no Deno 2.9.6.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-runs/gpu-check}
mkdir -p "$out"
exec > >(tee "$out/gpu_check.log") 2>&1
uptime
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || {
  echo "no GPU (nvidia-smi failed)"; exit 3; }
/usr/bin/python3 - <<'PY' || exit 3
import sys, torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())
if not torch.cuda.is_available():
    sys.exit("this PyTorch cannot use the GPU (Debian's python3-torch is CPU-only): install a CUDA build")
print(torch.cuda.get_device_name(0))
PY
if command -v deno >/dev/null 2>&1; then DENO=(deno); else DENO=(npx -y deno@2.9.6); fi
"${DENO[@]}" --version | head -1 || { echo "no Deno"; exit 3; }
start=$(date +%s)
"${DENO[@]}" task train training/toolmaster-gpu.yaml
status=$?
echo "train: exit $status in $(( $(date +%s) - start )) s"
for d in runs/train/toolmaster-gpu/*/; do
  name=$(basename "$d")
  [ -f "$d/stage.json" ] && cp "$d/stage.json" "$out/$name.stage.json"
  [ -f "$d/comparison.md" ] && cp "$d/comparison.md" "$out/comparison.md"
  [ -f "$d/grpo.jsonl" ] && cp "$d/grpo.jsonl" "$out/$name.grpo.jsonl"
  [ -f "$d/epochs.jsonl" ] && cp "$d/epochs.jsonl" "$out/$name.epochs.jsonl"
done
# Which device each training stage really used (the trainer falls back to the CPU without CUDA).
grep -ho '"device": *"[a-z]*"' "$out"/*.stage.json | sort | uniq -c
exit $status
