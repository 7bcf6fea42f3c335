"""Continuo's LSTM as a PyTorch module (Sources/ContinuoModel/LSTMModel.swift, ParameterLayout.swift):
embedding (V x E) -> N stacked LSTMs of width H -> dropout -> linear head (V).

The state-dict names are the file's tensor names (`embedding.weight`, `lstm.weight_ih_l{n}`,
`lstm.weight_hh_l{n}`, `lstm.bias_ih_l{n}`, `lstm.bias_hh_l{n}`, `head.weight`, `head.bias`),
gates in nn.LSTM's order i, f, g, o. Dropout sits between layers (nn.LSTM's own) and before the
head, as in `continuo train`.
"""

import math

import torch
from torch import nn

from . import vocabulary


class ContinuoLSTM(nn.Module):
    def __init__(self, vocabulary_size=vocabulary.SIZE, embedding_size=256, hidden_size=512, layers=2, dropout=0.0):
        super().__init__()
        self.vocabulary_size, self.embedding_size = vocabulary_size, embedding_size
        self.hidden_size, self.layers = hidden_size, layers
        self.embedding = nn.Embedding(vocabulary_size, embedding_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size, layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, vocabulary_size)

    @property
    def shape(self):
        return {"vocabulary_size": self.vocabulary_size, "embedding_size": self.embedding_size,
                "hidden_size": self.hidden_size, "layers": self.layers}

    def reset_like_continuo(self, generator=None):
        """Continuo's initialisation (same distributions, torch's generator): embedding ~ N(0, 1);
        LSTM and head ~ U(-1/sqrt(H), 1/sqrt(H)); forget gate open (bias_ih forget slice 1,
        bias_hh forget slice 0)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        H = self.hidden_size
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name == "embedding.weight":
                    p.normal_(0.0, 1.0, generator=generator)
                else:
                    p.uniform_(-bound, bound, generator=generator)
                if name.startswith("lstm.bias_ih"):
                    p[H:2 * H] = 1.0
                elif name.startswith("lstm.bias_hh"):
                    p[H:2 * H] = 0.0
        return self

    def zero_state(self, batch, device=None, dtype=torch.float32):
        shape = (self.layers, batch, self.hidden_size)
        return (torch.zeros(shape, device=device, dtype=dtype), torch.zeros(shape, device=device, dtype=dtype))

    def forward(self, tokens, state=None):
        """tokens [B, T] -> logits [B, T, V], (h, c) each [N, B, H]."""
        out, state = self.lstm(self.embedding(tokens), state)
        return self.head(self.dropout(out)), state


def decayed(name):
    """AdamW weight decay applies to the weight matrices only (ParameterLayout.isDecayed):
    lstm.weight_ih/hh and head.weight; not the biases, not the embedding."""
    return name.startswith("lstm.weight_") or name == "head.weight"
