"""Batched matmuls through numpy on CPU: `bmm`, and the attention of one interest layer,
softmax(Q Kᵀ + bias) V with K = V = the sequence, as one autograd Function (`attend`).

Why: the CPU torch this project trains with runs `torch.bmm` slice by slice through the operator
dispatcher (a select and an addmm per user and operand), which costs about as much as the
arithmetic of a [32, 48] x [48, 80] slice itself; numpy's matmul hands the same per-slice products
to the same BLAS without that overhead (hcn.bench_train times both).

Layout: the attention keeps its logits and weights transposed, [B, L, R] (sequence position
first), so that every product reads the sequence [B, L, D] as stored and the sequence's two
gradients (through the logits and through the mixing) come out in that same layout, summed in
place: no transposed copy of the sequence is made forward or backward. The softmax runs over
axis 1 in torch's in-place ops, whose reductions over a middle axis of this shape are several
times faster than its fused softmax over a short last axis (8,192 rows of 20). Queries shared by
every user (the first layer's) make the logits and both of their gradients one large matmul each.

Exactness: the same products and the same softmax (max-shifted) as the torch path of
`hcn.model.MultiHeadInterestAttention.attend`, in float arithmetic whose summation order may
differ; `tests/test_batched_attention.py` checks values and gradients against it and the gradient
against finite differences (float64).

Contract of `attend(q, values, logit_bias)`:
* q [B, R, D] (per-user queries) or [R, D] (the same for every user);
* values [B, L, D], contiguous;
* logit_bias [B, 1, L] (0 or a large negative number per position);
* returns [B, R, D] = softmax(q valuesᵀ + logit_bias, dim=-1) values.
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


def _np(x: torch.Tensor) -> np.ndarray:
    return x.detach().numpy()


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b. numpy passes a transposed `a` to BLAS as such (as fast as a contiguous one here),
    but copies a transposed `b`, so every call below makes `b` contiguous (its own copy, small)."""
    return np.matmul(a, np.ascontiguousarray(b))


def _t(x: np.ndarray) -> np.ndarray:
    return x.swapaxes(-1, -2)


def _rows(x: np.ndarray) -> np.ndarray:
    """[B, L, K] as [B*L, K] (a view: x is contiguous)."""
    return x.reshape(-1, x.shape[-1])


class _Attend(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, values, logit_bias):
        v, qn = _np(values), _np(q)
        b, length, _ = v.shape
        if qn.ndim == 2:  # shared queries: one [B*L, D] x [D, R] matmul
            logits = _matmul(_rows(v), qn.T).reshape(b, length, -1)
        else:
            logits = _matmul(v, _t(qn))  # [B, L, R]
        # softmax over the positions, in place: the logits' buffer becomes the weights
        att = torch.from_numpy(logits).add_(logit_bias.transpose(1, 2))
        att.sub_(att.amax(1, keepdim=True)).exp_()
        att.div_(att.sum(1, keepdim=True))
        ctx.save_for_backward(q, values, att)
        return torch.from_numpy(np.matmul(_t(_np(att)), v))  # attᵀ values

    @staticmethod
    def backward(ctx, grad):
        q, values, att = ctx.saved_tensors
        v, qn, a = _np(values), _np(q), _np(att)
        g = _np(grad.contiguous())
        # d/d att of attᵀ values, transposed: values gradᵀ [B, L, R]
        grad_logits = torch.from_numpy(_matmul(v, _t(g)))
        # softmax backward over axis 1: att * (grad_att - sum(grad_att * att))
        grad_logits.mul_(att)
        grad_logits.addcmul_(att, grad_logits.sum(1, keepdim=True), value=-1)
        gl = _np(grad_logits)
        shared = qn.ndim == 2
        grad_q = grad_values = None
        if ctx.needs_input_grad[0]:
            grad_q = _rows(gl).T @ _rows(v) if shared else np.matmul(_t(gl), v)
            grad_q = torch.from_numpy(grad_q)
        if ctx.needs_input_grad[1]:
            # values enter twice, as keys (logits) and as values (mixing): gl q + att grad
            through_logits = (_rows(gl) @ qn).reshape(v.shape) if shared else np.matmul(gl, qn)
            through_logits += np.matmul(a, g)
            grad_values = torch.from_numpy(through_logits)
        return grad_q, grad_values, None


class _Bmm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return torch.from_numpy(_matmul(_np(a), _np(b)))

    @staticmethod
    def backward(ctx, grad):
        a, b = (_np(x) for x in ctx.saved_tensors)
        g = _np(grad.contiguous())
        grad_a = torch.from_numpy(_matmul(g, _t(b))) if ctx.needs_input_grad[0] else None
        grad_b = torch.from_numpy(_matmul(_t(a), g)) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def bmm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """torch.bmm(a, b) ([B, M, K] x [B, K, N]) through numpy where `usable`, else torch.bmm."""
    if usable(a) and usable(b):
        return _Bmm.apply(a, b)
    return torch.bmm(a, b)


def attend(q: torch.Tensor, values: torch.Tensor, logit_bias: torch.Tensor) -> torch.Tensor:
    """softmax(q valuesᵀ + logit_bias) values; see the module docstring for shapes and the contract."""
    return _Attend.apply(q, values.contiguous(), logit_bias)
