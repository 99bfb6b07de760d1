"""Cached computations for the lesson "Interpolation and generalization" (url /generalization).

Task: the unit sphere S² (d = 3), target ``scaling.sphere_power_law_target`` with r = 1 (power per
eigenmode ~ k^(−2), unit mean square), labels y = f*(x) + σ ξ with ξ ~ N(0, 1). The infinite-width
ReLU NTK (NTK parameterization, w_std = √2, b_std = 0.1, one hidden layer) on the /scaling lesson's
pool of 1024 random points and 1000 random test points (``compute.scaling.kernels("sphere", 1)``);
training sets are random subsets of the pool (i.i.d. uniform points). Every error is the expectation
over the label noise, exact for these linear predictors (``generalization.kernel_regression_risk``):
bias + σ²·V, measured on each training set and averaged over ``SEEDS`` training sets.
"""

from __future__ import annotations

import math

import jax
import numpy as np
import streamlit as st

import ntkcore as nc
from compute import scaling as CS
from ntkcore import generalization as G
from ntkcore import scaling as S

PARTS = ("interpolating noise", "double descent", "early stopping")
NOISES = (0.0, 0.1, 0.25, 0.5, 1.0)
R = 1.0                       # target smoothness: power per eigenmode ~ k^(−2r)
NS = (16, 32, 64, 128, 256)   # learning-curve sizes (part 1)
VERDICT_NS = NS[-3:]          # the sizes whose V(n) trend decides the verdict
N_FIXED = 64                  # training-set size of parts 2 and 3
SEEDS = tuple(range(10))      # random training sets
MAX_DEGREE = 200              # spherical-harmonic degrees in the theory (40 401 modes)
# Part 1: the trained network beside the kernel
NET_WIDTH, NET_N, NET_STEPS, NET_LR_FRAC = 512, 64, 20_000, 0.75
# Part 2: the linearized network of width w as Jacobian features: 5w + 1 parameters (d = 3), of which
# 4w + 1 independent (relu(z) = z·relu′(z): each neuron's readout gradient is a combination of its others)
WIDTHS = (1, 2, 3, 4, 6, 8, 10, 11, 12, 13, 14, 16, 20, 24, 32, 48, 64, 128, 256, 512)
INIT_SEEDS = tuple(range(5))
N_TEST_FEATURES = 500         # test points for the feature models (the first 500 of the test set)
RIDGES = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)  # relative to the mean diagonal of the kernel (part 2)
# Part 3: closed-form GD with Θ∞, η = LR_FRAC/λ_max
TIMES = np.unique(np.round(np.geomspace(1, 1e6, 49)))  # whole steps: (1 − ηλ)^t with ηλ > 1 needs integer t
W_STD, B_STD = math.sqrt(2.0), 0.1


def model(width: int = 1) -> nc.MLP:
    return nc.MLP(width=width, depth=1, activation="relu", w_std=W_STD, b_std=B_STD)


@st.cache_data(max_entries=1, ttl=3600, show_spinner=False)
def data() -> dict:
    """Pool and test inputs (1024, 3), (1000, 3), Θ∞ on them (float64), clean targets and the theory's spectrum."""
    kk = CS.kernels("sphere", 1)
    xp, xt = CS._sphere_inputs()
    lam = G.per_mode(G.sphere_eigenvalues(model(), MAX_DEGREE))
    power_l = np.zeros(MAX_DEGREE + 1)
    a2 = G.sphere_power_law_degree_power(R)
    power_l[:a2.size] = a2
    power = G.per_mode(power_l / (2 * np.arange(MAX_DEGREE + 1) + 1))
    return {"x_pool": xp, "x_test": xt, "k": kk["k"], "kt": kk["kt"],
            "y_pool": S.sphere_power_law_target(xp, R), "y_test": S.sphere_power_law_target(xt, R),
            "lam": lam, "power": power, "lambda_max_pool": float(kk["eigvals"][0])}


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def theory(ns: tuple, ridges: tuple) -> dict:
    """The spectral theory at σ = 0 for each (n, ridge) pair: bias and γ, (len(ns),). κ and γ do not depend
    on σ, so any noise level is bias + σ²γ/(1 − γ) (+ σ²) without solving again."""
    d = data()
    out = [G.learning_curve_prediction(d["lam"], d["power"], [n], 0.0, r) for n, r in zip(ns, ridges)]
    return {"bias": np.array([o.bias[0] for o in out]), "gamma": np.array([o.gamma[0] for o in out])}


def _with_noise(th: dict, noise: float) -> np.ndarray:
    """E_g + σ² from the σ = 0 theory: bias + σ²γ/(1 − γ) + σ²."""
    return th["bias"] + noise ** 2 * th["gamma"] / (1 - th["gamma"]) + noise ** 2


def subset(seed: int, n: int) -> np.ndarray:
    """Indices of training set ``seed`` of size n in the pool (nested: the first n of one permutation)."""
    return np.random.default_rng(seed).permutation(1024)[:n]


def label_noise(seed: int, n: int) -> np.ndarray:
    """ξ (n,) of training set ``seed``: standard normal, multiplied by σ on the page."""
    return np.random.default_rng(1000 + seed).standard_normal(1024)[:n]


# ------------------------------------------------------------------------- part 1
@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def interpolation_seed(seed: int) -> dict:
    """Ridgeless NTK regression on training set ``seed`` for every n in NS: bias, V, and the training
    residuals of the clean labels and of the noise ξ (the fit is linear in the labels)."""
    d = data()
    out = {"bias": [], "V": [], "res_clean": [], "res_noise": []}
    for n in NS:
        idx = subset(seed, n)
        k = d["k"][np.ix_(idx, idx)]
        rk = G.kernel_regression_risk(k, d["kt"][:, idx], d["y_pool"][idx], d["y_test"])
        # training residuals f̂(x_μ) − y_μ, float64 Cholesky solves (what "exactly 0" means here)
        coef = np.linalg.solve(k, np.stack([d["y_pool"][idx], label_noise(seed, n)], 1))
        res = k @ coef - np.stack([d["y_pool"][idx], label_noise(seed, n)], 1)
        out["bias"].append(rk.bias)
        out["V"].append(rk.variance_factor)
        out["res_clean"].append(res[:, 0])
        out["res_noise"].append(res[:, 1])
    return {"bias": np.array(out["bias"]), "V": np.array(out["V"]), "res_clean": out["res_clean"],
            "res_noise": out["res_noise"]}


def interpolation(per_seed: list[dict], noise: float) -> dict:
    """Measured and predicted learning curves at noise σ: test error against noisy labels = E_g + σ²."""
    s2 = noise ** 2
    err = np.stack([p["bias"] + s2 * p["V"] for p in per_seed]) + s2  # (S, len(NS))
    v = np.stack([p["V"] for p in per_seed])
    train = np.array([[np.mean((p["res_clean"][j] + noise * p["res_noise"][j]) ** 2) for j in range(len(NS))]
                      for p in per_seed])
    n_dense = tuple(np.unique(np.round(np.geomspace(NS[0], NS[-1], 33))))
    th_dense, th_at = theory(n_dense, (0.0,) * len(n_dense)), theory(NS, (0.0,) * len(NS))
    v_pred = th_at["gamma"] / (1 - th_at["gamma"])
    keep = np.isin(NS, VERDICT_NS)
    return {
        "ns": np.asarray(NS), "errors": err, "mean": err.mean(0), "sem": err.std(0, ddof=1) / np.sqrt(len(err)),
        "V": v.mean(0), "V_sem": v.std(0, ddof=1) / np.sqrt(len(v)), "V_pred": v_pred,
        "train_max": float(train.max()), "n_dense": np.asarray(n_dense), "pred": _with_noise(th_dense, noise),
        "pred_at": _with_noise(th_at, noise),
        "verdict": G.overfitting_verdict(np.asarray(NS)[keep], v.mean(0)[keep]),
        "verdict_pred": G.overfitting_verdict(np.asarray(NS)[keep], v_pred[keep]),
        "ratio": float(err.mean(0)[-1] / s2) if noise > 0 else float("nan"),
    }


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def network(noise: float) -> dict:
    """A width-NET_WIDTH ReLU network (centred output f − f₀, NTK parameterization) trained by full-batch
    GD on training set 0 of size NET_N with noisy labels, beside ridgeless Θ∞ regression on the same labels.

    Errors are mean squared errors on this one noise draw: training (vs the noisy labels) and test
    (vs the clean target, + σ² for noisy test labels).
    """
    d = data()
    idx = subset(0, NET_N)
    y = d["y_pool"][idx] + noise * label_noise(0, NET_N)
    k = d["k"][np.ix_(idx, idx)]
    lr = NET_LR_FRAC * 2 / float(np.linalg.eigvalsh(k / NET_N)[-1])
    tr = nc.train(model(NET_WIDTH), d["x_pool"][idx], y[:, None],
                  nc.TrainConfig(steps=NET_STEPS, lr=lr, n_records=2, output_scale=1.0, train_linearized=False),
                  x_test=d["x_test"], y_test=d["y_test"][:, None])
    f_ntk = d["kt"][:, idx] @ np.linalg.solve(k, y)
    fit_ntk = k @ np.linalg.solve(k, y)
    with jax.enable_x64(True):  # Θ∞ gradient descent for the same steps, closed form
        f_tr, f_te = nc.kernel_predictions(k, y, [NET_STEPS], lr, theta_test_train=d["kt"][:, idx], mode="gd")
    return {
        "kgd_train": float(np.mean((f_tr[0, :, 0] - y) ** 2)),
        "kgd_test": float(np.mean((f_te[0, :, 0] - d["y_test"]) ** 2)) + noise ** 2,
        "net_train": 2 * float(tr.train_loss[-1]), "net_test": 2 * float(tr.test_loss[-1]) + noise ** 2,
        "ntk_train": float(np.mean((fit_ntk - y) ** 2)),
        "ntk_test": float(np.mean((f_ntk - d["y_test"]) ** 2)) + noise ** 2,
        "lr": lr, "diverged": bool(tr.diverged), "message": tr.message,
    }


# ------------------------------------------------------------------------- part 2
def narrow_features(phi_wide: np.ndarray, width: int, d: int = 3) -> np.ndarray:
    """The Jacobian features of the width-``width`` network made of the first ``width`` neurons of the
    WIDTHS[-1]-wide one (same W₁, b₁, v columns, same readout bias), from the wide network's features.

    In NTK parameterization every neuron's gradient carries the readout's 1/√width, so the narrow
    network's columns are the wide one's × √(W/w). Flat parameter order (``ravel_pytree``): W₁ (d, W)
    row-major, b₁ (W), W₂ (W, 1), b₂ (1). Exact (tests compare with ``jacobian_features``).
    """
    big = WIDTHS[-1]
    j = np.arange(width)
    cols = np.concatenate([(i * big + j) for i in range(d)] + [d * big + j, (d + 1) * big + j])
    scale = np.sqrt(big / width)
    return np.concatenate([phi_wide[:, cols] * scale, phi_wide[:, -1:]], 1)


def wide_params(init_seed: int):
    """The widest network's initial parameters; narrower networks use its first neurons."""
    return model(WIDTHS[-1]).init(jax.random.key(init_seed), 3)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def double_descent_seed(init_seed: int) -> dict:
    """Jacobian-feature regression of the width-w network (init ``init_seed``: the first w neurons of one
    wide initialization) on training set 0 of size N_FIXED, for every ridge in RIDGES and width in
    WIDTHS: bias, V (test) and training bias, V, each (len(RIDGES), len(WIDTHS)).

    Ridge ρ·mean diag(ΦΦᵀ) (the empirical NTK's).
    """
    d = data()
    n = N_FIXED
    idx = subset(0, n)
    y, yt = d["y_pool"][idx], d["y_test"][:N_TEST_FEATURES]
    phi_wide = G.jacobian_features(model(WIDTHS[-1]), wide_params(init_seed),
                                   np.concatenate([d["x_pool"][idx], d["x_test"][:N_TEST_FEATURES]]))
    out = {k: np.zeros((len(RIDGES), len(WIDTHS))) for k in ("bias", "V", "train_bias", "train_V")}
    for iw, w in enumerate(WIDTHS):
        phi = narrow_features(phi_wide, w)
        ptr, pte = phi[:n], phi[n:]
        scale = float(np.mean(np.sum(ptr ** 2, 1)))
        smooth_tr, smooth_te = G.feature_smoothers(ptr, pte, [rho * scale for rho in RIDGES])
        for ir, (a_tr, a_te) in enumerate(zip(smooth_tr, smooth_te)):
            out["bias"][ir, iw] = np.mean((a_te @ y - yt) ** 2)
            out["V"][ir, iw] = np.mean(np.sum(a_te ** 2, 1))
            r_tr = a_tr - np.eye(n)
            out["train_bias"][ir, iw] = np.mean((r_tr @ y) ** 2)
            out["train_V"][ir, iw] = np.mean(np.sum(r_tr ** 2, 1))
    return out


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def infinite_width_risk() -> dict:
    """Θ∞ regression on training set 0 (the same points and test set as the feature models): bias, V per ridge."""
    d = data()
    idx = subset(0, N_FIXED)
    k = d["k"][np.ix_(idx, idx)]
    risks = [G.kernel_regression_risk(k, d["kt"][:N_TEST_FEATURES, idx], d["y_pool"][idx],
                                      d["y_test"][:N_TEST_FEATURES], rho * float(np.mean(np.diag(k))))
             for rho in RIDGES]
    return {"bias": np.array([r.bias for r in risks]), "V": np.array([r.variance_factor for r in risks])}


def double_descent(per_seed: list[dict], ridge: float, noise: float) -> dict:
    """Test and training error (expected over the noise, + σ² on test) against P/n, mean ± sem over inits.
    P = 4w + 1, the number of independent features."""
    n, ir = N_FIXED, RIDGES.index(ridge)
    s2 = noise ** 2
    test = np.stack([p["bias"][ir] + s2 * p["V"][ir] for p in per_seed]) + s2
    train = np.stack([p["train_bias"][ir] + s2 * p["train_V"][ir] for p in per_seed])
    inf = infinite_width_risk()
    p_count = 4 * np.asarray(WIDTHS) + 1
    mean = test.mean(0)
    near = (p_count >= n / 2) & (p_count <= 2 * n)   # around the interpolation threshold P = n
    i_peak = int(np.flatnonzero(near)[np.argmax(mean[near])])
    return {
        "P": p_count, "ratio": p_count / n, "test": test, "mean": mean,
        "sem": test.std(0, ddof=1) / np.sqrt(len(test)), "train": train.mean(0),
        "infinite": float(inf["bias"][ir] + s2 * inf["V"][ir] + s2),
        "peak_P": int(p_count[i_peak]), "peak": float(mean[i_peak]), "last": float(mean[-1]),
        # a peak: the error rises into it (above 1.2× the best smaller model) and falls after it (1.5× the widest)
        "has_peak": bool(i_peak > 0 and mean[i_peak] > 1.2 * mean[:i_peak].min() and mean[i_peak] > 1.5 * mean[-1]),
    }


# ------------------------------------------------------------------------- part 3
@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def early_stopping_seed(seed: int) -> dict:
    """Θ∞ on training set ``seed`` of size n: GD after each of TIMES steps (closed form, η = 1/λ_max of the
    pool) and ridge ρ = 1/(ηt) (on Θ/N's scale), each as bias and V against the clean test target."""
    d = data()
    n = N_FIXED
    idx = subset(seed, n)
    k, kt = d["k"][np.ix_(idx, idx)], d["kt"][:, idx]
    lr = 1.0 / d["lambda_max_pool"]
    with jax.enable_x64(True):  # results in float64 (the default float otherwise)
        _, a_t = nc.kernel_predictions(k, np.eye(n), TIMES, lr, theta_test_train=kt, mode="gd")
    a_t = np.asarray(a_t, np.float64)                    # (T, M, n): the smoother's rows at each t
    y, yt = d["y_pool"][idx], d["y_test"]
    gd_bias = np.mean((a_t @ y - yt) ** 2, 1)
    gd_v = np.mean(np.sum(a_t ** 2, 2), 1)
    rho = G.matching_ridge(lr, TIMES)
    ridge = [G.kernel_regression_risk(k, kt, y, yt, n * r) for r in rho]
    return {"gd_bias": gd_bias, "gd_V": gd_v, "ridge_bias": np.array([r.bias for r in ridge]),
            "ridge_V": np.array([r.variance_factor for r in ridge]), "lr": lr,
            "eigvals": np.linalg.eigvalsh(k / n)[::-1]}


def early_stopping(per_seed: list[dict], noise: float) -> dict:
    """Test error (+ σ²) of GD at each t and of the matching ridge ρ = 1/(ηt), mean ± sem over training sets;
    the best stopping time, the best ridge, and the theory's ridge curve."""
    n = N_FIXED
    s2 = noise ** 2
    gd = np.stack([p["gd_bias"] + s2 * p["gd_V"] for p in per_seed]) + s2
    rd = np.stack([p["ridge_bias"] + s2 * p["ridge_V"] for p in per_seed]) + s2
    lr = per_seed[0]["lr"]
    rho = G.matching_ridge(lr, TIMES)
    predicted = _with_noise(theory((n,) * len(rho), tuple(float(n * r) for r in rho)), noise)
    g_mean, r_mean = gd.mean(0), rd.mean(0)
    i_gd, i_r = int(np.argmin(g_mean)), int(np.argmin(r_mean))
    return {
        "t": TIMES, "rho": rho, "lr": lr, "gd": g_mean, "gd_sem": gd.std(0, ddof=1) / np.sqrt(len(gd)),
        "ridge": r_mean, "ridge_sem": rd.std(0, ddof=1) / np.sqrt(len(rd)), "theory": predicted,
        "t_best": float(TIMES[i_gd]), "gd_best": float(g_mean[i_gd]), "gd_end": float(g_mean[-1]),
        "rho_best": float(rho[i_r]), "ridge_best": float(r_mean[i_r]),
        "lambda_max": max(float(p["eigvals"][0]) for p in per_seed), "eigvals": per_seed[0]["eigvals"],
    }
