"""Shared plumbing of the sequence models (``RNN``, ``Attention``): input checks and pytree registration.

Both are frozen dataclasses whose float hyperparameters (``FLOAT_FIELDS``) are
pytree leaves and whose architecture is static, as for ``MLP``: jitted
functions take the model as an ordinary argument and changing a std reuses
the compiled code.
"""
from __future__ import annotations

import jax

from . import _validate as V


def check_in_shape(in_shape) -> tuple[int, int]:
    """``in_shape`` = (T, d): sequence length and token dimension, both ≥ 1."""
    if isinstance(in_shape, (int,)) or not hasattr(in_shape, "__len__") or len(in_shape) != 2:
        raise ValueError(f"in_shape must be (T, d) = (sequence length, token dimension); got {in_shape!r}")
    return V.check_int("in_shape[0] (T)", in_shape[0], 1, 100_000), V.check_int("in_shape[1] (d)", in_shape[1], 1, 1 << 20)


def check_sequences(name: str, x, in_shape: tuple[int, int] | None = None):
    """A batch of sequences (n, T, d), finite; matching ``in_shape`` if given."""
    x = V.check_array(name, x, 3)
    if in_shape is not None and tuple(x.shape[1:]) != tuple(in_shape):
        raise ValueError(f"{name} must have shape (n, {in_shape[0]}, {in_shape[1]}) (n sequences of length T with "
                         f"d features, the model's in_shape); got {tuple(x.shape)}")
    return x


def register(cls, static_fields: tuple[str, ...], float_fields: tuple[str, ...]):
    """Register a frozen dataclass as a pytree: ``float_fields`` are leaves, ``static_fields`` aux data."""

    def flatten(obj):
        return tuple(getattr(obj, f) for f in float_fields), tuple(getattr(obj, f) for f in static_fields)

    def unflatten(aux, children):
        # Bypass __init__: inside jit the leaves are tracers, which validation must not see.
        obj = object.__new__(cls)
        for name, value in zip(static_fields, aux):
            object.__setattr__(obj, name, value)
        for name, value in zip(float_fields, children):
            object.__setattr__(obj, name, value)
        return obj

    jax.tree_util.register_pytree_node(cls, flatten, unflatten)
    return cls
