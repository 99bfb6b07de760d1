"""Cached computations for the lesson "NNGP and ensembles".

The task is the neural-tangents cookbook (ntk.md, canonical experiment 4):
``regression_1d("sine", n_train=5, n_test=50, noise)``, an Erf network with
two hidden layers, w_std = 1.5, b_std = 0.05 (NTK parameterization), trained
by full-batch GD with η = ``LR`` on L = (1/2N)Σ(f − y)². Predictions are
drawn on a fixed grid of ``N_GRID`` points (one shape: compiles are reused).

Each trained network is cached on its own (``train_member``), so growing the
ensemble only trains the new members.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import streamlit as st

import ntkcore as nc

DEPTH = 2
W_STD = 1.5
B_STD = 0.05
ACTIVATION = "erf"
LR = 0.1  # the cookbook's learning rate (2/λ_max of Θ∞ on the default data ≈ 0.29)
N_TRAIN = 5
N_TEST = 50
N_GRID = 120
N_PRIOR = 12  # prior draws shown per panel
WIDTHS = (64, 128, 256, 512)
STEPS = (100, 300, 1000, 3000, 10000)
NOISES = (0.0, 0.05, 0.1, 0.2, 0.3)
N_RECORDS = 10
# Measured cost of one GD step (ms) on the 2-core machine, depth 2, 5 training points.
STEP_MS = {64: 0.06, 128: 0.12, 256: 0.3, 512: 0.5}
BUDGET_MS = 8000.0  # training the whole ensemble must stay under ~8 s


def train_cost_s(width: int, n_nets: int, steps: int) -> float:
    """Estimated seconds to train ``n_nets`` networks for ``steps`` steps (excluding compiles)."""
    return STEP_MS[width] * n_nets * steps / 1000.0


def allowed(width: int, n_nets: int, steps: int) -> bool:
    return train_cost_s(width, n_nets, steps) * 1000.0 <= BUDGET_MS


def max_steps(width: int, n_nets: int) -> int:
    """The largest option of ``STEPS`` that fits the budget (at least the smallest)."""
    ok = [s for s in STEPS if allowed(width, n_nets, s)]
    return max(ok) if ok else min(STEPS)


def grid() -> np.ndarray:
    return np.linspace(-np.pi, np.pi, N_GRID)[:, None]


def dataset(noise: float, data_seed: int) -> nc.Dataset:
    return nc.regression_1d("sine", n_train=N_TRAIN, n_test=N_TEST, noise=noise, seed=data_seed)


def model(width: int) -> nc.MLP:
    return nc.MLP(width=width, depth=DEPTH, activation=ACTIVATION, w_std=W_STD, b_std=B_STD,
                  parameterization="ntk")


def cholesky_jitter(k: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of K + εI with the smallest ε = 10^-10…10^-4 × mean diag K that works."""
    k = 0.5 * (k + k.T)
    scale = float(np.mean(np.diag(k)))
    for rel in (1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4):
        try:
            return np.linalg.cholesky(k + rel * scale * np.eye(len(k)))
        except np.linalg.LinAlgError:
            continue
    raise np.linalg.LinAlgError("kernel matrix is not positive semi-definite even with jitter 1e-4")


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def prior_draws(width: int, seed: int) -> dict:
    """Functions f(x; θ0) of ``N_PRIOR`` networks (seeds seed … seed+N_PRIOR−1) and ``N_PRIOR`` NNGP draws.

    Returns ``x`` (G,), ``networks`` (N_PRIOR, G), ``gp`` (N_PRIOR, G) samples
    of N(0, K∞) via Cholesky (``cholesky_jitter``), ``gp_std`` (G,) = √diag K∞.
    """
    x = grid()
    m = model(width)
    nets = [np.asarray(m.apply(m.init(jax.random.key(seed + i), 1), x))[:, 0] for i in range(N_PRIOR)]
    with jax.enable_x64(True):  # thread-local; K∞ of a smooth net on a fine grid is nearly singular
        k = np.asarray(nc.infinite_kernels(m, jnp.asarray(x, jnp.float64)).nngp, np.float64)
    chol = cholesky_jitter(k)
    z = np.random.default_rng(seed).standard_normal((len(k), N_PRIOR))
    return {"x": x[:, 0], "networks": np.stack(nets), "gp": (chol @ z).T,
            "gp_std": np.sqrt(np.clip(np.diag(k), 0, None))}


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def train_member(width: int, steps: int, noise: float, data_seed: int, net_seed: int) -> dict:
    """One network trained from seed ``net_seed``: final grid predictions, per-step loss, divergence info."""
    data = dataset(noise, data_seed)
    cfg = nc.TrainConfig(steps=steps, lr=LR, n_records=N_RECORDS, train_linearized=False, seed=net_seed)
    traj = nc.train(model(width), data.x_train, data.y_train, cfg, x_test=data.x_test, y_test=data.y_test,
                    x_eval=grid())
    return {
        "pred": np.asarray(traj.pred_eval[-1, :, 0]),
        "loss": np.asarray(traj.loss),
        "test_loss": float(traj.test_loss[-1]),
        "diverged": bool(traj.diverged),
        "diverged_step": traj.diverged_step,
        "message": traj.message,
        "max_stable_lr": float(traj.max_stable_lr),
    }


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def infinite(steps: int, noise: float, data_seed: int) -> dict:
    """Infinite-width predictions on the grid.

    ``ntk_mean``/``ntk_std`` (G,): the ensemble of infinitely wide networks
    trained for ``steps`` GD steps with η = LR (ntkcore.ensemble_predictions,
    mode "gd"); ``nngp_mean``/``nngp_std``: the exact Bayesian NNGP posterior
    with observation-noise variance noise² (ntkcore.gp_posterior);
    ``max_stable_lr`` = 2/λ_max of Θ∞ on the training inputs.
    """
    data = dataset(noise, data_seed)
    x = grid()
    m = model(1)  # width does not enter the NTK-parameterization limit
    k_tr = nc.infinite_kernels(m, data.x_train)
    k_gx = nc.infinite_kernels(m, x, data.x_train)
    k_gg = nc.infinite_kernels(m, x)
    ens = nc.ensemble_predictions(k_tr.ntk, k_gx.ntk, k_tr.nngp, k_gx.nngp, k_gg.nngp, data.y_train,
                                  np.array([float(steps)]), LR, mode="gd")
    post = nc.gp_posterior(k_tr.nngp, k_gx.nngp, k_gg.nngp, data.y_train, noise=noise ** 2)
    lam_max = float(np.linalg.eigvalsh(np.asarray(k_tr.ntk, np.float64))[-1]) / N_TRAIN

    def sd(cov):
        return np.sqrt(np.clip(np.diag(np.asarray(cov, np.float64)), 0, None))

    return {
        "ntk_mean": np.asarray(ens.mean[0, :, 0]), "ntk_std": sd(ens.cov[0]),
        "nngp_mean": np.asarray(post.mean[:, 0]), "nngp_std": sd(post.cov),
        "max_stable_lr": nc.max_stable_lr(lam_max),
    }


def ensemble_stats(preds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (ddof = 1 when ≥ 2 members) over the ensemble axis 0."""
    ddof = 1 if preds.shape[0] > 1 else 0
    return preds.mean(0), preds.std(0, ddof=ddof)
