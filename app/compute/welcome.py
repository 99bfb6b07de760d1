"""Cached computation for the Welcome page: one network vs its infinite-width NTK.

A one-hidden-layer ReLU network (NTK parameterization) is trained by full-batch
gradient descent on a small 1-D regression task with ``ntkcore.train``; kernel
regression with the *infinite-width* NTK Θ∞ is run for the same number of steps
at the same learning rate (``ntkcore.kernel_predictions``), started from the
network's own initial function f0 so both start from the same curve. Everything
except the width is fixed, so only one new JIT compile is needed per width.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import ntkcore as nc

WIDTHS = (16, 64, 256, 1024, 4096)
DEFAULT_WIDTH = 256
TASK = "sine"
N_TRAIN = 20
N_EVAL = 200
STEPS = 200
LR = 0.5  # below 2/λ_max ≈ 0.62 of Θ∞ (and of the finite kernels at every width, seed 0)
SEED = 0
W_STD, B_STD = 1.0, 1.0
DEPTH, ACTIVATION = 1, "relu"


def model(width: int) -> nc.MLP:
    return nc.MLP(width=width, depth=DEPTH, activation=ACTIVATION, w_std=W_STD, b_std=B_STD,
                  parameterization="ntk")


def dataset() -> nc.Dataset:
    return nc.regression_1d(TASK, n_train=N_TRAIN, n_test=N_EVAL, seed=SEED)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def infinite_ntk() -> tuple[np.ndarray, np.ndarray]:
    """Θ∞(X, X) (N, N) and Θ∞(x_eval, X) (M, N); width-independent, computed once."""
    ds = dataset()
    m = model(1)  # the width is ignored in the limit; a fixed width reuses the compile
    x_all = np.concatenate([ds.x_train, ds.x_test])
    theta = np.asarray(nc.infinite_kernels(m, x_all, ds.x_train).ntk)
    return theta[:N_TRAIN], theta[N_TRAIN:]


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def fit(width: int) -> dict[str, np.ndarray | float | bool | int | str | None]:
    """Train the width-``width`` network and the Θ∞ kernel regression; plain numpy out.

    Keys: x_train, y_train (N,), x (M,) evaluation grid, target (M,),
    f_net (M,) the network after STEPS steps (or at its last finite record if it
    diverged), f_ntk (M,) Θ∞ kernel regression at the same step, f0 (M,) the
    common start, gap = RMS(f_net − f_ntk) over the grid, rel_gap = gap /
    RMS(f_ntk), train_loss_net/ntk, step, diverged, message.
    """
    ds = dataset()
    traj = nc.train(
        model(width), ds.x_train, ds.y_train,
        nc.TrainConfig(steps=STEPS, lr=LR, n_records=1, seed=SEED, train_linearized=False),
        x_eval=ds.x_test,
    )
    theta, theta_eval = infinite_ntk()
    step = int(traj.steps[-1])
    f_train, f_eval = nc.kernel_predictions(
        theta, ds.y_train, np.array([float(step)]), LR, theta_test_train=theta_eval,
        f0_train=traj.pred_train[0], f0_test=traj.pred_eval[0], mode="gd",
    )
    f_net = np.asarray(traj.pred_eval[-1, :, 0], np.float64)
    f_ntk = np.asarray(f_eval[0, :, 0], np.float64)
    gap = float(np.sqrt(np.mean((f_net - f_ntk) ** 2)))
    y = np.asarray(ds.y_train[:, 0], np.float64)
    return {
        "x_train": ds.x_train[:, 0],
        "y_train": y,
        "x": ds.x_test[:, 0],
        "target": ds.y_test[:, 0],
        "f0": np.asarray(traj.pred_eval[0, :, 0], np.float64),
        "f_net": f_net,
        "f_ntk": f_ntk,
        "gap": gap,
        "rel_gap": gap / max(float(np.sqrt(np.mean(f_ntk**2))), 1e-12),
        "train_loss_net": float(traj.train_loss[-1]),
        "train_loss_ntk": float(0.5 * np.mean((np.asarray(f_train[0, :, 0]) - y) ** 2)),
        "step": step,
        "diverged": bool(traj.diverged),
        "diverged_step": traj.diverged_step,
        "suggested_lr": traj.suggested_lr,
        "message": traj.message,
    }
