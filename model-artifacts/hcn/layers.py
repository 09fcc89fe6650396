"""Building blocks every user tower shares: the item tower, learned positions, the user-feature fusion
of Eq. 7, the aggregation of Eq. 8 and the Eq. 9 loss wrapper (`Recommender`).

Neither hcn.model (HCN) nor hcn.baselines imports the other; both import this module, and
hcn.registry puts them together."""

from __future__ import annotations

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
        # True: the genre part projected per gathered row (as exported; what hcn.bench_train's
        # "literal" variant times). False: per table row, then gathered (see forward).
        self.per_row = False
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
        if self.num_genres == 0:
            return self.ids(rows)
        if self.per_row or torch.jit.is_tracing():  # the exported graph keeps this form
            return self.ids(rows) + F.embedding(rows, self.genre_weights) @ self.genres
        # The same sum, row by row: the genre part of every row is computed once per call (R x G
        # x D multiply-adds) and gathered with the id part, instead of projecting the G genre
        # weights of each of the B x L gathered rows (a K = G matmul, slow at this width).
        table = self.ids.weight + self.genre_weights @ self.genres
        return F.embedding(rows, table, padding_idx=0)

    def all_rows(self) -> torch.Tensor:
        """[num_rows, D] embedding of every row (row 0 = zeros)."""
        return self.forward(torch.arange(self.ids.num_embeddings, device=self.ids.weight.device))


def learned_positions(length: int, dim: int) -> nn.Parameter:
    """A learned position table [length, D], indexed from the right end (the last row is the most
    recent event), N(0, 1/D) like the item embeddings."""
    return nn.Parameter(torch.randn(length, dim) * dim**-0.5)


def add_positions(seq: torch.Tensor, mask: torch.Tensor, positions: nn.Parameter | None) -> torch.Tensor:
    """seq [B,L,D] + the last L rows of `positions`, only where mask [B,L] is true (padding stays)."""
    if positions is None:
        return seq
    if positions.shape[0] != seq.shape[1]:  # (a constant while tracing: no Slice in the ONNX graph)
        positions = positions[-seq.shape[1] :]
    return seq + positions * mask.unsqueeze(-1).to(seq.dtype)


class UserFeatureFusion(nn.Module):
    """Paper Eq. 7, for every user tower: the user statistical features (one embedding per feature,
    index 0 = missing -> zero vector, summed) give X^U (1 x D), tiled over the n vectors;
    X^U_i = W^U [X~_i; X^U] + b^U (2D -> D)."""

    def __init__(self, dim: int, feature_sizes):
        super().__init__()
        self.features = nn.ModuleList(nn.Embedding(v, dim, padding_idx=0) for v in feature_sizes)
        self.out = nn.Linear(2 * dim, dim)
        for emb in self.features:
            nn.init.normal_(emb.weight, std=dim**-0.5)
            with torch.no_grad():
                emb.weight[0].zero_()
        xavier_zero_bias(self.out)

    def forward(self, x_tilde: torch.Tensor, user_features: torch.Tensor) -> torch.Tensor:
        x_hat = x_tilde.new_zeros(x_tilde.shape[0], x_tilde.shape[2])
        for f, emb in enumerate(self.features):
            x_hat = x_hat + emb(user_features[:, f])
        return self.out(torch.cat([x_tilde, x_hat.unsqueeze(1).expand_as(x_tilde)], dim=-1))


def xavier_zero_bias(module: nn.Module) -> None:
    """Xavier weights and zero biases for every Linear inside `module`: with PyTorch's default bias
    init the biases (shared by all n interests) dominate the small attention outputs and the n
    interests start identical."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


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


def diversity_penalty(interests: torch.Tensor) -> torch.Tensor:
    """Mean squared off-diagonal Pearson correlation of each user's n interest vectors (the
    quantity of the paper's Table 4), for an optional regulariser in the spirit of REMI's routing
    regularisation (which penalises the off-diagonal covariance of the routing matrix). 0 for n = 1."""
    n = interests.shape[1]
    if n < 2:
        return interests.new_zeros(())
    x = interests - interests.mean(dim=2, keepdim=True)
    x = x / x.norm(dim=2, keepdim=True).clamp(min=1e-6)
    corr = x @ x.transpose(1, 2)  # [B,n,n]
    off = corr - torch.diag_embed(torch.diagonal(corr, dim1=1, dim2=2))
    return (off**2).sum((1, 2)).mean() / (n * (n - 1))


class Recommender(nn.Module):
    """User tower + item tower + Eq. 8. The user tower was built with this very item tower for its
    history embedding, so history and candidates live in one space."""

    def __init__(self, user_tower: nn.Module, item_tower: ItemTower, temperature: float = 1.0):
        super().__init__()
        self.user_tower = user_tower
        self.item_tower = item_tower
        self.temperature = temperature

    def forward(self, long_ids, short_ids, user_features, items):
        return self.score(self.user_tower(long_ids, short_ids, user_features), items)

    def score(self, interests: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return aggregate(interests, self.item_tower(items), self.temperature)

    @staticmethod
    def loss(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Eq. 9: binary cross-entropy on sigmoid(score)."""
        return F.binary_cross_entropy_with_logits(scores, labels)


def load_item_genres(model: nn.Module, multi_hot) -> None:
    """Fill the genre buffer of every ItemTower inside `model`."""
    for m in model.modules():
        if isinstance(m, ItemTower):
            m.load_genres(multi_hot)
