#!/usr/bin/env python3
"""PyTorch CPU peer of `continuo bench model`'s training figure.

Same shape and semantics as Sources/ContinuoOffline/ModelBenchmark.swift: embedding 256 ->
2 x LSTM 512 (dropout 0.1 between layers and before the head) -> linear head to 355 tokens,
batch 64 x window 128 on a synthetic sparse Markov stream, truncated BPTT carrying (h, c)
between windows, mean cross-entropy, global-norm clipping at 1.0, AdamW (lr 3e-3 peak, 5
warm-up steps, cosine to 10 % over 1000; decay 0.01 on matrices only, betas 0.9/0.999, eps 1e-8).

--precision fp32 runs float32; --precision bf16 wraps forward and loss in
torch.autocast("cpu", dtype=torch.bfloat16) (weights and optimiser stay float32).

Prints one `peer-train: ...` line per repeat, a `peer-train-median: ...` line, then `peer-kernel:`
lines (what torch says about oneDNN and the ISA, and which oneDNN/MKL kernels one extra step ran).
"""
import argparse
import math
import os
import statistics
import sys
import tempfile
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--vocab", type=int, default=355)
    p.add_argument("--embed", type=int, default=256)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--warmup", type=int, default=2, help="untimed steps before each run (ours: 2)")
    p.add_argument("--steps", type=int, default=5, help="timed steps per repeat (ours: 5)")
    p.add_argument("--repeats", type=int, default=3, help="tokens/s is the median over repeats")
    p.add_argument("--mkldnn", choices=["auto", "on", "off"], default="auto",
                   help="oneDNN for the LSTM: auto = torch's default, falling back to off (native ATen LSTM) "
                        "if oneDNN cannot build the primitive (bf16 on CPUs without AVX-512 BF16/AMX)")
    p.add_argument("--budget-s", type=float, default=150,
                   help="if the first step shows warm-up + timed steps would take longer than this, run fewer "
                        "(at least 1 timed step), so a slow path (bf16 without hardware support) stays bounded")
    p.add_argument("--no-kernel-trace", action="store_true", help="skip the oneDNN/MKL verbose step")
    return p.parse_args()


args = parse_args()
# Thread counts must be in the environment before torch (OpenMP, MKL) loads.
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(1)


class Model(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.embedding = nn.Embedding(a.vocab, a.embed)
        self.lstm = nn.LSTM(a.embed, a.hidden, num_layers=a.layers, batch_first=True,
                            dropout=0.1 if a.layers > 1 else 0.0)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(a.hidden, a.vocab)

    def forward(self, x, state):
        out, state = self.lstm(self.embedding(x), state)
        return self.head(self.drop(out)), state


class SyntheticStreams:
    """Sparse random Markov chain (4 successors per token), one stream per row, like the bench."""

    def __init__(self, vocab, rows, seed=100):
        rng = np.random.default_rng(seed)
        self.successors = rng.integers(0, vocab, size=(vocab, 4))
        self.rng = rng
        self.current = np.zeros(rows, dtype=np.int64)

    def window(self, seq):
        rows = self.current.shape[0]
        tokens = np.empty((rows, seq + 1), dtype=np.int64)
        tokens[:, 0] = self.current
        choices = self.rng.integers(0, 4, size=(rows, seq))
        for t in range(seq):
            tokens[:, t + 1] = self.successors[tokens[:, t], choices[:, t]]
        self.current = tokens[:, -1].copy()
        return torch.from_numpy(tokens[:, :-1].copy()), torch.from_numpy(tokens[:, 1:].copy())


def learning_rate_factor(step, peak=3e-3, warmup=5, total=1000, floor=0.1):
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


model = Model(args)
decayed = [p for n, p in model.named_parameters() if p.dim() == 2 and not n.startswith("embedding")]
plain = [p for n, p in model.named_parameters() if not (p.dim() == 2 and not n.startswith("embedding"))]
optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": 0.01}, {"params": plain, "weight_decay": 0.0}],
                              lr=3e-3, betas=(0.9, 0.999), eps=1e-8)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, learning_rate_factor)
loss_fn = nn.CrossEntropyLoss()
streams = SyntheticStreams(args.vocab, args.batch)
state = None  # zeros on the first window, then carried (detached): truncated BPTT


def train_step(inputs, targets):
    global state
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
        logits, new_state = model(inputs, state)
        loss = loss_fn(logits.reshape(-1, args.vocab).float(), targets.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    state = tuple(s.detach() for s in new_state)
    return loss.item()


model.train()
path = "off" if args.mkldnn == "off" else "on"
torch.backends.mkldnn.enabled = path == "on"
fallback_reason = ""
first = time.perf_counter()
try:
    train_step(*streams.window(args.seq))  # first warm-up step; fails here if oneDNN has no primitive
except RuntimeError as error:
    if args.mkldnn != "auto" or path == "off":
        raise
    fallback_reason = str(error).split(".")[0]
    print(f"peer-note: {args.precision} with oneDNN failed ({fallback_reason}); "
          "retrying with torch.backends.mkldnn disabled (native ATen LSTM)", flush=True)
    path = "off"
    torch.backends.mkldnn.enabled = False
    state = None
    first = time.perf_counter()
    train_step(*streams.window(args.seq))
first = time.perf_counter() - first
fit = int(args.budget_s / first)
timed_steps = max(1, min(args.steps, fit))
warmup_left = max(0, min(args.warmup - 1, fit - timed_steps))
if (timed_steps, warmup_left) != (args.steps, args.warmup - 1):
    print(f"peer-note: first step took {first:.1f} s; within --budget-s {args.budget_s:.0f}: "
          f"{warmup_left + 1} warm-up and {timed_steps} timed steps", flush=True)
if args.precision == "bf16" and path == "off":
    print("peer-note: native path under autocast: the LSTM itself stays float32 (its output is float32: aten::lstm "
          "is not on the CPU autocast list); the head and loss run bf16", flush=True)
tokens_per_step = args.batch * args.seq
results = []
for repeat in range(args.repeats):
    for _ in range(warmup_left if repeat == 0 else args.warmup):
        train_step(*streams.window(args.seq))
    windows = [streams.window(args.seq) for _ in range(timed_steps)]  # data prepared outside the clock
    times = []
    for inputs, targets in windows:
        start = time.perf_counter()
        loss = train_step(inputs, targets)
        times.append(time.perf_counter() - start)
    total = sum(times)
    rate = tokens_per_step * timed_steps / total
    results.append(rate)
    print(f"peer-train: torch {torch.__version__} {args.precision} batch {args.batch} x seq {args.seq}, "
          f"{args.threads} threads, repeat {repeat + 1}/{args.repeats}: {rate:.0f} tokens/s "
          f"({total / timed_steps * 1e3:.1f} ms/step, {timed_steps} timed after "
          f"{warmup_left + 1 if repeat == 0 else args.warmup} warm-up; loss {loss:.3f})",
          flush=True)
print(f"peer-train-median: precision={args.precision} tokens_per_s={statistics.median(results):.0f} "
      f"repeats={args.repeats} threads={args.threads} mkldnn={path}"
      f"{' fallback=' + repr(fallback_reason) if fallback_reason else ''}", flush=True)

# What torch reports about its CPU kernels.
capability_line = next((l.strip(" -") for l in torch.__config__.show().splitlines() if "CPU capability" in l), "?")
onednn_line = next((l.strip(" -") for l in torch.__config__.show().splitlines() if "MKL-DNN" in l or "oneDNN" in l), "?")
print(f"peer-kernel: torch {torch.__version__}; get_cpu_capability()={torch.backends.cpu.get_cpu_capability()}; "
      f"config: {capability_line}")
print(f"peer-kernel: mkldnn available={torch.backends.mkldnn.is_available()} used={torch.backends.mkldnn.enabled}; "
      f"{onednn_line}; BLAS={torch.__config__.show().split('BLAS_INFO=')[1].split(',')[0] if 'BLAS_INFO=' in torch.__config__.show() else '?'}")


def trace_one_step():
    """Run one more step with oneDNN and MKL verbose on; summarise which kernels ran."""
    from collections import Counter
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), 1)
        try:
            with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON), \
                 torch.backends.mkl.verbose(torch.backends.mkl.VERBOSE_ON):
                train_step(*streams.window(args.seq))
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        capture.seek(0)
        text = capture.read().decode(errors="replace")
    onednn, mkl = Counter(), Counter()
    for line in text.splitlines():
        if line.startswith("onednn_verbose") and ",exec," in line:
            f = line.split(",")
            # onednn_verbose,[timestamp,]primitive,exec,cpu,<kind>,<impl>,<prop>,<src dtype...>
            i = f.index("exec")
            kind, impl = f[i + 2], f[i + 3]
            dtype = next((x.split(":")[1] for x in f if x.startswith("src_") or x.startswith("src:")), "")
            onednn[f"{kind}:{impl}{'/' + dtype if dtype else ''}"] += 1
        elif line.startswith("MKL_VERBOSE") and "(" in line and "Intel(R)" not in line:
            mkl[line.split()[1].split("(")[0]] += 1
    fmt = lambda c: ", ".join(f"{k} x{v}" for k, v in c.most_common(8)) or "none"
    print(f"peer-kernel: oneDNN primitives in one {args.precision} step: {fmt(onednn)}")
    print(f"peer-kernel: MKL calls in one {args.precision} step: {fmt(mkl)}")


if args.no_kernel_trace:
    pass
elif path == "off":
    print("peer-kernel: oneDNN off (native ATen LSTM); no verbose step traced")
else:
    trace_one_step()
