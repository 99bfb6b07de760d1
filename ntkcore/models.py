"""The fully connected network (MLP) and its three parameterizations.

Every Dense layer l computes

    z_l = m_W · a_{l-1} @ W_l + m_b · b_l,   W_l ~ N(0, σ_W²),  b_l ~ N(0, σ_b²),

and gradient descent updates each parameter with learning rate η · r (r = the
layer's learning-rate multiplier). The parameterizations differ only in
(m_W, σ_W, m_b, σ_b, r); n_in = fan_in, n_out = fan_out of the layer:

| parameterization | m_W              | σ_W                 | m_b   | σ_b   | r_W                 | r_b   |
|------------------|------------------|---------------------|-------|-------|---------------------|-------|
| "ntk"            | w_std/√n_in      | 1                   | b_std | 1     | 1                   | 1     |
| "standard"       | 1                | w_std/√n_in         | 1     | b_std | 1                   | 1     |
| "mup" input      | 1                | w_std/√n_in         | 1     | b_std | n_out               | n_out |
| "mup" hidden     | 1                | w_std/√n_in         | 1     | b_std | 1                   | n_out |
| "mup" readout    | 1                | w_std/n_in          | 1     | b_std | 1/n_in              | n_out |

The muP rows are the SGD table of Yang & Hu (Tensor Programs IV/V, "practical
muP"): input weights and all biases get lr η·fan_out, hidden weights η, the
readout has initial variance 1/fan_in² and lr η/fan_in, so the output at
initialization vanishes as width grows while every layer's features move by
order one per step. "ntk" is the convention of Jacot et al. and
neural-tangents. Biases are always parameters; in "ntk" they enter scaled by
b_std (so b_std = 0 freezes them out of the NTK), in "standard"/"mup" they are
initialised N(0, b_std²) and trained.
"""
from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _validate as V
from .activations import ACTIVATION_NAMES, activation_and_derivative, activation_fn

PARAMETERIZATIONS: tuple[str, ...] = ("ntk", "standard", "mup")

Params = list  # list of {"W": (n_in, n_out), "b": (n_out,)}, one per Dense layer


class LayerSpec(NamedTuple):
    """Static description of one Dense layer (see the module docstring)."""

    fan_in: int
    fan_out: int
    m_w: float
    sigma_w: float
    m_b: float
    sigma_b: float
    lr_w: float
    lr_b: float

    @property
    def omega2(self) -> float:
        """Effective weight variance × fan_in: w_std² except for the muP readout."""
        return (self.m_w * self.sigma_w) ** 2 * self.fan_in

    @property
    def beta2(self) -> float:
        """Effective bias variance (b_std²)."""
        return (self.m_b * self.sigma_b) ** 2


@jax.tree_util.register_pytree_node_class
@dataclasses.dataclass(frozen=True)
class MLP:
    """Fully connected network f: R^d → R^out_dim.

    Args:
      width: hidden units per layer (n ≥ 1).
      depth: number of hidden layers (0 = a linear model).
      activation: one of ``ACTIVATION_NAMES``.
      w_std, b_std: weight and bias standard deviations (σ_w, σ_b ≥ 0).
      parameterization: "ntk", "standard" or "mup" (module docstring).
      out_dim: number of outputs.

    ``init(key, in_dim)`` returns the parameters (a list of {"W", "b"} dicts)
    and ``apply(params, x)`` maps x of shape (n, in_dim) to (n, out_dim).

    The model is also a JAX pytree whose leaves are (w_std, b_std) and whose
    static part is the architecture: jitted functions take it as an ordinary
    argument, so changing σ_w or σ_b reuses the compiled code (only width,
    depth, activation, parameterization and out_dim trigger a new compile).
    """

    width: int = 512
    depth: int = 2
    activation: str = "relu"
    w_std: float = 1.0
    b_std: float = 0.0
    parameterization: str = "ntk"
    out_dim: int = 1

    def __post_init__(self):
        object.__setattr__(self, "width", V.check_int("width", self.width, 1, 1 << 20))
        object.__setattr__(self, "depth", V.check_int("depth", self.depth, 0, 64))
        V.check_choice("activation", self.activation, ACTIVATION_NAMES)
        object.__setattr__(self, "w_std", V.check_float("w_std", self.w_std, 0.0, 1e3))
        object.__setattr__(self, "b_std", V.check_float("b_std", self.b_std, 0.0, 1e3))
        V.check_choice("parameterization", self.parameterization, PARAMETERIZATIONS)
        object.__setattr__(self, "out_dim", V.check_int("out_dim", self.out_dim, 1, 4096))

    # -- pytree: σ_w, σ_b are data; the architecture is static ---------------
    def tree_flatten(self):
        return (self.w_std, self.b_std), (self.width, self.depth, self.activation, self.parameterization, self.out_dim)

    @classmethod
    def tree_unflatten(cls, aux, children):
        # Bypass __init__: inside jit the leaves are tracers, which validation must not see.
        obj = object.__new__(cls)
        for name, value in zip(("width", "depth", "activation", "parameterization", "out_dim"), aux):
            object.__setattr__(obj, name, value)
        object.__setattr__(obj, "w_std", children[0])
        object.__setattr__(obj, "b_std", children[1])
        return obj

    # -- structure ---------------------------------------------------------
    def layer_specs(self, in_dim: int) -> tuple[LayerSpec, ...]:
        """One ``LayerSpec`` per Dense layer, input layer first, readout last."""
        in_dim = V.check_int("in_dim", in_dim, 1)
        dims = [in_dim] + [self.width] * self.depth + [self.out_dim]
        specs = []
        n_layers = len(dims) - 1
        for l in range(n_layers):
            n_in, n_out = dims[l], dims[l + 1]
            is_first, is_last = l == 0, l == n_layers - 1
            if self.parameterization == "ntk":
                spec = LayerSpec(n_in, n_out, self.w_std / math.sqrt(n_in), 1.0, self.b_std, 1.0, 1.0, 1.0)
            elif self.parameterization == "standard":
                spec = LayerSpec(n_in, n_out, 1.0, self.w_std / math.sqrt(n_in), 1.0, self.b_std, 1.0, 1.0)
            else:  # mup
                if is_last and not is_first:
                    sigma_w, lr_w = self.w_std / n_in, 1.0 / n_in
                elif is_first and not is_last:
                    sigma_w, lr_w = self.w_std / math.sqrt(n_in), float(n_out)
                else:  # hidden, or a depth-0 linear model (input = readout)
                    sigma_w, lr_w = self.w_std / math.sqrt(n_in), 1.0
                spec = LayerSpec(n_in, n_out, 1.0, sigma_w, 1.0, self.b_std, lr_w, float(n_out))
            specs.append(spec)
        return tuple(specs)

    # -- parameters and forward pass --------------------------------------
    def init(self, key: jax.Array, in_dim: int) -> Params:
        """θ0: W_l ~ N(0, σ_W²), b_l ~ N(0, σ_b²) in the default float dtype.

        ``ValueError`` if the parameters alone would exceed ``ntkcore.set_memory_limit``."""
        in_dim = V.check_int("in_dim", in_dim, 1)
        V.check_memory(f"MLP(width={self.width}, depth={self.depth}).init with in_dim={in_dim}",
                       V.params_nbytes(V.param_shapes(_init, self, in_dim)), "width, depth or in_dim")
        return _init(self, key, in_dim)

    def lr_multipliers(self, in_dim: int) -> Params:
        """Per-parameter learning-rate multipliers r, a pytree shaped like the params' leaves (scalars)."""
        return [{"W": s.lr_w, "b": s.lr_b} for s in self.layer_specs(in_dim)]

    def apply(self, params: Params, x: jax.Array) -> jax.Array:
        """f(x; θ) for x of shape (n, in_dim) → (n, out_dim)."""
        return _forward(self, params, x)[0]

    def in_dim(self, params: Params) -> int:
        return int(params[0]["W"].shape[0])


@partial(jax.jit, static_argnums=(2,))
def _init(model: MLP, key: jax.Array, in_dim: int) -> Params:
    # Jitted as a whole: one compile for the initialization instead of one per random draw.
    dtype = jnp.result_type(float)
    params = []
    for spec, k in zip(model.layer_specs(in_dim), jax.random.split(key, model.depth + 1)):
        kw, kb = jax.random.split(k)
        params.append({
            "W": spec.sigma_w * jax.random.normal(kw, (spec.fan_in, spec.fan_out), dtype),
            "b": spec.sigma_b * jax.random.normal(kb, (spec.fan_out,), dtype),
        })
    return params


def _forward(model: MLP, params: Params, x: jax.Array, keep: bool = False):
    """Forward pass. With ``keep``, also the layer inputs A_l and φ'(z_l) of hidden layers."""
    specs = model.layer_specs(params[0]["W"].shape[0])
    a = x
    inputs, derivs = [], []
    for l, (spec, p) in enumerate(zip(specs, params)):
        z = spec.m_w * (a @ p["W"]) + spec.m_b * p["b"]
        if keep:
            inputs.append(a)
        if l == len(specs) - 1:
            return z, inputs, derivs
        if keep:
            a, d = activation_and_derivative(model.activation, z)
            derivs.append(d)
        else:
            a = activation_fn(model.activation)(z)
