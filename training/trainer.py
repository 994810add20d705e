#!/usr/bin/env python3
"""tooltrial reference trainer: a Llama-style decoder in PyTorch behind the trainer bridge.

The bridge (training/bridge.ts) starts this script and speaks JSON lines over stdio: one request
per line on stdin, one response per line on stdout. Requests: init, load, save, sft, grpo,
set_reference, logits, export, shutdown. Any trainer that answers the same lines can replace it.

The model matches onnx/build/tiny_llama.ts exactly (RMSNorm, rotary embeddings with
rotate_half, grouped-query attention, SwiGLU, untied lm_head), so weights exported here build the
ONNX graph the ONNX agent runs. Runs on CPU (Debian python3-torch) or CUDA with the same code.
"""
import json
import math
import os
import sys
import time


def keep_freed_memory():
    """Keep freed tensor memory in the heap instead of giving it back to the kernel.

    Every step frees and re-allocates the same large activations. With glibc's defaults each lands
    in a fresh mmap whose pages the kernel must fault in and zero again: on the 2-core reference
    machine that was about half of a CPU step's time, all of it system time. The arithmetic is
    untouched (weights stay bit-identical); only where freed blocks go changes. glibc only.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    libc.mallopt(m_mmap_threshold, 32 << 20)  # the most glibc allows; larger blocks stay mmapped
    libc.mallopt(m_trim_threshold, 1 << 30)
    libc.mallopt(m_top_pad, 256 << 20)


keep_freed_memory()

import torch  # noqa: E402 (after mallopt, so torch's own allocations follow it too)
import torch.nn.functional as F  # noqa: E402


def weight_shapes(s):
    """Parameter names and shapes in PyTorch/Hugging Face layout (as weightShapes() in TS)."""
    h, d = s["hidden_size"], s["head_dim"]
    q, kv, f = s["num_attention_heads"] * d, s["num_key_value_heads"] * d, s["intermediate_size"]
    out = [("model.embed_tokens.weight", [s["vocab_size"], h])]
    for i in range(s["num_hidden_layers"]):
        l = f"model.layers.{i}"
        out += [
            (f"{l}.input_layernorm.weight", [h]),
            (f"{l}.self_attn.q_proj.weight", [q, h]),
            (f"{l}.self_attn.k_proj.weight", [kv, h]),
            (f"{l}.self_attn.v_proj.weight", [kv, h]),
            (f"{l}.self_attn.o_proj.weight", [h, q]),
            (f"{l}.post_attention_layernorm.weight", [h]),
            (f"{l}.mlp.gate_proj.weight", [f, h]),
            (f"{l}.mlp.up_proj.weight", [f, h]),
            (f"{l}.mlp.down_proj.weight", [h, f]),
        ]
    out += [("model.norm.weight", [h]), ("lm_head.weight", [s["vocab_size"], h])]
    return out


class Llama(torch.nn.Module):
    def __init__(self, s, seed):
        super().__init__()
        self.s = s
        g = torch.Generator().manual_seed(seed)
        self.p = torch.nn.ParameterDict()
        for name, shape in weight_shapes(s):
            if name.endswith("norm.weight"):
                t = torch.ones(shape)
            else:
                t = torch.randn(shape, generator=g) * 0.02
            self.p[name.replace(".", "__")] = torch.nn.Parameter(t)
        d = s["head_dim"]
        inv = 1.0 / (s["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
        self.register_buffer("inv_freq", inv, persistent=False)

    def w(self, name):
        return self.p[name.replace(".", "__")]

    def rms(self, x, name):
        eps = self.s["rms_norm_eps"]
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps) * self.w(name)

    def forward(self, ids, past=None, want_cache=False):
        """Logits for `ids` [B, T]; `past` holds per-layer (k, v) of a shared prefix (batch 1)."""
        s = self.s
        b, t = ids.shape
        nh, kvh, d = s["num_attention_heads"], s["num_key_value_heads"], s["head_dim"]
        rep = nh // kvh
        p = 0 if past is None else past[0][0].shape[2]
        pos = torch.arange(p, p + t, device=ids.device, dtype=torch.float32)
        freqs = pos[:, None] * self.inv_freq[None, :]
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]

        def rot(x):
            x1, x2 = x[..., : d // 2], x[..., d // 2:]
            return torch.cat([-x2, x1], -1)

        # Query i (at position p + i) sees keys 0 .. p + i.
        mask = torch.full((t, p + t), float("-inf"), device=ids.device).triu(p + 1)
        mask_rep = mask.repeat(rep, 1)  # rows of the rep query heads that share a KV head
        h = F.embedding(ids, self.w("model.embed_tokens.weight"))
        cache = []
        for i in range(s["num_hidden_layers"]):
            l = f"model.layers.{i}"
            x = self.rms(h, f"{l}.input_layernorm.weight")
            q = F.linear(x, self.w(f"{l}.self_attn.q_proj.weight")).view(b, t, nh, d).transpose(1, 2)
            k = F.linear(x, self.w(f"{l}.self_attn.k_proj.weight")).view(b, t, kvh, d).transpose(1, 2)
            v = F.linear(x, self.w(f"{l}.self_attn.v_proj.weight")).view(b, t, kvh, d).transpose(1, 2)
            q = q * cos + rot(q) * sin
            k = k * cos + rot(k) * sin
            if want_cache:
                cache.append((k, v))
            if past is not None:
                pk, pv = past[i]
                k = torch.cat([pk.expand(b, -1, -1, -1), k], 2)
                v = torch.cat([pv.expand(b, -1, -1, -1), v], 2)
            # Grouped-query attention: query heads j*rep .. j*rep+rep-1 share KV head j.
            # Scaling q (t x d) instead of the scores (t x (p + t)), and adding the mask in place,
            # keeps the two elementwise passes over the score matrix out of forward and backward.
            qg = (q * (1.0 / math.sqrt(d))).reshape(b * kvh, rep * t, d)
            att = torch.baddbmm(mask_rep, qg, k.reshape(b * kvh, p + t, d).transpose(-1, -2))
            o = torch.bmm(att.softmax(-1), v.reshape(b * kvh, p + t, d)).view(b, nh, t, d)
            o = o.transpose(1, 2).reshape(b, t, nh * d)
            h = h + F.linear(o, self.w(f"{l}.self_attn.o_proj.weight"))
            y = self.rms(h, f"{l}.post_attention_layernorm.weight")
            gate = F.linear(y, self.w(f"{l}.mlp.gate_proj.weight"))
            up = F.linear(y, self.w(f"{l}.mlp.up_proj.weight"))
            h = h + F.linear(F.silu(gate) * up, self.w(f"{l}.mlp.down_proj.weight"))
        logits = F.linear(self.rms(h, "model.norm.weight"), self.w("lm_head.weight"))
        return (logits, cache) if want_cache else logits


class NanLoss(Exception):
    pass


class Trainer:
    def __init__(self):
        self.model = None
        self.ref = None
        self.opt = None
        self.step = 0

    def tensors(self, ids, mask=None):
        """Right-pad a batch: positions past a row's end are masked out of every loss."""
        n = max(len(r) for r in ids)
        pad = self.pad_id
        t = torch.full((len(ids), n), pad, dtype=torch.long)
        m = torch.zeros((len(ids), n), dtype=torch.float32)
        for i, r in enumerate(ids):
            t[i, : len(r)] = torch.tensor(r, dtype=torch.long)
            if mask is not None:
                m[i, : len(r)] = torch.tensor(mask[i], dtype=torch.float32)
        return t.to(self.device), m.to(self.device)

    def token_logp(self, model, ids, prefix=0, hits=None):
        """log p(ids[t+1] | ids[..t]) for t >= max(prefix - 1, 0): [B, T-1-max(prefix-1, 0)].

        With prefix > 0 every row shares ids[:, :prefix] (the system prompt with the tool list):
        its keys and values are computed once, without gradient, and the rest attends to them.
        Tokens inside the prefix are not scored (they are never assistant tokens). With `hits` (a
        list), appends a [B, same T] tensor: 1 where the target token is the argmax (greedy) token.
        """
        if prefix > 0:
            with torch.no_grad():
                head, past = model(ids[:1, :prefix], want_cache=True)
                first = torch.log_softmax(head[:, -1].float(), -1).expand(ids.shape[0], -1)
                first_hit = (first.argmax(-1, keepdim=True) == ids[:, prefix:prefix + 1]).float()
                first = first.gather(-1, ids[:, prefix:prefix + 1])
            logits = model(ids[:, prefix:-1], past=past).float()
            rest = torch.log_softmax(logits, -1).gather(-1, ids[:, prefix + 1:, None]).squeeze(-1)
            if hits is not None:
                rest_hit = (logits.detach().argmax(-1) == ids[:, prefix + 1:]).float()
                hits.append(torch.cat([first_hit, rest_hit], 1))
            return torch.cat([first, rest], 1)
        logits = model(ids[:, :-1]).float()
        if hits is not None:
            hits.append((logits.detach().argmax(-1) == ids[:, 1:]).float())
        return torch.log_softmax(logits, -1).gather(-1, ids[:, 1:, None]).squeeze(-1)

    @staticmethod
    def turn_stats(hit, m):
        """Assistant turns (maximal runs of mask 1) and how many of them greedy decoding reproduces
        exactly under teacher forcing (every token the argmax)."""
        start = torch.cat([m[:, :1], (m[:, 1:] - m[:, :-1]).clamp(min=0)], 1)
        seg = (torch.cumsum(start, 1) * m).long()
        turns = exact = 0
        for i in range(m.shape[0]):
            k = int(seg[i].max().item())
            if k == 0:
                continue
            wrong = torch.zeros(k + 1).index_add_(0, seg[i].cpu(), ((1 - hit[i]) * m[i]).cpu())
            turns += k
            exact += int((wrong[1:] == 0).sum().item())
        return turns, exact

    def shared_prefix(self, ids, r):
        """The frozen-prefix length a request asks for, if every row really shares it."""
        p = int(r.get("prefix", 0))
        if p <= 0 or p >= ids.shape[1] - 1 or not bool((ids[:, :p] == ids[:1, :p]).all()):
            return 0
        return p

    def init(self, r):
        torch.manual_seed(r.get("seed", 0))
        threads = r.get("threads") or os.cpu_count()
        torch.set_num_threads(threads)
        want = r.get("device", "cpu")
        self.device = "cuda" if want == "cuda" and torch.cuda.is_available() else "cpu"
        self.shape = r["shape"]
        self.pad_id = r.get("pad_id", 0)
        self.model = Llama(self.shape, r.get("seed", 0)).to(self.device)
        if r.get("weights"):
            self.read_weights(self.model, r["weights"])
        self.lr = r.get("lr", 1e-3)
        self.opt = torch.optim.AdamW(
            self.model.parameters(), lr=self.lr, weight_decay=r.get("weight_decay", 0.0),
            betas=(0.9, 0.95))
        self.clip = r.get("grad_clip", 1.0)
        self.step = 0
        self.ref = None
        n = sum(p.numel() for p in self.model.parameters())
        return {"params": n, "device": self.device, "threads": threads, "torch": torch.__version__}

    def read_weights(self, model, path):
        with open(path + ".json") as f:
            manifest = json.load(f)
        raw = open(path, "rb").read()
        for name, shape in weight_shapes(self.shape):
            off, dims = manifest[name]
            if dims != shape:
                raise ValueError(f"{path}: {name} is {dims}, the model needs {shape}")
            n = math.prod(shape)
            t = torch.frombuffer(bytearray(raw[off: off + 4 * n]), dtype=torch.float32).view(shape)
            model.w(name).data.copy_(t.to(self.device))

    def export(self, r):
        """Weights as raw little-endian float32 plus a manifest {name: [byte offset, shape]}."""
        path = r["path"]
        manifest, parts, off = {}, [], 0
        for name, shape in weight_shapes(self.shape):
            b = self.model.w(name).detach().float().cpu().contiguous().numpy().tobytes()
            manifest[name] = [off, shape]
            parts.append(b)
            off += len(b)
        with open(path, "wb") as f:
            for b in parts:
                f.write(b)
        with open(path + ".json", "w") as f:
            json.dump(manifest, f)
        return {"bytes": off}

    def save(self, r):
        tmp = r["path"] + ".tmp"
        torch.save({"model": self.model.state_dict(), "opt": self.opt.state_dict(),
                    "step": self.step,
                    "ref": None if self.ref is None else self.ref.state_dict()}, tmp)
        os.replace(tmp, r["path"])
        return {"step": self.step}

    def load(self, r):
        st = torch.load(r["path"], map_location=self.device)
        self.model.load_state_dict(st["model"])
        self.opt.load_state_dict(st["opt"])
        self.step = st["step"]
        if st.get("ref") is not None:
            self.set_reference({})
            self.ref.load_state_dict(st["ref"])
        return {"step": self.step}

    def set_reference(self, r):
        self.ref = Llama(self.shape, 0).to(self.device)
        self.ref.load_state_dict(self.model.state_dict())
        for p in self.ref.parameters():
            p.requires_grad_(False)
        return {}

    def update(self, loss):
        if not torch.isfinite(loss):
            raise NanLoss(f"loss is {loss.item()} at step {self.step + 1}")
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        if not torch.isfinite(gn):
            raise NanLoss(f"gradient norm is {gn.item()} at step {self.step + 1} (loss {loss.item()})")
        self.opt.step()
        self.step += 1
        return float(gn)

    def lr_at(self, r):
        for g in self.opt.param_groups:
            g["lr"] = r.get("lr", self.lr)

    def sft(self, r):
        t0 = time.time()
        self.lr_at(r)
        ids, mask = self.tensors(r["ids"], r["mask"])
        p = self.shared_prefix(ids, r)
        hits = []
        logp = self.token_logp(self.model, ids, p, hits)
        m = mask[:, p:] if p > 0 else mask[:, 1:]
        loss = -(logp * m).sum() / m.sum().clamp(min=1)
        # Before the update: what the weights this step started from reproduce.
        turns, exact = self.turn_stats(hits[0], m)
        hit_tokens = int((hits[0] * m).sum().item())
        gn = self.update(loss)
        return {"loss": loss.item(), "grad_norm": gn, "tokens": int(m.sum().item()),
                "hit_tokens": hit_tokens, "turns": turns, "exact_turns": exact,
                "seq_tokens": int(ids.numel()), "prefix": p, "step": self.step, "s": time.time() - t0}

    def grpo(self, r):
        """Clipped policy-ratio loss with group-normalised advantages and k3 KL to the reference.

        `groups` is a list of {ids, mask, adv, prefix}: sequences of one group share a prefix (the
        same task's system prompt). Gradients of all groups add up into one optimizer step per epoch.
        """
        t0 = time.time()
        self.lr_at(r)
        eps, beta, epochs = r.get("clip", 0.2), r.get("kl", 0.04), r.get("epochs", 1)
        batches = []
        for g in r["groups"]:
            ids, mask = self.tensors(g["ids"], g["mask"])
            p = self.shared_prefix(ids, g)
            m = mask[:, p:] if p > 0 else mask[:, 1:]
            adv = torch.tensor(g["adv"], dtype=torch.float32, device=self.device)[:, None]
            # With one epoch the policy that sampled is the one being updated: its log-probs are
            # the new ones, detached (ratio 1), so no separate forward pass is spent on them.
            with torch.no_grad():
                old = self.token_logp(self.model, ids, p) if epochs > 1 else None
                ref = self.token_logp(self.ref, ids, p) if self.ref is not None else None
            batches.append((ids, m, adv, p, old, ref))
        n = sum(b[0].shape[0] for b in batches)
        out = {}
        for _ in range(epochs):
            self.opt.zero_grad(set_to_none=True)
            tot_loss = tot_kl = tot_clip = tot_tok = 0.0
            for ids, m, adv, p, old, ref in batches:
                new = self.token_logp(self.model, ids, p)
                ratio = torch.exp(new - (new.detach() if old is None else old))
                if ref is None:  # no reference policy: KL to the sampling policy
                    ref = new.detach() if old is None else old
                pg = -torch.min(ratio * adv, ratio.clamp(1 - eps, 1 + eps) * adv)
                kl = torch.exp(ref - new) - (ref - new) - 1
                per_seq = ((pg + beta * kl) * m).sum(1) / m.sum(1).clamp(min=1)
                loss = per_seq.sum() / n
                if not torch.isfinite(loss):
                    raise NanLoss(f"loss is {loss.item()} at step {self.step + 1}")
                loss.backward()
                tot_loss += loss.item()
                tot_kl += (kl.detach() * m).sum().item()
                tot_clip += ((((ratio.detach() - 1).abs() > eps).float()) * m).sum().item()
                tot_tok += m.sum().item()
            gn = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
            if not torch.isfinite(gn):
                raise NanLoss(f"gradient norm is {gn.item()} at step {self.step + 1}")
            self.opt.step()
            self.step += 1
            out = {"loss": tot_loss, "grad_norm": float(gn), "kl": tot_kl / max(tot_tok, 1),
                   "clip_frac": tot_clip / max(tot_tok, 1)}
        # A GRPO step is one rollout batch, however many updates it made.
        self.step -= epochs - 1
        out.update({"step": self.step, "tokens": int(tot_tok), "s": time.time() - t0})
        return out

    def skip_step(self, r):
        """A step with nothing to learn from (every group's rewards tied) still counts."""
        self.step += 1
        return {"step": self.step}

    def logits(self, r):
        ids, _ = self.tensors(r["ids"])
        with torch.no_grad():
            lg = self.model(ids).float().cpu()
        return {"logits": [lg[i, : len(row)].reshape(-1).tolist() for i, row in enumerate(r["ids"])]}


def main():
    tr = Trainer()
    handlers = {"init": tr.init, "export": tr.export, "save": tr.save, "load": tr.load,
                "set_reference": tr.set_reference, "sft": tr.sft, "grpo": tr.grpo,
                "logits": tr.logits, "skip_step": tr.skip_step}
    out = sys.stdout
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        cmd = req.get("cmd")
        if cmd == "shutdown":
            out.write(json.dumps({"id": req.get("id"), "ok": True}) + "\n")
            out.flush()
            return
        try:
            if cmd != "init" and tr.model is None:
                raise ValueError(f"{cmd} before init")
            if cmd not in handlers:
                raise ValueError(f"unknown command {cmd!r}")
            res = {"id": req.get("id"), "ok": True, **handlers[cmd](req)}
        except NanLoss as e:
            res = {"id": req.get("id"), "ok": False, "error": "nan", "message": str(e)}
        except Exception as e:  # reported to the bridge, which decides
            res = {"id": req.get("id"), "ok": False, "error": type(e).__name__, "message": str(e)}
        try:
            line = json.dumps(res, allow_nan=False)
        except ValueError:
            line = json.dumps({"id": req.get("id"), "ok": False, "error": "nan",
                               "message": f"{cmd} produced a value that is not a finite number"})
        out.write(line + "\n")
        out.flush()


if __name__ == "__main__":
    main()
