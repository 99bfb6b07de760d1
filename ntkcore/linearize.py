"""The linearized (first-order Taylor) model around θ0."""
from __future__ import annotations

from typing import Any, Callable

import jax


def linearize(model: Any, params0: Any) -> Callable[[Any, jax.Array], jax.Array]:
    """f_lin(θ, x) = f(θ0, x) + J(θ0, x)·(θ − θ0), returning (n, out_dim).

    Evaluated with one JVP, so it never forms the Jacobian. Trained by gradient
    descent on MSE it follows the closed-form kernel dynamics of Θ0 exactly.
    """
    if not hasattr(model, "apply"):
        raise ValueError(f"model must have an apply(params, x) method; got {type(model).__name__}")

    def f_lin(params, x):
        return linear_apply(model.apply, params0, params, x)

    return f_lin


def linear_apply(apply_fn: Callable, params0: Any, params: Any, x: jax.Array) -> jax.Array:
    """f(θ0, x) + J(θ0, x)(θ − θ0): the pure function behind ``linearize``."""
    delta = jax.tree.map(lambda p, p0: p - p0, params, params0)
    f0, df = jax.jvp(lambda p: apply_fn(p, x), (params0,), (delta,))
    return f0 + df
