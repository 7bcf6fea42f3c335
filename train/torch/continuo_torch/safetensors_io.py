"""Continuo's model file: safetensors (8-byte little-endian header length, JSON header with a
`__metadata__` object of strings, raw little-endian tensor data), written by hand so no
`safetensors` package is needed. Layout as Sources/ContinuoModel/Safetensors.swift writes it:
metadata first, tensors in `ParameterLayout` order, contiguous data, header padded with spaces
so the data starts 8-byte aligned. Continuo reads F32, F16 and BF16; this writes F32.
"""

import json
import os
import struct

import numpy as np
import torch

from . import vocabulary

ARCHITECTURE_KEYS = ("continuo.architecture", "continuo.layers", "continuo.hidden_size",
                     "continuo.embedding_size", "continuo.vocabulary_size")
_DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2")}


class ModelFileError(Exception):
    pass


def tensor_names(layers):
    names = ["embedding.weight"]
    for n in range(layers):
        names += [f"lstm.weight_ih_l{n}", f"lstm.weight_hh_l{n}", f"lstm.bias_ih_l{n}", f"lstm.bias_hh_l{n}"]
    return names + ["head.weight", "head.bias"]


def architecture_metadata(shape):
    return {"continuo.architecture": "lstm", "continuo.layers": str(shape["layers"]),
            "continuo.hidden_size": str(shape["hidden_size"]), "continuo.embedding_size": str(shape["embedding_size"]),
            "continuo.vocabulary_size": str(shape["vocabulary_size"])}


def shape_from_state_dict(state):
    layers = 0
    while f"lstm.weight_ih_l{layers}" in state:
        layers += 1
    V, E = state["embedding.weight"].shape
    return {"vocabulary_size": int(V), "embedding_size": int(E),
            "hidden_size": int(state["lstm.weight_hh_l0"].shape[1]), "layers": layers}


def expected_shapes(shape):
    V, E, H, N = shape["vocabulary_size"], shape["embedding_size"], shape["hidden_size"], shape["layers"]
    shapes = {"embedding.weight": [V, E], "head.weight": [V, H], "head.bias": [V]}
    for n in range(N):
        shapes[f"lstm.weight_ih_l{n}"] = [4 * H, E if n == 0 else H]
        shapes[f"lstm.weight_hh_l{n}"] = [4 * H, H]
        shapes[f"lstm.bias_ih_l{n}"] = [4 * H]
        shapes[f"lstm.bias_hh_l{n}"] = [4 * H]
    return shapes


def encode(state, metadata):
    """Bytes of a model file from a state dict (torch tensors or arrays with the names above) and
    string metadata; the architecture keys are always taken from the tensors."""
    shape = shape_from_state_dict(state)
    meta = {str(k): str(v) for k, v in metadata.items()}
    meta.update(architecture_metadata(shape))
    header = {"__metadata__": meta}
    blobs, offset = [], 0
    for name in tensor_names(shape["layers"]):
        value = state[name]
        if isinstance(value, torch.Tensor):
            value = value.detach().to("cpu", torch.float32).contiguous().numpy()
        array = np.ascontiguousarray(value, dtype="<f4")
        data = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write(path, state, metadata):
    data = encode(state, metadata)
    temporary = path + ".tmp"
    with open(temporary, "wb") as f:
        f.write(data)
    os.replace(temporary, path)
    return data


def decode(data, expected_vocabulary_size=vocabulary.SIZE):
    """(state dict of float32 torch tensors, metadata, shape) with Continuo's checks: header
    inside the file, tensors present with the right shapes and F32/F16/BF16, offsets in range.
    Extra tensors (e.g. a checkpoint's optimiser moments) are ignored."""
    view = memoryview(data)
    if len(view) < 8:
        raise ModelFileError("truncated header")
    (length,) = struct.unpack_from("<Q", view, 0)
    if length > len(view) - 8:
        raise ModelFileError(f"header length {length} exceeds the file ({len(view)} bytes)")
    try:
        header = json.loads(bytes(view[8:8 + length]).decode("utf-8"))
    except ValueError as error:
        raise ModelFileError(f"invalid JSON header: {error}") from None
    metadata = header.pop("__metadata__", {}) or {}
    if metadata.get("continuo.architecture", "lstm") != "lstm":
        raise ModelFileError(f"architecture {metadata['continuo.architecture']!r} is not lstm")

    def integer(key):
        try:
            value = int(metadata[key])
        except KeyError:
            raise ModelFileError(f"metadata key '{key}' is missing") from None
        except ValueError:
            raise ModelFileError(f"metadata '{key}' has invalid value '{metadata[key]}'") from None
        if value <= 0:
            raise ModelFileError(f"metadata '{key}' has invalid value '{metadata[key]}'")
        return value

    shape = {"vocabulary_size": integer("continuo.vocabulary_size"), "embedding_size": integer("continuo.embedding_size"),
             "hidden_size": integer("continuo.hidden_size"), "layers": integer("continuo.layers")}
    if expected_vocabulary_size is not None and shape["vocabulary_size"] != expected_vocabulary_size:
        raise ModelFileError(f"vocabulary size {shape['vocabulary_size']}, expected {expected_vocabulary_size}")
    start = 8 + length
    size = len(view) - start
    state = {}
    for name, want in expected_shapes(shape).items():
        info = header.get(name)
        if info is None:
            raise ModelFileError(f"tensor '{name}' is missing")
        if list(info["shape"]) != want:
            raise ModelFileError(f"tensor '{name}' has shape {info['shape']}, expected {want}")
        begin, end = info["data_offsets"]
        if not 0 <= begin <= end <= size:
            raise ModelFileError(f"tensor '{name}' offsets {begin}..{end} outside the data ({size} bytes)")
        raw = view[start + begin:start + end]
        count = int(np.prod(want))
        dtype = info["dtype"]
        if dtype not in ("F32", "F16", "BF16"):
            raise ModelFileError(f"tensor '{name}' has dtype {dtype} (F32, F16 or BF16 only)")
        if end - begin != count * (4 if dtype == "F32" else 2):
            raise ModelFileError(f"tensor '{name}' holds {end - begin} bytes for {count} {dtype} values")
        if dtype == "BF16":
            bits = np.frombuffer(raw, dtype="<u2", count=count).astype(np.uint32) << 16
            array = bits.view(np.float32)
        elif dtype in ("F32", "F16"):
            array = np.frombuffer(raw, dtype=_DTYPES[dtype], count=count).astype(np.float32)
        state[name] = torch.from_numpy(array.reshape(want).copy())
    return state, dict(metadata), shape


def read(path, expected_vocabulary_size=vocabulary.SIZE):
    with open(path, "rb") as f:
        return decode(f.read(), expected_vocabulary_size)


def load_model(path_or_bytes, dropout=0.0):
    """A ContinuoLSTM from a model file (path) or its bytes, plus the file's metadata."""
    from .model import ContinuoLSTM
    state, metadata, shape = (read(path_or_bytes) if isinstance(path_or_bytes, str) else decode(path_or_bytes))
    model = ContinuoLSTM(shape["vocabulary_size"], shape["embedding_size"], shape["hidden_size"], shape["layers"], dropout)
    model.load_state_dict(state)
    return model, metadata
