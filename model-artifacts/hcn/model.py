"""HCN (paper Section 2): Hierarchical Multi-Interest Network (Algorithm 1, Eq. 3), Co-Interest
Network (Eqs. 4-6), then the shared user-feature fusion (Eq. 7, hcn.layers) -> [B, n, D].

Readings of the ambiguous parts of the paper (also in model-artifacts/README.md):
* Eq. 5 says i ranges over [1, l_L] and j over [1, l_S], but L^ and S^ are n x D (outputs of the
  two HIN modules), so both indices range over the n interests: e = L^ S^T is n x n,
  L~_i = sum_j softmax_j(e_i.) S^_j and S~_j = sum_i softmax_i(e_.j) L^_i.
* Eq. 6 "[L~; S~; S~]" is taken literally (cin_concat="LSS"); the other readings are behind
  ModelConfig.cin_concat (LS, esim, residual).
* Algorithm 1: H_i = Concat(heads) W^o with C_i = H_{i-1} for i > 0, no residual or norm (the
  paper shows none: hin_layer="literal"); F_c = W_c [H_0; ...; H_r] + b_c concatenates per interest
  ((r+1)D -> D). hin_layer="residual" is the pre-LN Transformer block of the cited attention.

The attention is computed in an exactly re-associated form (`MultiHeadInterestAttention`):
per head (C W_Q)(I W_K)^T = (C W_Q W_K^T) I^T and softmax(.)(I W_V) W_O = (softmax(.) I)(W_V W_O),
so the sequence I is never projected (cost n*h*L*D instead of L*D^2 per layer), the attention is
a few large matmuls instead of B*h tiny ones, and the first layer's queries C_0 W_Q W_K^T do not
depend on the user at all. Each hierarchical module prepares its sequence once (`PreparedSequence`):
the additive padding mask, and in the residual reading the statistics of LN I, which every layer
applies to the same I; each layer folds its own LN gain and bias into its weights instead.
`form="literal"` keeps the textbook computation (the same parameters, the same function up to float
rounding): tests and hcn.bench_train compare the two. On CPU the re-associated attention and the
co-interest products run their per-user matmuls through numpy (hcn.batched_attention, faster than
this torch's slice-by-slice bmm; hcn.bench_train times both); `set_cpu_kernel(False)` keeps them in
torch.bmm.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn
import torch.nn.functional as F

from hcn import batched_attention
from hcn.layers import NEG_INF, UserFeatureFusion, add_positions, learned_positions, xavier_zero_bias

FORMS = ("reassociated", "literal")


class PreparedSequence(NamedTuple):
    """What every layer of one hierarchical module reads from the sequence, computed once per forward."""

    values: torch.Tensor  # [B,L,D] keys and values (residual reading: LayerNorm statistics, no affine)
    logit_bias: torch.Tensor  # [B,1,L]: 0 at events, NEG_INF at padding
    rows: torch.Tensor  # [B,1,1]: 1 for a user with any event; 0 zeroes an all-padding user's output


def prepare_sequence(
    seq: torch.Tensor, mask: torch.Tensor, norm: nn.LayerNorm | None = None
) -> PreparedSequence:
    """norm: apply its statistics only, not its affine part (each residual layer folds its own gain
    and bias into its weights, see MultiHeadInterestAttention.folded)."""
    if norm is not None:
        # An explicit unit gain: ONNX's LayerNormalization requires a scale input.
        unit = torch.ones(norm.normalized_shape, dtype=seq.dtype, device=seq.device)
        seq = F.layer_norm(seq, norm.normalized_shape, unit, eps=norm.eps)
    bias = (~mask).to(seq.dtype).mul(NEG_INF).unsqueeze(1)
    return PreparedSequence(seq, bias, mask.any(dim=-1).to(seq.dtype).reshape(-1, 1, 1))


class MultiHeadInterestAttention(nn.Module):
    """One layer of Eq. 3: queries are interest centres [B,n,D] (or [n,D], the same for every user),
    keys/values the sequence [B,L,D]. Parameters are the textbook W_Q, W_K, W_V, W_O (nn.Linear)."""

    def __init__(self, dim: int, heads: int, dropout: float = 0.0):
        super().__init__()
        self.heads, self.dk = heads, dim // heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)
        self.drop = nn.Dropout(dropout)
        self.form = "reassociated"
        # The re-associated form's batched matmuls through numpy on CPU (hcn.batched_attention);
        # False keeps them in torch.bmm (the same function; tests and hcn.bench_train compare).
        self.cpu_kernel = True
        self.frozen = None  # serving: folded (query_key, value_out, per-head bias, constant queries)

    def freeze(self, constant_centres=None, affine=None) -> None:
        """Serving copy: fold the weight products once (with the sequence LayerNorm's affine part,
        when given, and, for the first layer, the queries C_0 W_Q W_K^T, which do not depend on the
        user), so a request pays only the per-user work."""
        with torch.no_grad():
            qk, vo, head_bias = self.folded(affine)
            first = None
            if constant_centres is not None:
                first = (constant_centres @ qk).reshape(-1, qk.shape[0])
        self.frozen = (qk, vo, head_bias, first)

    def query_key(self) -> torch.Tensor:
        """[D, h*D]: column block h is W_Q,h W_K,h^T / sqrt(dk) (in x @ W convention)."""
        d, h, dk = self.q.in_features, self.heads, self.dk
        wq = self.q.weight.reshape(h, dk, d)  # q_h = x @ wq[h]^T
        wk = self.k.weight.reshape(h, dk, d)
        m = torch.matmul(wq.transpose(1, 2), wk) / math.sqrt(dk)  # [h, D, D]
        return m.permute(1, 0, 2).reshape(d, h * d)

    def value_out(self) -> torch.Tensor:
        """[h*D, D]: row block h is W_V,h W_O,h (in x @ W convention)."""
        d, h, dk = self.q.in_features, self.heads, self.dk
        wv = self.v.weight.reshape(h, dk, d)  # v_h = x @ wv[h]^T
        wo = self.o.weight.reshape(d, h, dk).permute(1, 2, 0)  # out = sum_h head_h @ wo[h]
        return torch.matmul(wv.transpose(1, 2), wo).reshape(h * d, d)

    def folded(self, affine=None):
        """(query_key, value_out, per-head output bias [h, D] or None) for keys/values x = g * z + b
        given as z (affine = (g, b)): the logits q.(g*z + b) = (q*g).z + q.b, and q.b is the same for
        every position, so softmax drops it; the values mix to g*(softmax z) + b (softmax rows sum
        to 1), so g folds into the rows of W_V W_O and b leaves the constant b W_V,h W_O,h per head."""
        if self.frozen is not None:
            return self.frozen[:3]
        qk, vo = self.query_key(), self.value_out()
        if affine is None:
            return qk, vo, None
        gain, shift = affine
        h, d = self.heads, gain.shape[0]
        head_bias = torch.matmul(shift, vo.reshape(h, d, d))  # [h, D]
        return qk * gain.repeat(h), vo * gain.repeat(h).unsqueeze(1), head_bias

    def forward(self, centres: torch.Tensor, seq: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.form == "literal":
            return self.forward_literal(centres, seq, mask)
        return self.attend(centres, prepare_sequence(seq, mask))

    def attend(self, centres: torch.Tensor, seq: PreparedSequence, affine=None) -> torch.Tensor:
        """The re-associated form over a prepared sequence; affine = (gain, shift) when seq.values
        are LayerNorm statistics whose affine part belongs to this layer."""
        z = seq.values
        b, length, d = z.shape
        h = self.heads
        qk, vo, head_bias = self.folded(affine)
        if centres.dim() == 2:  # the same queries for every user
            n = centres.shape[0]
            folded = self.frozen[3] if self.frozen is not None else None
            q = folded if folded is not None else (centres @ qk).reshape(n * h, d)
        else:
            n = centres.shape[1]
            q = (centres.reshape(b * n, d) @ qk).reshape(b, n * h, d)  # rows ordered (interest, head)
        dropping = self.drop.p > 0 and self.training
        if self.cpu_kernel and not dropping and batched_attention.usable(z):
            mixed = batched_attention.attend(q, z, seq.logit_bias)
        else:
            if q.dim() == 2:  # one [B*L, D] x [D, n*h] matmul
                logits = (z.reshape(b * length, d) @ q.t()).reshape(b, length, n * h).transpose(1, 2)
            else:
                logits = torch.bmm(q, z.transpose(1, 2))  # [B, n*h, L]
            att = self.drop(torch.softmax(logits + seq.logit_bias, dim=-1))
            mixed = torch.bmm(att, z)  # per (interest, head): softmax(.) z
        out = (mixed.reshape(b * n, h * d) @ vo).reshape(b, n, d)
        if head_bias is not None:
            if dropping:  # dropped rows no longer sum to 1
                out = out + (att.sum(-1).reshape(b * n, h) @ head_bias).reshape(b, n, d)
            else:
                out = out + head_bias.sum(0)
        # All-padding users: the softmax is uniform over padding; their output is exactly 0.
        return out * seq.rows

    def forward_literal(self, centres: torch.Tensor, seq: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The textbook computation: project queries, keys and values, attend per head, W_O."""
        b, length, d = seq.shape
        if centres.dim() == 2:
            centres = centres.unsqueeze(0).expand(b, -1, -1)
        n, h, dk = centres.shape[1], self.heads, self.dk
        q = self.q(centres).reshape(b, n, h, dk).transpose(1, 2).reshape(b * h, n, dk)
        k = self.k(seq).reshape(b, length, h, dk).permute(0, 2, 3, 1).reshape(b * h, dk, length)
        v = self.v(seq).reshape(b, length, h, dk).transpose(1, 2).reshape(b * h, length, dk)
        logits = torch.bmm(q, k) / math.sqrt(dk)  # [B*h, n, L]
        keep = mask.unsqueeze(1).expand(b, h, length).reshape(b * h, 1, length)
        att = torch.softmax(logits.masked_fill(~keep, NEG_INF), dim=-1)
        att = self.drop(att * keep.any(dim=-1, keepdim=True).to(att.dtype))
        heads = torch.bmm(att, v).reshape(b, h, n, dk).transpose(1, 2)  # [B,n,h,dk]
        return self.o(heads.reshape(b, n, d))


class InterestLayer(nn.Module):
    """One hierarchical layer: literal H = MHA(C, I), or residual (pre-LN) H = C + MHA(LN C, LN I)
    [+ FFN(LN H)]."""

    def __init__(self, dim: int, heads: int, dropout: float, reading: str, ffn: bool):
        super().__init__()
        self.attention = MultiHeadInterestAttention(dim, heads, dropout)
        self.residual = reading == "residual"
        if self.residual:
            self.norm_c, self.norm_i = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.ffn = None
        if ffn:
            self.norm_f = nn.LayerNorm(dim)
            self.ffn = nn.Sequential(nn.Linear(dim, 4 * dim), nn.ReLU(), nn.Linear(4 * dim, dim))

    def sequence_norm(self) -> nn.LayerNorm | None:
        """LN I in the residual reading (its statistics can be shared), else None."""
        return self.norm_i if self.residual else None

    def freeze(self, constant_centres: torch.Tensor | None) -> None:
        if not self.residual:
            self.attention.freeze(constant_centres)
            return
        if constant_centres is not None:
            constant_centres = self.norm_c(constant_centres)
        self.attention.freeze(constant_centres, (self.norm_i.weight, self.norm_i.bias))

    def forward(self, centres, seq, mask):
        if self.attention.form == "literal":  # the textbook layer: LN I applied in full, here
            if not self.residual:
                return self.attention(centres, seq, mask)
            return self.add_residual(centres, self.attention(self.norm_c(centres), self.norm_i(seq), mask))
        return self.attend(centres, prepare_sequence(seq, mask, self.sequence_norm()))

    def attend(self, centres, seq: PreparedSequence):
        """Re-associated form: seq was prepared with sequence_norm() (LN I's statistics)."""
        if not self.residual:
            return self.attention.attend(centres, seq)
        affine = (self.norm_i.weight, self.norm_i.bias)
        return self.add_residual(centres, self.attention.attend(self.norm_c(centres), seq, affine))

    def add_residual(self, centres, out):
        out = (centres + out) if centres.dim() == 3 else (centres.unsqueeze(0) + out)
        if self.ffn is not None:
            out = out + self.ffn(self.norm_f(out))
        return out


class HierarchicalMultiInterest(nn.Module):
    """Algorithm 1: seed matrix C_0, `layers` stacked attention layers (layer i>0 queries with
    H_{i-1}), F_c = W_c [H_0; ...; H_r] + b_c."""

    def __init__(self, n, dim, heads, layers, dropout=0.0, reading="literal", ffn=False):
        super().__init__()
        self.seed = nn.Parameter(torch.randn(n, dim))  # C_0, "random initialize" as N(0, 1)
        self.layers = nn.ModuleList(InterestLayer(dim, heads, dropout, reading, ffn) for _ in range(layers))
        self.combine = nn.Linear(layers * dim, dim)  # W_c, b_c

    def freeze(self) -> None:
        for i, layer in enumerate(self.layers):
            layer.freeze(self.seed if i == 0 else None)

    def forward(self, seq: torch.Tensor, mask: torch.Tensor, stages=None, prefix="") -> torch.Tensor:
        centres = self.seed  # [n, D]: the first layer's queries are the same for every user
        outputs = []
        shared = None
        if self.layers[0].attention.form != "literal":  # mask terms and LN I's statistics, once
            # (every layer's LN I has the same shape and eps; only gain and bias differ)
            shared = prepare_sequence(seq, mask, self.layers[0].sequence_norm())
        for i, layer in enumerate(self.layers):
            centres = layer(centres, seq, mask) if shared is None else layer.attend(centres, shared)
            outputs.append(centres)
            if stages is not None:
                stages[f"{prefix}H{i}"] = centres
        return self.combine(torch.cat(outputs, dim=-1))  # [B,n,D]


def co_interest(
    long_i: torch.Tensor, short_i: torch.Tensor, bmm=torch.bmm
) -> tuple[torch.Tensor, torch.Tensor]:
    """Eqs. 4-5 over the n x n interest pairs: returns (L~, S~), each [B,n,D]. bmm: torch.bmm or
    batched_attention.bmm (the same product)."""
    e = bmm(long_i, short_i.transpose(1, 2))  # e[b,i,j] = L^_i . S^_j
    l_tilde = bmm(torch.softmax(e, dim=2), short_i)  # L~_i = sum_j softmax_j(e_i.) S^_j
    s_tilde = bmm(torch.softmax(e, dim=1).transpose(1, 2), long_i)  # S~_j = sum_i softmax_i(e_.j) L^_i
    return l_tilde, s_tilde


CIN_PARTS = {"LSS": 3, "LS": 2, "esim": 8, "residual": 2}


def cin_features(reading: str, l_hat, s_hat, l_tilde, s_tilde) -> torch.Tensor:
    """The per-interest input of W^h (Eq. 6) under each reading."""
    if reading == "LSS":
        parts = [l_tilde, s_tilde, s_tilde]
    elif reading == "LS":
        parts = [l_tilde, s_tilde]
    elif reading == "esim":  # ESIM's enhancement of each side: [a; a~; a - a~; a * a~]
        parts = [
            l_hat,
            l_tilde,
            l_hat - l_tilde,
            l_hat * l_tilde,
            s_hat,
            s_tilde,
            s_hat - s_tilde,
            s_hat * s_tilde,
        ]
    else:  # residual
        parts = [l_hat + l_tilde, s_hat + s_tilde]
    return torch.cat(parts, dim=-1)


class HCN(nn.Module):
    """User tower: forward(long_ids [B,Ll], short_ids [B,Ls], user_features [B,F]) -> [B,n,D].
    `items` is the item tower that embeds the history (the Recommender's candidate tower)."""

    default_positions = False  # the paper's HCN gets no order information

    def __init__(self, cfg, meta, items: nn.Module):
        super().__init__()
        d = cfg.dim
        self.cfg = cfg
        layers = cfg.layers if cfg.hierarchical else 1
        self.items = items
        self.cpu_kernel = True  # see set_cpu_kernel
        hin = dict(dropout=cfg.dropout, reading=cfg.hin_layer, ffn=cfg.hin_ffn)
        self.long_hin = HierarchicalMultiInterest(cfg.n, d, cfg.heads, layers, **hin)
        self.short_hin = HierarchicalMultiInterest(cfg.n, d, cfg.heads, layers, **hin)
        positions = self.default_positions if cfg.positions is None else cfg.positions
        self.long_positions = learned_positions(meta.long_length, d) if positions else None
        self.short_positions = learned_positions(meta.short_length, d) if positions else None
        parts = CIN_PARTS[cfg.cin_concat] if cfg.co_interest else 2
        self.fuse = nn.Linear(parts * d, d)  # W^h, b^h (Eq. 6); "w/o CIN": W [L^; S^] + b
        self.fusion = UserFeatureFusion(d, meta.user_feature_sizes)  # Eq. 7
        xavier_zero_bias(self.long_hin)
        xavier_zero_bias(self.short_hin)
        xavier_zero_bias(self.fuse)

    def embed(self, ids: torch.Tensor, positions):
        mask = ids > 0
        return add_positions(self.items(ids), mask, positions), mask

    def forward(self, long_ids, short_ids, user_features, stages: dict | None = None):
        """stages (diagnostics): when a dict, it receives every intermediate [B,n,D] by name."""
        long_hat = self.long_hin(*self.embed(long_ids, self.long_positions), stages, "long.")
        short_hat = self.short_hin(*self.embed(short_ids, self.short_positions), stages, "short.")
        if self.cfg.co_interest:
            bmm = batched_attention.bmm if self.cpu_kernel else torch.bmm
            l_tilde, s_tilde = co_interest(long_hat, short_hat, bmm)
            x_tilde = self.fuse(cin_features(self.cfg.cin_concat, long_hat, short_hat, l_tilde, s_tilde))
        else:
            x_tilde = self.fuse(torch.cat([long_hat, short_hat], dim=-1))
        out = self.fusion(x_tilde, user_features)
        if stages is not None:
            stages.update(L_hat=long_hat, S_hat=short_hat, X_tilde=x_tilde, output=out)
            if self.cfg.co_interest:
                stages.update(L_tilde=l_tilde, S_tilde=s_tilde)
        return out

    def freeze(self) -> "HCN":
        """For an eval-mode serving copy in the re-associated form: weight products and the first
        layers' queries computed once (see MultiHeadInterestAttention.freeze). Training must not
        use a frozen tower (its folded matrices no longer follow the parameters)."""
        self.long_hin.freeze()
        self.short_hin.freeze()
        return self

    def set_cpu_kernel(self, enabled: bool) -> "HCN":
        """Runs the re-associated attention's batched matmuls through numpy on CPU (True, the
        default) or through torch.bmm (False): hcn.batched_attention says why."""
        self.cpu_kernel = enabled  # the co-interest products (Eqs. 4-5)
        for m in self.modules():
            if isinstance(m, MultiHeadInterestAttention):
                m.cpu_kernel = enabled
        return self

    def set_form(self, form: str) -> "HCN":
        """Switches every attention layer between the re-associated and the literal computation."""
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}")
        for m in self.modules():
            if isinstance(m, MultiHeadInterestAttention):
                m.form = form
        return self
