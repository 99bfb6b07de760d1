"""Cached computations for the lesson "Training is kernel regression".

Three models are trained from the same start on the same data with the same
full-batch gradient descent (loss L = (1/2N) Σ (f − y)², step η):

- the network (``ntkcore.train``, NTK parameterization);
- its linearization around θ0: kernel regression with the network's own Θ0, evolved exactly in
  closed form here (what GD on the linearized parameters gives), so the network keeps training
  when its linearization diverges (above 2/λ_max(Θ0)) and vice versa;
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


def fallback_width(width: int, depth: int) -> int:
    """The largest WIDTHS option ≤ ``width`` that can train live at ``depth`` (some STEPS option fits)."""
    ok = [w for w in WIDTHS if w <= width and max_steps(w, depth) > 0]
    if not ok:
        raise ValueError(f"width must be ≥ {min(WIDTHS)} and depth one of {DEPTHS} (some option of WIDTHS "
                         f"up to width must train live); got width={width}, depth={depth}")
    return max(ok)


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


def _kernel_loss_per_step(theta: np.ndarray, f0: np.ndarray, y: np.ndarray, lr: float,
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


def kernel_regression(theta: np.ndarray, theta_eval: np.ndarray, f0_train: np.ndarray, f0_eval: np.ndarray,
                      y: np.ndarray, lr: float, steps: int, rec_steps: np.ndarray) -> dict:
    """Kernel gradient descent with a fixed kernel from f0 (the linearized network with Θ0, or Θ∞).

    f_t(x) = f0(x) + Θ(x, X) Θ⁻¹ (I − (I − ηΘ/N)^t)(y − f0(X)). Returns loss (steps,) per step
    (NaN from the divergence on), f_train (R, N) and f_eval (R, M) at ``rec_steps`` (NaN from the
    divergence on) and
    diverged_step: the first step whose loss is non-finite or above DIVERGENCE_FACTOR × its start
    (the rule ``ntkcore.train`` applies), or None.
    """
    loss = _kernel_loss_per_step(theta, f0_train, y, lr, steps)
    bad = _first_bad(loss, max(float(loss[0]), 1e-30))
    with np.errstate(over="ignore", invalid="ignore"):  # past 2/λ_max the powers overflow: cut below
        f_train, f_eval = nc.kernel_predictions(theta, y, rec_steps.astype(float), lr, theta_test_train=theta_eval,
                                                f0_train=f0_train, f0_test=f0_eval, mode="gd")
    f_train, f_eval = (np.asarray(f, np.float64)[:, :, 0] for f in (f_train, f_eval))
    if bad is not None:
        f_train[rec_steps >= bad] = np.nan
        f_eval[rec_steps >= bad] = np.nan
        loss = loss.copy()
        loss[bad:] = np.nan
    f_train[~np.isfinite(f_train)] = np.nan
    f_eval[~np.isfinite(f_eval)] = np.nan
    return {"loss": loss, "f_train": f_train, "f_eval": f_eval, "diverged_step": bad}


def record_steps(steps: int, n_records: int = N_RECORDS) -> np.ndarray:
    """The snapshot steps ``ntkcore.train`` records with ``n_records`` (0, chunk, 2·chunk, …, steps)."""
    chunk = max(1, math.ceil(steps / n_records))
    return np.array(list(range(0, steps, chunk)) + [steps])


def _rms_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """RMS over the inputs of a − b per snapshot (NaN where either model has diverged)."""
    return np.sqrt(np.mean((a - b) ** 2, axis=1))


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
    """Train the network; run its linearization and Θ∞ kernel regression from its f0; numpy results.

    Each model runs until *it* diverges: above 2/λ_max the linearized model and Θ∞ regression
    diverge while the network often catapults and converges (see /lr-phases), so the network is
    trained on its own (``train_linearized=False``) and the linearization is evolved here in
    closed form with the network's Θ0 (exactly what GD on the linearized parameters gives).

    Keys (R = planned snapshots, M = evaluation inputs, S = loss points):
      is_2d; x_train (N, d), y_train (N,); x_eval (M, d); target (M,) (1-D only,
      else None); grid (G,) the 2-D grid axis (else None);
      rec_steps (R,); f_net, f_lin, f_inf (R, M) predictions on x_eval (NaN from a model's
      divergence on); loss_steps (S,), loss_net, loss_lin, loss_inf (S,) (NaN where not reached);
      gap_lin (R,) = ‖f − f_lin‖, gap_inf (R,) = ‖f − f_∞‖ (RMS over x_eval); train_acc_net for 2-D;
      lambda_max, max_lr (network's Θ0), lambda_max_inf, max_lr_inf (Θ∞);
      diverged_steps {"network", "linearized network", "infinite-width NTK"} → step or None;
      diverged (any model), final_loss_net/lin (last finite), seconds.
    """
    t0 = time.perf_counter()
    ds, x_eval = dataset(task)
    y = np.asarray(ds.y_train, np.float64)
    m = model(width, depth, activation)
    traj = nc.train(
        m, ds.x_train, ds.y_train,
        nc.TrainConfig(steps=steps, lr=lr, n_records=N_RECORDS, seed=seed, train_linearized=False),
        x_eval=x_eval,
    )
    inf = infinite_ntk(task, depth, activation)
    rec_steps = record_steps(steps)
    n_rec = len(traj.steps)  # the network's snapshots stop before its divergence
    f0_train = np.asarray(traj.pred_train[0], np.float64)
    f0_eval = np.asarray(traj.pred_eval[0], np.float64)
    theta0 = np.asarray(nc.empirical_ntk(m, traj.params0, ds.x_train, lr_weighted=True), np.float64)
    theta0_eval = np.asarray(nc.empirical_ntk(m, traj.params0, x_eval, ds.x_train, lr_weighted=True), np.float64)
    lin = kernel_regression(theta0, theta0_eval, f0_train, f0_eval, y, lr, steps, rec_steps)
    kinf = kernel_regression(inf["theta"], inf["theta_eval"], f0_train, f0_eval, y, lr, steps, rec_steps)

    f_net = np.full((len(rec_steps), x_eval.shape[0]), np.nan)
    f_net[:n_rec] = np.asarray(traj.pred_eval[:, :, 0], np.float64)
    f_lin, f_inf = lin["f_eval"], kinf["f_eval"]

    s_idx = _thin(steps)
    loss_net = np.full(steps, np.nan)
    loss_net[: len(traj.loss)] = traj.loss
    finite_lin = lin["loss"][np.isfinite(lin["loss"])]

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
        "loss_lin": lin["loss"][s_idx],
        "loss_inf": kinf["loss"][s_idx],
        "gap_lin": _rms_gap(f_net, f_lin),
        "gap_inf": _rms_gap(f_net, f_inf),
        "lambda_max": float(traj.lambda_max),
        "max_lr": float(traj.max_stable_lr),
        "lambda_max_inf": float(inf["lambda_max"]),
        "max_lr_inf": 2.0 / float(inf["lambda_max"]),
        "diverged_steps": {"network": traj.diverged_step, "linearized network": lin["diverged_step"],
                           "infinite-width NTK": kinf["diverged_step"]},
        "final_loss_net": float(traj.train_loss[-1]),
        "final_loss_lin": float(finite_lin[-1]),
    }
    out["diverged"] = any(v is not None for v in out["diverged_steps"].values())
    if is_2d(task):
        sign = np.sign(y[:, 0])
        out["train_acc_net"] = float(np.mean(np.sign(traj.pred_train[-1, :, 0]) == sign))
    out["seconds"] = time.perf_counter() - t0
    return out


def divergence_report(r: dict, lr: float) -> str | None:
    """The page's warning when a model diverged (None if none did): which models, at which step,
    which bound η exceeds, which models stayed finite, and a learning rate at which all three converge."""
    gone = {name: step for name, step in r["diverged_steps"].items() if step is not None}
    if not gone:
        return None
    bounds = {"linearized network": r["max_lr"], "infinite-width NTK": r["max_lr_inf"]}
    over = [f"2/λ_max = {bounds[name]:.3g} of {'Θ₀' if name == 'linearized network' else 'Θ∞'}"
            for name in gone if name in bounds and lr > bounds[name]]
    label = {"infinite-width NTK": "infinite-width kernel regression"}
    text = ("Diverged: " + ", ".join(f"the {label.get(name, name)} at step {step}" for name, step in gone.items())
            + (f" (η = {lr:g} exceeds " + " and ".join(over) + ")" if over else "")
            + ". Their curves stop there. ")
    finite = [label.get(name, name) for name in r["diverged_steps"] if name not in gone]
    if finite:
        text += f"The {' and the '.join(finite)} stayed finite and {'is' if len(finite) == 1 else 'are'} plotted to the end"
        loss = r["loss_net"][np.isfinite(r["loss_net"])]
        if "network" in finite and loss[-1] < loss[0] and loss.max() > loss[0]:
            text += (f": the network's loss rose to {loss.max() / loss[0]:.3g}× its start and then fell to "
                     f"{loss[-1] / loss[0]:.2g}× — a catapult (see Learning-rate phases)")
        text += ". "
    return text + f"For all three to converge, try a learning rate of at most {suggested_lr(r['max_lr'], r['max_lr_inf']):.2f}."


def suggested_lr(max_lr: float, max_lr_inf: float) -> float:
    """A learning rate safely below both stability bounds, rounded down to the slider's step."""
    bound = 0.9 * min(max_lr, max_lr_inf)
    return max(0.05, math.floor(bound / 0.05) * 0.05)
