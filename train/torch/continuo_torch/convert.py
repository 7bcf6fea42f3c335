"""Convert between Continuo's model file and PyTorch.

    python3 -m continuo_torch.convert model.safetensors -o model.pt
        -> torch.save({"format": "continuo_torch.model.v1", "state_dict": {...}, "metadata": {...},
                       "shape": {...}}); load with ContinuoLSTM(**shape).load_state_dict(state_dict)
    python3 -m continuo_torch.convert model.pt --to-continuo -o model.safetensors
        from such a .pt, a trainer checkpoint (checkpoint.pt), or a bare state dict
        (keys may carry DDP's "module." prefix)
"""

import argparse
import sys

import torch

from . import __version__, safetensors_io

FORMAT = "continuo_torch.model.v1"


def to_torch(source, target):
    state, metadata, shape = safetensors_io.read(source)
    torch.save({"format": FORMAT, "state_dict": state, "metadata": metadata, "shape": shape}, target)
    return shape, metadata


def _state_and_metadata(payload):
    if isinstance(payload, dict) and "state_dict" in payload:
        return payload["state_dict"], dict(payload.get("metadata", {}))
    if isinstance(payload, dict) and payload.get("format", "").startswith("continuo_torch.checkpoint"):
        return payload["model"], dict(payload.get("metadata", payload.get("base_metadata", {})))
    if isinstance(payload, dict) and "embedding.weight" in {k.removeprefix("module.") for k in payload}:
        return payload, {}
    raise SystemExit("error: not a continuo_torch .pt (no state_dict, checkpoint or embedding.weight)")


def to_continuo(source, target, extra=None):
    payload = torch.load(source, map_location="cpu", weights_only=False)
    state, metadata = _state_and_metadata(payload)
    state = {k.removeprefix("module."): v.float() for k, v in state.items()}
    metadata.setdefault("continuo.vocabulary_version", "1")
    metadata.setdefault("continuo.trainer", f"continuo_torch {__version__} (PyTorch {torch.__version__}), converted from {source}")
    metadata.update(extra or {})
    safetensors_io.write(target, state, metadata)
    _, _, shape = safetensors_io.read(target)   # Continuo's structural checks on what was written
    return shape, metadata


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m continuo_torch.convert", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--to-continuo", action="store_true", help="from a .pt to a Continuo .safetensors")
    p.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                   help="extra metadata for --to-continuo (e.g. continuo.styles=name=0,...); repeatable")
    a = p.parse_args(argv)
    try:
        if a.to_continuo:
            extra = dict(item.split("=", 1) for item in a.meta)
            shape, metadata = to_continuo(a.source, a.output, extra)
        else:
            shape, metadata = to_torch(a.source, a.output)
    except safetensors_io.ModelFileError as error:
        raise SystemExit(f"error: {a.source}: {error}")
    print(f"wrote {a.output}: {shape['layers']} x {shape['hidden_size']} LSTM, embedding {shape['embedding_size']}, "
          f"vocabulary {shape['vocabulary_size']}, {len(metadata)} metadata keys", file=sys.stderr)


if __name__ == "__main__":
    main()
