"""Drift metrics: how far training moves the kernel, the weights and the function.

All take arrays and return scalars (or one value per layer); they work on
NumPy or JAX arrays alike.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp


def relative_kernel_change(theta_t: jax.Array, theta_0: jax.Array) -> jax.Array:
    """‖Θt − Θ0‖_F / ‖Θ0‖_F (Lee et al. 2019): ∝ width^-1/2 … width^-1 in the lazy regime."""
    return jnp.linalg.norm(theta_t - theta_0) / jnp.linalg.norm(theta_0)


def kernel_distance(k1: jax.Array, k2: jax.Array) -> jax.Array:
    """S = 1 − ⟨K1, K2⟩_F / (‖K1‖_F ‖K2‖_F) (Fort et al. 2020): 0 for kernels equal up to scale."""
    return 1.0 - jnp.sum(k1 * k2) / (jnp.linalg.norm(k1) * jnp.linalg.norm(k2))


def kernel_target_alignment(theta: jax.Array, y: jax.Array) -> jax.Array:
    """A(Θ, y) = ⟨Θ, Y Yᵀ⟩_F / (‖Θ‖_F ‖Y Yᵀ‖_F) for targets y of shape (n,) or (n, K).

    1 when Θ ∝ y yᵀ; rises during feature learning as the kernel adapts to the task.
    """
    y = y.reshape(y.shape[0], -1)
    yy = y @ y.T
    return jnp.sum(theta * yy) / (jnp.linalg.norm(theta) * jnp.linalg.norm(yy))


def relative_weight_change(params_t: Any, params_0: Any) -> list[jax.Array]:
    """‖θt − θ0‖ / ‖θ0‖ for each weight matrix (each leaf named "W"; every leaf if none is)."""
    leaves_t = jax.tree_util.tree_leaves_with_path(params_t)
    leaves_0 = jax.tree.leaves(params_0)
    named = [(path, a, b) for (path, a), b in zip(leaves_t, leaves_0)]
    weights = [(a, b) for path, a, b in named if "'W'" in jax.tree_util.keystr(path)] or [(a, b) for _, a, b in named]
    return [jnp.linalg.norm(a - b) / jnp.maximum(jnp.linalg.norm(b), jnp.finfo(b.dtype).tiny) for a, b in weights]


def function_gap(f: jax.Array, f_lin: jax.Array) -> jax.Array:
    """Root-mean-square difference ‖f_t − f_t^lin‖ over the evaluation inputs."""
    return jnp.sqrt(jnp.mean((f - f_lin) ** 2))
