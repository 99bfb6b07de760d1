"""Infinite-width NNGP and NTK of the MLP (NTK parameterization: the width → ∞ limit).

Recursion (input dim d; ``LayerSpec`` gives ω² = effective weight variance ×
fan_in, β² = effective bias variance, and the learning-rate multipliers r):

    E⁰(x, x')   = x·x'/d
    K^l         = ω_l² E^{l-1} + β_l²                       (pre-activation covariance)
    E^l, Ė^l    = E[φ(u)φ(v)], E[φ'(u)φ'(v)],  (u, v) ~ N(0, [[K^l(x,x), K^l(x,x')], [·, K^l(x',x')]])
    Θ^1         = c_1,   Θ^{l+1} = c_{l+1} + ω_{l+1}² Ė^l Θ^l
    c_l         = r_W m_W² n_in E^{l-1} + r_b m_b²          (= K^l under "ntk")

The readout is the last Dense step, so ``nngp`` = K^{L+1} and ``ntk`` = Θ^{L+1}
(per output unit; outputs are independent). Under "ntk" this is exactly the
recursion of Jacot et al. and neural-tangents and does not depend on width.
Under "standard" and "mup" there is no width-independent limit (the standard
NTK grows ∝ width, the muP NNGP vanishes ∝ 1/width); there the same formulas
give the leading large-width kernel *at the model's width*.

Gaussian expectations: closed forms for relu, leaky_relu (arc-cosine, Cho &
Saul), erf (Williams), sin, identity and gelu (derived below, E[φ'φ'] by
Price's theorem: ∂E[φ(u)φ(v)]/∂k = E[φ'(u)φ'(v)], evaluated by autodiff).
tanh and softplus use a 2-D trapezoidal rule on the Gaussian, whose error
falls like exp(−π²/(σ h)) for poles of φ at distance π/(2σ) from the real
axis; the step h is chosen from the largest layer variance so the rule is
converged to ~1e-7. A Gauss–Hermite rule with a fixed number of points (what
neural-tangents' ``ElementwiseNumerical(fn, deg)`` uses, deg chosen by the
user, 25 suggested) loses accuracy as the variance grows: measured here for
E[tanh(u) tanh(v)] at variance 10, correlation 0.5, its error is ~3e-3 with
25 points and ~1e-4 with 64 (tests/test_ntkcore_claims.py).

Inputs of zero norm (with b_std = 0) have zero variance at every layer; their
kernels are the limits as the variance → 0 (see ``_corr``), not NaN. Kernels
that overflow the float range raise ``ValueError``.
"""
from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as V
from .activations import LEAKY_SLOPE, activation_fn
from .models import MLP

CLOSED_FORM = ("relu", "leaky_relu", "erf", "sin", "identity", "gelu")
QUADRATURE = ("tanh", "softplus")
_QUAD_RANGE = 6.5  # |z| ≤ 6.5: the Gaussian tail beyond is ~1e-10


class Kernels(NamedTuple):
    """Infinite-width kernels, each of shape (n1, n2)."""

    nngp: jax.Array
    ntk: jax.Array


def infinite_kernels(model: MLP, x1: jax.Array, x2: jax.Array | None = None, *,
                     lr_weighted: bool = False) -> Kernels:
    """NNGP and NTK of ``model`` in the infinite-width limit.

    Args:
      model: an ``MLP`` (its ``width`` is ignored under "ntk"), an ``RNN``
        (the recurrent NTK on sequences (n, T, d), see ``ntkcore.rnn``) or a ``CNN``.
      x1: inputs (n1, d); x2: inputs (n2, d) or None for x2 = x1. A ``CNN``
        (the CNTK, see ``ntkcore.cnn``) takes images (n, H, W, C) or signals (n, L, C).
      lr_weighted: weight each layer by its learning-rate multiplier (the kernel
        that drives training; differs from the plain one only under muP).

    Returns:
      ``Kernels(nngp, ntk)``, each (n1, n2), in the default float precision.
    """
    from .rnn import RNN, rnn_infinite_kernels  # (rnn imports this module)

    if isinstance(model, RNN):
        return rnn_infinite_kernels(model, x1, x2)
    from .cnn import CNN, cnn_kernels  # (cnn imports this module)

    if isinstance(model, CNN):
        return cnn_kernels(model, x1, x2, lr_weighted=lr_weighted)
    if not isinstance(model, MLP):
        raise ValueError(f"infinite_kernels needs an MLP, CNN or RNN model; got {type(model).__name__}")
    x1 = V.check_array("x1", x1, 2)
    x2 = x1 if x2 is None else V.check_array("x2", x2, 2, x1.shape[-1])
    dtype = jnp.result_type(float)
    x1, x2 = jnp.asarray(x1, dtype), jnp.asarray(x2, dtype)
    if model.parameterization == "ntk":  # the limit does not depend on width: share one compile
        model = dataclasses.replace(model, width=1)
    V.check_memory(f"infinite_kernels on {x1.shape[0]}×{x2.shape[0]} inputs",
                   (_N_KERNEL_ARRAYS * x1.shape[0] * x2.shape[0] + (x1.shape[0] + x2.shape[0]) * x1.shape[-1])
                   * jnp.dtype(dtype).itemsize, "the number of inputs in x1 and x2")
    n_quad = 0
    if model.activation in QUADRATURE:
        n_quad = _quadrature_points(model, x1, x2)
    kernels, finite = _kernels(model, x1, x2, lr_weighted, n_quad)
    check_finite_kernels(bool(finite), model, x1, x2)
    return kernels


_N_KERNEL_ARRAYS = 10  # (n1, n2) arrays alive at once in the recursion (E, Ė, Θ, K and the closed forms' temporaries)


def check_finite_kernels(finite: bool, model, x1, x2) -> None:
    """``ValueError`` instead of NaN/inf kernels: the recursion overflowed the float precision.

    Zero-norm inputs and vanishing variances are handled in the expectations (``_corr``); what is left is
    overflow (huge inputs, or σ_w, σ_b and depth that make the variance grow past the float range)."""
    if finite:
        return
    big = max(float(np.max(np.abs(np.asarray(x)))) for x in (x1, x2))
    raise ValueError(
        f"the infinite-width kernels overflow {jnp.dtype(x1.dtype).name} for these inputs and this model "
        f"(largest |x| entry {big:.3g}, depth {model.depth}, w_std {float(model.w_std):.3g}, "
        f"b_std {float(model.b_std):.3g}): x1 and x2 must be scaled to a moderate norm (e.g. entries of order 1), "
        "or w_std/depth reduced, or the computation run in float64 (jax.enable_x64)")


# -- Gaussian expectations E[φφ], E[φ'φ'] -------------------------------------

def _corr(q1, q2, k):
    """ρ = k/(√q1 √q2), snapped to ±1 within float rounding so duplicates are exact.

    √q1·√q2, not √(q1 q2): the product of two small variances (a deep ReLU net at σ_w = 1 halves q per
    layer) underflows to 0 long before either does. Where a variance is exactly 0 (a zero-norm input
    without biases) the unit is constant and ρ is undefined; ρ = 0 is used there: every expectation
    below is then a limit that does not depend on ρ (E[φ(u)φ(v)] → 0 for the ReLU family as √q1 → 0, and
    that input's NTK contributions are multiplied by its zero kernel entries of the layer below)."""
    eps = 8 * jnp.finfo(k.dtype).eps
    den = jnp.sqrt(q1) * jnp.sqrt(q2)
    rho = jnp.where(den > 0, k / jnp.where(den > 0, den, 1.0), 0.0)
    rho = jnp.where(jnp.abs(rho) > 1 - eps, jnp.sign(rho), rho)
    return jnp.clip(rho, -1.0, 1.0)


def _abrelu(q1, q2, k, a, b):
    """φ = a·min(x,0) + b·max(x,0) (relu: a=0, b=1)."""
    rho = _corr(q1, q2, k)
    theta = jnp.arccos(rho)
    sin_theta = jnp.sqrt(jnp.maximum(1 - rho ** 2, 0.0))
    dot = (a * a + b * b) / 2 - (a - b) ** 2 * theta / (2 * math.pi)
    scale = jnp.sqrt(q1) * jnp.sqrt(q2)
    nngp = (a - b) ** 2 / (2 * math.pi) * scale * sin_theta + dot * rho * scale
    return nngp, dot


def _erf(q1, q2, k):
    s = jnp.sqrt((1 + 2 * q1) * (1 + 2 * q2))
    nngp = (2 / math.pi) * jnp.arcsin(jnp.clip(2 * k / s, -1.0, 1.0))
    dot = (4 / math.pi) / jnp.sqrt(s ** 2 - 4 * k ** 2)
    return nngp, dot


def _sin(q1, q2, k):
    damp = jnp.exp(-(q1 + q2) / 2)
    return damp * jnp.sinh(k), damp * jnp.cosh(k)


def _gelu_nngp(q1, q2, k):
    """E[uΦ(u) vΦ(v)] in closed form.

    Write Φ(u) = P(g1 ≤ u) with g ~ N(0, I) independent, so the expectation is
    E[u v 1{a ≥ 0, b ≥ 0}] with a = u − g1, b = v − g2, Cov(a, b) = C =
    [[q1+1, k], [k, q2+1]]. Regress u, v on w = (a, b): u = αᵀw + r_u, v = βᵀw + r_v
    with α = C⁻¹(q1, k), β = C⁻¹(k, q2), residual covariance k − (q1, k)·β, and use
    the orthant moments of a bivariate normal with correlation ρ:
      P = 1/4 + asin ρ/(2π),  E[X² 1] = P + ρ√(1−ρ²)/(2π),  E[XY 1] = ρP + √(1−ρ²)/(2π).
    det C ≥ q1 + q2 + 1 > 0, so this is well conditioned everywhere.
    """
    c1, c2 = q1 + 1, q2 + 1
    det = c1 * c2 - k ** 2
    a1, a2 = (c2 * q1 - k * k) / det, k / det
    b1, b2 = k / det, (c1 * q2 - k * k) / det
    sc = jnp.sqrt(c1 * c2)
    rho = k / sc
    s = jnp.sqrt(jnp.maximum(1 - rho ** 2, 0.0))
    p = 0.25 + jnp.arcsin(rho) / (2 * math.pi)
    m2 = p + rho * s / (2 * math.pi)
    mx = rho * p + s / (2 * math.pi)
    quad = a1 * b1 * c1 * m2 + (a1 * b2 + a2 * b1) * sc * mx + a2 * b2 * c2 * m2
    resid = k - q1 * b1 - k * b2
    return quad + resid * p


def _gelu(q1, q2, k):
    # Price's theorem: E[φ'(u)φ'(v)] = ∂/∂k E[φ(u)φ(v)].
    return jax.jvp(lambda kk: _gelu_nngp(q1, q2, kk), (k,), (jnp.ones_like(k),))


def _quadrature(name, q1, q2, k, n_quad):
    """Trapezoidal rule on z ∈ [−6.5, 6.5]²: u = √q1 z1, v = √q2 (ρ z1 + √(1−ρ²) z2)."""
    phi = activation_fn(name)
    z = jnp.linspace(-_QUAD_RANGE, _QUAD_RANGE, n_quad, dtype=k.dtype)
    w = jnp.exp(-z ** 2 / 2)
    w = w / w.sum()
    q1, q2, k = jnp.broadcast_arrays(q1, q2, k)
    shape = k.shape
    q1, q2, k = q1.reshape(-1), q2.reshape(-1), k.reshape(-1)
    rho = _corr(q1, q2, k)
    cos = jnp.sqrt(jnp.maximum(1 - rho ** 2, 0.0))
    chunk = max(1, 2 ** 21 // (n_quad * n_quad))
    n = q1.shape[0]
    pad = (-n) % chunk

    def padded(a):
        return jnp.concatenate([a, jnp.ones((pad,), a.dtype)]).reshape(-1, chunk)

    def block(args):
        s1, s2, r, c = args
        u = s1[:, None] * z[None, :]  # (C, n)
        v = s2[:, None, None] * (r[:, None, None] * z[None, :, None] + c[:, None, None] * z[None, None, :])
        fu, du = jax.jvp(phi, (u,), (jnp.ones_like(u),))
        fv, dv = jax.jvp(phi, (v,), (jnp.ones_like(v),))
        nngp = ((fu * w) * (fv @ w)).sum(-1)
        dot = ((du * w) * (dv @ w)).sum(-1)
        return nngp, dot

    out = jax.lax.map(block, (padded(jnp.sqrt(q1)), padded(jnp.sqrt(q2)), padded(rho), padded(cos)))
    return tuple(o.reshape(-1)[:n].reshape(shape) for o in out)


def gaussian_expectations(activation: str, q1, q2, k, n_quad: int = 0):
    """(E[φ(u)φ(v)], E[φ'(u)φ'(v)]) for (u, v) ~ N(0, [[q1, k], [k, q2]]), broadcasting.

    ``n_quad`` points per axis for the quadrature activations (tanh, softplus);
    0 picks a converged rule for the largest variance.
    """
    q1, q2, k = (jnp.asarray(a, jnp.result_type(float)) for a in (q1, q2, k))
    if activation in QUADRATURE:
        n_quad = n_quad or _points_for_variance(float(jnp.max(jnp.maximum(q1, q2))), activation)
    return _expectations(activation, q1, q2, k, n_quad)


def _expectations(name, q1, q2, k, n_quad):
    if name == "relu":
        return _abrelu(q1, q2, k, 0.0, 1.0)
    if name == "leaky_relu":
        return _abrelu(q1, q2, k, LEAKY_SLOPE, 1.0)
    if name == "erf":
        return _erf(q1, q2, k)
    if name == "sin":
        return _sin(q1, q2, k)
    if name == "identity":
        return k, jnp.ones_like(k)
    if name == "gelu":
        return _gelu(q1, q2, k)
    if name in QUADRATURE:
        return _quadrature(name, q1, q2, k, n_quad)
    raise ValueError(f"activation must be one of {CLOSED_FORM + QUADRATURE}; got {name!r}")


# Compiled once per (activation, rule, shape): run eagerly, the quadrature's lax.map recompiled on every
# call (~0.4 s per layer, 45 s for a depth-64 tanh net).
_expectations_jit = jax.jit(_expectations, static_argnums=(0, 4))


def _points_for_variance(q_max: float, activation: str = "tanh") -> int:
    """Smallest bucketed grid with step h ≤ c/σ_max (error ~ exp(−π²/(σh)) ≲ 1e-7).

    c = 0.55 for tanh (poles at distance π/(2σ)); softplus's poles are twice as
    far from the real axis, so twice the step suffices.
    """
    sigma = math.sqrt(max(q_max, 1e-6))
    h = min(0.45, (1.1 if activation == "softplus" else 0.55) / sigma)
    n = int(math.ceil(2 * _QUAD_RANGE / h)) + 1
    for bucket in (41, 61, 81, 101, 141, 201, 281, 401):
        if n <= bucket:
            return bucket
    return 401


def _quadrature_points(model: MLP, x1, x2) -> int:
    """Largest pre-activation variance over layers (diagonal recursion, on host)."""
    specs = model.layer_specs(x1.shape[-1])
    q = np.concatenate([np.sum(np.asarray(x1) ** 2, -1), np.sum(np.asarray(x2) ** 2, -1)]) / x1.shape[-1]
    return _points_for_layers(model.activation, specs, np.array([q.max(), q.min()]))


def _points_for_layers(activation: str, specs, q: np.ndarray) -> int:
    """Quadrature points for the largest variance the diagonal recursion reaches from input second
    moments ``q`` (x·x/d); also an upper bound for convolutions, whose window averages cannot exceed
    the largest value they average."""
    q_max = 0.0
    for l, spec in enumerate(specs):
        q = spec.omega2 * q + spec.beta2
        q_max = max(q_max, float(q.max()))
        if l < len(specs) - 1:
            qq = jnp.asarray(q, jnp.result_type(float))
            e, _ = _expectations_jit(activation, qq, qq, qq, _points_for_variance(q_max, activation))
            q = np.asarray(e)
    return _points_for_variance(q_max, activation)


# -- the recursion --------------------------------------------------------------

@partial(jax.jit, static_argnames=("lr_weighted", "n_quad"))
def _kernels(model: MLP, x1, x2, lr_weighted: bool, n_quad: int) -> tuple[Kernels, jax.Array]:
    """(Kernels, all finite?). The hidden layers 2..L share one ``LayerSpec``, so they run as one
    ``lax.scan`` step: the compile time does not grow with depth (64 unrolled layers took a minute)."""
    d = x1.shape[-1]
    specs = model.layer_specs(d)
    zero = jnp.zeros((x1.shape[0], x2.shape[0]), x1.dtype)
    state = (x1 @ x2.T / d, jnp.sum(x1 ** 2, -1) / d, jnp.sum(x2 ** 2, -1) / d, zero, zero)  # nothing below layer 1

    def layer(spec, state):
        """One Dense layer: (K^l, Θ^l) and the next layer's inputs (E^l, E^l diagonals, Ė^l, Θ^l)."""
        e12, e11, e22, edot12, theta = state
        r_w, r_b = (spec.lr_w, spec.lr_b) if lr_weighted else (1.0, 1.0)
        theta = r_w * spec.m_w ** 2 * spec.fan_in * e12 + r_b * spec.m_b ** 2 + spec.omega2 * edot12 * theta
        k12 = spec.omega2 * e12 + spec.beta2
        return k12, theta, e11, e22

    def hidden(spec, state):
        k12, theta, e11, e22 = layer(spec, state)
        k11 = spec.omega2 * e11 + spec.beta2
        k22 = spec.omega2 * e22 + spec.beta2
        e12, edot12 = _expectations(model.activation, k11[:, None], k22[None, :], k12, n_quad)
        e11, _ = _expectations(model.activation, k11, k11, k11, n_quad)
        e22, _ = _expectations(model.activation, k22, k22, k22, n_quad)
        return e12, e11, e22, edot12, theta

    if len(specs) > 1:
        state = hidden(specs[0], state)
    if len(specs) > 2:
        state = jax.lax.scan(lambda s, _: (hidden(specs[1], s), None), state, None, length=len(specs) - 2)[0]
    nngp, ntk, _, _ = layer(specs[-1], state)
    return Kernels(nngp, ntk), jnp.isfinite(nngp).all() & jnp.isfinite(ntk).all()
