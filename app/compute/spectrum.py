"""Cached computations for the lesson "Spectrum and spectral bias".

Training inputs are ``N_TRAIN`` equally spaced points on the unit circle. For
such data every rotation-invariant kernel (Θ∞ exactly, the empirical Θ up to
finite-width noise) is a circulant matrix, so its eigenvectors are Fourier
modes cos kγ, sin kγ and its loss-normalized eigenvalues λ = eig(Θ)/N are the
kernel's Fourier coefficients μ_k. Under gradient descent on
L = (1/2N) Σ (f − y)² the residual along eigenvector i shrinks by (1 − ηλ_i)
per step: modes with small λ (high frequency k) are learned last.
"""

from __future__ import annotations


import jax
import numpy as np
import streamlit as st

import ntkcore as nc

from compute import training as T

N_TRAIN = 64  # circle points used for training and for the spectrum (one fixed size)
N_EVAL = 128  # plotting grid on the circle
W_STD = 1.0
WIDTHS = (64, 256, 1024, 4096)
ACTIVATIONS = ("relu", "erf", "gelu")
B_STDS = (0.0, 0.05, 0.1, 0.2, 0.5, 1.0)  # few values: each is a new JIT compile
STEPS = (100, 300, 1000, 3000)
N_RECORDS = 100
# Small amplitudes keep a width-1024 network close to its linearization (lazy); with
# amplitude ~1 on a cos 8γ component the kernel moves by ~100% during training.
TARGETS = ("mix", "cos2", "sin3", "cos6")
TARGET_LABELS = {
    "mix": "¼(cos γ + cos 2γ + cos 4γ + cos 6γ)",
    "cos2": "½ cos 2γ", "sin3": "½ sin 3γ", "cos6": "½ cos 6γ",
}
PANEL_FREQS = (0, 1, 2, 3, 4, 6)  # frequencies whose residuals are plotted
BUDGET_MS = 3000.0  # longest live training run allowed (measured cost model below)


def step_ms(width: int, depth: int) -> float:
    """Rough cost of one GD step on 64 points (network + bookkeeping), measured on the 2-core machine."""
    return 0.25 + 0.3 * width / 4096 + 5.0 * (depth - 1) * (width / 1024) ** 2


def allowed(width: int, depth: int, steps: int) -> bool:
    return steps * step_ms(width, depth) <= BUDGET_MS


def circle_inputs(n: int = N_TRAIN) -> tuple[np.ndarray, np.ndarray]:
    return nc.circle_points(n)


def target_values(target: str, gamma: np.ndarray) -> np.ndarray:
    if target == "mix":
        return 0.25 * (np.cos(gamma) + np.cos(2 * gamma) + np.cos(4 * gamma) + np.cos(6 * gamma))
    if target == "cos6":
        return 0.5 * np.cos(6 * gamma)
    return 0.5 * nc.circle_target(target, gamma)


def _model(width, depth, activation, b_std) -> nc.MLP:
    return nc.MLP(width=width, depth=depth, activation=activation, w_std=W_STD, b_std=b_std)


def dominant_frequency(vecs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each column v (sampled at γ_j = 2πj/N): the frequency k with most energy and that energy fraction."""
    power = np.abs(np.fft.rfft(vecs, axis=0)) ** 2  # (N/2+1, E)
    n = vecs.shape[0]
    # rfft stores the k and N−k terms once: count both (except k = 0 and k = N/2)
    power[1:(n + 1) // 2] *= 2
    frac = power / power.sum(0, keepdims=True)
    k = frac.argmax(0)
    return k, frac[k, np.arange(vecs.shape[1])]


def fourier_fit(vec: np.ndarray, k: int, gamma: np.ndarray) -> np.ndarray:
    """Least-squares fit a·cos kγ + b·sin kγ of the sampled vector ``vec``."""
    basis = np.stack([np.cos(k * gamma), np.sin(k * gamma)], 1)
    coef, *_ = np.linalg.lstsq(basis, vec, rcond=None)
    return basis @ coef


NULL_RTOL = 1e-6  # eigenvalues below this × λ_max are numerically zero (a degenerate null space)


def fourier_basis(n: int) -> np.ndarray:
    """Orthonormal real Fourier vectors on n equally spaced angles: (n, n), columns 1, cos γ, sin γ, cos 2γ, …"""
    gamma = 2 * np.pi * np.arange(n) / n
    cols = [np.ones(n)]
    for k in range(1, n // 2 + 1):
        cols.append(np.cos(k * gamma))
        if k < n / 2:
            cols.append(np.sin(k * gamma))
    f = np.stack(cols, 1)
    return f / np.linalg.norm(f, axis=0)


def fourier_aligned(spec: nc.Spectrum, kernel_n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(eigvals, eigvecs) with the numerically-zero eigenspace re-based on Fourier modes.

    Within a degenerate eigenspace the eigenvectors are an arbitrary rotation; for the null space of a
    bias-free ReLU kernel (every odd k ≥ 3) that would mix sin 3γ into vectors labelled k = 5 or 7 and make
    the per-frequency residuals meaningless. The Fourier vectors lying in that space (projection norm
    > ½) are orthonormalized in order of their projection and take its place; their eigenvalues are the
    Rayleigh quotients vᵀ(Θ/N)v. ``kernel_n`` is the loss-normalized kernel Θ/N (N, N).
    """
    lam, vec = np.array(spec.eigvals, np.float64), np.array(spec.eigvecs, np.float64)
    null = np.flatnonzero(lam < NULL_RTOL * lam[0])
    if null.size < 2:
        return lam, vec
    q = vec[:, null]
    f = fourier_basis(vec.shape[0])
    proj = q @ (q.T @ f)  # Fourier vectors projected on the null space
    chosen: list[np.ndarray] = []
    for j in np.argsort(-np.linalg.norm(proj, axis=0)):
        v = proj[:, j] - sum((c @ proj[:, j]) * c for c in chosen)
        if np.linalg.norm(v) > 0.5 and len(chosen) < null.size:
            chosen.append(v / np.linalg.norm(v))
    if len(chosen) < null.size:  # not spanned by Fourier vectors: keep the eigenvectors
        return lam, vec
    basis = np.stack(chosen, 1)
    rq = np.einsum("ni,nm,mi->i", basis, kernel_n, basis)
    order = np.argsort(-rq)
    lam[null], vec[:, null] = rq[order], basis[:, order]
    return lam, vec


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def spectra(width: int, depth: int, activation: str, b_std: float, seed: int) -> dict:
    """Θ0 of the seeded network and Θ∞ on the training circle, their spectra and Fourier content."""
    x, gamma = circle_inputs()
    model = _model(width, depth, activation, b_std)
    params = model.init(jax.random.key(seed), 2)
    theta0 = np.asarray(nc.empirical_ntk(model, params, x, lr_weighted=True), np.float64)
    theta_inf = np.asarray(nc.infinite_kernels(model, x).ntk, np.float64)
    n = x.shape[0]
    eig_emp, vec_emp = fourier_aligned(nc.ntk_spectrum(theta0), theta0 / n)
    eig_inf, vec_inf = fourier_aligned(nc.ntk_spectrum(theta_inf), theta_inf / n)
    k_emp, frac_emp = dominant_frequency(vec_emp)
    k_inf, frac_inf = dominant_frequency(vec_inf)
    return {
        "gamma": gamma,
        "eig_emp": eig_emp, "vec_emp": vec_emp, "k_emp": k_emp, "frac_emp": frac_emp,
        "eig_inf": eig_inf, "k_inf": k_inf, "frac_inf": frac_inf,
        "theta0": theta0,
        "lambda_max": float(eig_emp[0]),
        "max_lr": nc.max_stable_lr(float(eig_emp[0])),
    }


def divergence_report(tr: dict) -> str | None:
    """The page's warning when the network or its linearization diverged (None if neither did)."""
    gone = {name: step for name, step in tr["diverged_steps"].items() if step is not None}
    if not gone:
        return None
    text = ("Diverged: " + ", ".join(f"the {name} at step {step}" for name, step in gone.items())
            + f" (ηλ_max = {tr['lr'] * tr['lambda_max']:.2f}). Its curves stop there. ")
    if tr["diverged_steps"]["network"] is None:
        loss = tr["train_loss"]
        text += (f"The network stayed finite and is plotted to the end: its loss rose to "
                 f"{tr['peak_loss_ratio']:.3g}× its start and ended at {loss[-1] / loss[0]:.2g}× it"
                 + (" — a catapult (see Learning-rate phases). " if loss[-1] < loss[0] else ". "))
    return text + "Below 1.0 on the learning-rate slider both converge."


def odd_mode_share(sp: dict) -> float:
    """Largest eigenvalue of the network's Θ whose eigenvector is dominated by an odd k ≥ 3, / λ_max."""
    odd = (sp["k_emp"] >= 3) & (sp["k_emp"] % 2 == 1)
    return float(np.max(np.abs(sp["eig_emp"][odd])) / sp["lambda_max"]) if odd.any() else 0.0


def _group(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Combine per-eigenvector residuals (T, E) of one frequency in quadrature → (T,)."""
    return np.sqrt(np.sum(values[:, members] ** 2, axis=1))


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def training(width: int, depth: int, activation: str, b_std: float, target: str, lr_frac: float,
             steps: int, seed: int) -> dict:
    """Train the seeded network (and its linearization) with η = lr_frac · 2/λ_max; residuals per mode."""
    if not allowed(width, depth, steps):
        raise ValueError(f"width {width}, depth {depth}, {steps} steps is too slow to train live")
    sp = spectra(width, depth, activation, b_std, seed)
    x, gamma = circle_inputs()
    x_eval, gamma_eval = circle_inputs(N_EVAL)
    y = target_values(target, gamma)
    lr = lr_frac * sp["max_lr"]
    n_rec = min(N_RECORDS, steps)
    # The network is trained on its own and its linearization evolved here in closed form with Θ0:
    # above 2/λ_max the linearization diverges while the network often catapults and converges,
    # and each is plotted until *it* diverges.
    model = _model(width, depth, activation, b_std)
    traj = nc.train(model, x, y, nc.TrainConfig(steps=steps, lr=lr, n_records=n_rec, seed=seed,
                                                train_linearized=False), x_eval=x_eval)
    rec = T.record_steps(steps, n_rec)
    theta0, theta0_eval = sp["theta0"], np.asarray(
        nc.empirical_ntk(model, traj.params0, x_eval, x, lr_weighted=True), np.float64)
    f0, f0_eval = np.asarray(traj.pred_train[0], np.float64), np.asarray(traj.pred_eval[0], np.float64)
    lin = T.kernel_regression(theta0, theta0_eval, f0, f0_eval, y[:, None], lr, steps + 1, rec)
    lin_train = lin["f_train"]
    pred_train = np.full((len(rec), N_TRAIN, 1), np.nan)
    pred_train[:len(traj.steps)] = traj.pred_train
    pred_eval = np.full((len(rec), N_EVAL), np.nan)
    pred_eval[:len(traj.steps)] = np.asarray(traj.pred_eval)[..., 0]
    vecs, lam, k_emp = sp["vec_emp"], sp["eig_emp"], sp["k_emp"]
    res_net = nc.mode_residuals(vecs, pred_train, y)  # (R, E), NaN after the network diverged
    res_lin = nc.mode_residuals(vecs, lin_train[..., None], y)
    # predicted: |1 − ηλ_i|^t × initial residual, at every step until the linearized model diverges
    t_pred = np.arange(steps + 1 if lin["diverged_step"] is None else lin["diverged_step"])
    pred = nc.predicted_mode_decay(lam, t_pred, lr) * res_lin[0][None, :]
    groups = {}
    for k in PANEL_FREQS:
        members = np.flatnonzero(k_emp == k)
        if members.size == 0:
            continue
        groups[k] = {
            "members": members,
            "lambdas": lam[members],
            "net": _group(res_net, members),
            "lin": _group(res_lin, members),
            "pred": _group(pred, members),
        }
    loss_lin = lin["loss"][rec]
    net_div, lin_div = traj.diverged_step, lin["diverged_step"]
    return {
        "lr": lr, "lr_frac": lr_frac, "lambda_max": sp["lambda_max"], "max_lr": sp["max_lr"],
        "steps": rec, "t_pred": t_pred, "groups": groups,
        "gamma": gamma, "y": y, "gamma_eval": gamma_eval, "y_eval": target_values(target, gamma_eval),
        "pred_eval": pred_eval, "pred_eval_lin": lin["f_eval"],
        "train_loss": 0.5 * np.mean((pred_train[..., 0] - y) ** 2, axis=1), "train_loss_lin": loss_lin,
        "diverged_steps": {"network": net_div, "linearized model": lin_div},
        "diverged": net_div is not None or lin_div is not None,
        "peak_loss_ratio": float(np.max(traj.loss) / traj.loss[0]),  # per step, the network's
    }


