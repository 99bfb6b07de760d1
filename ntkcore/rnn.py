"""Elman recurrent network (RNN) in the NTK parameterization, and its infinite-width kernels.

Layer l = 1…depth runs over time t = 1…T with weights shared across time,

    g^l_t = (w_std/√n_in) W_l a^{l-1}_t + (u_std/√width) U_l h^l_{t-1} + b_std b_l,   h^l_t = φ(g^l_t),  h^l_0 = 0,

a⁰_t = x_t (n_in = d for the first layer, width above), a^l_t = h^l_t. The
readout reads the last state of the top layer: f = (w_std/√width) V h^L_T +
b_std c. Every weight and bias is N(0, 1).

Infinite width (the recurrent NTK, Alemohammad et al. 2021, "The Recurrent
Neural Tangent Kernel"). For two sequences x, x' of the same length T only
time-aligned pairs (t, t) enter the last state's kernel, and with
E^0_t = x_t·x'_t/d, Ė^0_t = 0, Θ^0_t = 0:

    Σ^l_t = w_std² E^{l-1}_t + b_std² + u_std² E[φφ](Σ^l_{t-1})           (u_std² term absent at t = 1)
    Θ^l_t = Σ^l_t + w_std² Ė^{l-1}_t Θ^{l-1}_t + u_std² E[φ'φ'](Σ^l_{t-1}) Θ^l_{t-1}
    E^l_t, Ė^l_t = E[φφ](Σ^l_t), E[φ'φ'](Σ^l_t)
    NNGP = w_std² E^L_T + b_std²,   NTK = NNGP + w_std² Ė^L_T Θ^L_T

(E[·](Σ) is the Gaussian expectation of infinite.py, closed forms only:
relu, leaky_relu, erf, sin, identity, gelu.) Verified against the Monte
Carlo mean of empirical kernels in tests/test_ntkcore_sequence.py.
"""
from __future__ import annotations

import dataclasses
import math
from functools import partial

import jax
import jax.numpy as jnp

from . import _validate as V
from ._sequence import check_in_shape, check_sequences, register
from .activations import ACTIVATION_NAMES, activation_fn

RNN_INFINITE_ACTIVATIONS = ("relu", "leaky_relu", "erf", "sin", "identity", "gelu")


@dataclasses.dataclass(frozen=True)
class RNN:
    """Elman network f: (T, d) sequences → R^out_dim, reading out the last hidden state.

    Args:
      width: hidden units per layer (≥ 1).
      depth: stacked recurrent layers (≥ 1).
      activation: one of ``ACTIVATION_NAMES`` (default tanh).
      w_std: input-to-hidden and readout weight std σ_w (≥ 0).
      b_std: bias std σ_b (≥ 0).
      u_std: recurrent (hidden-to-hidden) weight std σ_u (≥ 0).
      out_dim: number of outputs.

    ``init(key, in_shape)`` with in_shape = (T, d) returns
    ``{"layers": [{"W", "U", "b"}, …], "readout": {"W", "b"}}``;
    ``apply(params, x)`` maps x (n, T, d) → (n, out_dim). Any T works with
    the same parameters; in_shape fixes the d the weights are drawn for.
    A pytree like ``MLP`` (σ's are leaves, the architecture is static).
    """

    width: int = 256
    depth: int = 1
    activation: str = "tanh"
    w_std: float = 1.0
    b_std: float = 0.0
    u_std: float = 1.0
    out_dim: int = 1

    def __post_init__(self):
        object.__setattr__(self, "width", V.check_int("width", self.width, 1, 1 << 16))
        object.__setattr__(self, "depth", V.check_int("depth", self.depth, 1, 16))
        V.check_choice("activation", self.activation, ACTIVATION_NAMES)
        for name in ("w_std", "b_std", "u_std"):
            object.__setattr__(self, name, V.check_float(name, getattr(self, name), 0.0, 1e3))
        object.__setattr__(self, "out_dim", V.check_int("out_dim", self.out_dim, 1, 4096))

    def init(self, key: jax.Array, in_shape: tuple[int, int]) -> dict:
        """θ0 for sequences of shape (T, d): every weight and bias N(0, 1)."""
        _, d = check_in_shape(in_shape)
        V.check_memory(f"RNN(width={self.width}, depth={self.depth}).init with d={d}",
                       V.params_nbytes(V.param_shapes(_rnn_init, self, d)), "width, depth or d")
        return _rnn_init(self, key, d)

    def apply(self, params: dict, x: jax.Array) -> jax.Array:
        """f(x; θ) for x of shape (n, T, d) → (n, out_dim)."""
        return _rnn_forward(self, params, x)

    def features(self, params: dict, x: jax.Array) -> jax.Array:
        """The top layer's last hidden state h^L_T, (n, width)."""
        return _rnn_last_state(self, params, x)

    def nngp(self, params: dict, x1: jax.Array, x2: jax.Array) -> jax.Array:
        """Finite-width NNGP (n1, n2): the readout's covariance given the last states,
        σ_w²/width · h_T(x)·h_T(x') + σ_b² (its mean over seeds is the NNGP)."""
        h1, h2 = _rnn_last_state(self, params, x1), _rnn_last_state(self, params, x2)
        return self.w_std ** 2 / self.width * (h1 @ h2.T) + self.b_std ** 2

    def in_shape_of(self, params: dict) -> tuple[None, int]:
        """(None, d): any sequence length, token dimension d."""
        return None, int(params["layers"][0]["W"].shape[0])


register(RNN, ("width", "depth", "activation", "out_dim"), ("w_std", "b_std", "u_std"))


@partial(jax.jit, static_argnums=(2,))
def _rnn_init(model: RNN, key: jax.Array, d: int) -> dict:
    dtype = jnp.result_type(float)
    keys = jax.random.split(key, model.depth + 1)
    layers = []
    n_in = d
    for l in range(model.depth):
        kw, ku, kb = jax.random.split(keys[l], 3)
        layers.append({"W": jax.random.normal(kw, (n_in, model.width), dtype),
                       "U": jax.random.normal(ku, (model.width, model.width), dtype),
                       "b": jax.random.normal(kb, (model.width,), dtype)})
        n_in = model.width
    kw, kb = jax.random.split(keys[-1])
    readout = {"W": jax.random.normal(kw, (model.width, model.out_dim), dtype),
               "b": jax.random.normal(kb, (model.out_dim,), dtype)}
    return {"layers": layers, "readout": readout}


def _rnn_forward(model: RNN, params: dict, x: jax.Array) -> jax.Array:
    r = params["readout"]
    return (model.w_std / math.sqrt(model.width)) * (_rnn_last_state(model, params, x) @ r["W"]) + model.b_std * r["b"]


def _rnn_last_state(model: RNN, params: dict, x: jax.Array) -> jax.Array:
    phi = activation_fn(model.activation)
    a = jnp.swapaxes(x, 0, 1)  # (T, n, n_in): scan over time
    n = x.shape[0]
    for p in params["layers"]:
        n_in = p["W"].shape[0]
        drive = (model.w_std / math.sqrt(n_in)) * (a @ p["W"]) + model.b_std * p["b"]  # (T, n, width)
        u = (model.u_std / math.sqrt(model.width)) * p["U"]

        def step(h, g_in, u=u):
            h = phi(g_in + h @ u)
            return h, h

        h0 = jnp.zeros((n, model.width), drive.dtype)
        _, a = jax.lax.scan(step, h0, drive)
    return a[-1]


def rnn_infinite_kernels(model: RNN, x1, x2=None):
    """Infinite-width ``Kernels(nngp, ntk)`` (n1, n2) of ``model`` on sequences x1 (n1, T, d), x2 (n2, T, d).

    Both sets must have the same T (the kernel of the last states of
    different-length sequences is not implemented). Closed-form activations
    only (``RNN_INFINITE_ACTIVATIONS``); ``width`` is ignored.
    """
    from .infinite import _N_KERNEL_ARRAYS, Kernels, check_finite_kernels

    if not isinstance(model, RNN):
        raise ValueError(f"rnn_infinite_kernels needs an RNN model; got {type(model).__name__}")
    V.check_choice("activation (for the infinite-width RNN kernel)", model.activation, RNN_INFINITE_ACTIVATIONS)
    x1 = check_sequences("x1", x1)
    x2 = x1 if x2 is None else check_sequences("x2", x2, x1.shape[1:])
    dtype = jnp.result_type(float)
    (n1, t, d), n2 = x1.shape, x2.shape[0]
    V.check_memory(f"the recurrent NTK on {n1}×{n2} sequences of length {t}",
                   (_N_KERNEL_ARRAYS * t * n1 * n2 + (n1 + n2) * t * d) * jnp.dtype(dtype).itemsize,
                   "the number of sequences in x1 and x2 or their length T")
    x1, x2 = jnp.asarray(x1, dtype), jnp.asarray(x2, dtype)
    nngp, ntk = _rnn_kernels(dataclasses.replace(model, width=1), x1, x2)
    check_finite_kernels(bool(jnp.isfinite(nngp).all() & jnp.isfinite(ntk).all()), model, x1, x2)
    return Kernels(nngp, ntk)


@jax.jit
def _rnn_kernels(model: RNN, x1, x2):
    from .infinite import _expectations

    act = model.activation
    w2, b2, u2 = model.w_std ** 2, model.b_std ** 2, model.u_std ** 2
    d = x1.shape[-1]
    # per time step t: cross (n1, n2) and diagonal (n1,), (n2,) quantities of the layer below
    e12 = jnp.einsum("itd,jtd->tij", x1, x2) / d
    e11 = jnp.sum(x1 ** 2, -1).T / d  # (T, n1)
    e22 = jnp.sum(x2 ** 2, -1).T / d
    edot12 = jnp.zeros_like(e12)
    th_below = jnp.zeros_like(e12)
    for _ in range(model.depth):
        def step(carry, inp):
            s12p, s11p, s22p, thp, first = carry
            e12_t, e11_t, e22_t, ed_t, thb_t = inp
            f12, fd12 = _expectations(act, s11p[:, None], s22p[None, :], s12p, 0)
            f11, _ = _expectations(act, s11p, s11p, s11p, 0)
            f22, _ = _expectations(act, s22p, s22p, s22p, 0)
            rec = jnp.where(first, 0.0, u2)
            s12 = w2 * e12_t + b2 + rec * f12
            s11 = w2 * e11_t + b2 + rec * f11
            s22 = w2 * e22_t + b2 + rec * f22
            th = s12 + w2 * ed_t * thb_t + rec * fd12 * thp
            return (s12, s11, s22, th, False), (s12, s11, s22, th)

        n1, n2 = x1.shape[0], x2.shape[0]
        one = jnp.ones((), x1.dtype)
        init = (jnp.full((n1, n2), 0.5, x1.dtype) * one, jnp.ones((n1,), x1.dtype), jnp.ones((n2,), x1.dtype),
                jnp.zeros((n1, n2), x1.dtype), True)
        _, (s12, s11, s22, th) = jax.lax.scan(step, init, (e12, e11, e22, edot12, th_below))
        e12, edot12 = _expectations(act, s11[:, :, None], s22[:, None, :], s12, 0)
        e11, _ = _expectations(act, s11, s11, s11, 0)
        e22, _ = _expectations(act, s22, s22, s22, 0)
        th_below = th
    nngp = w2 * e12[-1] + b2
    ntk = nngp + w2 * edot12[-1] * th_below[-1]
    return nngp, ntk
