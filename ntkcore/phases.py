"""Learning-rate phases of wide networks: lazy, catapult, divergent (Lewkowycz et al. 2020).

Full-batch GD with step η on L = (1/2N) Σ (f − y)². λ0 is the top loss-normalized
eigenvalue of the empirical NTK at initialization, λ = eig(Θ0)/N; the run uses
η = c · 2/λ0, so c is the learning rate in units of the linearized model's
stability bound:

- c < 1, **lazy**: the loss falls monotonically and λ_max stays (almost) constant.
- 1 < c < c_max, **catapult**: the top mode grows (|1 − ηλ| > 1), the loss spikes,
  the growth feeds back into the kernel and λ_max falls until ηλ < 2; then
  training converges in a flatter region (final ηλ < 2). (The mechanism of
  Lewkowycz et al.; that this net follows it is measured in tests/test_ntkcore_phases.py.)
- c > c_max, **divergent**: the loss blows up. Lewkowycz et al. derive
  η_max = 4/λ0 (c_max = 2) for their two-layer *linear* "uv" model (Section 2)
  and report a larger η_max for ReLU networks (about 12/λ0). Measured here, not
  the paper's number: the one-hidden-layer ReLU net of the /lr-phases lesson
  (NTK parameterization, width 1024, 32 circle points, seed 0) diverges above
  η ≈ 4.2/λ0 (c ≈ 2.1; pinned in tests/test_ntkcore_claims.py).

``lr_phase_run`` trains one network and records λ_max at every step (the
catapult happens within tens of steps); ``lr_phase_sweep`` scans c and measures
the phase boundaries; ``classify_phase`` names the phase of one run.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import numpy as np

from . import _validate as V
from .empirical import empirical_ntk
from .training import TrainConfig, train

PHASES: tuple[str, ...] = ("lazy", "catapult", "divergent", "unsettled")
MONOTONE_TOL = 0.02  # a loss rise of ≤ 2% over its running minimum still counts as monotone


class PhaseRun(NamedTuple):
    """One training run at η = c · 2/λ0.

    ``loss`` (S,) per GD step (step 0 = initial loss); ``record_steps`` (R,) and
    ``lambda_max`` (R,) the loss-normalized top NTK eigenvalue at those steps.
    After a divergence the arrays stop before ``diverged_step``.
    """

    c: float
    lr: float
    lambda0: float
    loss: np.ndarray
    record_steps: np.ndarray
    lambda_max: np.ndarray
    phase: str
    diverged_step: int | None
    peak_loss_ratio: float
    lambda_final: float
    final_loss: float


class PhaseSweep(NamedTuple):
    """Per-c results of ``lr_phase_sweep`` (arrays of shape (C,), c increasing) and the boundaries.

    ``lambda_final`` and ``final_loss`` are NaN for divergent runs; ``diverged_step``
    is −1 for runs that did not diverge; ``peak_loss_ratio`` = max loss before
    divergence / initial loss. Boundaries (in units of c, i.e. η·λ0/2) are
    ``(below, above)`` brackets of measured c values, or None if the sweep did
    not cross them: ``catapult_bracket`` between the last lazy c and the first
    non-lazy c; ``divergent_bracket`` between the largest converging c below the
    first divergent one and that divergent c. ``c_catapult``, ``c_divergent``
    are the brackets' midpoints (NaN when absent).
    """

    cs: np.ndarray
    lr: np.ndarray
    lambda0: float
    lambda_final: np.ndarray
    peak_loss_ratio: np.ndarray
    final_loss: np.ndarray
    diverged_step: np.ndarray
    phase: tuple[str, ...]
    catapult_bracket: tuple[float, float] | None
    divergent_bracket: tuple[float, float] | None

    @property
    def c_catapult(self) -> float:
        return float(np.mean(self.catapult_bracket)) if self.catapult_bracket else math.nan

    @property
    def c_divergent(self) -> float:
        return float(np.mean(self.divergent_bracket)) if self.divergent_bracket else math.nan

    @property
    def final_lr_lambda(self) -> np.ndarray:
        """η·λ_final per c (NaN for divergent runs): < 2 once a catapult has settled."""
        return self.lr * self.lambda_final


def top_eigenvalues(thetas) -> np.ndarray:
    """Loss-normalized top eigenvalue λ_max = max eig(Θ)/N of each kernel in (R, N, N) (or one (N, N))."""
    thetas = np.asarray(thetas, np.float64)
    single = thetas.ndim == 2
    thetas = thetas[None] if single else thetas
    if thetas.ndim != 3 or thetas.shape[1] != thetas.shape[2]:
        raise ValueError(f"thetas must have shape (R, N, N) or (N, N); got {np.shape(thetas)}")
    n = thetas.shape[-1]
    lam = np.linalg.eigvalsh((thetas + np.swapaxes(thetas, 1, 2)) / 2)[:, -1] / n
    return lam[0] if single else lam


def classify_phase(loss, lambda_final: float, lr: float, diverged: bool, *, tol: float = MONOTONE_TOL) -> str:
    """Name the phase of one GD run.

    "divergent" if it diverged; "lazy" if the loss never rose more than ``tol``
    (relative) above its running minimum; "catapult" if it rose and then
    settled: final loss below the initial loss and η·λ_final < 2; otherwise
    "unsettled" (the loss rose but the run neither converged nor diverged
    within its steps).
    """
    if diverged:
        return "divergent"
    loss = np.asarray(loss, np.float64)
    if loss.size == 0 or not np.all(np.isfinite(loss)):
        raise ValueError("loss must be a non-empty finite array when the run did not diverge")
    running_min = np.minimum.accumulate(loss)
    if np.all(loss <= running_min * (1 + tol)):
        return "lazy"
    if loss[-1] < loss[0] and lr * lambda_final < 2.0:
        return "catapult"
    return "unsettled"


def initial_lambda_max(model: Any, x, seed: int = 0) -> tuple[float, Any]:
    """(λ0, θ0): the top loss-normalized eigenvalue of the lr-weighted empirical NTK at the seeded init."""
    x = np.asarray(V.check_array("x", x, 2))
    params0 = model.init(jax.random.key(V.check_int("seed", seed, 0)), x.shape[-1])
    theta0 = np.asarray(empirical_ntk(model, params0, x, lr_weighted=True))
    return float(top_eigenvalues(theta0)), params0


def lr_phase_run(model: Any, x, y, c: float, steps: int, *, seed: int = 0, n_records: int | None = None) -> PhaseRun:
    """Train ``model`` on (x, y) by full-batch GD with η = c · 2/λ0 and record λ_max over training.

    Args:
      model: an ``MLP`` (any parameterization).
      x (N, d), y (N,) or (N, 1): the training set; the NTK is recorded on all of it.
      c: learning rate in units of 2/λ0 (> 0).
      steps: GD steps.
      seed: initialization seed.
      n_records: NTK snapshots (default: every step, which a catapult needs;
        it happens within the first tens of steps).
    """
    c = V.check_float("c", c, 0.0, 1e3, lo_open=True)
    steps = V.check_int("steps", steps, 1, 100_000)
    x = np.asarray(V.check_array("x", x, 2))
    lam0, params0 = initial_lambda_max(model, x, seed)
    lr = c * 2.0 / lam0
    config = TrainConfig(steps=steps, lr=lr, n_records=n_records or steps, train_linearized=False, seed=seed)
    traj = train(model, x, y, config, x_probe=x, y_probe=y, params0=params0)
    lam = top_eigenvalues(traj.ntk)
    loss = np.asarray(traj.loss, np.float64)
    lam_final = float(lam[-1])
    finite = loss[np.isfinite(loss)]
    return PhaseRun(
        c=c, lr=lr, lambda0=lam0, loss=loss, record_steps=np.asarray(traj.steps), lambda_max=lam,
        phase=classify_phase(loss, lam_final, lr, traj.diverged),
        diverged_step=traj.diverged_step,
        peak_loss_ratio=float(finite.max() / finite[0]) if finite.size else math.nan,
        lambda_final=math.nan if traj.diverged else lam_final,
        final_loss=math.nan if traj.diverged else float(loss[-1]),
    )


def lr_phase_sweep(model: Any, x, y, cs, steps: int, *, seed: int = 0, refine: int = 0, n_records: int = 4,
                   callback=None, run_fn=None) -> PhaseSweep:
    """Run ``lr_phase_run`` for every c in ``cs`` and measure the phase boundaries.

    Args:
      cs: learning rates in units of 2/λ0 (sorted here).
      steps: GD steps per run.
      refine: extra runs bisecting the catapult→divergence bracket (each halves it).
      n_records: NTK snapshots per run (only the last, λ_final, is used).
      callback: optional ``callback(i, total)`` after each run (progress bars).
      run_fn: optional ``run_fn(c) -> PhaseRun`` replacing the default
        ``lr_phase_run(model, x, y, c, steps, seed=seed, n_records=n_records)``
        (e.g. a cached version of it).
    """
    cs = sorted(V.check_float("cs", float(c), 0.0, 1e3, lo_open=True) for c in np.ravel(cs))
    if not cs:
        raise ValueError("cs must contain at least one learning-rate multiple")
    refine = V.check_int("refine", refine, 0, 20)
    total = len(cs) + refine
    runs: dict[float, PhaseRun] = {}

    def run(c):
        runs[c] = run_fn(c) if run_fn is not None else \
            lr_phase_run(model, x, y, c, steps, seed=seed, n_records=min(n_records, steps))
        if callback is not None:
            callback(len(runs), total)

    for c in cs:
        run(c)
    for _ in range(refine):
        bracket = _divergent_bracket(runs)
        if bracket is None:
            break
        mid = float(np.mean(bracket))
        if mid in runs:
            break
        run(mid)
    keys = sorted(runs)
    rs = [runs[c] for c in keys]
    lam0 = rs[0].lambda0
    return PhaseSweep(
        cs=np.asarray(keys),
        lr=np.array([r.lr for r in rs]),
        lambda0=lam0,
        lambda_final=np.array([r.lambda_final for r in rs]),
        peak_loss_ratio=np.array([r.peak_loss_ratio for r in rs]),
        final_loss=np.array([r.final_loss for r in rs]),
        diverged_step=np.array([-1 if r.diverged_step is None else r.diverged_step for r in rs]),
        phase=tuple(r.phase for r in rs),
        catapult_bracket=_catapult_bracket(runs),
        divergent_bracket=_divergent_bracket(runs),
    )


def _catapult_bracket(runs: dict[float, PhaseRun]) -> tuple[float, float] | None:
    """(last lazy c, first non-lazy c above it), scanning c upward."""
    keys = sorted(runs)
    for lo, hi in zip(keys[:-1], keys[1:]):
        if runs[lo].phase == "lazy" and runs[hi].phase != "lazy":
            return (lo, hi)
    return None


def _divergent_bracket(runs: dict[float, PhaseRun]) -> tuple[float, float] | None:
    """(largest non-divergent c below the first divergent c, that divergent c)."""
    keys = sorted(runs)
    for lo, hi in zip(keys[:-1], keys[1:]):
        if runs[lo].phase != "divergent" and runs[hi].phase == "divergent":
            return (lo, hi)
    return None
