"""Logits of a model file for a token window, to compare with Continuo's float32 inference.

    python3 -m continuo_torch.parity --model M.safetensors --tokens 1,3,345,72
        -> {"logits": [[V floats] per position], "loss": mean -log p(token t+1 | tokens 0..t)}

The window is run from a zero state, one position per token, float32 (or --dtype float64).
"""

import argparse
import json

import torch

from . import safetensors_io


def logits_and_loss(model, tokens, dtype=torch.float32):
    model = model.to(dtype).eval()
    with torch.no_grad():
        x = torch.tensor([tokens], dtype=torch.long)
        logits, _ = model(x)
        logits = logits[0]
        loss = None
        if len(tokens) >= 2:
            loss = float(torch.nn.functional.cross_entropy(logits[:-1].double(), x[0, 1:]))
    return logits, loss


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m continuo_torch.parity", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--tokens", required=True, help="comma-separated token ids")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    tokens = [int(t) for t in a.tokens.split(",") if t.strip()]
    model, _ = safetensors_io.load_model(a.model)
    if any(t < 0 or t >= model.vocabulary_size for t in tokens):
        raise SystemExit(f"error: tokens must be in 0..<{model.vocabulary_size}")
    logits, loss = logits_and_loss(model, tokens, getattr(torch, a.dtype))
    print(json.dumps({"logits": logits.tolist(), "loss": loss}))


if __name__ == "__main__":
    main()
