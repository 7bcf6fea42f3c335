"""Continuo token files (Sources/ContinuoOffline/TokenFile.swift), memory-mapped.

`X.ctok`: a 32-byte header ("CTOK", format version, vocabulary version, vocabulary size as
little-endian UInt32, token count as UInt64, zero padding), then UInt16 little-endian tokens.
`X.ctok.json`: the index (vocabulary, styles with slots, pieces with split/offset/count).
"""

import json
import os
import struct

import numpy as np

from . import vocabulary

HEADER_SIZE = 32
MAGIC = b"CTOK"
FORMAT_VERSION = 1


class TokenFileError(Exception):
    pass


class Piece:
    __slots__ = ("file", "style", "split", "offset", "count", "notes")

    def __init__(self, entry):
        self.file = entry["file"]
        self.style = entry["style"]
        self.split = entry["split"]
        self.offset = int(entry["offset"])
        self.count = int(entry["count"])
        self.notes = int(entry.get("notes", 0))


class TokenCorpus:
    """A token file and its index. `tokens` is a read-only numpy.memmap of the token data:
    slicing reads only the pages touched, nothing is copied into RAM up front."""

    def __init__(self, path):
        self.path = path
        index_path = path + ".json"
        try:
            with open(index_path, "rb") as f:
                self.index = json.load(f)
        except OSError as error:
            raise TokenFileError(f"cannot read {index_path}: {error.strerror}") from None
        except ValueError as error:
            raise TokenFileError(f"{index_path}: unreadable index: {error}") from None
        if self.index.get("format") != "continuo-tokens":
            raise TokenFileError(f"{index_path} is not a Continuo token index")
        info = self.index.get("vocabulary", {})
        if info != vocabulary.INFO:
            raise TokenFileError(
                f"{path}: vocabulary v{info.get('version')} ({info.get('size')} tokens) does not match "
                f"v{vocabulary.VERSION} ({vocabulary.SIZE}); run `continuo prepare` again")
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                header = f.read(HEADER_SIZE)
        except OSError as error:
            raise TokenFileError(f"cannot read {path}: {error.strerror}") from None
        if len(header) < HEADER_SIZE or header[:4] != MAGIC:
            raise TokenFileError(f"{path}: not a Continuo token file (no CTOK header)")
        fmt, vocab_version, vocab_size = struct.unpack_from("<III", header, 4)
        (count,) = struct.unpack_from("<Q", header, 16)
        if fmt != FORMAT_VERSION or vocab_version != vocabulary.VERSION or vocab_size != vocabulary.SIZE:
            raise TokenFileError(f"{path}: format {fmt}, vocabulary v{vocab_version} ({vocab_size}); "
                                 f"expected format {FORMAT_VERSION}, v{vocabulary.VERSION} ({vocabulary.SIZE})")
        if (size - HEADER_SIZE) // 2 != count:
            raise TokenFileError(f"{path}: header says {count} tokens, file holds {(size - HEADER_SIZE) // 2}")
        self.token_count = count
        self.tokens = (np.memmap(path, dtype="<u2", mode="r", offset=HEADER_SIZE, shape=(count,))
                       if count else np.zeros(0, dtype="<u2"))
        self.pieces = [Piece(p) for p in self.index.get("pieces", [])]
        for p in self.pieces:
            if p.offset < 0 or p.count < 0 or p.offset + p.count > count:
                raise TokenFileError(f"{path}: the index points past the end of the token data ({p.file})")

    def split(self, name):
        return [p for p in self.pieces if p.split == name]

    def piece_tokens(self, piece, begin=0, end=None):
        """Tokens [begin, end) of a piece as int64 (a copy of just that slice)."""
        end = piece.count if end is None else end
        return np.asarray(self.tokens[piece.offset + begin:piece.offset + end], dtype=np.int64)

    @property
    def styles_metadata(self):
        """`continuo.styles` as `continuo train` records it: "name=slot,..." (styles without a slot left out)."""
        return ",".join(f"{s['name']}={s['slot']}" for s in self.index.get("styles", []) if s.get("slot") is not None)

    @property
    def data_summary(self):
        """`continuo.data` as `continuo train` records it."""
        t = self.index.get("totals", {})
        roots = ", ".join(s["root"] for s in self.index.get("sources", []))
        return (f"{t.get('trainPieces', 0)} train / {t.get('validationPieces', 0)} validation pieces, "
                f"{t.get('tokens', 0)} tokens from {roots}")
