"""Feature learning beyond the kernel regime: lazy/rich sweeps and feature change per step.

Lazy/rich knob (Chizat, Oyallon & Bach 2019): the trained model is
α·(f(θ) − f(θ0)) on the loss L/α², L = (1/2N)Σ(out − y)² (as ``train`` with
``output_scale``). At initialization its function-space dynamics do not depend
on α (the step is η Θ0/N), but reaching a given output needs weight changes
∝ 1/α: large α stays on the linearization (lazy), small α moves the features
(rich). Under NTK parameterization the relative kernel change after training
scales like 1/(α√width), so the lazy/rich crossover follows α·√width = const
(Geiger, Spigler, Jacot & Wyart 2020).

``alpha_sweep`` trains one network at several α at once (vmapped over α, one
compile per model). ``feature_change`` measures how much the hidden
representation moves in a few steps — O(1) at every width under muP (Yang &
Hu 2021), ∝ width^(−1/2) under NTK parameterization.

``single_index`` builds the task where features win: y = g(w*·x) in moderate
dimension with few samples — a rotation-invariant kernel must fit every
polynomial up to the target's degree k (about d^k/k! of them, so of order d^k
samples), while a network that learns the single direction w* can get by with
far fewer (how many depends on g and the training; measured here on /features).
"""
from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as V
from .datasets import Dataset
from .empirical import _lr_tree, _ntk
from .models import MLP, _forward
from .training import DIVERGENCE_FACTOR

LINKS = ("abs", "he2", "relu")


def single_index(link: str = "abs", d: int = 30, n_train: int = 200, n_test: int = 500, seed: int = 0) -> Dataset:
    """Single-index regression y = g(w*·x), x ~ N(0, I_d), |w*| = 1, targets standardized on the test set.

    Args:
      link: g — "abs" |z|, "he2" z² − 1 (Hermite), "relu" max(z, 0).
      d: input dimension; n_train, n_test: sample sizes; seed: w* and the samples.

    x·x'/d is then ≈ cosine similarity, as ``infinite_kernels`` expects. With
    ``abs`` or ``he2`` the target has no linear part, so the kernel must learn it
    from degree-2 (and higher) features: ~d²/2 samples.
    """
    V.check_choice("link", link, LINKS)
    d = V.check_int("d", d, 1, 10_000)
    n_train = V.check_int("n_train", n_train, 1, 100_000)
    n_test = V.check_int("n_test", n_test, 1, 100_000)
    seed = V.check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    x = rng.standard_normal((n_train + n_test, d))
    z = x @ w
    y = {"abs": np.abs(z), "he2": z ** 2 - 1.0, "relu": np.maximum(z, 0.0)}[link]
    mu, sd = y[n_train:].mean(), y[n_train:].std()
    y = ((y - mu) / sd)[:, None]
    return Dataset(f"single_index_{link}", x[:n_train], y[:n_train], x[n_train:], y[n_train:])


class AlphaSweep(NamedTuple):
    """Results per output scale α (A,) after ``steps`` GD steps from one θ0.

    ``test_error``, ``train_error``: relative errors mean‖out − y‖²/mean‖y‖² of
    the network α·(f − f0); ``test_error_lin``: the same for its linearization
    (closed form, identical for every α: the α-scaled linear model follows Θ0
    whatever α); ``kernel_change`` ‖Θ_T − Θ0‖_F/‖Θ0‖_F (lr-weighted, on the
    probe inputs); ``weight_change`` ‖W1_T − W1_0‖/‖W1_0‖ (input layer);
    ``lr`` the learning rate used per α (halved after a divergence);
    ``diverged`` True where even the smallest retry diverged (its values are NaN).
    """

    alphas: np.ndarray
    test_error: np.ndarray
    train_error: np.ndarray
    test_error_lin: float
    kernel_change: np.ndarray
    weight_change: np.ndarray
    lr: np.ndarray
    diverged: np.ndarray


def alpha_sweep(model: MLP, x_train, y_train, x_test, y_test, alphas: Sequence[float], *, steps: int, lr: float,
                seed: int = 0, n_probe: int = 64, retries: int = 3) -> AlphaSweep:
    """Train ``model`` (full-batch GD) at each output scale α from the same θ0; see ``AlphaSweep``.

    Args:
      model: an ``MLP``.
      x_train (N, d), y_train (N,) or (N, 1); x_test (M, d), y_test (M,) or (M, 1).
      alphas: output scales (A,), each > 0.
      steps: GD steps (≥ 1); lr: learning rate η (> 0), the same for every α
        (the initial function-space step η Θ0/N does not depend on α).
      seed: θ0 = model.init(jax.random.key(seed), d).
      n_probe: the kernel change is measured on the first n_probe training inputs.
      retries: a run that diverges (loss non-finite or > 1e6× its start) is
        repeated with half the learning rate, up to ``retries`` times.
    """
    if not isinstance(model, MLP):
        raise ValueError(f"model must be an MLP; got {type(model).__name__}")
    x = np.asarray(V.check_array("x_train", x_train, 2), np.float32)
    n, d = x.shape
    y = np.asarray(V.check_array("y_train", y_train, (1, 2)), np.float32).reshape(n, -1)
    if y.shape[1] != 1 or model.out_dim != 1:
        raise ValueError("alpha_sweep needs one output: y_train of shape (N,) or (N, 1) and out_dim = 1")
    xt = np.asarray(V.check_array("x_test", x_test, 2, d), np.float32)
    yt = np.asarray(V.check_array("y_test", y_test, (1, 2)), np.float32).reshape(xt.shape[0], -1)
    if yt.shape[1] != 1:
        raise ValueError(f"y_test must have shape ({xt.shape[0]},) or ({xt.shape[0]}, 1); got {np.shape(y_test)}")
    alphas = np.asarray([V.check_float("alphas", a, 0.0, 1e6, lo_open=True) for a in alphas], np.float32)
    if alphas.size == 0:
        raise ValueError("alphas must contain at least one output scale")
    steps = V.check_int("steps", steps, 1, 1_000_000)
    lr = V.check_float("lr", lr, 0.0, 1e6, lo_open=True)
    seed = V.check_int("seed", seed, 0)
    n_probe = V.check_int("n_probe", n_probe, 1, n)
    retries = V.check_int("retries", retries, 0, 20)

    key = jax.random.key(seed)
    lrs = np.full(alphas.shape, lr, np.float32)
    out = None
    todo = np.ones(alphas.shape, bool)
    for _ in range(retries + 1):
        res = jax.tree.map(np.asarray, _alpha_runs(model, key, x, y, xt, yt, n_probe, alphas, lrs, jnp.asarray(steps)))
        theta = res.pop("theta")
        out = res if out is None else {k: np.where(todo, res[k], out[k]) for k in res}
        todo = ~out["ok"]
        if not todo.any():
            break
        lrs = np.where(todo, lrs / 2, lrs).astype(np.float32)
    lrs_used = np.where(out["ok"], lrs, np.nan)

    # the linearized model: kernel GD with Θ0 from outputs 0, in closed form (float64, host)
    from .dynamics import kernel_predictions
    theta = np.asarray(theta, np.float64)
    _, f_lin = kernel_predictions(theta[:n], y, np.array([float(steps)]), lr, theta_test_train=theta[n:])
    err_lin = float(np.mean((np.asarray(f_lin[0], np.float64) - yt) ** 2) / np.mean(yt.astype(np.float64) ** 2))

    ok = out["ok"]
    nan = np.where(ok, 1.0, np.nan)
    scale_t, scale = float(np.mean(yt.astype(np.float64) ** 2)), float(np.mean(y.astype(np.float64) ** 2))
    return AlphaSweep(
        alphas=alphas.astype(np.float64),
        test_error=out["test_mse"] / scale_t * nan,
        train_error=out["train_mse"] / scale * nan,
        test_error_lin=err_lin,
        kernel_change=out["kernel_change"] * nan,
        weight_change=out["weight_change"] * nan,
        lr=lrs_used,
        diverged=~ok,
    )


@partial(jax.jit, static_argnames=("n_probe",))
def _alpha_runs(model, key, x, y, x_test, y_test, n_probe, alphas, lrs, steps):
    # θ0, Θ0 and every α in one compiled program (one compile per model and data shape)
    params0 = model.init(key, x.shape[-1])
    mults = _lr_tree(model, params0)
    x_probe = x[:n_probe]
    f0 = model.apply(params0, x)
    f0_test = model.apply(params0, x_test)
    theta0 = _ntk(model, params0, x_probe, x_probe, True)

    def one(alpha, lr):
        def loss(params):
            out = alpha * (model.apply(params, x) - f0)
            return 0.5 * jnp.mean(jnp.sum((out - y) ** 2, -1)) / alpha ** 2

        loss0 = 0.5 * jnp.mean(jnp.sum(y ** 2, -1))  # the output starts at 0

        def step(_, carry):
            params, ok = carry
            val, g = jax.value_and_grad(loss)(params)
            mse = val * alpha ** 2
            ok = ok & jnp.isfinite(mse) & (mse <= DIVERGENCE_FACTOR * loss0)
            new = jax.tree.map(lambda p, gg, r: p - lr * r * gg, params, g, mults)
            params = jax.tree.map(lambda a, b: jnp.where(ok, a, b), new, params)
            return params, ok

        params, ok = jax.lax.fori_loop(0, steps, step, (params0, jnp.asarray(True)))
        out_train = alpha * (model.apply(params, x) - f0)
        out_test = alpha * (model.apply(params, x_test) - f0_test)
        theta = _ntk(model, params, x_probe, x_probe, True)
        train_mse = jnp.mean(jnp.sum((out_train - y) ** 2, -1))
        ok = ok & jnp.isfinite(train_mse)
        w0, w = params0[0]["W"], params[0]["W"]
        return {
            "ok": ok,
            "train_mse": train_mse,
            "test_mse": jnp.mean(jnp.sum((out_test - y_test) ** 2, -1)),
            "kernel_change": jnp.linalg.norm(theta - theta0) / jnp.linalg.norm(theta0),
            "weight_change": jnp.linalg.norm(w - w0) / jnp.linalg.norm(w0),
        }

    out = jax.vmap(one)(alphas, lrs)
    out["theta"] = _ntk(model, params0, jnp.concatenate([x, x_test]), x, True)
    return out


class FeatureChange(NamedTuple):
    """How far the features move in ``steps`` GD steps, per width (W,).

    ``hidden_change``: ‖h_T − h_0‖_F/‖h_0‖_F for the last hidden layer's
    activations h on the training inputs; ``weight_change``: ‖W1_T − W1_0‖/‖W1_0‖
    (input layer); ``train_loss``: the loss ½·mean(f − y)² after the steps;
    ``lr``: the learning rate used (``lr_frac`` · 2/λ_max of the width's
    lr-weighted Θ0/N); ``slope``: fitted exponent of hidden_change ∝ width^slope
    (``scaling.fit_power_law``), with ``slope_stderr``.
    """

    widths: np.ndarray
    hidden_change: np.ndarray
    weight_change: np.ndarray
    train_loss: np.ndarray
    lr: np.ndarray
    slope: float
    slope_stderr: float


def feature_change(model: MLP, widths: Sequence[int], x_train, y_train, *, steps: int = 10, lr_frac: float = 0.5,
                   seed: int = 0) -> FeatureChange:
    """Relative change of the hidden representation after ``steps`` full-batch GD steps, for each width.

    Args:
      model: an ``MLP`` (depth ≥ 1) whose width is replaced by each of ``widths``;
        its parameterization ("ntk", "standard", "mup") sets the scaling.
      widths: hidden widths (W,), W ≥ 2 for the fitted slope.
      x_train (N, d), y_train (N,) or (N, 1): the task, loss (1/2N)Σ(f − y)².
      steps: GD steps (≥ 1); lr_frac: η as a fraction of 2/λ_max (0 < lr_frac < 2).
      seed: initialization seed for every width.

    Expected (Yang & Hu 2021): under "mup" the change stays order one as width
    grows (slope ≈ 0); under "ntk" it vanishes like width^(−1/2); under
    "standard" with the largest stable η ∝ 1/width faster still.
    """
    import dataclasses

    from .scaling import fit_power_law

    if not isinstance(model, MLP):
        raise ValueError(f"model must be an MLP; got {type(model).__name__}")
    if model.depth < 1:
        raise ValueError(f"model must have depth ≥ 1 (a hidden layer whose features can move); got {model.depth}")
    widths = [V.check_int("widths", w, 1, 1 << 16) for w in widths]
    if len(widths) < 2:
        raise ValueError(f"widths must list at least 2 widths to fit a slope; got {widths}")
    x = np.asarray(V.check_array("x_train", x_train, 2), np.float32)
    n, d = x.shape
    y = np.asarray(V.check_array("y_train", y_train, (1, 2)), np.float32).reshape(n, -1)
    steps = V.check_int("steps", steps, 1, 100_000)
    lr_frac = V.check_float("lr_frac", lr_frac, 0.0, 2.0, lo_open=True)
    seed = V.check_int("seed", seed, 0)
    rows = []
    for w in widths:
        m = dataclasses.replace(model, width=w)
        rows.append(tuple(float(v) for v in _feature_steps(m, jax.random.key(seed), x, y, jnp.float32(lr_frac),
                                                            jnp.asarray(steps))))
    h, wc, loss, lrs = (np.array(c) for c in zip(*rows))
    fit = fit_power_law(widths, h)
    return FeatureChange(np.asarray(widths), h, wc, loss, lrs, fit.slope, fit.stderr)


@jax.jit
def _feature_steps(model, key, x, y, lr_frac, steps):
    # init, Θ0 → η, the GD steps and the measurements in one compiled program per model
    params0 = model.init(key, x.shape[-1])
    mults = _lr_tree(model, params0)
    theta = _ntk(model, params0, x, x, True)
    lr = lr_frac * 2.0 / (jnp.linalg.eigvalsh(theta)[-1] / x.shape[0])

    def loss(params):
        return 0.5 * jnp.mean(jnp.sum((model.apply(params, x) - y) ** 2, -1))

    def step(_, params):
        g = jax.grad(loss)(params)
        return jax.tree.map(lambda p, gg, r: p - lr * r * gg, params, g, mults)

    params = jax.lax.fori_loop(0, steps, step, params0)
    h0 = _forward(model, params0, x, keep=True)[1][-1]
    h = _forward(model, params, x, keep=True)[1][-1]
    w0, w = params0[0]["W"], params[0]["W"]
    return (jnp.linalg.norm(h - h0) / jnp.linalg.norm(h0), jnp.linalg.norm(w - w0) / jnp.linalg.norm(w0),
            loss(params), lr)


class CrossoverFit(NamedTuple):
    """Fit of log(kernel change) = p_alpha·log α + p_width·log width + log C over a sweep grid.

    ``ratio`` = p_width/p_alpha (1/2 when only α·√width matters); ``constant``
    = the value c of α·√width at which the fitted kernel change equals 1 (with
    the exponents fixed at −1 and −1/2: c = geometric mean of kc·α·√width).
    """

    p_alpha: float
    p_width: float
    ratio: float
    constant: float


def crossover_fit(alphas, widths, kernel_change) -> CrossoverFit:
    """Fit the lazy/rich crossover from a grid: alphas (A,), widths (W,), kernel_change (W, A) (NaN ignored)."""
    a = np.asarray(V.check_array("alphas", alphas, 1), np.float64)
    w = np.asarray(V.check_array("widths", widths, 1), np.float64)
    kc = np.asarray(kernel_change, np.float64)
    if kc.shape != (w.size, a.size):
        raise ValueError(f"kernel_change must have shape (len(widths), len(alphas)) = ({w.size}, {a.size}); got {kc.shape}")
    aa, ww = np.meshgrid(a, w)
    ok = np.isfinite(kc) & (kc > 0)
    if ok.sum() < 3:
        raise ValueError("kernel_change needs at least 3 positive finite entries to fit")
    design = np.stack([np.log(aa[ok]), np.log(ww[ok]), np.ones(ok.sum())], -1)
    coef, *_ = np.linalg.lstsq(design, np.log(kc[ok]), rcond=None)
    const = float(np.exp(np.mean(np.log(kc[ok] * aa[ok] * np.sqrt(ww[ok])))))
    return CrossoverFit(float(coef[0]), float(coef[1]), float(coef[1] / coef[0]), const)
