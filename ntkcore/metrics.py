"""Drift metrics: how far training moves the kernel, the weights and the function.

All take arrays and return scalars (or one value per layer). NumPy inputs are
computed with NumPy (no JIT compile, as when post-processing a recorded
trajectory); JAX inputs with jax.numpy (usable inside jit).
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


def _xp(*arrays):
    return np if all(isinstance(a, (np.ndarray, np.generic, float, int)) for a in arrays) else jnp


def relative_kernel_change(theta_t: jax.Array, theta_0: jax.Array) -> jax.Array:
    """‖Θt − Θ0‖_F / ‖Θ0‖_F (Lee et al. 2019): ∝ width^-1/2 … width^-1 in the lazy regime."""
    xp = _xp(theta_t, theta_0)
    return xp.linalg.norm(theta_t - theta_0) / xp.linalg.norm(theta_0)


def kernel_distance(k1: jax.Array, k2: jax.Array) -> jax.Array:
    """S = 1 − ⟨K1, K2⟩_F / (‖K1‖_F ‖K2‖_F) (Fort et al. 2020): 0 for kernels equal up to scale."""
    xp = _xp(k1, k2)
    return 1.0 - xp.sum(k1 * k2) / (xp.linalg.norm(k1) * xp.linalg.norm(k2))


def kernel_target_alignment(theta: jax.Array, y: jax.Array) -> jax.Array:
    """A(Θ, y) = ⟨Θ, Y Yᵀ⟩_F / (‖Θ‖_F ‖Y Yᵀ‖_F) for targets y of shape (n,) or (n, K).

    1 when Θ ∝ y yᵀ; rises during feature learning as the kernel adapts to the task.
    """
    xp = _xp(theta, y)
    y = y.reshape(y.shape[0], -1)
    yy = y @ y.T
    return xp.sum(theta * yy) / (xp.linalg.norm(theta) * xp.linalg.norm(yy))


def relative_weight_change(params_t: Any, params_0: Any) -> list[jax.Array]:
    """‖θt − θ0‖ / ‖θ0‖ for each weight matrix (each leaf named "W"; every leaf if none is)."""
    leaves_t = jax.tree_util.tree_leaves_with_path(params_t)
    leaves_0 = jax.tree.leaves(params_0)
    named = [(path, a, b) for (path, a), b in zip(leaves_t, leaves_0)]
    weights = [(a, b) for path, a, b in named if "'W'" in jax.tree_util.keystr(path)] or [(a, b) for _, a, b in named]
    xp = _xp(*[b for _, b in weights])
    return [xp.linalg.norm(a - b) / xp.maximum(xp.linalg.norm(b), xp.finfo(b.dtype).tiny) for a, b in weights]


def function_gap(f: jax.Array, f_lin: jax.Array) -> jax.Array:
    """Root-mean-square difference ‖f_t − f_t^lin‖ over the evaluation inputs."""
    xp = _xp(f, f_lin)
    return xp.sqrt(xp.mean((f - f_lin) ** 2))
