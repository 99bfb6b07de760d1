"""Convolutional networks (CNN): the model, its fast empirical NTK and its infinite-width CNTK.

Architecture (stride 1, one or two spatial axes; positions p, window offsets o):

    z_1(p)   = m_W Σ_o x(p+o) W_1[o] + m_b b_1                  (conv, k = kernel_size^dims offsets)
    z_l(p)   = m_W Σ_o φ(z_{l-1})(p+o) W_l[o] + m_b b_l         (l = 2..depth)
    g        = mean_p φ(z_depth)(p)          ("gap")   or   flatten_p φ(z_depth)(p)   ("flatten")
    f(x)     = m_W g W_out + m_b b_out                          (Dense readout)

Out-of-range positions are zero ("same" zero padding of the layer input) or
wrap around ("circular"). Parameterizations as for the MLP (``models``):
"ntk" has every parameter ~ N(0, 1) and m_W = w_std/√fan_in, m_b = b_std;
"standard" has W ~ N(0, w_std²/fan_in), b ~ N(0, b_std²), m = 1. The fan-in of
a conv layer is k × in-channels; of the readout the channels (gap) or
channels × positions (flatten). All learning-rate multipliers are 1.

Empirical NTK (``cnn_ntk``): for a conv layer the Jacobian w.r.t. W[o] of
output k at input x is m_W Σ_p x̃_o(p) ⊗ δ_k(p), x̃_o the layer input shifted
by offset o and δ_k(p) = ∂f_k/∂z_l(p) the backpropagated sensitivity, so

    Θ_W(x, x') = (m_W²/K) Σ_k Σ_o ⟨J_ko(x), J_ko(x')⟩,   J_ko(x) = Σ_p x̃_o(p) ⊗ δ_k(p)  (C_in × C)

is formed per offset (and per block of output channels) without the N × P
Jacobian: one forward pass, K backward passes for the δ's, then
N·P·C_in·C + N1·N2·C_in·C multiply-adds per offset and layer.

Infinite width (``cnn_kernels``, the CNTK of Arora et al. 2019 and Novak et
al. 2019 without pooling in between): with Σ^l[p, p'] the covariance of z_l at
positions p of x and p' of x', E^l, Ė^l = E[φ(u)φ(v)], E[φ'(u)φ'(v)] under it,
E^0[p, p'] = x(p)·x'(p')/C_0, and the window average
𝒲(A)[p, p'] = (1/k) Σ_o A[p+o, p'+o] (out-of-range terms 0, or wrapped):

    Σ^l = ω² 𝒲(E^{l-1}) + β²,      Θ^l = c_l + ω² 𝒲(Ė^{l-1} ⊙ Θ^{l-1}),   c_l = r_W m_W² fan_in 𝒲(E^{l-1}) + r_b m_b²

(ω² = w_std², β² = b_std² under "ntk", where c_l = Σ^l), and the readout
replaces 𝒲 by the mean over all position pairs (gap) or over the diagonal
p = p' (flatten). Flatten therefore needs only the diagonal Σ[p, p], which is
closed under the recursion (N1·N2·P numbers instead of N1·N2·P²).
"""
from __future__ import annotations

import dataclasses
import itertools
import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as V
from .activations import ACTIVATION_NAMES, activation_fn
from .infinite import _N_KERNEL_ARRAYS, QUADRATURE, Kernels, _expectations, _points_for_layers, check_finite_kernels
from .models import LayerSpec

POOLINGS: tuple[str, ...] = ("gap", "flatten")
PADDINGS: tuple[str, ...] = ("same", "circular")
CNN_PARAMETERIZATIONS: tuple[str, ...] = ("ntk", "standard")

Params = list  # [{"W": (k,)*dims + (C_in, C_out), "b": (C_out,)}] per conv layer, then {"W": (F, K), "b": (K,)}


@jax.tree_util.register_pytree_node_class
@dataclasses.dataclass(frozen=True)
class CNN:
    """Convolutional network f: R^{(H, W, C)} or R^{(L, C)} → R^out_dim (see the module docstring).

    Args:
      channels: channels of every conv layer (≥ 1).
      depth: number of conv layers, each followed by the activation (1..64).
      kernel_size: window length per spatial axis (1..15), stride 1.
      activation: one of ``ACTIVATION_NAMES``.
      w_std, b_std: weight and bias standard deviations (σ_w, σ_b ≥ 0).
      pooling: "gap" (global average over positions) or "flatten" before the Dense readout.
      padding: "same" (zero padding, output size = input size) or "circular".
      out_dim: number of outputs.
      parameterization: "ntk" or "standard".

    ``init(key, in_shape)`` takes the shape of one input, (H, W, C) for images or
    (L, C) for 1-D signals; ``apply(params, x)`` maps x of shape (n, *in_shape)
    to (n, out_dim). Like ``MLP`` the model is a pytree with leaves (w_std,
    b_std) and a static architecture, so σ_w/σ_b changes reuse compiled code.
    """

    channels: int
    depth: int
    kernel_size: int = 3
    activation: str = "relu"
    w_std: float = 1.0
    b_std: float = 0.0
    pooling: str = "gap"
    padding: str = "same"
    out_dim: int = 1
    parameterization: str = "ntk"

    # Inputs are batches (n, L, C) or (n, H, W, C); ``init`` takes the per-input shape.
    input_ndim = (3, 4)

    def __post_init__(self):
        object.__setattr__(self, "channels", V.check_int("channels", self.channels, 1, 1 << 16))
        object.__setattr__(self, "depth", V.check_int("depth", self.depth, 1, 64))
        object.__setattr__(self, "kernel_size", V.check_int("kernel_size", self.kernel_size, 1, 15))
        V.check_choice("activation", self.activation, ACTIVATION_NAMES)
        object.__setattr__(self, "w_std", V.check_float("w_std", self.w_std, 0.0, 1e3))
        object.__setattr__(self, "b_std", V.check_float("b_std", self.b_std, 0.0, 1e3))
        V.check_choice("pooling", self.pooling, POOLINGS)
        V.check_choice("padding", self.padding, PADDINGS)
        object.__setattr__(self, "out_dim", V.check_int("out_dim", self.out_dim, 1, 4096))
        V.check_choice("parameterization", self.parameterization, CNN_PARAMETERIZATIONS)

    _STATIC = ("channels", "depth", "kernel_size", "activation", "pooling", "padding", "out_dim", "parameterization")

    # -- pytree: σ_w, σ_b are data; the architecture is static ---------------
    def tree_flatten(self):
        return (self.w_std, self.b_std), tuple(getattr(self, name) for name in self._STATIC)

    @classmethod
    def tree_unflatten(cls, aux, children):
        obj = object.__new__(cls)  # no validation: inside jit the leaves are tracers
        for name, value in zip(cls._STATIC, aux):
            object.__setattr__(obj, name, value)
        object.__setattr__(obj, "w_std", children[0])
        object.__setattr__(obj, "b_std", children[1])
        return obj

    # -- structure ---------------------------------------------------------
    def layer_specs(self, in_shape: tuple[int, ...]) -> tuple[LayerSpec, ...]:
        """One ``LayerSpec`` per conv layer, then the readout (fan_in = window × in-channels for a conv)."""
        in_shape = _check_in_shape(in_shape)
        window = self.kernel_size ** (len(in_shape) - 1)
        positions = math.prod(in_shape[:-1])
        fans = [window * in_shape[-1]] + [window * self.channels] * (self.depth - 1)
        fans.append(self.channels * (positions if self.pooling == "flatten" else 1))
        outs = [self.channels] * self.depth + [self.out_dim]
        if self.parameterization == "ntk":
            return tuple(LayerSpec(n, m, self.w_std / math.sqrt(n), 1.0, self.b_std, 1.0, 1.0, 1.0)
                         for n, m in zip(fans, outs))
        return tuple(LayerSpec(n, m, 1.0, self.w_std / math.sqrt(n), 1.0, self.b_std, 1.0, 1.0)
                     for n, m in zip(fans, outs))

    def init(self, key: jax.Array, in_shape: tuple[int, ...]) -> Params:
        """θ0 for inputs of shape ``in_shape`` = (H, W, C) or (L, C): N(0, σ_W²) weights, N(0, σ_b²) biases."""
        in_shape = _check_in_shape(in_shape)
        V.check_memory(f"CNN(channels={self.channels}, depth={self.depth}).init with in_shape={in_shape}",
                       V.params_nbytes(V.param_shapes(_init, self, in_shape)), "channels, depth or in_shape")
        return _init(self, key, in_shape)

    def apply(self, params: Params, x: jax.Array) -> jax.Array:
        """f(x; θ) for x of shape (n, H, W, C) or (n, L, C) → (n, out_dim)."""
        return _forward(self, params, x)[0]

    def in_dim(self, params: Params) -> int:
        """Number of input channels (the last axis of an input)."""
        return int(params[0]["W"].shape[-2])

    def in_shape_of(self, params: Params) -> tuple[int | None, ...]:
        """Per-input shape these parameters accept: (None, None, C) or (None, C) (any spatial size;
        a flatten readout additionally fixes the number of positions, checked by ``apply``)."""
        return (None,) * (params[0]["W"].ndim - 2) + (self.in_dim(params),)

    def nngp(self, params: Params, x1: jax.Array, x2: jax.Array) -> jax.Array:
        """Finite-width NNGP (n1, n2): the readout's conditional covariance m_W² σ_W² g(x1)·g(x2) + m_b² σ_b²
        (g = pooled or flattened last-layer features); its mean over initializations is the NNGP."""
        spec = self.layer_specs(x1.shape[1:])[-1]
        g1, g2 = _forward(self, params, x1)[2], _forward(self, params, x2)[2]
        return (spec.m_w * spec.sigma_w) ** 2 * (g1 @ g2.T) + (spec.m_b * spec.sigma_b) ** 2


def _check_in_shape(in_shape) -> tuple[int, ...]:
    try:
        shape = tuple(in_shape)
    except TypeError:
        raise ValueError(f"in_shape must be (H, W, C) or (L, C); got {in_shape!r}") from None
    if len(shape) not in (2, 3):
        raise ValueError(f"in_shape must be (H, W, C) or (L, C) (2 or 3 entries); got {shape}")
    return tuple(V.check_int("in_shape entries", s, 1, 1 << 20) for s in shape)


@partial(jax.jit, static_argnums=(2,))
def _init(model: CNN, key: jax.Array, in_shape: tuple[int, ...]) -> Params:
    dtype = jnp.result_type(float)
    dims = len(in_shape) - 1
    shapes = [(model.kernel_size,) * dims + (c_in, model.channels)
              for c_in in [in_shape[-1]] + [model.channels] * (model.depth - 1)]
    specs = model.layer_specs(in_shape)
    shapes.append((specs[-1].fan_in, model.out_dim))
    params = []
    for spec, shape, k in zip(specs, shapes, jax.random.split(key, len(specs))):
        kw, kb = jax.random.split(k)
        params.append({"W": spec.sigma_w * jax.random.normal(kw, shape, dtype),
                       "b": spec.sigma_b * jax.random.normal(kb, (shape[-1],), dtype)})
    return params


# -- forward pass ------------------------------------------------------------------

def _pad_widths(k: int) -> tuple[int, int]:
    """Offsets o ∈ [−lo, hi] of a window of length k (XLA's "SAME" split)."""
    lo = (k - 1) // 2
    return lo, k - 1 - lo


def _pad(a: jax.Array, axes: tuple[int, ...], k: int, padding: str) -> jax.Array:
    """Pad ``axes`` of ``a`` for a window of length k: zeros ("same") or wrap-around ("circular")."""
    widths = [(0, 0)] * a.ndim
    for ax in axes:
        widths[ax] = _pad_widths(k)
    return jnp.pad(a, widths, mode="constant" if padding == "same" else "wrap")


def _conv(model: CNN, a: jax.Array, w: jax.Array) -> jax.Array:
    """Stride-1 convolution as Σ_o (input shifted by o) @ W[o]: plain matmuls, which XLA runs (and
    differentiates) several times faster on CPU than its convolution op."""
    dims = a.ndim - 2
    spatial = a.shape[1:-1]
    padded = _pad(a, tuple(range(1, 1 + dims)), model.kernel_size, model.padding)
    out = 0.0
    for o in itertools.product(range(model.kernel_size), repeat=dims):
        window = padded[(slice(None),) + tuple(slice(i, i + n) for i, n in zip(o, spatial))]
        out = out + window @ w[o]
    return out


def _forward(model: CNN, params: Params, x: jax.Array, eps=None):
    """(f(x), layer inputs of each conv layer, readout features); ``eps`` are additive shifts of each z_l."""
    if x.ndim != params[0]["W"].ndim:
        raise ValueError(f"x must have {params[0]['W'].ndim} axes for these parameters; got shape {x.shape}")
    specs = model.layer_specs(x.shape[1:])
    act = activation_fn(model.activation)
    a, inputs = x, []
    for l in range(model.depth):
        spec, p = specs[l], params[l]
        inputs.append(a)
        z = spec.m_w * _conv(model, a, p["W"]) + spec.m_b * p["b"]
        if eps is not None:
            z = z + eps[l]
        a = act(z)
    feats = a.reshape(a.shape[0], -1, a.shape[-1]).mean(1) if model.pooling == "gap" else a.reshape(a.shape[0], -1)
    w_out = params[-1]["W"]
    if feats.shape[-1] != w_out.shape[0]:
        raise ValueError(f"x has {feats.shape[-1] // a.shape[-1]} positions but the flatten readout was initialised "
                         f"for {w_out.shape[0] // a.shape[-1]}; use inputs of the in_shape given to init")
    spec = specs[-1]
    return spec.m_w * feats @ w_out + spec.m_b * params[-1]["b"], inputs, feats


# -- empirical kernels ---------------------------------------------------------------

_BLOCK_ELEMENTS = 1 << 23  # per-block working-set bound (elements) for the kernels below


def _sensitivities(model: CNN, params: Params, x: jax.Array):
    """Layer inputs, readout features and δ_l[k] = ∂f_k/∂z_l of shape (K, n, *spatial, C), one VJP per output."""
    eps = [jnp.zeros(x.shape[:-1] + (model.channels,), x.dtype) for _ in range(model.depth)]

    def f(e):
        y, a, g = _forward(model, params, x, e)
        return y, (a, g)

    _, vjp, (inputs, feats) = jax.vjp(f, eps, has_aux=True)
    cts = jnp.broadcast_to(jnp.eye(model.out_dim, dtype=x.dtype)[:, None, :], (model.out_dim, x.shape[0], model.out_dim))
    deltas = jax.vmap(lambda ct: vjp(ct)[0])(cts)
    return inputs, feats, deltas


def cnn_ntk(model: CNN, params: Params, x1: jax.Array, x2: jax.Array | None = None,
            lr_weighted: bool = False) -> jax.Array:
    """Empirical NTK (n1, n2) of a ``CNN``, averaged over outputs, without forming the Jacobian.

    Exactly J(x1) J(x2)ᵀ / K (the module docstring gives the per-offset
    contraction); ``empirical_ntk`` dispatches here. No input checks. When x2
    is x1 (or None) the forward/backward passes run once.
    """
    return _cnn_ntk(model, params, x1, None if x2 is x1 else x2, lr_weighted)


@partial(jax.jit, static_argnames=("lr_weighted",))
def _cnn_ntk(model: CNN, params: Params, x1: jax.Array, x2: jax.Array | None, lr_weighted: bool) -> jax.Array:
    specs = model.layer_specs(x1.shape[1:])
    a1, g1, d1 = _sensitivities(model, params, x1)
    a2, g2, d2 = (a1, g1, d1) if x2 is None else _sensitivities(model, params, x2)
    x2 = x1 if x2 is None else x2
    n_out = model.out_dim
    out = specs[-1]
    r = (lambda s: (s.lr_w, s.lr_b)) if lr_weighted else (lambda s: (1.0, 1.0))
    theta = n_out * (r(out)[0] * out.m_w ** 2 * (g1 @ g2.T) + r(out)[1] * out.m_b ** 2)
    for l in range(model.depth):
        spec = specs[l]
        e1 = d1[l].reshape(n_out, x1.shape[0], -1, model.channels)  # (K, n1, P, C)
        e2 = d2[l].reshape(n_out, x2.shape[0], -1, model.channels)
        theta = theta + r(spec)[1] * spec.m_b ** 2 * jnp.einsum("knc,kmc->nm", e1.sum(2), e2.sum(2))
        theta = theta + r(spec)[0] * spec.m_w ** 2 * _conv_weight_gram(model, a1[l], e1, a2[l], e2)
    return theta / n_out


def _conv_weight_gram(model: CNN, a1, e1, a2, e2):
    """Σ_k Σ_o ⟨J_ko(x1), J_ko(x2)⟩ with J_ko(x) = Σ_p x̃_o(p) ⊗ δ_k(p), per offset o and channel block."""
    dims = a1.ndim - 2
    k, c_in, c_out = model.kernel_size, a1.shape[-1], e1.shape[-1]
    n_big = e1.shape[0] * max(a1.shape[0], a2.shape[0]) * c_in
    block = max(b for b in range(1, c_out + 1) if c_out % b == 0 and (b == 1 or n_big * b <= _BLOCK_ELEMENTS))
    axes = tuple(range(1, 1 + dims))
    p1, p2 = _pad(a1, axes, k, model.padding), _pad(a2, axes, k, model.padding)
    # one scan step per (window offset, block of output channels): rows (o_1, .., o_dims, block)
    index = np.asarray([o + (c,) for o in itertools.product(range(k), repeat=dims) for c in range(c_out // block)],
                       np.int32)

    def shifted(p, a, o):
        s = jax.lax.dynamic_slice(p, (jnp.int32(0), *o, jnp.int32(0)), a.shape)
        return s.reshape(a.shape[0], -1, c_in)  # (n, P, C_in)

    def body(theta, row):
        o, c = tuple(row[:dims]), row[dims]
        f1 = jax.lax.dynamic_slice_in_dim(e1, c * block, block, axis=3)
        f2 = jax.lax.dynamic_slice_in_dim(e2, c * block, block, axis=3)
        j1 = jnp.einsum("npi,knpc->knic", shifted(p1, a1, o), f1)
        j2 = jnp.einsum("npi,knpc->knic", shifted(p2, a2, o), f2)
        return theta + jnp.einsum("knic,kmic->nm", j1, j2), None

    theta0 = jnp.zeros((a1.shape[0], a2.shape[0]), a1.dtype)
    return jax.lax.scan(body, theta0, jnp.asarray(index))[0]


# -- infinite width (CNTK) -------------------------------------------------------------

_CNTK_BLOCK_ELEMENTS = 1 << 22  # elements of one (rows × n2 × P × P) block of the GAP recursion


def cnn_kernels(model: CNN, x1: jax.Array, x2: jax.Array | None = None, *, lr_weighted: bool = False) -> Kernels:
    """Infinite-channel NNGP and NTK (the CNTK) of ``model``, each of shape (n1, n2).

    Args:
      model: a ``CNN`` (its ``channels`` is ignored under "ntk").
      x1: inputs (n1, H, W, C) or (n1, L, C); x2: inputs of the same per-input shape, or None for x1.
      lr_weighted: weight each layer by its learning-rate multiplier (all 1 for a CNN: no change).

    The recursion is in the module docstring. "gap" keeps Σ(x, x')[p, p'] for
    all position pairs, in blocks of x1 rows (about 16 MB per tensor);
    "flatten" keeps only the diagonal p = p'. ReLU-family, erf, sin, gelu and
    identity use closed forms, tanh and softplus the 2-D quadrature of
    ``ntkcore.infinite`` (``infinite_kernels`` dispatches here).
    """
    if not isinstance(model, CNN):
        raise ValueError(f"cnn_kernels needs a CNN model; got {type(model).__name__}")
    x1 = V.check_array("x1", x1, (3, 4))
    x2 = x1 if x2 is None else V.check_array("x2", x2, x1.ndim, x1.shape[-1])
    if x2.shape[1:] != x1.shape[1:]:
        raise ValueError(f"x2 must have per-input shape {tuple(x1.shape[1:])} like x1; got {tuple(x2.shape)}")
    dtype = jnp.result_type(float)
    x1, x2 = jnp.asarray(x1, dtype), jnp.asarray(x2, dtype)
    n1, n2, positions = x1.shape[0], x2.shape[0], math.prod(x1.shape[1:-1])
    if model.pooling == "flatten":  # (n1, n2, P) arrays: E, Ė, Θ, K and temporaries
        elements = _N_KERNEL_ARRAYS * n1 * n2 * positions
    else:  # blocks of x1 rows, each (rows, n2, P, P), at least one row
        elements = _N_KERNEL_ARRAYS * min(n1 * n2 * positions ** 2, max(_CNTK_BLOCK_ELEMENTS, n2 * positions ** 2))
    V.check_memory(f"the CNTK on {n1}×{n2} inputs of shape {tuple(x1.shape[1:])}",
                   (elements + 2 * n1 * n2) * jnp.dtype(dtype).itemsize, "the number or the size of the inputs")
    if model.parameterization == "ntk":  # the limit does not depend on the channel count: share one compile
        model = dataclasses.replace(model, channels=1)
    n_quad = 0
    if model.activation in QUADRATURE:
        q = np.concatenate([np.sum(np.asarray(x) ** 2, -1).ravel() for x in (x1, x2)]) / x1.shape[-1]
        n_quad = _points_for_layers(model.activation, model.layer_specs(x1.shape[1:]), np.array([q.max(), q.min()]))
    kernels = _cnn_kernels(model, x1, x2, lr_weighted, n_quad)
    check_finite_kernels(bool(jnp.isfinite(kernels.nngp).all() & jnp.isfinite(kernels.ntk).all()), model, x1, x2)
    return kernels


def _window_mean(t: jax.Array, groups: int, model: CNN) -> jax.Array:
    """𝒲(t): mean over window offsets o of t[.., p+o, p'+o] (the same o for each of the ``groups``
    trailing position groups), out-of-range terms 0 ("same") or wrapped ("circular")."""
    k = model.kernel_size
    dims = (t.ndim - 2) // groups
    spatial = t.shape[t.ndim - groups * dims:]
    padded = _pad(t, tuple(range(t.ndim - groups * dims, t.ndim)), k, model.padding)
    out = 0.0
    for o in itertools.product(range(k), repeat=dims):
        window = tuple(slice(i, i + n) for i, n in zip(o * groups, spatial))
        out = out + padded[(slice(None), slice(None)) + window]
    return out / k ** dims


def _self_variances(model: CNN, specs, x: jax.Array, n_quad: int) -> list[jax.Array]:
    """Σ^l(x, x)[p, p] for each conv layer l, each (n, *spatial) (the diagonal recursion)."""
    e = jnp.sum(x ** 2, -1)[:, None] / x.shape[-1]  # (n, 1, *spatial): a dummy axis for _window_mean
    out = []
    for spec in specs[:-1]:
        q = spec.omega2 * _window_mean(e, 1, model) + spec.beta2
        out.append(q[:, 0])
        e = _expectations(model.activation, q, q, q, n_quad)[0]
    return out


def _cntk_recursion(model: CNN, specs, e12, q1, q2, groups: int, lr_weighted: bool, n_quad: int):
    """(NNGP, NTK) of shape (b, n2) from E⁰ = e12 (b, n2, *spatial × groups) and the self-variances."""
    dims = len(q1[0].shape) - 1
    ones = (1,) * dims
    theta = edot = None
    for l, spec in enumerate(specs):
        r_w, r_b = (spec.lr_w, spec.lr_b) if lr_weighted else (1.0, 1.0)
        if l < model.depth:
            pool = partial(_window_mean, groups=groups, model=model)
        else:  # readout: mean over all position pairs (gap) or over the diagonal (flatten)
            pool = lambda t: t.reshape(t.shape[:2] + (-1,)).mean(-1)  # noqa: E731
        we = pool(e12)
        theta = r_w * spec.m_w ** 2 * spec.fan_in * we + r_b * spec.m_b ** 2 + \
            (0.0 if theta is None else spec.omega2 * pool(edot * theta))
        k12 = spec.omega2 * we + spec.beta2
        if l == model.depth:
            return k12, theta
        if groups == 1:
            k11, k22 = q1[l][:, None], q2[l][None]
        else:
            k11 = q1[l].reshape(q1[l].shape[:1] + (1,) + q1[l].shape[1:] + ones)
            k22 = q2[l].reshape((1,) + q2[l].shape[:1] + ones + q2[l].shape[1:])
        e12, edot = _expectations(model.activation, k11, k22, k12, n_quad)


@partial(jax.jit, static_argnames=("lr_weighted", "n_quad"))
def _cnn_kernels(model: CNN, x1, x2, lr_weighted: bool, n_quad: int) -> Kernels:
    specs = model.layer_specs(x1.shape[1:])
    q1, q2 = _self_variances(model, specs, x1, n_quad), _self_variances(model, specs, x2, n_quad)
    c0 = x1.shape[-1]
    if model.pooling == "flatten":  # the diagonal p = p' is closed under the recursion
        e12 = jnp.einsum("n...c,m...c->nm...", x1, x2) / c0
        return Kernels(*_cntk_recursion(model, specs, e12, q1, q2, 1, lr_weighted, n_quad))
    n1, n2 = x1.shape[0], x2.shape[0]
    positions = math.prod(x1.shape[1:-1])
    rows = max(1, min(n1, _CNTK_BLOCK_ELEMENTS // (n2 * positions ** 2)))
    pad = (-n1) % rows

    def blocked(a):  # (n1, ...) → (n_blocks, rows, ...), padded with copies of row 0
        a = jnp.concatenate([a, jnp.broadcast_to(a[:1], (pad,) + a.shape[1:])])
        return a.reshape((-1, rows) + a.shape[1:])

    def block(args):
        xb, qb = args
        e12 = jnp.einsum("npc,mqc->nmpq", xb.reshape(rows, positions, c0), x2.reshape(n2, positions, c0)) / c0
        e12 = e12.reshape((rows, n2) + x1.shape[1:-1] * 2)
        return _cntk_recursion(model, specs, e12, qb, q2, 2, lr_weighted, n_quad)

    nngp, ntk = jax.lax.map(block, (blocked(x1), [blocked(q) for q in q1]))
    return Kernels(nngp.reshape(-1, n2)[:n1], ntk.reshape(-1, n2)[:n1])
