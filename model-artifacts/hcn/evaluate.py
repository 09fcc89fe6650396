"""Evaluation on the leave-one-out held-out items.

* auc:  global AUC over all (user, candidate) pairs of the split, candidates = held-out item + 100
        sampled never-touched items per user (the paper's metric; ties count one half).
* gauc: the same AUC computed per user and averaged over users.
* hr@K / ndcg@K (K = 50, 100): the held-out item ranked against the WHOLE catalogue, excluding the
        items in the user's history (standard practice; the held-out item itself is never excluded).
        rank = number of items scored strictly higher; hit if rank < K; ndcg = 1 / log2(rank + 2).
* pearson: mean over users of the mean pairwise Pearson correlation between the user's n interest
        vectors (each vector's D components are the samples; paper Table 4). Only when n > 1.
* diagnostics (`diagnostics`): the same Pearson and the relative spread mean_k |u_k - u_bar| / |u_bar|
        at every stage of HCN (each H_i of both modules, L^, S^, L~, S~, the output before and after
        Eq. 7), or of the output alone for the other multi-vector models.
* ItemPop (`itempop_metrics`): every candidate scored by its number of training events; no model.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import rankdata

from hcn.layers import aggregate, aggregate_catalogue
from hcn.model import HCN

KS = (50, 100)


def global_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    s, y = scores.ravel(), labels.ravel().astype(bool)
    p, n = int(y.sum()), int((~y).sum())
    ranks = rankdata(s)  # average ranks for ties
    return float((ranks[y].sum() - p * (p + 1) / 2) / (p * n))


def user_auc(scores: np.ndarray) -> np.ndarray:
    """Per-row AUC where column 0 is the positive and the rest negatives."""
    pos = scores[:, :1]
    neg = scores[:, 1:]
    return ((neg < pos).sum(1) + 0.5 * (neg == pos).sum(1)) / neg.shape[1]


def mean_pairwise_pearson(interests: np.ndarray) -> float:
    """interests [U, n, D] -> mean over users of the mean correlation over the n(n-1)/2 pairs."""
    x = interests - interests.mean(axis=2, keepdims=True)
    x = x / np.maximum(np.linalg.norm(x, axis=2, keepdims=True), 1e-12)
    corr = np.einsum("und,umd->unm", x, x)
    iu = np.triu_indices(interests.shape[1], k=1)
    return float(corr[:, iu[0], iu[1]].mean())


def relative_spread(interests: np.ndarray) -> float:
    """interests [U, n, D] -> mean over users of mean_k |u_k - u_bar| / |u_bar| (0 = all identical)."""
    centre = interests.mean(axis=1, keepdims=True)
    dev = np.linalg.norm(interests - centre, axis=2).mean(axis=1)
    return float((dev / np.maximum(np.linalg.norm(centre[:, 0], axis=1), 1e-12)).mean())


def to_device(array: np.ndarray, device) -> torch.Tensor:
    return torch.from_numpy(array).to(device)


def model_device(model) -> torch.device:
    return next(model.parameters()).device


def spread_figures(interests: np.ndarray) -> dict:
    x = np.asarray(interests, dtype=np.float64)
    return {"pearson": mean_pairwise_pearson(x), "spread": relative_spread(x)}


@torch.no_grad()
def diagnostics(model, ds, split: str = "test", max_users: int = 1024) -> dict:
    """{stage: {pearson, spread}} over the first max_users users of `split` ({} for one vector)."""
    model.eval()
    users = np.arange(min(ds.num_users, max_users))
    long, short = ds.user_windows(users, split)
    args = tuple(to_device(x, model_device(model)) for x in (long, short, ds.user_features[users]))
    if isinstance(model.user_tower, HCN):
        stages = {}
        model.user_tower(*args, stages=stages)
    else:
        stages = {"output": model.user_tower(*args)}
    return {k: spread_figures(v.cpu().numpy()) for k, v in stages.items() if v.dim() == 3 and v.shape[1] > 1}


def itempop_metrics(ds, split: str = "test") -> dict:
    """The ItemPop anchor: score = the item's number of training events (before validation)."""
    counts = np.zeros(ds.num_rows, dtype=np.float64)
    for u in range(ds.num_users):
        np.add.at(counts, ds.history_rows(u, ds.seq_len[u] - 2), 1.0)
    cands = ds.eval_candidates(split)
    scores = counts[cands]
    labels = np.zeros_like(scores)
    labels[:, 0] = 1
    out = {"auc": global_auc(scores, labels), "gauc": float(user_auc(scores).mean()), "users": ds.num_users}
    end_offset = 1 if split == "test" else 2
    ranks = np.zeros(ds.num_users, dtype=np.int64)
    for u in range(ds.num_users):
        s = counts.copy()
        s[0] = -np.inf
        target = cands[u, 0]
        s[ds.history_rows(u, ds.seq_len[u] - end_offset)] = -np.inf
        s[target] = counts[target]
        ranks[u] = int((s > counts[target]).sum())
    out.update(rank_metrics(ranks))
    return out


def rank_metrics(ranks: np.ndarray) -> dict:
    out = {}
    for k in KS:
        hit = ranks < k
        out[f"hr{k}"] = float(hit.mean())
        out[f"ndcg{k}"] = float(np.where(hit, 1.0 / np.log2(ranks + 2.0), 0.0).mean())
    return out


@torch.no_grad()
def user_interests(model, ds, users: np.ndarray, split: str, batch_size: int = 512) -> torch.Tensor:
    out, device = [], model_device(model)
    for i in range(0, len(users), batch_size):
        u = users[i : i + batch_size]
        long, short = ds.user_windows(u, split)
        args = (to_device(x, device) for x in (long, short, ds.user_features[u]))
        out.append(model.user_tower(*args))
    return torch.cat(out)


@torch.no_grad()
def evaluate(model, ds, split: str = "test", full_ranking: bool = True, batch_size: int = 512) -> dict:
    model.eval()
    users = np.arange(ds.num_users)
    interests = user_interests(model, ds, users, split, batch_size)
    cands = ds.eval_candidates(split)
    scores = np.concatenate(
        [
            aggregate(
                interests[i : i + batch_size],
                model.item_tower(to_device(cands[i : i + batch_size], interests.device)),
                model.temperature,
            )
            .cpu()
            .numpy()
            for i in range(0, len(users), batch_size)
        ]
    )
    labels = np.zeros_like(scores)
    labels[:, 0] = 1
    metrics = {
        "auc": global_auc(scores, labels),
        "gauc": float(user_auc(scores).mean()),
        "users": int(len(users)),
    }
    if full_ranking:
        metrics.update(full_catalogue_metrics(model, ds, interests, split))
    if interests.shape[1] > 1:
        metrics["pearson"] = mean_pairwise_pearson(interests.cpu().numpy().astype(np.float64))
    return metrics


@torch.no_grad()
def full_catalogue_metrics(model, ds, interests: torch.Tensor, split: str, batch_size: int = 256) -> dict:
    table = model.item_tower.all_rows()
    end_offset = 1 if split == "test" else 2
    targets = ds.eval_candidates(split)[:, 0]
    ranks = np.zeros(ds.num_users, dtype=np.int64)
    for i in range(0, ds.num_users, batch_size):
        s = aggregate_catalogue(interests[i : i + batch_size], table, model.temperature).cpu().numpy()
        s[:, 0] = -np.inf
        for j in range(s.shape[0]):
            u = i + j
            hist = ds.history_rows(u, ds.seq_len[u] - end_offset)
            target_score = s[j, targets[u]]
            s[j, hist] = -np.inf
            s[j, targets[u]] = target_score
            ranks[u] = int((s[j] > target_score).sum())
    return rank_metrics(ranks)
