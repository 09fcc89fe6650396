"""HCN (paper Section 2): item tower, Hierarchical Multi-Interest Network, Co-Interest Network,
user-feature fusion (Eq. 7), aggregation (Eq. 8) and loss (Eq. 9).

Sequence attention uses 3-D bmm over (batch x heads): measured on this machine (torch 1.13,
B=256, n=8, L=80, h=4, dk=12, forward+backward of one layer) bmm 0.22 s / einsum 0.29 s / broadcast
multiply + sum 0.59-0.68 s wall with 2 threads under load, and 0.03-0.05 / 0.04-0.05 / 0.11-0.23 s
of CPU with 1 thread. The small n x n Co-Interest attention and the
Eq. 8 aggregation over a few candidates use broadcast multiply + sum. All export to ONNX opset 17.

Readings of the ambiguous parts of the paper (also in model-artifacts/README.md):
* Eq. 5 says i ranges over [1, l_L] and j over [1, l_S], but L^ and S^ are n x D (outputs of the
  two HIN modules), so both indices range over the n interests: e = L^ S^T is n x n,
  L~_i = sum_j softmax_j(e_i.) S^_j and S~_j = sum_i softmax_i(e_.j) L^_i.
* Eq. 6 "[L~; S~; S~]" is taken literally (cin_concat="LSS"): per interest i the vectors L~_i,
  S~_i, S~_i are concatenated (3D) and mapped to D by W^h; "LS" concatenates [L~_i; S~_i] (2D).
* Eq. 7 concatenates X~^U (n x D) with the user-feature vector X^^U (1 x D) tiled n times, per
  interest, and maps 2D -> D by W^U.
* Eq. 8's sums run over the n interests; a temperature divides the logits (1 = the paper).
* Algorithm 1: H_i = Concat(heads) W^o with C_i = H_{i-1} for i > 0, no residual or norm (the
  paper shows none); F_c = W_c [H_0; ...; H_r] + b_c concatenates per interest ((r+1)D -> D).
"""

from __future__ import annotations

import math

import torch
from torch import nn
import torch.nn.functional as F

NEG_INF = -1e9  # masked logit: exp underflows to exactly 0 in float32


class ItemTower(nn.Module):
    """Item id embedding + mean of its genre embeddings -> D. Row 0 (padding) maps to zeros."""

    def __init__(self, num_rows: int, num_genres: int, dim: int):
        super().__init__()
        self.ids = nn.Embedding(num_rows, dim, padding_idx=0)
        nn.init.normal_(self.ids.weight, std=dim**-0.5)
        with torch.no_grad():
            self.ids.weight[0].zero_()
        self.num_genres = num_genres
        if num_genres > 0:
            self.genres = nn.Parameter(torch.randn(num_genres, dim) * dim**-0.5)
            # Row-normalised multi-hot genre matrix, loaded from the data set (load_genres).
            self.register_buffer("genre_weights", torch.zeros(num_rows, num_genres))

    def load_genres(self, multi_hot) -> None:
        """multi_hot: [num_rows, num_genres] 0/1; each row becomes the mean over its genres."""
        if self.num_genres == 0:
            return
        m = torch.as_tensor(multi_hot, dtype=torch.float32)
        m = m / m.sum(dim=1, keepdim=True).clamp(min=1.0)
        m[0] = 0.0
        self.genre_weights.copy_(m)

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        out = self.ids(rows)
        if self.num_genres > 0:
            out = out + F.embedding(rows, self.genre_weights) @ self.genres
        return out

    def all_rows(self) -> torch.Tensor:
        """[num_rows, D] embedding of every row (row 0 = zeros)."""
        return self.forward(torch.arange(self.ids.num_embeddings))


def aggregate(interests: torch.Tensor, items: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Paper Eq. 8. interests [B,n,D], items [B,M,D] -> scores [B,M]:
    s_k = <u_k, x>, w = softmax(s / T), score = sum_k w_k s_k (softmax is max-shifted, so stable)."""
    s = (items.unsqueeze(2) * interests.unsqueeze(1)).sum(-1)  # [B,M,n]
    w = torch.softmax(s / temperature, dim=-1)
    return (w * s).sum(-1)


def aggregate_catalogue(
    interests: torch.Tensor, table: torch.Tensor, temperature: float = 1.0
) -> torch.Tensor:
    """Eq. 8 of every user against one shared item table: interests [B,n,D], table [R,D] -> [B,R].
    One large matmul instead of the broadcast form (which would materialise [B,R,n,D])."""
    b, n, d = interests.shape
    s = (interests.reshape(b * n, d) @ table.t()).reshape(b, n, -1).transpose(1, 2)  # [B,R,n]
    w = torch.softmax(s / temperature, dim=-1)
    return (w * s).sum(-1)


class MultiHeadInterestAttention(nn.Module):
    """One layer of Eq. 3: queries are interest centres [B,n,D], keys/values the sequence [B,L,D]."""

    def __init__(self, dim: int, heads: int, dropout: float = 0.0):
        super().__init__()
        self.heads, self.dk = heads, dim // heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)
        self.drop = nn.Dropout(dropout)

    def forward(self, centres: torch.Tensor, seq: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, d = centres.shape
        length, h, dk = seq.shape[1], self.heads, self.dk
        q = self.q(centres).reshape(b, n, h, dk).transpose(1, 2).reshape(b * h, n, dk)
        k = self.k(seq).reshape(b, length, h, dk).permute(0, 2, 3, 1).reshape(b * h, dk, length)
        v = self.v(seq).reshape(b, length, h, dk).transpose(1, 2).reshape(b * h, length, dk)
        logits = torch.bmm(q, k) / math.sqrt(dk)  # [B*h, n, L]
        keep = mask.unsqueeze(1).expand(b, h, length).reshape(b * h, 1, length)
        logits = logits.masked_fill(~keep, NEG_INF)
        att = torch.softmax(logits, dim=-1)
        # All-padding rows: softmax is uniform over padding; zero it so the output is exactly 0.
        att = att * keep.any(dim=-1, keepdim=True).to(att.dtype)
        att = self.drop(att)
        heads = torch.bmm(att, v).reshape(b, h, n, dk).transpose(1, 2)  # [B,n,h,dk]
        return self.o(heads.reshape(b, n, d))


class HierarchicalMultiInterest(nn.Module):
    """Algorithm 1: seed matrix C_0, `layers` stacked attention layers (layer i>0 queries with
    H_{i-1}), F_c = W_c [H_0; ...; H_r] + b_c."""

    def __init__(self, n: int, dim: int, heads: int, layers: int, dropout: float = 0.0):
        super().__init__()
        self.seed = nn.Parameter(torch.randn(n, dim))  # C_0, "random initialize" as N(0, 1)
        self.layers = nn.ModuleList(MultiHeadInterestAttention(dim, heads, dropout) for _ in range(layers))
        self.combine = nn.Linear(layers * dim, dim)  # W_c, b_c

    def forward(self, seq: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        centres = self.seed.unsqueeze(0).expand(seq.shape[0], -1, -1)
        outputs = []
        for layer in self.layers:
            centres = layer(centres, seq, mask)
            outputs.append(centres)
        return self.combine(torch.cat(outputs, dim=-1))  # [B,n,D]


def co_interest(long_i: torch.Tensor, short_i: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Eqs. 4-5 over the n x n interest pairs: returns (L~, S~), each [B,n,D]."""
    e = (long_i.unsqueeze(2) * short_i.unsqueeze(1)).sum(-1)  # e[b,i,j] = L^_i . S^_j
    to_short = torch.softmax(e, dim=2)  # over j
    to_long = torch.softmax(e, dim=1)  # over i
    l_tilde = (to_short.unsqueeze(-1) * short_i.unsqueeze(1)).sum(2)
    s_tilde = (to_long.unsqueeze(-1) * long_i.unsqueeze(2)).sum(1)
    return l_tilde, s_tilde


class HCN(nn.Module):
    """User tower: forward(long_ids [B,Ll], short_ids [B,Ls], user_features [B,F]) -> [B,n,D]."""

    def __init__(self, cfg, meta):
        super().__init__()
        d = cfg.dim
        self.cfg = cfg
        layers = cfg.layers if cfg.hierarchical else 1
        # History item embedding; Recommender replaces it by the shared candidate item tower.
        self.items = ItemTower(meta.num_rows, meta.num_genres, d)
        self.long_hin = HierarchicalMultiInterest(cfg.n, d, cfg.heads, layers, cfg.dropout)
        self.short_hin = HierarchicalMultiInterest(cfg.n, d, cfg.heads, layers, cfg.dropout)
        if cfg.co_interest:
            parts = 3 if cfg.cin_concat == "LSS" else 2
            self.fuse = nn.Linear(parts * d, d)  # W^h, b^h (Eq. 6)
        else:
            self.fuse = nn.Linear(2 * d, d)  # "w/o CIN": W [L^; S^] + b
        self.user_features = nn.ModuleList(nn.Embedding(v, d, padding_idx=0) for v in meta.user_feature_sizes)
        for emb in self.user_features:
            nn.init.normal_(emb.weight, std=d**-0.5)
            with torch.no_grad():
                emb.weight[0].zero_()
        self.out = nn.Linear(2 * d, d)  # W^U, b^U (Eq. 7)
        # Xavier weights and zero biases: with PyTorch's default bias init the biases (shared by all
        # n interests) dominate the small attention outputs and the n interests start identical.
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, long_ids, short_ids, user_features):
        long_hat = self.long_hin(self.items(long_ids), long_ids > 0)
        short_hat = self.short_hin(self.items(short_ids), short_ids > 0)
        if self.cfg.co_interest:
            l_tilde, s_tilde = co_interest(long_hat, short_hat)
            parts = [l_tilde, s_tilde, s_tilde] if self.cfg.cin_concat == "LSS" else [l_tilde, s_tilde]
            x_tilde = self.fuse(torch.cat(parts, dim=-1))
        else:
            x_tilde = self.fuse(torch.cat([long_hat, short_hat], dim=-1))
        x_hat = x_tilde.new_zeros(x_tilde.shape[0], x_tilde.shape[2])
        for f, emb in enumerate(self.user_features):
            x_hat = x_hat + emb(user_features[:, f])
        x_hat = x_hat.unsqueeze(1).expand_as(x_tilde)
        return self.out(torch.cat([x_tilde, x_hat], dim=-1))


class Recommender(nn.Module):
    """User tower + item tower + Eq. 8. A user tower's `items` ItemTower (history embedding) is
    replaced by the shared item tower, so history and candidates live in one space."""

    def __init__(self, user_tower: nn.Module, item_tower: ItemTower, temperature: float = 1.0):
        super().__init__()
        if isinstance(getattr(user_tower, "items", None), ItemTower):
            user_tower.items = item_tower
        self.user_tower = user_tower
        self.item_tower = item_tower
        self.temperature = temperature

    def forward(self, long_ids, short_ids, user_features, items):
        interests = self.user_tower(long_ids, short_ids, user_features)
        return aggregate(interests, self.item_tower(items), self.temperature)

    @staticmethod
    def loss(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Eq. 9: binary cross-entropy on sigmoid(score)."""
        return F.binary_cross_entropy_with_logits(scores, labels)


def build_user_tower(model_cfg, meta) -> nn.Module:
    if model_cfg.type == "HCN":
        return HCN(model_cfg, meta)
    from hcn import baselines  # written by the baselines helper

    return baselines.build_user_tower(model_cfg, meta)


def build_model(model_cfg, meta) -> Recommender:
    item_tower = ItemTower(meta.num_rows, meta.num_genres, model_cfg.dim)
    return Recommender(build_user_tower(model_cfg, meta), item_tower, model_cfg.temperature)


def load_item_genres(model: nn.Module, multi_hot) -> None:
    """Fill the genre buffer of every ItemTower inside `model`."""
    for m in model.modules():
        if isinstance(m, ItemTower):
            m.load_genres(multi_hot)
