"""Argument checks shared by every public function.

Each check raises ``ValueError`` naming the argument and the valid range, so a
bad slider value or URL parameter is reported, never silently propagated.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np


def check_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    """Return ``value`` as an int in ``[lo, hi]`` or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer{_range(lo, hi)}; got {value!r}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be an integer{_range(lo, hi)}; got {value}")
    return value


def check_float(
    name: str,
    value: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
) -> float:
    """Return ``value`` as a finite float in the range or raise ``ValueError``.

    ``lo_open`` makes the lower bound strict (e.g. a learning rate must be > 0).
    """
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number{_range(lo, hi, lo_open)}; got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite{_range(lo, hi, lo_open)}; got {value!r}")
    if lo is not None and (out < lo or (lo_open and out == lo)):
        raise ValueError(f"{name} must be{_range(lo, hi, lo_open)}; got {out}")
    if hi is not None and out > hi:
        raise ValueError(f"{name} must be{_range(lo, hi, lo_open)}; got {out}")
    return out


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_array(name: str, x: Any, ndim: int | tuple[int, ...], dim: int | None = None) -> np.ndarray | Any:
    """Check an input batch: finite values, ``ndim`` axes, last axis ``dim``.

    Returns the array unchanged (JAX arrays stay on device). Non-array input is
    converted with ``numpy.asarray``.
    """
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        try:
            x = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a numeric array; got {type(x).__name__}") from None
    ndims = (ndim,) if isinstance(ndim, int) else ndim
    if x.ndim not in ndims:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndims))} axes (batch first); got shape {tuple(x.shape)}")
    if x.shape[0] < 1:
        raise ValueError(f"{name} must contain at least one input; got shape {tuple(x.shape)}")
    if dim is not None and x.shape[-1] != dim:
        raise ValueError(f"{name} must have last dimension {dim} (the model's input dimension); got shape {tuple(x.shape)}")
    if not bool(np.all(np.isfinite(np.asarray(x)))):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return x


def check_batch_like(name: str, x: Any, example_shape: tuple) -> np.ndarray | Any:
    """A finite batch (n, *example_shape), e.g. test inputs shaped like the training inputs.

    ``None`` entries of ``example_shape`` match any length (e.g. a sequence model's T).
    """
    x = check_array(name, x, 1 + len(example_shape))
    if any(want is not None and got != want for got, want in zip(x.shape[1:], example_shape)):
        want = ", ".join("any" if w is None else str(w) for w in example_shape)
        raise ValueError(f"{name} must have shape (n, {want}) to match the model/other inputs; got {tuple(x.shape)}")
    return x


def _range(lo: float | None, hi: float | None, lo_open: bool = False) -> str:
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f" {'>' if lo_open else '>='} {lo}"
    if lo is None:
        return f" <= {hi}"
    return f" in {'(' if lo_open else '['}{lo}, {hi}]"
