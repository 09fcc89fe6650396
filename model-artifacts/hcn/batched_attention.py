"""Batched matmuls through numpy on CPU: `bmm`, and the attention of one interest layer,
softmax(Q Kᵀ + bias) V with K = V = the sequence, as one autograd Function (`attend`).

Why: the CPU torch this project trains with runs `torch.bmm` slice by slice through the operator
dispatcher (a select and an addmm per user and operand), which costs about as much as the
arithmetic of a [32, 48] x [48, 80] slice itself; numpy's matmul hands the same per-slice products
to the same BLAS without that overhead (hcn.bench_train times both). The backward is
written out so that every product's right operand is contiguous (see `_matmul`) and the two
gradients of the shared sequence (through the logits and through the mixing) arrive as one tensor
in the keys' layout.

Exactness: the same products and the same softmax as the torch path of
`hcn.model.MultiHeadInterestAttention.attend`, in float arithmetic whose summation order may
differ; `tests/test_batched_attention.py` checks values and gradients against it and the gradient
against finite differences (float64).

Contract of `attend(q, values, keys, logit_bias)`:
* q [B, R, D] (per-user queries) or [R, D] (the same for every user);
* values [B, L, D]; keys [B, D, L] is values transposed (the caller keeps both, see
  `hcn.model.prepare_sequence`); the gradient of both is returned through `keys` only, so `keys`
  must be computed from `values` inside the autograd graph (`values.transpose(1, 2).contiguous()`);
* logit_bias [B, 1, L] (0 or a large negative number per position);
* returns [B, R, D] = softmax(q keys + logit_bias, dim=-1) values.
"""

from __future__ import annotations

import numpy as np
import torch


def usable(values: torch.Tensor) -> bool:
    """The numpy path runs on CPU float tensors in eager mode; tracing (ONNX export) and other
    devices take the torch path."""
    return (
        values.device.type == "cpu"
        and values.dtype in (torch.float32, torch.float64)
        and not torch.jit.is_tracing()
    )


def _matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a @ b. numpy passes a transposed `a` to BLAS as such (as fast as a contiguous one here),
    but copies a transposed `b`, so every call below keeps `b` contiguous."""
    return torch.from_numpy(np.matmul(a.detach().numpy(), b.detach().contiguous().numpy()))


def _t(x: torch.Tensor) -> torch.Tensor:
    return x.transpose(-1, -2)


class _Attend(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, values, keys, logit_bias):
        att = torch.softmax(_matmul(q, keys).add_(logit_bias), dim=-1)
        ctx.save_for_backward(q, values, keys, att)
        return _matmul(att, values)

    @staticmethod
    def backward(ctx, grad):
        q, values, keys, att = ctx.saved_tensors
        grad = grad.contiguous()
        grad_att = _matmul(grad, keys)  # d/d att of att @ values
        # softmax backward, att * (grad_att - sum(grad_att * att)), in torch's fused kernel: the
        # same expression in separate torch ops was many times slower at these shapes
        grad_logits = torch._softmax_backward_data(grad_att, att, -1, att.dtype)
        grad_q = None
        if ctx.needs_input_grad[0]:
            grad_q = _matmul(grad_logits, values)
            if q.dim() == 2:  # shared queries: summed over users
                grad_q = grad_q.sum(0)
        grad_keys = None
        if ctx.needs_input_grad[2]:
            # values enter twice, as keys (q keys) and as values (att values); both gradients in
            # the keys' layout [B, D, L]: qᵀ grad_logits + gradᵀ att.
            grad_keys = _matmul(_t(q), grad_logits).add_(_matmul(_t(grad), att))
        return grad_q, None, grad_keys, None


class _Bmm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad = grad.contiguous()
        grad_a = _matmul(grad, _t(b)) if ctx.needs_input_grad[0] else None
        grad_b = _matmul(_t(a), grad) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def bmm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """torch.bmm(a, b) ([B, M, K] x [B, K, N]) through numpy where `usable`, else torch.bmm."""
    if usable(a) and usable(b):
        return _Bmm.apply(a, b)
    return torch.bmm(a, b)


def attend(
    q: torch.Tensor, values: torch.Tensor, keys: torch.Tensor, logit_bias: torch.Tensor
) -> torch.Tensor:
    """softmax(q keys + logit_bias) values; see the module docstring for shapes and the contract."""
    return _Attend.apply(q, values, keys, logit_bias)
