"""Cached computations for the lesson "Training is kernel regression".

Three models are trained from the same start on the same data with the same
full-batch gradient descent (loss L = (1/2N) Σ (f − y)², step η):

- the network (``ntkcore.train``, NTK parameterization);
- its linearization around θ0 (evolved exactly in closed form by ``ntkcore.train``);
- kernel regression with the infinite-width NTK Θ∞ (``ntkcore.infinite_kernels``)
  in closed form (``ntkcore.kernel_predictions``), started from the network's
  own initial function f0, so all three curves start together.

Tasks are either 1-D regression (``ntkcore.regression_1d``, N_1D points, the
curves are drawn on N_EVAL_1D grid points) or 2-D binary classification as ±1
regression (``ntkcore.classification_2d``, N_2D points, the surfaces on a
GRID_2D × GRID_2D grid). Sizes are fixed so JIT compiles are reused.
"""

from __future__ import annotations

import math
import time

import numpy as np
import streamlit as st

import ntkcore as nc

TASKS_1D = ("sine", "freqs", "step")
TASKS_2D = ("moons", "circles", "xor", "gaussians", "spirals")
TASKS = TASKS_1D + TASKS_2D
ACTIVATIONS = ("relu", "erf", "gelu", "sin", "leaky_relu", "identity")  # closed-form Θ∞ only
WIDTHS = (16, 64, 256, 1024, 4096)
DEPTHS = (1, 2)
STEPS = (100, 200, 500, 1000, 2000, 5000)
W_STD, B_STD = 1.0, 1.0
N_1D, N_EVAL_1D = 20, 200
N_2D, GRID_2D, LIM_2D = 100, 41, 1.5
N_RECORDS = 40  # animation frames (+1 for step 0)
DATA_SEED = 0  # the data set is fixed; the seed control sets the initialization
DIVERGENCE_FACTOR = nc.training.DIVERGENCE_FACTOR
MAX_LOSS_POINTS = 1000  # loss curves are thinned to at most this many points

# Budget: measured GD cost per step on the 2-core machine (2-D task, N = 100,
# network only; the linearized model is closed form). Depth 1 costs ~0.3–0.5 ms
# per step at width 4096; depth 2 is dominated by the width × width hidden
# matrix (~5 ms per step at 1024, ~70 ms at 4096, plus the same per recorded
# frame on the 41² grid). Runs whose stepping alone would exceed BUDGET_S are
# limited to fewer steps; depth 2 above MAX_WIDTH_DEPTH2 is refused.
BUDGET_S = 8.0
MAX_WIDTH_DEPTH2 = 1024


def step_cost_s(width: int, depth: int) -> float:
    """Rough seconds per GD step (upper estimate, measured on this machine)."""
    cost = 3e-5 + 1.0e-7 * width
    if depth >= 2:
        cost += (depth - 1) * 5e-9 * width**2
    return cost


def estimated_cost_s(width: int, depth: int, steps: int) -> float:
    return steps * step_cost_s(width, depth)


def allowed(width: int, depth: int, steps: int) -> bool:
    if depth >= 2 and width > MAX_WIDTH_DEPTH2:
        return False
    return estimated_cost_s(width, depth, steps) <= BUDGET_S


def max_steps(width: int, depth: int) -> int:
    """The largest STEPS option that fits the budget (0 if none)."""
    ok = [s for s in STEPS if allowed(width, depth, s)]
    return max(ok) if ok else 0


def is_2d(task: str) -> bool:
    return task in TASKS_2D


def model(width: int, depth: int, activation: str) -> nc.MLP:
    return nc.MLP(width=width, depth=depth, activation=activation, w_std=W_STD, b_std=B_STD,
                  parameterization="ntk")


def dataset(task: str) -> tuple[nc.Dataset, np.ndarray]:
    """(data set, evaluation inputs): the 1-D test grid or the 2-D decision-surface grid."""
    if is_2d(task):
        ds = nc.classification_2d(task, n_train=N_2D, n_test=N_2D, seed=DATA_SEED)
        return ds, nc.grid_2d(GRID_2D, LIM_2D)
    ds = nc.regression_1d(task, n_train=N_1D, n_test=N_EVAL_1D, seed=DATA_SEED)
    return ds, ds.x_test


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def infinite_ntk(task: str, depth: int, activation: str) -> dict[str, np.ndarray | float]:
    """Θ∞(X, X), Θ∞(x_eval, X) and the loss-normalized λ_max of Θ∞(X, X)."""
    ds, x_eval = dataset(task)
    m = model(1, depth, activation)  # width is irrelevant in the limit; fixed = compile reused
    theta = np.asarray(nc.infinite_kernels(m, ds.x_train).ntk, np.float64)
    theta_eval = np.asarray(nc.infinite_kernels(m, x_eval, ds.x_train).ntk, np.float64)
    lam_max = float(np.linalg.eigvalsh(theta)[-1]) / theta.shape[0]
    return {"theta": theta, "theta_eval": theta_eval, "lambda_max": lam_max}


def _infinite_loss_per_step(theta: np.ndarray, f0: np.ndarray, y: np.ndarray, lr: float,
                            steps: int) -> np.ndarray:
    """½·mean (f_t − y)² of GD with the fixed kernel θ, for t = 0 … steps−1 (all at once)."""
    n = theta.shape[0]
    lam, vec = np.linalg.eigh(theta)
    r0 = vec.T @ (f0 - y)  # (E, K)
    t = np.arange(steps, dtype=np.float64)[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        decay = (1.0 - lr * np.maximum(lam, 0.0) / n)[None, :] ** t
        loss = 0.5 * np.sum(decay**2 * np.sum(r0**2, -1)[None, :], -1) / n
    return np.where(np.isfinite(loss), loss, np.inf)


def _first_bad(loss: np.ndarray, loss0: float) -> int | None:
    bad = ~np.isfinite(loss) | (loss > DIVERGENCE_FACTOR * loss0)
    return int(np.argmax(bad)) if bad.any() else None


def _thin(n: int) -> np.ndarray:
    """Indices 0 … n−1 thinned to at most MAX_LOSS_POINTS (dense early, for log-x reading)."""
    if n <= MAX_LOSS_POINTS:
        return np.arange(n)
    idx = np.unique(np.concatenate([
        np.geomspace(1, n - 1, MAX_LOSS_POINTS // 2).astype(int),
        np.linspace(0, n - 1, MAX_LOSS_POINTS // 2).astype(int),
    ]))
    return idx


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def run(task: str, width: int, depth: int, activation: str, lr: float, steps: int,
        seed: int) -> dict:
    """Train network, linearization and Θ∞ kernel regression; plain numpy results.

    Keys (R = recorded snapshots, M = evaluation inputs, S = loss points):
      is_2d; x_train (N, d), y_train (N,); x_eval (M, d); target (M,) (1-D only,
      else None); grid (G,) the 2-D grid axis (else None);
      rec_steps (R,); f_net, f_lin, f_inf (R, M) predictions on x_eval;
      loss_steps (S,), loss_net, loss_lin (S,) (NaN where not reached), loss_inf (S,);
      gap_lin (R,) = ‖f − f_lin‖ (RMS over x_eval, ``Trajectory.function_gap``),
      gap_inf (R,) = ‖f − f_inf‖; train_acc_* for 2-D;
      lambda_max, max_lr (network's Θ0), lambda_max_inf, max_lr_inf (Θ∞);
      diverged, diverged_step, diverged_model, suggested_lr, message (network/linearized run),
      inf_diverged_step (or None); seconds.
    """
    t0 = time.perf_counter()
    ds, x_eval = dataset(task)
    y = np.asarray(ds.y_train, np.float64)
    traj = nc.train(
        model(width, depth, activation), ds.x_train, ds.y_train,
        nc.TrainConfig(steps=steps, lr=lr, n_records=N_RECORDS, seed=seed),
        x_eval=x_eval,
    )
    inf = infinite_ntk(task, depth, activation)
    rec_steps = np.asarray(traj.steps)
    f0_train = np.asarray(traj.pred_train[0], np.float64)
    f0_eval = np.asarray(traj.pred_eval[0], np.float64)

    # Θ∞ kernel regression, per step (loss) and at the recorded steps (functions).
    loss_inf = _infinite_loss_per_step(inf["theta"], f0_train, y, lr, steps)
    inf_bad = _first_bad(loss_inf, max(float(loss_inf[0]), 1e-30))
    with np.errstate(over="ignore", invalid="ignore"):  # past 2/λ_max the powers overflow: cut below
        _, f_inf = nc.kernel_predictions(
            inf["theta"], y, rec_steps.astype(float), lr, theta_test_train=inf["theta_eval"],
            f0_train=f0_train, f0_test=f0_eval, mode="gd",
        )
    f_inf = np.asarray(f_inf, np.float64)[:, :, 0]
    if inf_bad is not None:
        f_inf[rec_steps >= inf_bad] = np.nan
    f_inf[~np.isfinite(f_inf)] = np.nan
    f_net = np.asarray(traj.pred_eval[:, :, 0], np.float64)
    f_lin = np.asarray(traj.pred_eval_lin[:, :, 0], np.float64)
    gap_inf = np.sqrt(np.mean((f_net - f_inf) ** 2, axis=1))  # NaN where f_inf diverged

    # Per-step losses (the network's stop where training diverged).
    s_idx = _thin(steps)
    loss_net = np.full(steps, np.nan)
    loss_net[: len(traj.loss)] = traj.loss
    loss_lin = np.full(steps, np.nan)
    loss_lin[: len(traj.loss_lin)] = traj.loss_lin
    loss_inf_plot = loss_inf.copy()
    if inf_bad is not None:
        loss_inf_plot[inf_bad:] = np.nan

    out = {
        "task": task,
        "is_2d": is_2d(task),
        "x_train": np.asarray(ds.x_train, np.float64),
        "y_train": y[:, 0],
        "x_eval": np.asarray(x_eval, np.float64),
        "target": None if is_2d(task) else np.asarray(ds.y_test[:, 0], np.float64),
        "grid": np.linspace(-LIM_2D, LIM_2D, GRID_2D) if is_2d(task) else None,
        "rec_steps": rec_steps,
        "f_net": f_net,
        "f_lin": f_lin,
        "f_inf": f_inf,
        "loss_steps": s_idx,
        "loss_net": loss_net[s_idx],
        "loss_lin": loss_lin[s_idx],
        "loss_inf": loss_inf_plot[s_idx],
        "gap_lin": np.asarray(traj.function_gap, np.float64),
        "gap_inf": gap_inf,
        "lambda_max": float(traj.lambda_max),
        "max_lr": float(traj.max_stable_lr),
        "lambda_max_inf": float(inf["lambda_max"]),
        "max_lr_inf": 2.0 / float(inf["lambda_max"]),
        "diverged": bool(traj.diverged),
        "diverged_step": traj.diverged_step,
        "diverged_model": traj.diverged_model,
        "suggested_lr": traj.suggested_lr,
        "message": traj.message,
        "inf_diverged_step": inf_bad,
        "final_loss_net": float(traj.train_loss[-1]),
        "final_loss_lin": float(traj.train_loss_lin[-1]),
    }
    if is_2d(task):
        sign = np.sign(y[:, 0])
        out["train_acc_net"] = float(np.mean(np.sign(traj.pred_train[-1, :, 0]) == sign))
    out["seconds"] = time.perf_counter() - t0
    return out


def suggested_lr(max_lr: float, max_lr_inf: float) -> float:
    """A learning rate safely below both stability bounds, rounded down to the slider's step."""
    bound = 0.9 * min(max_lr, max_lr_inf)
    return max(0.05, math.floor(bound / 0.05) * 0.05)
