"""Pointwise nonlinearities φ used by every model.

Derivatives are taken by forward-mode autodiff of φ itself, so the fast NTK
path and ``jax.jacrev`` agree exactly (including conventions at kinks, e.g.
relu'(0) = 0 as in JAX).
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
from jax.scipy.special import erf

LEAKY_SLOPE = 0.01  # negative slope of leaky_relu, as jax.nn.leaky_relu


def _gelu_exact(x):
    # x·Φ(x) with the exact Gaussian CDF (not the tanh approximation).
    return jax.nn.gelu(x, approximate=False)


ACTIVATIONS: dict[str, Callable] = {
    "relu": jax.nn.relu,
    "leaky_relu": lambda x: jax.nn.leaky_relu(x, LEAKY_SLOPE),
    "erf": erf,
    "tanh": jnp.tanh,
    "gelu": _gelu_exact,
    "sin": jnp.sin,
    "softplus": jax.nn.softplus,
    "identity": lambda x: x,
}

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def activation_fn(name: str) -> Callable:
    """φ for ``name``; raises ``ValueError`` for unknown names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"activation must be one of {', '.join(map(repr, ACTIVATION_NAMES))}; got {name!r}") from None


def activation_and_derivative(name: str, z: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(φ(z), φ'(z)) elementwise, φ' by a single JVP with unit tangent."""
    return jax.jvp(activation_fn(name), (z,), (jnp.ones_like(z),))
