"""Small seeded datasets: every call with the same arguments returns the same arrays.

Regression targets have shape (n, 1); classification is regression on ±1
labels (binary) or on centred one-hot vectors (digits), as kernel regression
with MSE needs.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from . import _validate as V

REGRESSION_1D = ("sine", "step", "freqs")
CLASSIFICATION_2D = ("moons", "circles", "spirals", "xor", "gaussians")
CIRCLE_TARGETS = ("cos2", "x1x2", "sin3", "cos1", "cos4")


@dataclasses.dataclass(frozen=True)
class Dataset:
    """x_train (N, d), y_train (N, K), x_test (M, d), y_test (M, K); ``labels_*`` for classification."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels_train: np.ndarray | None = None
    labels_test: np.ndarray | None = None


def _target_1d(kind: str, x: np.ndarray) -> np.ndarray:
    if kind == "sine":
        return np.sin(x)
    if kind == "step":
        return np.where(x >= 0, 1.0, -1.0)
    return np.sin(x) + 0.5 * np.sin(3 * x) + 0.25 * np.sin(6 * x)


def regression_1d(kind: str = "sine", n_train: int = 20, n_test: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """1-D regression on [−π, π]: "sine" sin x, "step" sign x, "freqs" sin x + ½ sin 3x + ¼ sin 6x.

    Training inputs are uniform at random (seeded), with N(0, noise²) label
    noise; test inputs are an even grid of ``n_test`` points with clean targets
    (the function to recover). The neural-tangents cookbook task is
    ``regression_1d("sine", n_train=5, n_test=50, noise=0.1)``.
    """
    V.check_choice("kind", kind, REGRESSION_1D)
    n_train = V.check_int("n_train", n_train, 1, 100_000)
    n_test = V.check_int("n_test", n_test, 1, 100_000)
    noise = V.check_float("noise", noise, 0.0, 10.0)
    seed = V.check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-np.pi, np.pi, n_train))
    y_train = _target_1d(kind, x_train) + noise * rng.standard_normal(n_train)
    x_test = np.linspace(-np.pi, np.pi, n_test)
    return Dataset(kind, x_train[:, None], y_train[:, None], x_test[:, None], _target_1d(kind, x_test)[:, None])


def circle_points(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n equally spaced points on the unit circle: (x (n, 2), γ (n,)), γ_i = 2πi/n."""
    n = V.check_int("n", n, 1, 100_000)
    gamma = 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(gamma), np.sin(gamma)], -1), gamma


def sphere_points(n: int, dim: int = 3, seed: int = 0) -> np.ndarray:
    """n points drawn uniformly from the unit sphere S^(dim−1) ⊂ R^dim: (n, dim).

    Normalized Gaussian vectors (rotation invariant, hence uniform).
    """
    n = V.check_int("n", n, 1, 1_000_000)
    dim = V.check_int("dim", dim, 2, 1024)
    seed = V.check_int("seed", seed, 0)
    g = np.random.default_rng(seed).standard_normal((n, dim))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def circle_target(target: str, gamma: np.ndarray) -> np.ndarray:
    V.check_choice("target", target, CIRCLE_TARGETS)
    return {
        "cos2": np.cos(2 * gamma),
        "x1x2": np.cos(gamma) * np.sin(gamma),
        "sin3": np.sin(3 * gamma),
        "cos1": np.cos(gamma),
        "cos4": np.cos(4 * gamma),
    }[target]


def circle(target: str = "cos2", n_train: int = 20, n_test: int = 100) -> Dataset:
    """Regression on the unit circle (the setting of Jacot et al. and of spectral-bias demos).

    Training points are equally spaced (γ = 2πi/n); test points are a finer
    equally spaced grid. Targets: "cos2" cos 2γ, "x1x2" x₁x₂, "sin3" sin 3γ,
    "cos1" cos γ, "cos4" cos 4γ.
    """
    x_train, g_train = circle_points(n_train)
    x_test, g_test = circle_points(n_test)
    return Dataset(target, x_train, circle_target(target, g_train)[:, None], x_test, circle_target(target, g_test)[:, None])


def _classification_points(kind: str, n: int, noise: float, rng: np.random.Generator):
    half = n // 2
    lab = np.concatenate([np.ones(n - half), -np.ones(half)])
    if kind == "moons":
        t = rng.uniform(0, np.pi, n)
        x = np.where(lab[:, None] > 0, np.stack([np.cos(t), np.sin(t)], -1),
                     np.stack([1 - np.cos(t), 0.5 - np.sin(t)], -1))
        x = (x - np.array([0.5, 0.25])) / 1.2
    elif kind == "circles":
        r = np.where(lab > 0, rng.uniform(0, 0.5, n), rng.uniform(0.8, 1.2, n))
        t = rng.uniform(0, 2 * np.pi, n)
        x = np.stack([r * np.cos(t), r * np.sin(t)], -1)
    elif kind == "spirals":
        r = rng.uniform(0.05, 1.0, n)
        t = 1.75 * 2 * np.pi * r + np.where(lab > 0, 0.0, np.pi)
        x = np.stack([r * np.sin(t), r * np.cos(t)], -1)
    elif kind == "xor":
        x = rng.uniform(-1, 1, (n, 2))
        x = x + np.sign(x) * 0.05
        lab = np.sign(x[:, 0] * x[:, 1])
    else:  # gaussians
        centre = np.where(lab[:, None] > 0, 0.5, -0.5)
        x = centre + 0.3 * rng.standard_normal((n, 2))
    x = x + noise * rng.standard_normal(x.shape)
    perm = rng.permutation(n)
    return x[perm], lab[perm]


def classification_2d(kind: str = "moons", n_train: int = 200, n_test: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Binary 2-D classification as ±1 regression (TensorFlow Playground's sets, in about [−1.5, 1.5]²).

    kind: "moons", "circles", "spirals", "xor", "gaussians"; ``noise`` is the
    standard deviation of Gaussian jitter added to the inputs.
    """
    V.check_choice("kind", kind, CLASSIFICATION_2D)
    n_train = V.check_int("n_train", n_train, 2, 100_000)
    n_test = V.check_int("n_test", n_test, 2, 100_000)
    noise = V.check_float("noise", noise, 0.0, 2.0)
    seed = V.check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    x_tr, l_tr = _classification_points(kind, n_train, noise, rng)
    x_te, l_te = _classification_points(kind, n_test, noise, rng)
    return Dataset(kind, x_tr, l_tr[:, None].astype(float), x_te, l_te[:, None].astype(float), l_tr.astype(int), l_te.astype(int))


def grid_2d(n: int = 41, lim: float = 1.5) -> np.ndarray:
    """An n×n grid over [−lim, lim]², shape (n², 2), x varying fastest (for decision surfaces)."""
    n = V.check_int("n", n, 2, 1000)
    lim = V.check_float("lim", lim, 0.0, 1e3, lo_open=True)
    g = np.linspace(-lim, lim, n)
    xx, yy = np.meshgrid(g, g)
    return np.stack([xx.ravel(), yy.ravel()], -1)


def digits(n_train: int = 300, n_test: int = 300, seed: int = 0, classes: tuple[int, ...] = tuple(range(10))) -> Dataset:
    """scikit-learn's bundled 8×8 handwritten digits (1797 images; no network access).

    Each image is centred and scaled to ‖x‖² = 64 (so x·x'/d is a cosine
    similarity); targets are centred one-hot vectors e_c − 1/K, K = len(classes).
    Inputs are flat (n, 64); reshape to (n, 8, 8, 1) for a CNN.
    """
    from sklearn.datasets import load_digits

    classes = tuple(V.check_int("classes", c, 0, 9) for c in classes)
    if len(set(classes)) < 2:
        raise ValueError(f"classes must name at least two distinct digits in [0, 9]; got {classes}")
    n_train = V.check_int("n_train", n_train, 1, 1700)
    n_test = V.check_int("n_test", n_test, 1, 1700)
    seed = V.check_int("seed", seed, 0)
    data = load_digits()
    keep = np.isin(data.target, classes)
    x, lab = data.data[keep].astype(float), data.target[keep]
    if n_train + n_test > len(x):
        raise ValueError(f"n_train + n_test must be at most {len(x)} for classes {classes}; got {n_train + n_test}")
    x = x - x.mean(1, keepdims=True)
    x = x * np.sqrt(x.shape[1]) / np.linalg.norm(x, axis=1, keepdims=True)
    perm = np.random.default_rng(seed).permutation(len(x))
    x, lab = x[perm], lab[perm]
    index = np.searchsorted(np.array(sorted(classes)), lab)
    onehot = np.eye(len(classes))[index] - 1.0 / len(classes)
    tr, te = slice(0, n_train), slice(n_train, n_train + n_test)
    return Dataset("digits", x[tr], onehot[tr], x[te], onehot[te], lab[tr], lab[te])


SEQUENCE_TASKS = ("sinusoids", "sum")
SINUSOID_FREQUENCIES = (1, 2, 3)


def sequences(kind: str = "sinusoids", n_train: int = 60, n_test: int = 60, length: int = 16, noise: float = 0.3,
              seed: int = 0) -> Dataset:
    """Short synthetic sequences (n, T, 1) for recurrent and attention models.

    "sinusoids": x_t = √2 sin(2π f t/T + φ) + noise, with f ∈ {1, 2, 3} cycles
      per sequence (the class, balanced), a random phase φ and N(0, noise²)
      per step; targets are centred one-hot vectors e_f − 1/3 (as ``digits``),
      ``labels_*`` = f. The mean square of a clean sequence is 1.
    "sum": x_t ~ N(0, 1) i.i.d.; the target is Σ_t x_t/√T (+ noise on the
      training targets), shape (n, 1); ``labels_*`` = sign of the sum (0/1).
    """
    V.check_choice("kind", kind, SEQUENCE_TASKS)
    n_train = V.check_int("n_train", n_train, 1, 100_000)
    n_test = V.check_int("n_test", n_test, 1, 100_000)
    length = V.check_int("length", length, 2, 4096)
    noise = V.check_float("noise", noise, 0.0, 10.0)
    seed = V.check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    t = np.arange(length)

    def draw(n, train):
        if kind == "sinusoids":
            k = len(SINUSOID_FREQUENCIES)
            cls = np.arange(n) % k
            rng.shuffle(cls)
            freq = np.asarray(SINUSOID_FREQUENCIES)[cls]
            phase = rng.uniform(0, 2 * np.pi, n)
            x = np.sqrt(2) * np.sin(2 * np.pi * freq[:, None] * t[None, :] / length + phase[:, None])
            x = x + noise * rng.standard_normal(x.shape)
            return x[..., None], np.eye(k)[cls] - 1.0 / k, freq
        x = rng.standard_normal((n, length))
        s = x.sum(1) / np.sqrt(length)
        y = s + (noise * rng.standard_normal(n) if train else 0.0)
        return x[..., None], y[:, None], (s > 0).astype(int)

    x_tr, y_tr, l_tr = draw(n_train, True)
    x_te, y_te, l_te = draw(n_test, False)
    return Dataset(kind, x_tr, y_tr, x_te, y_te, l_tr, l_te)
