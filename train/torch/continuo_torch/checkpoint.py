"""Training checkpoints (`DIR/checkpoint.pt`, torch.save): model, AdamW moments, schedule,
step, epoch and window within it, early-stopping state, every rank's RNG state, and the state
carried across windows for every row of the global batch ([N, B, H], rows in global order),
so `--resume` continues exactly. Written by rank 0 only, atomically (temporary file + rename);
read by rank 0 and broadcast, so only rank 0's machine needs the folder."""

import os

import torch

FORMAT = "continuo_torch.checkpoint.v1"
NAME = "checkpoint.pt"


def path_in(directory):
    return os.path.join(directory, NAME)


def gather_state(context, state, batch):
    """The carried (h, c) of every rank's rows as global [N, B, H] CPU tensors (rank r owns rows r::W)."""
    out = []
    for tensor in state:
        parts = context.all_gather_tensor(tensor.float())
        full = torch.empty((tensor.shape[0], batch, tensor.shape[2]), dtype=torch.float32)
        for r, part in enumerate(parts):
            full[:, r::context.world] = part.cpu()
        out.append(full)
    return out


def rng_state(device):
    state = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def set_rng_state(state, device):
    torch.set_rng_state(state["torch"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def save(directory, payload):
    os.makedirs(directory, exist_ok=True)
    path = path_in(directory)
    temporary = path + ".tmp"
    torch.save(dict(payload, format=FORMAT), temporary)
    os.replace(temporary, path)
    return path


def load(directory):
    path = path_in(directory)
    payload = torch.load(path, map_location="cpu", weights_only=False)
    if payload.get("format") != FORMAT:
        raise SystemExit(f"{path} is not a continuo_torch checkpoint")
    return payload
