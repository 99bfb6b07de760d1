"""A self-attention network (a small transformer encoder) in the NTK parameterization.

For x of shape (n, T, d), with every weight and bias N(0, 1) and
m = w_std/√fan_in on each weight matrix:

    h⁰_t   = m W_in [x_t, p_t] + b_std b_in                     (embedding; p_t = positional features)
    for each of ``depth`` blocks:
      q, k, v = m Wq h_t, m Wk h_t, m Wv h_t,  split into ``heads`` heads of d_head = width/heads
      α_ts   = softmax_s(q_t·k_s · s),        s = 1/d_head ("mean_field") or 1/√d_head ("standard")
      h_t   ← h_t + m Wo concat_heads(Σ_s α_ts v_s)             (attention sub-block, residual)
      h_t   ← h_t + m W2 φ(m W1 h_t + b_std b1) + b_std b2       (MLP sub-block, residual)
    f      = m W_out mean_t(h_t) + b_std b_out                   (mean pooling over tokens, readout)

Query–key scaling. With "mean_field" (1/d_head, the default) the logits
q·k/d_head are averages of d_head products of independent Gaussians and tend
to 0 as width → ∞ at a fixed number of heads: attention becomes uniform
averaging at initialization and the NNGP/NTK have a deterministic
infinite-width limit (Hron et al. 2020, "Infinite attention"; Yang's tensor
programs). With "standard" (1/√d_head, the usual transformer choice) the
logits stay random and O(1), so the kernel only becomes deterministic if the
number of heads grows too (Hron et al.). The infinite-width kernel is not
implemented here: use ``monte_carlo_kernels`` (mean and spread over seeds).

Positional features: with ``positional=True`` (default) each token gets 4
fixed features p_t = (sin 2πt/T, cos 2πt/T, sin 4πt/T, cos 4πt/T) appended
before the embedding; without them attention + mean pooling is invariant to
permuting the tokens and cannot see order.
"""
from __future__ import annotations

import dataclasses
import math
from functools import partial

import jax
import jax.numpy as jnp

from . import _validate as V
from ._sequence import check_in_shape, register
from .activations import ACTIVATION_NAMES, activation_fn

QK_SCALINGS = ("mean_field", "standard")
N_POSITIONAL = 4


@dataclasses.dataclass(frozen=True)
class Attention:
    """Self-attention network f: (T, d) sequences → R^out_dim (module docstring).

    Args:
      width: embedding width (≥ 1), divisible by ``heads``.
      heads: attention heads per block (≥ 1).
      depth: attention + MLP blocks (≥ 1).
      activation: the MLP sub-block's φ, one of ``ACTIVATION_NAMES``.
      w_std, b_std: weight and bias stds σ_w, σ_b (≥ 0).
      out_dim: number of outputs.
      qk_scaling: "mean_field" (logits / d_head) or "standard" (logits / √d_head).
      positional: append fixed sinusoidal position features to each token.

    ``init(key, in_shape)`` with in_shape = (T, d); ``apply(params, x)`` maps
    (n, T, d) → (n, out_dim). A pytree like ``MLP`` (σ_w, σ_b are leaves).
    """

    width: int = 64
    heads: int = 4
    depth: int = 1
    activation: str = "relu"
    w_std: float = 1.0
    b_std: float = 0.0
    out_dim: int = 1
    qk_scaling: str = "mean_field"
    positional: bool = True

    def __post_init__(self):
        object.__setattr__(self, "width", V.check_int("width", self.width, 1, 1 << 16))
        object.__setattr__(self, "heads", V.check_int("heads", self.heads, 1, self.width))
        if self.width % self.heads:
            raise ValueError(f"width must be divisible by heads (d_head = width/heads); got width {self.width}, "
                             f"heads {self.heads}")
        object.__setattr__(self, "depth", V.check_int("depth", self.depth, 1, 16))
        V.check_choice("activation", self.activation, ACTIVATION_NAMES)
        object.__setattr__(self, "w_std", V.check_float("w_std", self.w_std, 0.0, 1e3))
        object.__setattr__(self, "b_std", V.check_float("b_std", self.b_std, 0.0, 1e3))
        object.__setattr__(self, "out_dim", V.check_int("out_dim", self.out_dim, 1, 4096))
        V.check_choice("qk_scaling", self.qk_scaling, QK_SCALINGS)
        if not isinstance(self.positional, bool):
            raise ValueError(f"positional must be True or False; got {self.positional!r}")

    def init(self, key: jax.Array, in_shape: tuple[int, int]) -> dict:
        """θ0 for sequences of shape (T, d): every weight and bias N(0, 1)."""
        _, d = check_in_shape(in_shape)
        d_in = d + (N_POSITIONAL if self.positional else 0)
        V.check_memory(f"Attention(width={self.width}, depth={self.depth}).init with d={d}",
                       V.params_nbytes(V.param_shapes(_attn_init, self, d_in)), "width, depth or d")
        return _attn_init(self, key, d_in)

    def apply(self, params: dict, x: jax.Array) -> jax.Array:
        """f(x; θ) for x of shape (n, T, d) → (n, out_dim)."""
        return _attn_forward(self, params, x)

    def features(self, params: dict, x: jax.Array) -> jax.Array:
        """The mean-pooled token representation fed to the readout, (n, width)."""
        return _attn_features(self, params, x)

    def nngp(self, params: dict, x1: jax.Array, x2: jax.Array) -> jax.Array:
        """Finite-width NNGP (n1, n2): the readout's covariance given the pooled features,
        σ_w²/width · h̄(x)·h̄(x') + σ_b²."""
        h1, h2 = _attn_features(self, params, x1), _attn_features(self, params, x2)
        return self.w_std ** 2 / self.width * (h1 @ h2.T) + self.b_std ** 2

    def in_shape_of(self, params: dict) -> tuple[None, int]:
        """(None, d): any sequence length, token dimension d."""
        return None, int(params["embed"]["W"].shape[0]) - (N_POSITIONAL if self.positional else 0)


register(Attention, ("width", "heads", "depth", "activation", "out_dim", "qk_scaling", "positional"),
         ("w_std", "b_std"))


def positional_features(T: int) -> jax.Array:
    """(T, 4): sin/cos of 2πt/T and 4πt/T for t = 0 … T−1, in the default float precision."""
    t = jnp.arange(T, dtype=jnp.result_type(float)) / T
    return jnp.stack([jnp.sin(2 * jnp.pi * t), jnp.cos(2 * jnp.pi * t),
                      jnp.sin(4 * jnp.pi * t), jnp.cos(4 * jnp.pi * t)], -1)


@partial(jax.jit, static_argnums=(2,))
def _attn_init(model: Attention, key: jax.Array, d_in: int) -> dict:
    dtype = jnp.result_type(float)
    n = model.width
    keys = iter(jax.random.split(key, 4 + 8 * model.depth))

    def normal(shape):
        return jax.random.normal(next(keys), shape, dtype)

    params = {"embed": {"W": normal((d_in, n)), "b": normal((n,))}, "blocks": []}
    for _ in range(model.depth):
        params["blocks"].append({
            "attn": {"Wq": normal((n, n)), "Wk": normal((n, n)), "Wv": normal((n, n)), "W": normal((n, n))},
            "mlp1": {"W": normal((n, n)), "b": normal((n,))},
            "mlp2": {"W": normal((n, n)), "b": normal((n,))},
        })
    params["readout"] = {"W": normal((n, model.out_dim)), "b": normal((model.out_dim,))}
    return params


def _attn_forward(model: Attention, params: dict, x: jax.Array) -> jax.Array:
    r = params["readout"]
    m = model.w_std / math.sqrt(model.width)
    return m * (_attn_features(model, params, x) @ r["W"]) + model.b_std * r["b"]


def _attn_features(model: Attention, params: dict, x: jax.Array) -> jax.Array:
    phi = activation_fn(model.activation)
    n_seq, T, _ = x.shape
    if model.positional:
        x = jnp.asarray(x, jnp.result_type(float))
        pos = jnp.broadcast_to(positional_features(T), (n_seq, T, N_POSITIONAL))
        x = jnp.concatenate([x, pos], -1)
    n, H = model.width, model.heads
    dh = n // H
    m = model.w_std / math.sqrt(n)
    scale = 1.0 / dh if model.qk_scaling == "mean_field" else 1.0 / math.sqrt(dh)
    e = params["embed"]
    h = (model.w_std / math.sqrt(x.shape[-1])) * (x @ e["W"]) + model.b_std * e["b"]
    for blk in params["blocks"]:
        a = blk["attn"]
        q = (m * (h @ a["Wq"])).reshape(n_seq, T, H, dh)
        k = (m * (h @ a["Wk"])).reshape(n_seq, T, H, dh)
        v = (m * (h @ a["Wv"])).reshape(n_seq, T, H, dh)
        logits = jnp.einsum("bthd,bshd->bhts", q, k) * scale
        alpha = jax.nn.softmax(logits, axis=-1)
        o = jnp.einsum("bhts,bshd->bthd", alpha, v).reshape(n_seq, T, n)
        h = h + m * (o @ a["W"])
        p1, p2 = blk["mlp1"], blk["mlp2"]
        z = m * (h @ p1["W"]) + model.b_std * p1["b"]
        h = h + m * (phi(z) @ p2["W"]) + model.b_std * p2["b"]
    return h.mean(1)
