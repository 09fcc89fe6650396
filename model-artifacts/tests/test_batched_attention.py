"""hcn.batched_attention: numpy's batched matmuls behind autograd Functions compute exactly what
the torch path computes, forward and backward."""

import copy

import pytest
import torch

from hcn import batched_attention
from hcn.layers import NEG_INF
from test_model import VARIANTS, assert_same_towers, batch, model_for


def reference(q, values, logit_bias):
    """The torch path: softmax(q valuesᵀ + bias) values, q per user [B,R,D] or shared [R,D]."""
    return torch.softmax(torch.matmul(q, values.transpose(1, 2)) + logit_bias, dim=-1) @ values


def inputs(shared: bool, dtype=torch.float64, b=3, r=5, length=7, d=4, seed=0, empty_user=False):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn((r, d) if shared else (b, r, d), generator=g, dtype=dtype, requires_grad=True)
    values = torch.randn(b, length, d, generator=g, dtype=dtype, requires_grad=True)
    mask = torch.ones(b, length, dtype=torch.bool)
    mask[0, :3] = False  # left padding
    if empty_user:  # uniform weights over the padding (far from a finite difference's reach)
        mask[-1] = False
    bias = (~mask).to(dtype).mul(NEG_INF).unsqueeze(1)
    return q, values, bias


def fused(q, values, bias):
    return batched_attention.attend(q, values, bias)


@pytest.mark.parametrize("shared", [False, True])
def test_attend_passes_the_finite_difference_gradient_check(shared):
    q, values, bias = inputs(shared)
    assert torch.autograd.gradcheck(lambda a, v: fused(a, v, bias), (q, values))


@pytest.mark.parametrize("shared", [False, True])
def test_attend_equals_the_torch_path_forward_and_backward(shared):
    q, values, bias = inputs(shared, dtype=torch.float32, b=4, r=6, length=9, d=8, empty_user=True)
    q2, values2 = (x.detach().clone().requires_grad_() for x in (q, values))
    a, b = fused(q, values, bias), reference(q2, values2, bias)
    assert torch.allclose(a, b, atol=1e-6), (a - b).abs().max()
    a.square().sum().backward()
    b.square().sum().backward()
    assert torch.allclose(q.grad, q2.grad, atol=1e-5)
    assert torch.allclose(values.grad, values2.grad, atol=1e-5)


def test_bmm_passes_the_gradient_check_and_equals_torch_bmm():
    g = torch.Generator().manual_seed(1)
    a = torch.randn(3, 4, 5, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(3, 6, 5, generator=g, dtype=torch.float64, requires_grad=True).transpose(1, 2)
    assert torch.autograd.gradcheck(batched_attention.bmm, (a, b))
    assert torch.allclose(batched_attention.bmm(a, b), torch.bmm(a, b), rtol=0, atol=1e-12)


def test_tracing_and_integer_tensors_take_the_torch_path():
    x = torch.randn(2, 3, 4)
    assert batched_attention.usable(x)
    assert not batched_attention.usable(x.to(torch.int64))
    seen = []

    def probe(t):
        seen.append(batched_attention.usable(t))
        return t * 2

    torch.jit.trace(probe, (x,), check_trace=False)
    assert seen == [False]


@pytest.mark.parametrize("cfg", VARIANTS)
@pytest.mark.parametrize("training", [False, True])
def test_hcn_with_and_without_the_numpy_kernel_is_the_same_function(cfg, training):
    """What training runs on CPU (numpy batched matmuls) and the torch.bmm path give the same
    interests and the same parameter gradients."""
    model = model_for(cfg).train(training)
    assert_same_towers(model.user_tower, copy.deepcopy(model).user_tower.set_cpu_kernel(False))


def test_switching_the_kernel_off_leaves_no_numpy_product(monkeypatch):
    """set_cpu_kernel(False) reaches every product: the attention layers and the co-interest ones."""
    model = model_for(VARIANTS[0])
    long, short, feats = batch()

    def refuse(*args):
        raise AssertionError("a numpy product ran with the kernel switched off")

    monkeypatch.setattr(batched_attention, "bmm", refuse)
    monkeypatch.setattr(batched_attention, "attend", refuse)
    model.user_tower.set_cpu_kernel(False)(long, short, feats)
    with pytest.raises(AssertionError, match="numpy product"):
        model.user_tower.set_cpu_kernel(True)(long, short, feats)
