"""Signal propagation at infinite width: order, chaos and the critical line
(Poole et al. 2016; Schoenholz et al. 2017; Xiao et al. 2018/2020).

A deep MLP with weight variance σ_w² (per fan_in) and bias variance σ_b² maps
the pre-activation variance q and the correlation c of two inputs layer by layer:

    variance map     q ← V(q) = σ_w² E[φ(√q z)²] + σ_b²,           z ~ N(0, 1)
    correlation map  c ← C(c) = (σ_w² E[φ(u)φ(v)] + σ_b²) / q*,  (u, v) ~ N(0, q*[[1, c], [c, 1]])

q* = V(q*) is the variance fixed point and c* = C(c*) the correlation fixed
point. c = 1 is always a fixed point; its stability is set by

    χ1 = σ_w² E[φ'(√q* z)²]   (= C'(1), Price's theorem)

χ1 < 1: ordered phase, every pair of inputs becomes perfectly correlated
(c* = 1); χ1 > 1: chaotic phase, a stable c* < 1 appears and nearby inputs
decorrelate. Correlations approach c* geometrically, |c_l − c*| ∝ e^{−l/ξ_c},
with the depth scale

    ξ_c = −1/ln χ_c,   χ_c = σ_w² E[φ'(u)φ'(v)] at (q*, c*),

which diverges on the critical line χ1 = 1: only near it can signals (and
gradients) cross many layers, and the NTK Θ∞ of a deep net off the line
degenerates (relative to its diagonal: all entries equal in the ordered phase,
off-diagonal entries vanishing in the chaotic phase; Xiao et al. 2020).

All Gaussian expectations come from ``ntkcore.infinite.gaussian_expectations``
(closed forms for relu/erf/..., quadrature for tanh). Arrays broadcast; results
are NumPy. σ_w² and σ_b² here are w_std² and b_std² of ``MLP`` in the "ntk"
parameterization (same NNGP as "standard").

Homogeneous activations (relu, leaky_relu, identity) have E[φ(√q z)²] ∝ q,
so the variance either settles (σ_w² E[φ'²] < 1: q* = σ_b²/(1 − χ1)), or
grows without bound (χ1 ≥ 1 with σ_b² > 0: q* = ∞, reported as inf, where
c*, χ_c and ξ_c are NaN). Their χ1 does not depend on q: relu's critical line
is σ_w² = 2, with the single critical point (σ_w², σ_b²) = (2, 0) at which q is
preserved.
"""
from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as V
from .activations import ACTIVATION_NAMES
from .infinite import QUADRATURE, _points_for_variance, gaussian_expectations

HOMOGENEOUS = ("relu", "leaky_relu", "identity")  # E[φ(√q z)²] ∝ q, χ1 independent of q
Q_MAX = 1e6  # a variance fixed point beyond this counts as "no fixed point" (q* = inf)
_BISECT = 40  # bisection steps for q* (relative precision ~1e-12 of its bracket)
_BISECT_C = 30  # for c* ∈ [0, 1)
_BISECT_LINE = 40  # for the critical line's q


def _check_activation(activation: str) -> str:
    return V.check_choice("activation", activation, ACTIVATION_NAMES)


def _n_quad(activation: str, q_max: float) -> int:
    return _points_for_variance(float(q_max), activation) if activation in QUADRATURE else 0


@partial(jax.jit, static_argnames=("activation", "n_quad"))
def _diag(activation, q, n_quad):
    """(E[φ(√q z)²], E[φ'(√q z)²])."""
    return gaussian_expectations(activation, q, q, q, n_quad)


@partial(jax.jit, static_argnames=("activation", "n_quad"))
def _pair(activation, q, c, n_quad):
    """(E[φ(u)φ(v)], E[φ'(u)φ'(v)]) for (u, v) ~ N(0, q[[1, c], [c, 1]])."""
    return gaussian_expectations(activation, q, q, c * q, n_quad)


def _diag_np(activation, q, n_quad):
    q = np.asarray(q, np.float64)
    e, ed = _diag(activation, jnp.asarray(np.maximum(q, 0.0)), n_quad)
    return np.asarray(e, np.float64), np.asarray(ed, np.float64)


SIGMA2_MAX = 1e6  # σ_w², σ_b² ≤ 1e6: the models' w_std, b_std ≤ 1e3


def _broadcast(*arrays):
    return np.broadcast_arrays(*[np.asarray(a, np.float64) for a in arrays])


def _sigmas(sigma_w2, sigma_b2, *more):
    """σ_w², σ_b² (and ``more`` already-checked arrays) as broadcast float64 arrays, each finite in [0, 1e6]."""
    sw2 = V.check_float_array("sigma_w2", sigma_w2, 0.0, SIGMA2_MAX)
    sb2 = V.check_float_array("sigma_b2", sigma_b2, 0.0, SIGMA2_MAX)
    return _broadcast(*more, sw2, sb2)


def variance_map(activation: str, q, sigma_w2, sigma_b2) -> np.ndarray:
    """V(q) = σ_w² E[φ(√q z)²] + σ_b²: the next layer's pre-activation variance."""
    _check_activation(activation)
    q, sw2, sb2 = _sigmas(sigma_w2, sigma_b2, V.check_float_array("q", q, 0.0))
    e, _ = _diag_np(activation, q, _n_quad(activation, float(np.max(q, initial=1.0))))
    return sw2 * e + sb2


def fixed_point(activation: str, sigma_w2, sigma_b2, *, n_quad: int = 0) -> np.ndarray:
    """q* = V(q*), the largest fixed point of the variance map (inf if the variance grows without bound).

    Bounded activations (tanh, erf, sin) have q* ≤ σ_w² sup φ² + σ_b²; q* = 0 when
    σ_b² = 0 and 0 is the only fixed point (ordered phase of an odd activation).
    ``n_quad``: quadrature points for tanh/softplus (0 = enough for the largest variance).
    """
    _check_activation(activation)
    sw2, sb2 = _sigmas(sigma_w2, sigma_b2)
    if activation in HOMOGENEOUS:
        e, _ = _diag_np(activation, np.ones_like(sw2), 0)  # E[φ(√q z)²] = q·e
        slope = sw2 * e
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(slope < 1, sb2 / (1 - slope), np.where(sb2 > 0, np.inf, 0.0))
        return q
    bounded = activation in ("tanh", "erf", "sin")
    hi = sw2 + sb2 + 1.0 if bounded else np.full_like(sw2, Q_MAX)
    n_quad = n_quad or _n_quad(activation, float(hi.max(initial=1.0)))
    lo = np.zeros_like(sw2)
    g_hi = sw2 * _diag_np(activation, hi, n_quad)[0] + sb2 - hi
    unbounded = g_hi > 0
    # bisection keeping V(lo) − lo > 0 (or lo = 0) and V(hi) − hi ≤ 0: converges to the largest root
    for _ in range(_BISECT):
        mid = 0.5 * (lo + hi)
        g = sw2 * _diag_np(activation, mid, n_quad)[0] + sb2 - mid
        up = g > 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    q = 0.5 * (lo + hi)
    return np.where(unbounded, np.inf, q)


def chi1(activation: str, sigma_w2, sigma_b2, q_star=None, *, n_quad: int = 0) -> np.ndarray:
    """χ1 = σ_w² E[φ'(√q* z)²]: the slope of the correlation map at c = 1 (order < 1 < chaos)."""
    _check_activation(activation)
    sw2, sb2 = _sigmas(sigma_w2, sigma_b2)
    if activation in HOMOGENEOUS:
        return sw2 * _diag_np(activation, np.ones_like(sw2), 0)[1]
    q = fixed_point(activation, sw2, sb2, n_quad=n_quad) if q_star is None else \
        np.broadcast_to(np.asarray(q_star, np.float64), sw2.shape)
    finite = np.isfinite(q)
    qq = np.where(finite, q, 1.0)
    _, ed = _diag_np(activation, qq, n_quad or _n_quad(activation, float(qq.max(initial=1.0))))
    return np.where(finite, sw2 * ed, np.nan)


def correlation_map(activation: str, c, sigma_w2, sigma_b2, q_star=None) -> np.ndarray:
    """C(c) = (σ_w² E[φ(u)φ(v)] + σ_b²)/q* at the variance fixed point."""
    _check_activation(activation)
    c, sw2, sb2 = _sigmas(sigma_w2, sigma_b2, V.check_float_array("c", c, -1.0, 1.0))
    q = fixed_point(activation, sw2, sb2) if q_star is None else np.broadcast_to(np.asarray(q_star, np.float64), c.shape)
    return _correlation_map(activation, c, sw2, sb2, q)


def _correlation_map(activation, c, sw2, sb2, q, n_quad=None):
    ok = np.isfinite(q) & (q > 0)
    qq = np.where(ok, q, 1.0)
    n_quad = _n_quad(activation, float(qq.max(initial=1.0))) if n_quad is None else n_quad
    e, _ = _pair(activation, jnp.asarray(qq), jnp.asarray(np.clip(c, -1.0, 1.0)), n_quad)
    out = (sw2 * np.asarray(e, np.float64) + sb2) / qq
    return np.where(ok, out, np.where(q == 0, c, np.nan))  # q* = 0: the linear regime keeps c


class Criticality(NamedTuple):
    """Fixed points and slopes at each (σ_w², σ_b²) (arrays of the broadcast shape)."""

    q_star: np.ndarray
    c_star: np.ndarray
    chi1: np.ndarray
    chi_c: np.ndarray
    depth_scale: np.ndarray


def criticality(activation: str, sigma_w2, sigma_b2, *, n_quad: int = 0) -> Criticality:
    """q*, c*, χ1, χ_c and ξ_c = −1/ln χ_c at each (σ_w², σ_b²).

    c* = 1 in the ordered phase (χ1 ≤ 1); in the chaotic phase c* < 1 is found by
    bisection of C(c) − c on [0, 1). Where q* = inf all but q* and χ1 are NaN.
    ξ_c is inf where χ_c = 1 (on the critical line).
    """
    _check_activation(activation)
    sw2, sb2 = _sigmas(sigma_w2, sigma_b2)
    if activation in QUADRATURE and not n_quad:  # one rule for every step (one compile per shape)
        n_quad = _n_quad(activation, float(np.max(sw2 + sb2, initial=0.0)) + 1.0)
    q = fixed_point(activation, sw2, sb2, n_quad=n_quad)
    x1 = chi1(activation, sw2, sb2, q, n_quad=n_quad)
    finite = np.isfinite(q)
    chaotic = finite & (x1 > 1)
    c_star = np.where(finite, 1.0, np.nan)
    if np.any(chaotic):
        qq = np.where(finite, q, 1.0)
        lo, hi = np.zeros_like(sw2), np.ones_like(sw2)
        for _ in range(_BISECT_C):
            mid = 0.5 * (lo + hi)
            h = _correlation_map(activation, mid, sw2, sb2, qq, n_quad) - mid
            up = h >= 0
            lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
        c_star = np.where(chaotic, 0.5 * (lo + hi), c_star)
    chi_c = np.where(chaotic, _chi_c(activation, sw2, q, c_star, n_quad), x1)
    chi_c = np.where(finite, chi_c, np.nan)
    return Criticality(q, c_star, x1, chi_c, depth_scale_from_chi(chi_c))


def _chi_c(activation, sw2, q, c, n_quad=0):
    ok = np.isfinite(q) & (q > 0) & np.isfinite(c)
    qq = np.where(ok, q, 1.0)
    _, ed = _pair(activation, jnp.asarray(qq), jnp.asarray(np.where(ok, c, 0.0)),
                  n_quad or _n_quad(activation, float(qq.max(initial=1.0))))
    return np.where(ok, sw2 * np.asarray(ed, np.float64), np.nan)


def depth_scale_from_chi(chi_c) -> np.ndarray:
    """ξ_c = −1/ln χ_c, inf for χ_c ≥ 1 (on the critical line; a stable c* has χ_c ≤ 1, so larger
    values are rounding next to the line)."""
    chi_c = np.asarray(chi_c, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(chi_c >= 1.0, np.inf, -1.0 / np.log(chi_c))


def depth_scale(activation: str, sigma_w2, sigma_b2) -> np.ndarray:
    """ξ_c = −1/ln χ_c: the number of layers over which input correlations approach c*."""
    return criticality(activation, sigma_w2, sigma_b2).depth_scale


def critical_sigma_w2(activation: str, sigma_b2, *, q_max: float = 10.0) -> np.ndarray:
    """σ_w² on the critical line χ1 = 1 for each σ_b² (NaN where the line does not reach that σ_b²).

    On the line, χ1 = σ_w² E[φ'(√q z)²] = 1 and q = V(q) give it in terms of q:
    σ_w²(q) = 1/E[φ'²](q), σ_b²(q) = q − E[φ²](q)/E[φ'²](q); σ_b²(q) is inverted by
    bisection over q ∈ (0, q_max] (the line's variance; NaN beyond). Homogeneous activations: χ1 does not depend on q,
    so σ_w² = 1/E[φ'(z)²] for every σ_b² (2 for relu).
    """
    _check_activation(activation)
    sb2 = V.check_float_array("sigma_b2", sigma_b2, 0.0, SIGMA2_MAX)
    if activation in HOMOGENEOUS:
        return np.full_like(sb2, 1.0 / _diag_np(activation, np.ones(1), 0)[1][0])

    def line(q, n_quad):
        e, ed = _diag_np(activation, q, n_quad)
        return 1.0 / ed, q - e / ed

    q_hi = V.check_float("q_max", q_max, 0.0, Q_MAX, lo_open=True)
    n_quad = _n_quad(activation, q_hi)
    _, b_hi = line(np.array([q_hi]), n_quad)
    lo, hi = np.zeros_like(sb2), np.full_like(sb2, q_hi)
    for _ in range(_BISECT_LINE):
        mid = 0.5 * (lo + hi)
        _, b = line(mid, n_quad)
        up = b < sb2
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    sw2, _ = line(0.5 * (lo + hi), n_quad)
    return np.where(sb2 <= b_hi[0], sw2, np.nan)


class PhaseDiagram(NamedTuple):
    """``criticality`` over a grid: every field (B, W) with rows σ_b² and columns σ_w²,
    plus the critical σ_w² for each grid σ_b² (B,)."""

    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray
    c_star: np.ndarray
    chi1: np.ndarray
    chi_c: np.ndarray
    depth_scale: np.ndarray
    critical_sigma_w2: np.ndarray


def phase_diagram(activation: str, sw2_grid, sb2_grid) -> PhaseDiagram:
    """The order/chaos phase diagram of ``activation`` on the grid σ_w² × σ_b²."""
    sw = np.asarray(V.check_array("sw2_grid", sw2_grid, 1), np.float64)
    sb = np.asarray(V.check_array("sb2_grid", sb2_grid, 1), np.float64)
    SW, SB = np.meshgrid(sw, sb)
    crit = criticality(activation, SW, SB)
    return PhaseDiagram(sw, sb, *crit, critical_sigma_w2(activation, sb, q_max=float(sw.max() + sb.max()) + 1.0))


class DepthKernels(NamedTuple):
    """Infinite-width kernels of MLPs of depth 0..L (hidden layers), each (L+1, n, n)."""

    depths: np.ndarray
    nngp: np.ndarray
    ntk: np.ndarray


def kernels_by_depth(activation: str, sigma_w2: float, sigma_b2: float, x, max_depth: int) -> DepthKernels:
    """NNGP and NTK of the infinite-width MLP (NTK parameterization, w_std² = σ_w², b_std² = σ_b²)
    at every depth 0..max_depth in one pass, the recursion of ``infinite_kernels`` run layer
    by layer (one compile for all depths instead of one per depth).
    """
    _check_activation(activation)
    sw2 = V.check_float("sigma_w2", sigma_w2, 0.0, SIGMA2_MAX)
    sb2 = V.check_float("sigma_b2", sigma_b2, 0.0, SIGMA2_MAX)
    max_depth = V.check_int("max_depth", max_depth, 0, 1000)
    x = np.asarray(V.check_array("x", x, 2), np.float64)
    q0 = float(np.max(np.sum(x ** 2, -1)) / x.shape[-1])
    q_max = max(sw2 * q0 + sb2, sw2 + sb2 if activation in ("tanh", "erf", "sin") else 0.0)
    if activation in QUADRATURE and activation != "tanh":  # unbounded: follow the diagonal to be safe
        q = sw2 * q0 + sb2
        for _ in range(max_depth):
            q = float(variance_map(activation, q, sw2, sb2))
            q_max = max(q_max, q)
    dtype = jnp.result_type(float)
    nngp, ntk = _depth_scan(activation, max_depth + 1, _n_quad(activation, q_max), jnp.asarray(sw2, dtype),
                            jnp.asarray(sb2, dtype), jnp.asarray(x, dtype))
    return DepthKernels(np.arange(max_depth + 1), np.asarray(nngp), np.asarray(ntk))


@partial(jax.jit, static_argnames=("activation", "length", "n_quad"))
def _depth_scan(activation, length, n_quad, sw2, sb2, x):
    d = x.shape[-1]
    e12 = x @ x.T / d

    def layer(carry, _):
        e12, edot12, theta = carry
        k12 = sw2 * e12 + sb2
        theta = k12 + sw2 * edot12 * theta
        k11 = jnp.diagonal(k12)
        e12, edot12 = gaussian_expectations(activation, k11[:, None], k11[None, :], k12, n_quad)
        return (e12, edot12, theta), (k12, theta)

    _, (nngp, ntk) = jax.lax.scan(layer, (e12, jnp.zeros_like(e12), jnp.zeros_like(e12)), None, length=length)
    return nngp, ntk


# -- trainability: a deep network trained by GD (one compile for every depth) ----------------------

MAX_DEPTH = 50  # hidden layers beyond the requested depth are masked out of one fixed-size scan


class DeepRun(NamedTuple):
    """Full-batch GD of a deep MLP: ``loss`` (steps + 1,) from step 0, the learning rate used and the
    loss-normalized eigenvalues λ = eig(Θ0)/N of its empirical NTK at initialization (largest first)."""

    loss: np.ndarray
    lr: float
    eigvals: np.ndarray


def deep_mlp_gd(activation: str, sigma_w2: float, sigma_b2: float, depth: int, width: int, x, y, steps: int, *,
                c: float = 0.5, seed: int = 0) -> DeepRun:
    """Train an MLP of ``depth`` hidden layers (NTK parameterization, w_std² = σ_w², b_std² = σ_b²)
    by full-batch GD on L = (1/2N) Σ (f − y)² with η = c · 2/λ_max of its own initial NTK.

    Everything (init, the empirical NTK, its spectrum, the GD steps) is one jitted program whose
    hidden layers run in a ``lax.scan`` over ``MAX_DEPTH`` stacked layers, those beyond ``depth``
    masked to the identity (zero gradient): every depth and every σ reuses one compile per
    (activation, width, steps, data shape). ``MLP`` unrolls its layers in training, so its
    compile time grows with depth. Same maths as ``MLP(depth, width, activation, √σ_w², √σ_b²)``;
    only the random draws differ.
    """
    _check_activation(activation)
    sw2 = V.check_float("sigma_w2", sigma_w2, 0.0, 1e3)
    sb2 = V.check_float("sigma_b2", sigma_b2, 0.0, 1e3)
    depth = V.check_int("depth", depth, 1, MAX_DEPTH)
    width = V.check_int("width", width, 1, 4096)
    steps = V.check_int("steps", steps, 1, 100_000)
    c = V.check_float("c", c, 0.0, 10.0, lo_open=True)
    dtype = jnp.result_type(float)
    x = jnp.asarray(V.check_array("x", x, 2), dtype)
    y = jnp.asarray(np.reshape(np.asarray(y), (x.shape[0],)), dtype)
    hyper = (jnp.asarray(sw2, dtype), jnp.asarray(sb2, dtype), jnp.asarray(depth))
    loss, lam, lr = _deep_gd(activation, width, steps, jax.random.key(V.check_int("seed", seed, 0)), hyper,
                             x, y, jnp.asarray(c, dtype))
    return DeepRun(np.asarray(loss, np.float64), float(lr), np.asarray(lam, np.float64)[::-1])


def _deep_apply(activation, params, hyper, x):
    from .activations import activation_fn

    sw2, sb2, depth = hyper
    phi = activation_fn(activation)
    sw, sb = jnp.sqrt(sw2), jnp.sqrt(sb2)
    width = params["W_in"].shape[1]
    a = phi(sw / jnp.sqrt(x.shape[-1]) * x @ params["W_in"] + sb * params["b"][0])

    def layer(a, inputs):
        l, w, b = inputs
        new = phi(sw / jnp.sqrt(width) * a @ w + sb * b)
        return jnp.where(l < depth, new, a), None

    ls = jnp.arange(1, MAX_DEPTH)
    a, _ = jax.lax.scan(layer, a, (ls, params["W"], params["b"][1:MAX_DEPTH]))
    return sw / jnp.sqrt(width) * a @ params["W_out"] + sb * params["b"][MAX_DEPTH, 0]


@partial(jax.jit, static_argnums=(0, 1, 2))
def _deep_gd(activation, width, steps, key, hyper, x, y, c):
    k_in, k_hid, k_out, k_b = jax.random.split(key, 4)
    params = {
        "W_in": jax.random.normal(k_in, (x.shape[-1], width)),
        "W": jax.random.normal(k_hid, (MAX_DEPTH - 1, width, width)),
        "W_out": jax.random.normal(k_out, (width,)),
        "b": jax.random.normal(k_b, (MAX_DEPTH + 1, width)),
    }
    n = x.shape[0]
    # empirical NTK Θ0 = J Jᵀ from one VJP per output (masked layers have zero gradient)
    _, vjp = jax.vjp(lambda p: _deep_apply(activation, p, hyper, x), params)
    (rows,) = jax.vmap(vjp)(jnp.eye(n, dtype=x.dtype))
    flat = jnp.concatenate([r.reshape(n, -1) for r in jax.tree.leaves(rows)], axis=1)
    lam = jnp.linalg.eigvalsh(flat @ flat.T) / n
    lr = c * 2.0 / lam[-1]

    def loss_fn(p):
        return 0.5 * jnp.mean((_deep_apply(activation, p, hyper, x) - y) ** 2)

    def step(p, _):
        value, g = jax.value_and_grad(loss_fn)(p)
        return jax.tree.map(lambda a, b: a - lr * b, p, g), value

    p, losses = jax.lax.scan(step, params, None, length=steps)
    return jnp.concatenate([losses, loss_fn(p)[None]]), lam, lr
