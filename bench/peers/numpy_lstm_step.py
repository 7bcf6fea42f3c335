#!/usr/bin/env python3
"""NumPy float32 peer of `continuo bench model`'s batch-1 step: one token in, logits out.

Same shape as the bench (embedding 256 -> 2 x LSTM 512 -> head to 355), PyTorch nn.LSTM
equations (gate order i, f, g, o), one BLAS thread, random weights, state carried across
steps; 200 untimed steps, then the median (and p99) of 3000 timed steps, like ours.

Two variants, both timed:
  plain  the equations as written: W_ih @ x + b_ih + W_hh @ h + b_hh per layer, then the head.
  tuned  what our float32 inference does: layer 0's input projection precomputed as a
         [V, 4H] table (embedding x W_ih0^T + both biases), biases pre-summed, preallocated
         buffers and in-place elementwise work. The faster of the two is the peer figure.

(Tests/ContinuoModelTests/PyTorchReferenceTests.swift holds a float64 NumPy reference for
correctness; this script is only about speed.)
"""
import argparse
import os

# One BLAS thread, set before numpy loads OpenBLAS.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import ctypes  # noqa: E402
import glob  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--vocab", type=int, default=355)
p.add_argument("--embed", type=int, default=256)
p.add_argument("--hidden", type=int, default=512)
p.add_argument("--layers", type=int, default=2)
p.add_argument("--steps", type=int, default=3000)
p.add_argument("--warmup", type=int, default=200)
args = p.parse_args()
V, E, H, L = args.vocab, args.embed, args.hidden, args.layers

rng = np.random.default_rng(1)
bound = 1 / np.sqrt(H)
u = lambda *shape: rng.uniform(-bound, bound, size=shape).astype(np.float32)
embedding = rng.standard_normal((V, E)).astype(np.float32)
w_ih = [u(4 * H, E if l == 0 else H) for l in range(L)]
w_hh = [u(4 * H, H) for l in range(L)]
b_ih = [u(4 * H) for _ in range(L)]
b_hh = [u(4 * H) for _ in range(L)]
head_w, head_b = u(V, H), u(V)
tokens = rng.integers(0, V, size=args.warmup + args.steps)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def plain():
    h = [np.zeros(H, np.float32) for _ in range(L)]
    c = [np.zeros(H, np.float32) for _ in range(L)]

    def step(tok):
        x = embedding[tok]
        for l in range(L):
            g = w_ih[l] @ x + b_ih[l] + w_hh[l] @ h[l] + b_hh[l]
            i, f, gg, o = sigmoid(g[:H]), sigmoid(g[H:2 * H]), np.tanh(g[2 * H:3 * H]), sigmoid(g[3 * H:])
            c[l] = f * c[l] + i * gg
            h[l] = o * np.tanh(c[l])
            x = h[l]
        return head_w @ x + head_b
    return step


def tuned():
    table = (embedding @ w_ih[0].T + b_ih[0] + b_hh[0]).astype(np.float32)  # [V, 4H]
    bias = [None] + [(b_ih[l] + b_hh[l]).astype(np.float32) for l in range(1, L)]
    w_ih_t = [None] + [np.ascontiguousarray(w_ih[l]) for l in range(1, L)]
    h = [np.zeros(H, np.float32) for _ in range(L)]
    c = [np.zeros(H, np.float32) for _ in range(L)]
    g = np.empty(4 * H, np.float32)
    tmp = np.empty(4 * H, np.float32)
    t = np.empty(H, np.float32)
    logits = np.empty(V, np.float32)

    def step(tok):
        for l in range(L):
            np.dot(w_hh[l], h[l], out=g)
            if l == 0:
                np.add(g, table[tok], out=g)
            else:
                np.dot(w_ih_t[l], h[l - 1], out=tmp)
                np.add(g, tmp, out=g)
                np.add(g, bias[l], out=g)
            # sigmoid on i, f, o in place: 1 / (1 + exp(-x)); tanh on g
            sig = g.reshape(4, H)
            np.negative(sig[[0, 1, 3]], out=tmp[:3 * H].reshape(3, H))
            np.exp(tmp[:3 * H], out=tmp[:3 * H])
            tmp[:3 * H] += 1
            np.reciprocal(tmp[:3 * H], out=tmp[:3 * H])
            gates = tmp[:3 * H].reshape(3, H)  # i, f, o
            np.tanh(sig[2], out=t)
            c[l] *= gates[1]
            np.multiply(t, gates[0], out=t)
            c[l] += t
            np.tanh(c[l], out=h[l])
            h[l] *= gates[2]
        np.dot(head_w, h[L - 1], out=logits)
        np.add(logits, head_b, out=logits)
        return logits
    return step


def check_same():
    a, b = plain(), tuned()
    for tok in tokens[:20]:
        x, y = a(tok), b(tok)
    assert np.max(np.abs(x - y)) < 1e-3, "tuned and plain variants disagree"


def measure(make):
    step = make()
    for tok in tokens[:args.warmup]:
        step(tok)
    times = np.empty(args.steps)
    clock = time.perf_counter_ns
    for n, tok in enumerate(tokens[args.warmup:]):
        start = clock()
        step(tok)
        times[n] = clock() - start
    times.sort()
    return np.median(times) / 1e3, times[int(round((len(times) - 1) * 0.99))] / 1e3


def openblas_core():
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*.so*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
            if hasattr(lib, name):
                fn = getattr(lib, name)
                fn.restype = ctypes.c_char_p
                return fn().decode()
    return "?"


check_same()
results = {name: measure(make) for name, make in (("plain", plain), ("tuned", tuned))}
for name, (median, p99) in results.items():
    print(f"peer-step: numpy {np.__version__} float32 {name} batch 1, 1 thread: median {median:.1f} us, "
          f"p99 {p99:.1f} us over {args.steps} steps")
best = min(results, key=lambda k: results[k][0])
print(f"peer-step-median: variant={best} median_us={results[best][0]:.1f} plain_us={results['plain'][0]:.1f} "
      f"tuned_us={results['tuned'][0]:.1f}")
try:
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    blas_name = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
except Exception:  # older numpy
    blas_name = "?"
simd = ""
try:
    from numpy._core._multiarray_umath import __cpu_features__ as features
    simd = " ".join(f for f in ("AVX2", "FMA3", "AVX512F", "AVX512_SPR") if features.get(f))
except Exception:
    pass
print(f"peer-kernel: numpy {np.__version__}; BLAS {blas_name}, OpenBLAS core {openblas_core()}; numpy SIMD: {simd or '?'}")
