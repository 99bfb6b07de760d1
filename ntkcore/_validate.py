"""Argument checks shared by every public function.

Each check raises ``ValueError`` naming the argument and the valid range, so a
bad slider value or URL parameter is reported, never silently propagated.
"""
from __future__ import annotations

import contextlib
import math
import os
import threading
from typing import Any, Callable, Iterable

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


def check_float_array(name: str, value: Any, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """``value`` (a number or an array) as a float64 array, every entry finite and in [lo, hi], or ``ValueError``."""
    try:
        out = np.asarray(value, np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers{_range(lo, hi)}; got {value!r}") from None
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite{_range(lo, hi)} (no NaN or inf)")
    if (lo is not None and np.any(out < lo)) or (hi is not None and np.any(out > hi)):
        bad = out[(out < (-np.inf if lo is None else lo)) | (out > (np.inf if hi is None else hi))].ravel()[0]
        raise ValueError(f"{name} must be{_range(lo, hi)}; got {bad}")
    return out


# -- memory: refuse what cannot fit, from shapes alone ------------------------------------------

def _default_memory_limit() -> int:
    """``NTKCORE_MEMORY_LIMIT_MB`` if set, else half the machine's physical memory (4 GiB if unknown)."""
    env = os.environ.get("NTKCORE_MEMORY_LIMIT_MB")
    if env:
        try:
            return int(float(env) * 2 ** 20)
        except ValueError:
            pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):
        return 4 * 2 ** 30


_memory_limit = _default_memory_limit()


def memory_limit() -> int:
    """Bytes one ntkcore call may plan to allocate (see ``set_memory_limit``)."""
    return _memory_limit


def set_memory_limit(nbytes: int | None) -> int:
    """Set the per-call memory limit in bytes (None: the default, ``NTKCORE_MEMORY_LIMIT_MB`` or half the
    physical memory); returns the previous limit. Process-wide, like JAX's own configuration."""
    global _memory_limit
    previous = _memory_limit
    _memory_limit = _default_memory_limit() if nbytes is None else check_int("nbytes", nbytes, 1)
    return previous


def format_bytes(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if nbytes < 1024 or unit == "TB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError  # unreachable


def check_memory(what: str, nbytes: float, names: str) -> None:
    """``ValueError`` if ``what`` would need more than ``memory_limit()`` bytes (an estimate from shapes).

    ``names`` says which arguments set the size (the message asks to reduce them)."""
    if nbytes > _memory_limit and not getattr(_unchecked, "active", False):
        raise ValueError(f"{what} would need about {format_bytes(nbytes)} of memory, over the limit of "
                         f"{format_bytes(_memory_limit)}: reduce {names} (the limit is set by "
                         f"ntkcore.set_memory_limit or NTKCORE_MEMORY_LIMIT_MB)")


# -- parameters: shapes checked against what the model's init would return ----------------------

_SHAPES: dict = {}
_unchecked = threading.local()  # set while tracing ``init`` for shapes of parameters that already exist


@contextlib.contextmanager
def _no_memory_check():
    previous = getattr(_unchecked, "active", False)
    _unchecked.active = True
    try:
        yield
    finally:
        _unchecked.active = previous


def param_shapes(init: Callable, model: Any, *args) -> Any:
    """``jax.eval_shape(init, model, key, *args)``: the parameter shapes, traced once per architecture and
    input shape (σ_w/σ_b are pytree leaves and do not change shapes), without allocating anything."""
    import jax

    key = (init, jax.tree.structure(model), args)
    try:
        return _SHAPES[key]
    except KeyError:
        pass
    except TypeError:  # unhashable static data: trace every time
        key = None
    # Shapes only: nothing is allocated, so the memory check of a public ``init`` does not apply here.
    with _no_memory_check():
        out = jax.eval_shape(lambda k: init(model, k, *args), jax.random.key(0))
    if key is not None:
        if len(_SHAPES) > 512:
            _SHAPES.clear()
        _SHAPES[key] = out
    return out


def params_nbytes(shapes: Any) -> int:
    import jax

    return sum(math.prod(s.shape) * np.dtype(s.dtype).itemsize for s in jax.tree.leaves(shapes))


def check_params(name: str, params: Any, expected: Any, model: Any) -> Any:
    """``params`` must have the structure and leaf shapes of ``expected`` (a pytree of shape structs, e.g.
    ``jax.eval_shape(model.init, …)`` for the inputs at hand), else ``ValueError`` naming the first mismatch."""
    import jax

    got, got_def = jax.tree_util.tree_flatten_with_path(params)
    want, want_def = jax.tree_util.tree_flatten_with_path(expected)
    if got_def != want_def:
        raise ValueError(f"{name} must be the parameters of {_describe(model)} (a pytree like model.init(key, …) "
                         f"returns, {len(want)} arrays); got {_short(params)}")
    for (path, g), (_, w) in zip(got, want):
        shape = getattr(g, "shape", None)
        if shape is None or tuple(shape) != tuple(w.shape):
            raise ValueError(f"{name}{jax.tree_util.keystr(path)} must have shape {tuple(w.shape)} for "
                             f"{_describe(model)} and these inputs; got {shape if shape is None else tuple(shape)}")
    return params


def _describe(model: Any) -> str:
    import dataclasses

    if dataclasses.is_dataclass(model):
        fields = [f.name for f in dataclasses.fields(model) if f.name in ("width", "channels", "depth", "heads",
                                                                           "out_dim", "kernel_size")]
        return f"{type(model).__name__}({', '.join(f'{f}={getattr(model, f)}' for f in fields)})"
    return type(model).__name__


def _short(value: Any) -> str:
    text = repr(value) if value is None or isinstance(value, (int, float, str)) else type(value).__name__
    return text[:60]


def _range(lo: float | None, hi: float | None, lo_open: bool = False) -> str:
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f" {'>' if lo_open else '>='} {lo}"
    if lo is None:
        return f" <= {hi}"
    return f" in {'(' if lo_open else '['}{lo}, {hi}]"


def params_error(name: str, model: Any, params: Any) -> ValueError:
    """The error for something that is not a parameter pytree of ``model`` at all (None, a number, …)."""
    return ValueError(f"{name} must be the parameters of {_describe(model)}, as model.init(key, …) returns them; "
                      f"got {_short(params)}")
