"""Baselines of the paper's Section 3 as user towers with HCN's interface:
forward(long_ids [B,Ll], short_ids [B,Ls], user_features [B,F]) -> [B,n,D] (n = 1 for the
single-vector models). Same item tower (the `items` attribute is replaced by the shared candidate
item tower in hcn.model.Recommender), same D, same inputs and the same user-feature fusion as HCN's
Eq. 7, so a comparison isolates the sequence encoder.

Shared conventions:
* Positions (ModelConfig.positions): a learned position table added to the compacted sequence
  (position p = p-th from the end) before the encoder, for every model; the default is each
  model's own (on for SASRec, SAMRec, ComiRec-SA, off for MeanPooling, GRU4Rec, MIND).
* Single-sequence models read the concatenation [long; short] (most recent last). It is first
  compacted: non-padding rows keep their order and move to the right end, so the amount and place
  of padding (row 0) never changes an output, and position p always means "p-th from the end".
* Every encoder masks padding explicitly (it does not rely on row 0 embedding to zeros), and an
  empty history gives a zero sequence vector, so the output is finite (the user features only).
* Multi-interest models (MIND, ComiRec-SA) are scored with HCN's Eq. 8 (hcn.model.aggregate) like
  HCN. MIND's label-aware attention (softmax over (u_k . x)^p) is a training-time device; with p = 1
  it is exactly Eq. 8, so every multi-vector model shares one aggregation at training and scoring.
* L x L self-attention uses 4-D matmul, not broadcast multiply + sum: measured on this machine
  (B=256, h=4, L=100, dk=12, forward+backward) matmul 0.10 s vs broadcast 2.0 s; broadcast only
  pays off for HCN's n x L attention.

Baseline-specific choices (the original papers' defaults where they fit the shared setting):
* GRU4Rec: one GRU layer (D -> D) without biases over the compacted sequence; the last hidden
  state. Padding is a no-op (zero input, zero state, no bias => zero state), measured 4x faster
  than a packed sequence.
* SASRec: 2 pre-LN blocks with one head (the SASRec defaults; the HCN paper also notes that
  multi-head did not beat single-head there), causal, learned positional embeddings; the output
  at the most recent position.
* SAMRec: the same blocks without the causal mask, then a masked mean over the sequence.
* MIND: behaviour-to-interest routing with a shared bilinear map S, 3 iterations, squash, routing
  logits initialised from a fixed N(0, 1) buffer (the MIND/ComiRec code draws them per batch; fixed
  here so inference is deterministic), intermediate iterations see stop-gradient behaviour
  capsules (as the ComiRec implementation does), then one ReLU layer (MIND's H layer). A fixed n
  capsules (no dynamic K: the paper uses the same n for every multi-vector model).
* ComiRec-SA: A = softmax_L(W2 tanh(W1 (E + P))) with hidden 4D (the ComiRec default), V = A^T (E + P).
"""

from __future__ import annotations

import math

import torch
from torch import nn
import torch.nn.functional as F

from hcn.layers import NEG_INF, UserFeatureFusion, add_positions, learned_positions

SELF_ATTENTION_BLOCKS = 2
SELF_ATTENTION_HEADS = 1
ROUTING_ITERATIONS = 3


def compact(ids: torch.Tensor) -> torch.Tensor:
    """[B,L] row ids -> the same non-zero ids in the same order, moved to the right end
    (left-padded with 0, most recent last)."""
    order = torch.sort((ids > 0).to(torch.int8), dim=1, stable=True).indices
    return torch.gather(ids, 1, order)


def masked_softmax(logits: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    """Softmax over `dim` restricted to mask; all-masked slices give zeros (not NaN, not uniform)."""
    att = torch.softmax(logits.masked_fill(~mask, NEG_INF), dim=dim)
    return att * mask.to(att.dtype)


class SequenceTower(nn.Module):
    """Shared skeleton: compact [long; short], embed with the item tower `items` (the Recommender's
    candidate tower), add positions (if on), encode -> [B,n,D], fuse (Eq. 7)."""

    default_positions = False

    def __init__(self, cfg, meta, items: nn.Module):
        super().__init__()
        self.cfg = cfg
        self.length = meta.long_length + meta.short_length
        self.items = items
        on = self.default_positions if cfg.positions is None else cfg.positions
        self.positions = learned_positions(self.length, cfg.dim) if on else None
        self.fusion = UserFeatureFusion(cfg.dim, meta.user_feature_sizes)

    def forward(self, long_ids, short_ids, user_features):
        ids = compact(torch.cat([long_ids, short_ids], dim=1))
        mask = ids > 0
        seq = add_positions(self.items(ids) * mask.unsqueeze(-1).to(torch.float32), mask, self.positions)
        return self.fusion(self.encode(seq, mask), user_features)

    def encode(self, seq: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # [B,L,D] -> [B,n,D]
        raise NotImplementedError


def masked_mean(seq: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """[B,L,D], [B,L] -> [B,1,D]; zeros for an empty sequence."""
    m = mask.unsqueeze(-1).to(seq.dtype)
    return ((seq * m).sum(1) / m.sum(1).clamp(min=1.0)).unsqueeze(1)


class MeanPooling(SequenceTower):
    def encode(self, seq, mask):
        return masked_mean(seq, mask)


class GRU4Rec(SequenceTower):
    def __init__(self, cfg, meta, items):
        super().__init__(cfg, meta, items)
        # No biases: from a zero state a zero input leaves the state exactly zero, so the leading
        # padding of the compacted sequence is a no-op and no packing is needed (4x faster here).
        self.gru = nn.GRU(cfg.dim, cfg.dim, batch_first=True, bias=False)

    def encode(self, seq, mask):
        _, h = self.gru(seq)
        return h[-1].unsqueeze(1)


class SelfAttentionBlock(nn.Module):
    """Pre-LN transformer block: x + MHA(LN(x)), then x + FFN(LN(x)); `allowed` [B,L,L] masks keys."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        self.heads, self.dk = heads, dim // heads
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.o = nn.Linear(dim, dim)
        self.ffn = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        b, length, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, length, 3, self.heads, self.dk).permute(2, 0, 3, 1, 4)
        logits = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dk)  # [B,h,L,L]
        att = self.drop(masked_softmax(logits, allowed.unsqueeze(1), dim=-1))
        x = x + self.drop(self.o(torch.matmul(att, v).transpose(1, 2).reshape(b, length, d)))
        return x + self.drop(self.ffn(self.norm2(x)))


class SelfAttentive(SequenceTower):
    """Stacked self-attention over the compacted sequence (learned positions by default). A query
    attends to valid keys (and, so that no row is empty, to itself); queries at padding positions
    are zeroed after every block, so padding never reaches a valid position."""

    causal = False
    default_positions = True

    def __init__(self, cfg, meta, items):
        super().__init__(cfg, meta, items)
        self.blocks = nn.ModuleList(
            SelfAttentionBlock(cfg.dim, SELF_ATTENTION_HEADS, cfg.dropout)
            for _ in range(SELF_ATTENTION_BLOCKS)
        )
        self.norm = nn.LayerNorm(cfg.dim)

    def hidden(self, seq, mask):
        length = seq.shape[1]
        keep = mask.unsqueeze(-1).to(seq.dtype)
        x = seq * keep
        eye = torch.eye(length, dtype=torch.bool, device=mask.device)
        allowed = mask.unsqueeze(1) | eye  # [B,L(query),L(key)]
        if self.causal:
            allowed = allowed & torch.ones(length, length, dtype=torch.bool, device=mask.device).tril()
        for block in self.blocks:
            x = block(x, allowed) * keep
        return self.norm(x) * keep


class SASRec(SelfAttentive):
    causal = True

    def encode(self, seq, mask):
        return self.hidden(seq, mask)[:, -1:]  # compacted: the last position is the most recent item


class SAMRec(SelfAttentive):
    def encode(self, seq, mask):
        return masked_mean(self.hidden(seq, mask), mask)


def squash(z: torch.Tensor) -> torch.Tensor:
    """Capsule squash |z|^2 / (1 + |z|^2) * z / |z|; the zero vector maps to zero."""
    sq = (z * z).sum(-1, keepdim=True)
    return z * (sq / (1.0 + sq) / torch.sqrt(sq + 1e-9))


class MIND(SequenceTower):
    def __init__(self, cfg, meta, items):
        super().__init__(cfg, meta, items)
        self.bilinear = nn.Linear(cfg.dim, cfg.dim, bias=False)  # S, shared by all capsules
        self.register_buffer("routing_init", torch.randn(cfg.n, self.length))
        self.h_layer = nn.Sequential(nn.Linear(cfg.dim, cfg.dim), nn.ReLU())

    def encode(self, seq, mask):
        behaviours = self.bilinear(seq)  # [B,L,D]
        length = seq.shape[1]
        keep = mask.unsqueeze(1).to(seq.dtype)  # [B,1,L]
        logits = self.routing_init[:, -length:].unsqueeze(0).expand(seq.shape[0], -1, -1)
        for it in range(ROUTING_ITERATIONS):
            last = it == ROUTING_ITERATIONS - 1
            e = behaviours if last else behaviours.detach()
            w = torch.softmax(logits, dim=1) * keep  # over capsules, padding behaviours removed
            capsules = squash(torch.matmul(w, e))  # [B,n,D]
            if not last:
                logits = logits + torch.matmul(capsules, e.transpose(1, 2))
        has_history = mask.any(1).to(seq.dtype).reshape(-1, 1, 1)
        return self.h_layer(capsules) * has_history


class ComiRecSA(SequenceTower):
    default_positions = True

    def __init__(self, cfg, meta, items):
        super().__init__(cfg, meta, items)
        self.w1 = nn.Linear(cfg.dim, 4 * cfg.dim)
        self.w2 = nn.Linear(4 * cfg.dim, cfg.n, bias=False)

    def encode(self, seq, mask):
        h = seq * mask.unsqueeze(-1).to(seq.dtype)
        logits = self.w2(torch.tanh(self.w1(h))).transpose(1, 2)  # [B,n,L]
        att = masked_softmax(logits, mask.unsqueeze(1), dim=-1)
        return torch.matmul(att, h)


# name -> user tower class; hcn.registry lists them with their kind (single / multi-vector).
BASELINES = {
    "MeanPooling": MeanPooling,
    "GRU4Rec": GRU4Rec,
    "SASRec": SASRec,
    "SAMRec": SAMRec,
    "MIND": MIND,
    "ComiRec-SA": ComiRecSA,
}
