"""Cached computations for the lesson "When features win" (url /features).

Task (``ntkcore.features.single_index``): y = g(w*·x), x ~ N(0, I_20), 160
training points, 500 test points, targets standardized. A rotation-invariant
kernel needs ~d²/2 = 200 samples for the degree-2 part of |z| and fails; a
network that rotates its first layer towards w* succeeds.

Network: one hidden ReLU layer (w_std = √2, b_std = 0), NTK parameterization,
full-batch GD for ``STEPS`` steps at η = ``LR_FRAC``·2/λ_max(Θ∞/N) — the same η
for every width and α (the initial function-space step ηΘ0/N does not depend
on α, and Θ0 → Θ∞ as width grows); runs that diverge are repeated at η/2.
One cached sweep per (width, target, seed): all α of ``ALPHAS`` at once.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import ntkcore as nc
from ntkcore import features as F

D, N_TRAIN, N_TEST = 20, 160, 500
DEPTH, W_STD, B_STD = 1, math.sqrt(2.0), 0.0
STEPS = 400
LR_FRAC = 0.2
WIDTHS = (16, 48, 128, 384)
ALPHAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
LINKS = {"abs": "|w*·x|", "he2": "(w*·x)² − 1"}
PARAM_WIDTHS = (64, 256, 1024, 4096)
PARAMS = ("ntk", "standard", "mup")
FC_STEPS = (1, 3, 10, 30)


def task(link: str, seed: int) -> nc.Dataset:
    return F.single_index(link, D, N_TRAIN, N_TEST, seed)


def model(width: int, param: str = "ntk") -> nc.MLP:
    return nc.MLP(width=width, depth=DEPTH, activation="relu", w_std=W_STD, b_std=B_STD, parameterization=param)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def infinite(link: str, seed: int) -> dict:
    """Infinite-width NTK regression on the task: the learning rate every run uses and its test errors.

    Keys: ``lr`` (η = LR_FRAC·2/λ_max), ``lambda_max``, ``test_error`` (relative, after STEPS steps of
    kernel GD at η, as the networks), ``test_error_converged`` (t → ∞, ridgeless kernel regression).
    """
    data = task(link, seed)
    xall = np.concatenate([data.x_train, data.x_test])
    theta = np.asarray(nc.infinite_kernels(model(1), xall, data.x_train, lr_weighted=True).ntk, np.float64)
    lam_max = float(np.linalg.eigvalsh(theta[:N_TRAIN])[-1]) / N_TRAIN
    lr = LR_FRAC * 2.0 / lam_max
    _, f_t = nc.kernel_predictions(theta[:N_TRAIN], data.y_train, np.array([float(STEPS), np.inf]), lr,
                                   theta_test_train=theta[N_TRAIN:])
    scale = float(np.mean(data.y_test ** 2))
    errs = [float(np.mean((np.asarray(f, np.float64) - data.y_test) ** 2) / scale) for f in f_t]
    return {"lr": lr, "lambda_max": lam_max, "test_error": errs[0], "test_error_converged": errs[1]}


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def sweep(width: int, link: str, seed: int) -> dict:
    """All α of ALPHAS at one width (see ``ntkcore.features.AlphaSweep``), as plain NumPy."""
    data = task(link, seed)
    lr = infinite(link, seed)["lr"]
    r = F.alpha_sweep(model(width), data.x_train, data.y_train, data.x_test, data.y_test, ALPHAS, steps=STEPS,
                      lr=lr, seed=seed)
    return {k: np.asarray(v) if isinstance(v, np.ndarray) else v for k, v in r._asdict().items()}


def grid(sweeps: dict[int, dict]) -> dict:
    """Stack per-width sweeps into (W, A) arrays and fit the crossover."""
    widths = np.array(sorted(sweeps), float)
    out = {"widths": widths, "alphas": np.array(ALPHAS)}
    for key in ("test_error", "train_error", "kernel_change", "weight_change", "lr"):
        out[key] = np.stack([sweeps[w][key] for w in sorted(sweeps)])
    out["test_error_lin"] = np.array([sweeps[w]["test_error_lin"] for w in sorted(sweeps)])
    out["diverged"] = np.stack([sweeps[w]["diverged"] for w in sorted(sweeps)])
    out["fit"] = F.crossover_fit(out["alphas"], widths, out["kernel_change"])._asdict()
    return out


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def feature_change(param: str, steps: int, lr_frac: float, link: str, seed: int) -> dict:
    """Hidden-feature change after ``steps`` GD steps at each width of PARAM_WIDTHS (``FeatureChange`` as NumPy)."""
    data = task(link, seed)
    r = F.feature_change(model(PARAM_WIDTHS[0], param), PARAM_WIDTHS, data.x_train, data.y_train, steps=steps,
                         lr_frac=lr_frac, seed=seed)
    return {k: np.asarray(v) if isinstance(v, np.ndarray) else float(v) for k, v in r._asdict().items()}
