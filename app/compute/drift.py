"""Cached computations for the lesson "Kernel drift: lazy vs rich".

The task is this project's run reproducing the width scaling Lee et al. (2019)
report (not their experiment; ntk.md, canonical experiment 2): a one-hidden-layer ReLU network (b_std = 0.1) on ``N_TRAIN``
equally spaced points of the unit circle, target cos 2γ, full-batch GD on
L = (1/2N)Σ(f − y)². Every width of ``WIDTHS`` is trained on it with the same
settings; ``run_width`` is cached per width so the page can show progress
between widths and changing the displayed width costs nothing.

Initialization is *nested*: one network of the largest width is drawn per
(parameterization, seed) and a width-n network uses its first n hidden
neurons, with the readout rescaled to the width-n variance. Smaller networks
are then sub-networks of larger ones (and only one random draw is compiled).
The learning rate is a fraction of 2/λ_max of the width's own lr-weighted
NTK at initialization, so every width and parameterization trains stably at
the start (standard parameterization needs η ∝ 1/width).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import streamlit as st

import ntkcore as nc

WIDTHS = (16, 48, 128, 384, 1024, 4096)  # the sweep (log-spaced, 16 … 4096)
N_TRAIN = 20  # circle points (one fixed size: compiles are reused)
TARGET = "cos2"
DEPTH = 1
B_STD = 0.1
W_STD = 1.0
CHUNK = 20  # steps between snapshots (fixed, so every step count reuses one compile)
STEPS = (250, 500, 1000, 2000)
ALPHAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
N_PARTICLES = 256  # neurons drawn in the particle plot (the first ones)


def task() -> nc.Dataset:
    return nc.circle(TARGET, n_train=N_TRAIN, n_test=100)


def task_angles() -> np.ndarray:
    """Angles γ (N_TRAIN,) of the training inputs, in the order of ``task().x_train``."""
    return nc.circle_points(N_TRAIN)[1]


def model(param: str, width: int) -> nc.MLP:
    return nc.MLP(width=width, depth=DEPTH, activation="relu", w_std=W_STD, b_std=B_STD,
                  parameterization=param)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _init_full(param: str, seed: int) -> list[dict[str, np.ndarray]]:
    """θ0 of the widest network (NumPy)."""
    params = model(param, max(WIDTHS)).init(jax.random.key(seed), 2)
    return [{k: np.asarray(v) for k, v in layer.items()} for layer in params]


def nested_init(param: str, width: int, seed: int) -> list[dict[str, jax.Array]]:
    """θ0 of the width-``width`` network: the first ``width`` neurons of the widest one.

    Each layer's weights are rescaled from the widest network's σ_W to this
    width's σ_W (only the readout's σ_W depends on width), so the result has
    exactly the distribution ``model(param, width).init`` draws from.
    """
    full = _init_full(param, seed)
    specs_full = model(param, max(WIDTHS)).layer_specs(2)
    specs = model(param, width).layer_specs(2)
    w1 = full[0]["W"][:, :width] * (specs[0].sigma_w / specs_full[0].sigma_w)
    b1 = full[0]["b"][:width]
    w2 = full[1]["W"][:width] * (specs[1].sigma_w / specs_full[1].sigma_w)
    b2 = full[1]["b"]
    return [{"W": jnp.asarray(w1), "b": jnp.asarray(b1)}, {"W": jnp.asarray(w2), "b": jnp.asarray(b2)}]


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def run_width(param: str, width: int, alpha: float, lr_frac: float, steps: int, seed: int) -> dict:
    """Train one width; return its drift metrics over time and its neurons (NumPy).

    Keys: ``steps`` (R,), ``kernel_change``, ``kernel_distance``,
    ``alignment``, ``train_loss`` (R,), ``weight_change`` (R, 2) (input
    layer, readout), ``ntk`` (R, N, N), ``neuron_w`` (R, 2, n) effective input
    weights m_W·W1[:, j] of the first n = min(width, N_PARTICLES) neurons,
    ``neuron_a`` (R, n) their effective readout weights, ``lr``,
    ``max_stable_lr``, ``lambda_max``, ``diverged``, ``diverged_step``,
    ``message``, ``suggested_frac``, and ``early``: the same metrics at steps 1 … CHUNK
    (``steps``, ``kernel_change``, ``kernel_distance``, ``alignment``, ``weight_change``).
    """
    data = task()
    m = model(param, width)
    params0 = nested_init(param, width, seed)
    theta0 = nc.empirical_ntk(m, params0, data.x_train, lr_weighted=True)
    lam_max = float(np.linalg.eigvalsh(np.asarray(theta0, np.float64))[-1]) / N_TRAIN
    max_lr = nc.max_stable_lr(lam_max)
    lr = lr_frac * max_lr
    cfg = nc.TrainConfig(steps=steps, lr=lr, output_scale=alpha, n_records=steps // CHUNK,
                         train_linearized=False, seed=seed, record_params=True)
    traj = nc.train(m, data.x_train, data.y_train, cfg, params0=params0)
    # Snapshots come every CHUNK steps; the first steps, where a rich network moves most, are
    # recorded one by one by a short run from the same θ₀ (full-batch GD: the same trajectory).
    early = nc.train(m, data.x_train, data.y_train,
                     dataclasses.replace(cfg, steps=CHUNK, n_records=CHUNK, record_params=False), params0=params0)
    e_steps = np.asarray(early.steps)
    keep = e_steps > 0
    specs = m.layer_specs(2)
    n = min(width, N_PARTICLES)
    hist = traj.params_history
    neuron_w = specs[0].m_w * hist[0]["W"][:, :, :n]
    neuron_a = specs[1].m_w * hist[1]["W"][:, :n, 0]
    return {
        "steps": np.asarray(traj.steps),
        "kernel_change": traj.kernel_change,
        "kernel_distance": traj.kernel_distance,
        "alignment": traj.alignment,
        "train_loss": traj.train_loss,
        "weight_change": np.asarray(traj.weight_change),
        "ntk": np.asarray(traj.ntk),
        "neuron_w": np.asarray(neuron_w, np.float32),
        "neuron_a": np.asarray(neuron_a, np.float32),
        "lr": float(lr),
        "max_stable_lr": float(max_lr),
        "lambda_max": lam_max,
        "diverged": bool(traj.diverged),
        "diverged_step": traj.diverged_step,
        "message": traj.message,
        "suggested_frac": None if traj.suggested_lr is None else float(traj.suggested_lr / max_lr),
        "early": {"steps": e_steps[keep], "kernel_change": np.asarray(early.kernel_change)[keep],
                  "kernel_distance": np.asarray(early.kernel_distance)[keep],
                  "alignment": np.asarray(early.alignment)[keep],
                  "weight_change": np.asarray(early.weight_change)[keep]},
    }


def log_slope(widths, values) -> tuple[float, float] | None:
    """Least-squares fit log v = s·log w + c over the positive finite values → (s, c), or None."""
    w = np.asarray(widths, float)
    v = np.asarray(values, float)
    ok = np.isfinite(v) & (v > 0)
    if ok.sum() < 2:
        return None
    s, c = np.polyfit(np.log(w[ok]), np.log(v[ok]), 1)
    return float(s), float(c)


FINAL_METRICS = (
    ("weight_input", "‖ΔW₁‖/‖W₁(0)‖ (input layer)"),
    ("weight_readout", "‖ΔW₂‖/‖W₂(0)‖ (readout)"),
    ("kernel_change", "‖Θ<sub>T</sub> − Θ₀‖<sub>F</sub>/‖Θ₀‖<sub>F</sub>"),
    ("kernel_distance", "kernel distance S(Θ₀, Θ<sub>T</sub>)"),
)


def finals(runs: dict[int, dict]) -> dict:
    """Final values per width (diverged widths → NaN) and log-log slopes for each metric."""
    widths = np.array(sorted(runs), float)
    vals = {k: [] for k, _ in FINAL_METRICS}
    for w in sorted(runs):
        r = runs[w]
        bad = r["diverged"]
        vals["weight_input"].append(np.nan if bad else r["weight_change"][-1, 0])
        vals["weight_readout"].append(np.nan if bad else r["weight_change"][-1, 1])
        vals["kernel_change"].append(np.nan if bad else r["kernel_change"][-1])
        vals["kernel_distance"].append(np.nan if bad else r["kernel_distance"][-1])
    vals = {k: np.asarray(v, float) for k, v in vals.items()}
    return {"widths": widths, "values": vals, "slopes": {k: log_slope(widths, v) for k, v in vals.items()}}
