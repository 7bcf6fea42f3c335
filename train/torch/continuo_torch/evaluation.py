"""Held-out loss exactly as `continuo eval --data X.ctok` computes it
(Sources/ContinuoOffline/ModelEvaluation.swift, PieceScoring.swift): every validation piece
scored on its own from a zero state, every target (token i + 1 given tokens 0...i, so n - 1
events for a piece of n tokens; pieces under two tokens unscored), no dropout, float32
weights and products; nats per event = summed -log p / events, bits per note = summed nats /
ln 2 / note-on targets. Pieces are dealt to ranks and batched by length; the sums are reduced.
"""

import math

import numpy as np
import torch

from . import vocabulary


@torch.no_grad()
def score_pieces(model, pieces_tokens, device, rows=32, chunk=256):
    """(summed nats, events, notes) of a list of int arrays on `model` (float32, eval mode)."""
    model.eval()
    order = sorted((i for i, t in enumerate(pieces_tokens) if len(t) >= 2), key=lambda i: -len(pieces_tokens[i]))
    nats, events, notes = 0.0, 0, 0
    for g in range(0, len(order), rows):
        group = [pieces_tokens[i] for i in order[g:g + rows]]
        T = len(group[0]) - 1
        inputs = np.zeros((len(group), T), dtype=np.int64)
        targets = np.full((len(group), T), -1, dtype=np.int64)
        for r, tokens in enumerate(group):
            tokens = np.asarray(tokens, dtype=np.int64)
            inputs[r, :len(tokens) - 1] = tokens[:-1]
            targets[r, :len(tokens) - 1] = tokens[1:]
            events += len(tokens) - 1
            notes += int(vocabulary.is_note_on(tokens[1:]).sum())
        x = torch.from_numpy(inputs).to(device)
        y = torch.from_numpy(targets).to(device)
        state = None
        for t0 in range(0, T, chunk):
            logits, state = model(x[:, t0:t0 + chunk], state)
            target = y[:, t0:t0 + chunk]
            keep = target >= 0
            logits = logits.float()[keep]
            picked = logits.gather(1, target[keep].unsqueeze(1)).squeeze(1)
            nats += float((torch.logsumexp(logits, dim=1) - picked).double().sum())
    return nats, events, notes


def validation(model, corpus, context, device, rows=32):
    """Eval-way validation of `model` on the corpus's validation split, sharded over ranks.
    Returns dict(nats_per_event, bits_per_note, events, notes, pieces, unscored) (None values
    without validation pieces)."""
    pieces = corpus.split("validation")
    scorable = sorted((p for p in pieces if p.count >= 2), key=lambda p: -p.count)
    mine = [corpus.piece_tokens(p) for k, p in enumerate(scorable) if k % context.world == context.rank]
    was_training = model.training
    nats, events, notes = score_pieces(model, mine, device, rows=rows)
    if was_training:
        model.train()
    nats, events, notes = context.sum([nats, events, notes])
    events, notes = int(events), int(notes)
    return {"nats_per_event": nats / events if events else None,
            "bits_per_note": nats / math.log(2.0) / max(notes, 1) if events else None,
            "events": events, "notes": notes, "pieces": len(pieces), "unscored": len(pieces) - len(scorable)}
