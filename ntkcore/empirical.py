"""Empirical (finite-width) kernels: NTK, NNGP and their Monte Carlo statistics.

Θ(x, x') = (1/K) Σ_k Σ_p r_p ∂f_k(x)/∂θ_p · ∂f_k(x')/∂θ_p

averaged over the K output units (the neural-tangents convention; the
torch.func tutorial sums instead, i.e. K times this). r_p = 1 unless
``lr_weighted=True``, which weights each parameter by its learning-rate
multiplier: that is the kernel that drives gradient descent (it differs from
the plain one only under muP).

For the MLP the structured path never forms the N×P Jacobian: for Dense layer
l with inputs A_l (N, n_in) and output sensitivities Δ_l = ∂f/∂z_l (N, n_out)
its contribution is r_W m_W² (A Aᵀ) ⊙ (Δ Δᵀ) + r_b m_b² Δ Δᵀ, so the whole
kernel costs one forward pass, K backward passes (one per output) and
N² · width per layer. The ``CNN`` has its own structured path (``ntkcore.cnn``);
other models use the generic Jacobian contraction (identical results, tested).
"""
from __future__ import annotations

import math
from functools import partial
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from . import _validate as V
from .cnn import CNN, cnn_ntk
from .models import MLP, _forward


def _pair(model, params, x1, x2):
    """Checked (x1, x2) as float arrays; ``params`` checked against the model and these inputs."""
    try:
        structured = not isinstance(model, MLP) and hasattr(model, "in_shape_of")
        shape = tuple(model.in_shape_of(params)) if structured else _in_dim(model, params)
    except (TypeError, KeyError, IndexError, AttributeError, ValueError):
        raise V.params_error("params", model, params) from None
    if structured:  # models on structured inputs (sequences, images) state the per-example shape
        x1 = V.check_batch_like("x1", x1, shape)
    else:
        x1 = V.check_array("x1", x1, (2,) if isinstance(model, MLP) else (2, 3, 4), shape)
    x2 = x1 if x2 is None else V.check_batch_like("x2", x2, tuple(x1.shape[1:]))
    check_model_params("params", model, params, x1)
    return jnp.asarray(x1, jnp.result_type(float)), jnp.asarray(x2, jnp.result_type(float))


def check_model_params(name: str, model, params, x):
    """``params`` must be what ``model.init(key, …)`` returns for inputs shaped like ``x`` (tree and shapes;
    traced once per architecture and input shape, so a Python-side check). Models without ``init`` pass."""
    init = getattr(type(model), "init", None)
    if init is None:
        return params
    return V.check_params(name, params, V.param_shapes(init, model, _init_arg(x)), model)


def ntk_nbytes(model, params, n1: int, n2: int, example_shape: tuple, structured: bool = True) -> int:
    """Estimated peak bytes of the empirical NTK of n1 × n2 inputs (from shapes only)."""
    item = jnp.dtype(jnp.result_type(float)).itemsize
    k = getattr(model, "out_dim", 1)
    if structured and isinstance(model, MLP):  # layer inputs, φ'(z) and Δ (K, N, width) per side
        per_row = model.width * (2 * model.depth + 2 * k + 1) + example_shape[-1]
    elif structured and isinstance(model, CNN):  # per conv layer: inputs and K sensitivities per position
        per_row = math.prod(example_shape[:-1]) * model.channels * model.depth * (k + 2)
    else:  # per-example Jacobians (N, K, P)
        per_row = k * sum(math.prod(getattr(p, "shape", ())) for p in jax.tree.leaves(params))
    return item * ((n1 + n2) * per_row + 4 * n1 * n2)


def _init_arg(x):
    """What ``model.init`` takes for a batch x: the feature dimension d for flat (n, d) inputs,
    else the per-example shape (e.g. (T, d) for sequences, (H, W, C) for images)."""
    return x.shape[-1] if x.ndim == 2 else tuple(x.shape[1:])


def _is_pytree_model(model) -> bool:
    """Models registered as pytrees (MLP, RNN, Attention, …) can be passed to jitted functions."""
    leaves = jax.tree.leaves(model)
    return not (len(leaves) == 1 and leaves[0] is model)


def _in_dim(model, params) -> int | None:
    return model.in_dim(params) if hasattr(model, "in_dim") else None


def empirical_ntk(model: Any, params: Any, x1: jax.Array, x2: jax.Array | None = None, *,
                  lr_weighted: bool = False, method: str = "auto") -> jax.Array:
    """Empirical NTK Θ(x1, x2) of shape (n1, n2).

    Args:
      model: an ``MLP`` or ``CNN`` (structured fast paths) or any model with ``apply``.
      params: the model's parameters θ.
      x1: inputs (n1, d); x2: inputs (n2, d), or None for x2 = x1.
      lr_weighted: weight each parameter by its learning-rate multiplier.
      method: "auto" (structured for MLP and CNN), "structured" or "jacobian".
    """
    V.check_choice("method", method, ("auto", "structured", "jacobian"))
    x1, x2 = _pair(model, params, x1, x2)
    if method == "structured" and not isinstance(model, (MLP, CNN)):
        raise ValueError("method='structured' needs an MLP or CNN; use 'auto' or 'jacobian' for other models")
    V.check_memory(f"empirical_ntk on {x1.shape[0]}×{x2.shape[0]} inputs",
                   ntk_nbytes(model, params, x1.shape[0], x2.shape[0], tuple(x1.shape[1:]), method != "jacobian"),
                   "the number of inputs in x1 and x2, or the model's size")
    return _ntk(model, params, x1, x2, lr_weighted, structured=method != "jacobian")


def _ntk(model, params, x1, x2, lr_weighted: bool, structured: bool = True):
    """The structured MLP path or the Jacobian contraction, without input checks (usable inside jit)."""
    if structured and isinstance(model, MLP):
        return _mlp_ntk(model, params, x1, x2, lr_weighted)
    if structured and isinstance(model, CNN):
        return cnn_ntk(model, params, x1, x2, lr_weighted)
    mults = _lr_tree(model, params) if lr_weighted else None
    if _is_pytree_model(model):  # the model is a jit argument (hashing it would fail under an outer jit)
        return _model_jacobian_ntk(model, params, x1, x2, mults)
    return _jacobian_ntk(model.apply, params, x1, x2, mults)


def _lr_tree(model, params):
    """Learning-rate multipliers as scalars shaped like ``params`` (all 1 for a model without any)."""
    if not hasattr(model, "lr_multipliers"):
        return jax.tree.map(lambda p: jnp.asarray(1.0, p.dtype), params)
    mults = model.lr_multipliers(_in_dim(model, params))
    return jax.tree.map(lambda r, p: jnp.asarray(r, p.dtype), mults, params)


@partial(jax.jit, static_argnames=("lr_weighted",))
def _mlp_ntk(model: MLP, params, x1, x2, lr_weighted: bool):
    specs = model.layer_specs(params[0]["W"].shape[0])
    _, a1, d1 = _forward(model, params, x1, keep=True)
    _, a2, d2 = _forward(model, params, x2, keep=True)
    n_out = model.out_dim
    theta = jnp.zeros((x1.shape[0], x2.shape[0]), x1.dtype)
    # Δ_l[k] = ∂f_k/∂z_l, shape (K, N, n_l), backpropagated from the readout.
    delta1 = delta2 = None
    for l in reversed(range(len(specs))):
        spec = specs[l]
        if l == len(specs) - 1:
            gram_delta = jnp.full_like(theta, float(n_out))  # Σ_k e_k·e_k
        else:
            w_next = specs[l + 1].m_w * params[l + 1]["W"]  # (n_l, n_{l+1})
            if delta1 is None:
                delta1 = w_next.T[:, None, :] * d1[l][None]
                delta2 = w_next.T[:, None, :] * d2[l][None]
            else:
                delta1 = (delta1 @ w_next.T) * d1[l][None]
                delta2 = (delta2 @ w_next.T) * d2[l][None]
            gram_delta = jnp.einsum("kin,kjn->ij", delta1, delta2)
        r_w, r_b = (spec.lr_w, spec.lr_b) if lr_weighted else (1.0, 1.0)
        gram_a = a1[l] @ a2[l].T
        theta = theta + (r_w * spec.m_w ** 2) * gram_a * gram_delta + (r_b * spec.m_b ** 2) * gram_delta
    return theta / n_out


def _contract(leaves1, leaves2, mults, n_out: int):
    """Σ_leaves r · J1 J2ᵀ / K for Jacobian leaves (n, K, *param shape); ``mults`` None means r = 1."""
    rs = [1.0] * len(leaves1) if mults is None else jax.tree.leaves(mults)
    theta = 0.0
    for a, b, r in zip(leaves1, leaves2, rs):
        a = a.reshape(a.shape[0], a.shape[1], -1)
        b = b.reshape(b.shape[0], b.shape[1], -1)
        theta = theta + r * jnp.einsum("ikp,jkp->ij", a, b)
    return theta / n_out


@partial(jax.jit, static_argnames=("apply_fn",))
def _jacobian_ntk(apply_fn: Callable, params, x1, x2, mults=None):
    """J(x1) diag(r) J(x2)ᵀ / K from ``jax.jacrev``: the reference path."""
    j1 = jax.jacrev(apply_fn)(params, x1)
    j2 = jax.jacrev(apply_fn)(params, x2)
    n_out = apply_fn(params, x1[:1]).shape[-1]
    leaves1, leaves2 = jax.tree.leaves(j1), jax.tree.leaves(j2)
    return _contract(leaves1, leaves2, mults, n_out)


@jax.jit
def _model_jacobian_ntk(model, params, x1, x2, mults=None):
    """J(x1) diag(r) J(x2)ᵀ / K for a model that is a pytree (passed as a jit argument, not hashed).

    Per-example Jacobians (``vmap`` of ``jacrev`` on one input): O(N) backward passes of one
    example each, where ``jacrev`` of the batched ``apply`` would run N·K passes over the whole batch.
    """
    def one(x):
        return jax.jacrev(lambda p: model.apply(p, x[None])[0])(params)  # leaves (K, *param shape)

    j1, j2 = jax.vmap(one)(x1), jax.vmap(one)(x2)
    leaves1, leaves2 = jax.tree.leaves(j1), jax.tree.leaves(j2)
    n_out = leaves1[0].shape[1]
    return _contract(leaves1, leaves2, mults, n_out)


def empirical_nngp(model: MLP, params, x1: jax.Array, x2: jax.Array | None = None) -> jax.Array:
    """Finite-width NNGP (n1, n2): the covariance of each output given the last hidden layer,

    K(x, x') = m_W² σ_W² · a_L(x)·a_L(x') + m_b² σ_b²

    (the readout's conditional covariance; its mean over initializations is
    the NNGP and it tends to it as width → ∞). Other models with an
    ``nngp(params, x1, x2)`` method (``RNN``, ``Attention``) use it.
    """
    if not isinstance(model, MLP) and not hasattr(model, "nngp"):
        raise ValueError(f"empirical_nngp needs an MLP or a model with an nngp method; got {type(model).__name__}")
    x1, x2 = _pair(model, params, x1, x2)
    if not isinstance(model, MLP):
        return _model_nngp(model, params, x1, x2)
    return _mlp_nngp(model, params, x1, x2)


@jax.jit
def _model_nngp(model, params, x1, x2):
    return model.nngp(params, x1, x2)


@jax.jit
def _mlp_nngp(model: MLP, params, x1, x2):
    spec = model.layer_specs(params[0]["W"].shape[0])[-1]
    _, a1, _ = _forward(model, params, x1, keep=True)
    _, a2, _ = _forward(model, params, x2, keep=True)
    return (spec.m_w * spec.sigma_w) ** 2 * (a1[-1] @ a2[-1].T) + (spec.m_b * spec.sigma_b) ** 2


class MonteCarloKernels(NamedTuple):
    """Mean and standard deviation over initializations; ``*_samples`` (S, n1, n2) if kept."""

    nngp_mean: jax.Array
    nngp_std: jax.Array
    ntk_mean: jax.Array
    ntk_std: jax.Array
    nngp_samples: jax.Array | None = None
    ntk_samples: jax.Array | None = None


def monte_carlo_kernels(model: MLP, x1: jax.Array, x2: jax.Array | None = None, *, n_samples: int = 10,
                        seed: int = 0, keep_samples: bool = False) -> MonteCarloKernels:
    """Empirical NNGP and NTK over ``n_samples`` independent initializations (seeds seed, seed+1, …).

    Sample s uses ``jax.random.key(seed + s)`` so a single seed reproduces
    exactly what ``model.init(jax.random.key(seed + s), d)`` gives.

    Other pytree models (``RNN``, ``Attention``; inputs (n, T, d)) take the
    Jacobian path for the NTK (init with the per-example shape x1.shape[1:])
    and their ``nngp`` method for the NNGP (the readout's conditional
    covariance given the last features).
    """
    n_samples = V.check_int("n_samples", n_samples, 1, 10_000)
    seed = V.check_int("seed", seed, 0)
    x1 = V.check_array("x1", x1, 2 if isinstance(model, MLP) else (2, 3, 4))
    x2 = x1 if x2 is None else V.check_batch_like("x2", x2, tuple(x1.shape[1:]))
    dtype = jnp.result_type(float)
    x1, x2 = jnp.asarray(x1, dtype), jnp.asarray(x2, dtype)
    seeds = jnp.arange(seed, seed + n_samples)
    if not isinstance(model, MLP) and not hasattr(model, "nngp"):
        raise ValueError(f"monte_carlo_kernels needs an MLP or a model with an nngp method; got {type(model).__name__}")
    n1, n2 = x1.shape[0], x2.shape[0]
    shapes = V.param_shapes(type(model).init, model, _init_arg(x1))
    V.check_memory(f"monte_carlo_kernels with {n_samples} samples on {n1}×{n2} inputs",
                   ntk_nbytes(model, shapes, n1, n2, tuple(x1.shape[1:])) + V.params_nbytes(shapes)
                   + 2 * n_samples * n1 * n2 * jnp.dtype(dtype).itemsize, "n_samples or the number of inputs")
    if isinstance(model, MLP):
        nngp, ntk = _mc_samples(model, x1, x2, seeds)
    else:
        nngp, ntk = _mc_samples_model(model, x1, x2, seeds)
    ddof = 1 if n_samples > 1 else 0
    return MonteCarloKernels(nngp.mean(0), nngp.std(0, ddof=ddof), ntk.mean(0), ntk.std(0, ddof=ddof),
                             nngp if keep_samples else None, ntk if keep_samples else None)


@jax.jit
def _mc_samples(model: MLP, x1, x2, seeds):
    def one(s):
        params = model.init(jax.random.key(s), x1.shape[-1])
        return _mlp_nngp(model, params, x1, x2), _mlp_ntk(model, params, x1, x2, False)
    return jax.lax.map(one, seeds)


@jax.jit
def _mc_samples_model(model, x1, x2, seeds):
    def one(s):
        params = model.init(jax.random.key(s), _init_arg(x1))
        return model.nngp(params, x1, x2), _ntk(model, params, x1, x2, False)
    return jax.lax.map(one, seeds)
