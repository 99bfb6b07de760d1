"""Gradient-descent training of a network and its linearization in lockstep.

Loss (stated once, used everywhere): mean squared error with a ½,

    L(θ) = (1/2N) Σ_i ‖f(x_i; θ) − y_i‖²,

and the update θ ← θ − η r ⊙ ∇L (r = per-parameter learning-rate multipliers,
1 except under muP). On the training inputs gradient flow is then
df/dt = −(η/N) Θ_t (f − y) with Θ_t the lr-weighted empirical NTK at time t
(constant only for the linearized model): one step of size η is a time step
η/N·Θ, the "loss-normalized" kernel is Θ/N, and GD on the linearized model
is stable iff η < 2/λ_max(Θ/N) (the network may still converge above it).

Lazy/rich knob (Chizat, Oyallon & Bach 2019): with ``output_scale`` = α the
trained model is α·(f(θ) − f(θ0)) on the loss L/α². Large α is lazy (tracks
its linearization); small α moves features. α = None trains f itself.
"""
from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as V
from .empirical import _init_arg, _lr_tree, _ntk, check_model_params, ntk_nbytes
from .linearize import linear_apply
from .models import MLP
from .metrics import function_gap, kernel_distance, kernel_target_alignment, relative_kernel_change, relative_weight_change

DIVERGENCE_FACTOR = 1e6  # a loss this many times its initial value counts as divergence


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run.

    Args:
      steps: number of gradient steps (≥ 1).
      lr: learning rate η (> 0).
      batch_size: None for full-batch GD, else SGD minibatches of this size.
      output_scale: α of the lazy/rich knob, or None to train f itself.
      n_records: how many snapshots to record (evenly spaced, step 0 included).
      train_linearized: also train the linearized model from the same θ0.
      linearized_method: how: "closed_form" evolves it exactly in function space,
        f_t = Y + (I − ηΘ0/N)^t (f_0 − Y) and its test-input counterpart (the
        numbers GD on its parameters gives, to rounding, at the cost of one
        kernel instead of a JVP+VJP per step); "gradient" runs GD on its
        parameters; "auto" = closed form for full-batch GD, gradient for SGD.
      seed: initialization seed (θ0 = model.init(jax.random.key(seed), d)); SGD
        batches use seed + 1.
      record_params: also keep the network's parameters at every snapshot
        (``Trajectory.params_history``), e.g. to watch neurons move.
    """

    steps: int = 1000
    lr: float = 1.0
    batch_size: int | None = None
    output_scale: float | None = None
    n_records: int = 50
    train_linearized: bool = True
    seed: int = 0
    linearized_method: str = "auto"
    record_params: bool = False

    def __post_init__(self):
        object.__setattr__(self, "steps", V.check_int("steps", self.steps, 1, 1_000_000))
        object.__setattr__(self, "lr", V.check_float("lr", self.lr, 0.0, 1e6, lo_open=True))
        if self.batch_size is not None:
            object.__setattr__(self, "batch_size", V.check_int("batch_size", self.batch_size, 1))
        if self.output_scale is not None:
            object.__setattr__(self, "output_scale", V.check_float("output_scale", self.output_scale, 0.0, 1e6, lo_open=True))
        object.__setattr__(self, "n_records", V.check_int("n_records", self.n_records, 1, 10_000))
        object.__setattr__(self, "seed", V.check_int("seed", self.seed, 0))
        V.check_choice("linearized_method", self.linearized_method, ("auto", "closed_form", "gradient"))
        if not isinstance(self.record_params, bool):
            raise ValueError(f"record_params must be True or False; got {self.record_params!r}")
        if self.linearized_method == "closed_form" and self.batch_size is not None:
            raise ValueError("linearized_method='closed_form' needs full-batch GD (batch_size=None)")


@dataclasses.dataclass(frozen=True)
class Trajectory:
    """What a run recorded. R = number of snapshots, S = steps actually taken.

    Per step (S,): ``loss``, ``loss_lin``: the MSE ½·mean‖out − y‖² of the
    batch each update used (without the 1/α² of the lazy/rich objective, so
    runs at different α compare directly).
    Per snapshot (R,): ``steps``, ``train_loss``/``test_loss`` (+ ``_lin``),
    predictions ``pred_train`` (R, N, K), ``pred_test`` (R, n_test, K),
    ``pred_eval`` (R, n_eval, K) (+ ``_lin``), ``ntk`` (R, P, P) the network's
    lr-weighted empirical NTK on the probe inputs, and the drift metrics
    ``kernel_change``, ``kernel_distance``, ``alignment``, ``function_gap``
    (R,) and ``weight_change`` (R, n_weight_matrices), all relative to step 0.
    Linearized-model fields are None when it was not trained.
    ``params_history`` (with ``config.record_params``): the network's
    parameters at every snapshot, a pytree shaped like ``params`` whose leaves
    are NumPy arrays with a leading (R,) axis (None otherwise).

    If training diverged, ``diverged`` is True, ``diverged_step`` is the first
    step whose loss was non-finite or above 1e6× the initial loss, the arrays
    stop before it, and ``message`` says what to try (``suggested_lr``).
    """

    config: TrainConfig
    steps: np.ndarray
    loss: np.ndarray
    loss_lin: np.ndarray | None
    train_loss: np.ndarray
    train_loss_lin: np.ndarray | None
    test_loss: np.ndarray | None
    test_loss_lin: np.ndarray | None
    pred_train: np.ndarray
    pred_train_lin: np.ndarray | None
    pred_test: np.ndarray | None
    pred_test_lin: np.ndarray | None
    pred_eval: np.ndarray | None
    pred_eval_lin: np.ndarray | None
    ntk: np.ndarray
    kernel_change: np.ndarray
    kernel_distance: np.ndarray
    alignment: np.ndarray
    weight_change: np.ndarray
    function_gap: np.ndarray | None
    lambda_max: float
    max_stable_lr: float
    params0: Any
    params: Any
    diverged: bool = False
    diverged_step: int | None = None
    diverged_model: str | None = None
    suggested_lr: float | None = None
    message: str = ""
    params_history: Any = None


def train(model: Any, x_train, y_train, config: TrainConfig = TrainConfig(), *, x_test=None, y_test=None,
          x_eval=None, x_probe=None, y_probe=None, params0: Any = None) -> Trajectory:
    """Train ``model`` (and its linearization) by GD/SGD on MSE, recording snapshots.

    Args:
      model: an ``MLP`` (or any model with ``init``, ``apply``, ``in_dim``), or a
        model on structured inputs (``RNN``/``Attention`` on (N, T, d) sequences):
        then every input set has the training inputs' per-example shape and
        ``model.init`` gets that shape instead of d.
      x_train (N, d), y_train (N,) or (N, K): the training set.
      config: a ``TrainConfig``.
      x_test, y_test: optional held-out set for the test loss.
      x_eval: optional inputs (n_eval, d) on which predictions are recorded (a plotting grid).
      x_probe, y_probe: inputs (P, d) for the recorded NTK and the alignment
        (default: the first 128 training points and their targets).
      params0: start from these parameters instead of ``model.init``.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig; got {type(config).__name__}")
    x_train = _as_float(V.check_array("x_train", x_train, 2 if isinstance(model, MLP) else (2, 3, 4)))
    d = _init_arg(x_train)  # d, or the per-example shape of structured inputs
    like = tuple(x_train.shape[1:])
    n = x_train.shape[0]
    y_train = _targets("y_train", y_train, n, model.out_dim)
    if config.batch_size is not None and config.batch_size > n:
        raise ValueError(f"batch_size must be in [1, {n}] (the number of training points); got {config.batch_size}")
    if (x_test is None) != (y_test is None):
        raise ValueError("x_test and y_test must be given together")
    if x_test is not None:
        x_test = _as_float(V.check_batch_like("x_test", x_test, like))
        y_test = _targets("y_test", y_test, x_test.shape[0], model.out_dim)
    if x_eval is not None:
        x_eval = _as_float(V.check_batch_like("x_eval", x_eval, like))
    if x_probe is None:
        x_probe, y_probe = x_train[:128], y_train[:128]
    else:
        x_probe = _as_float(V.check_batch_like("x_probe", x_probe, like))
        y_probe = None if y_probe is None else _targets("y_probe", y_probe, x_probe.shape[0], model.out_dim)

    if params0 is None:
        params0 = model.init(jax.random.key(config.seed), d)
    else:
        check_model_params("params0", model, params0, x_train)
    mults = _lr_tree(model, params0)
    scaled = config.output_scale is not None
    alpha = jnp.asarray(config.output_scale if scaled else 1.0, x_train.dtype)
    lr = jnp.asarray(config.lr, x_train.dtype)
    train_lin = config.train_linearized

    sets = {"train": x_train, "probe": x_probe}
    if x_test is not None:
        sets["test"] = x_test
    if x_eval is not None:
        sets["eval"] = x_eval
    # All inputs go through one concatenated batch: one compile per model, not one per set shape.
    x_all = np.concatenate(list(sets.values()))
    bounds = np.cumsum([0] + [v.shape[0] for v in sets.values()])
    slices = {k: slice(int(a), int(b)) for k, a, b in zip(sets, bounds[:-1], bounds[1:])}
    n_all, n_probe = x_all.shape[0], x_probe.shape[0]
    V.check_memory(f"train on {n} points ({n_all} inputs in all, {config.n_records} records)",
                   ntk_nbytes(model, params0, n_all, n, like) + x_all.dtype.itemsize * (config.n_records + 1)
                   * (n_probe * n_probe + 2 * n_all * model.out_dim), "the number of inputs or n_records")
    f0_all = np.asarray(_apply(model, params0, x_all))
    f0 = {k: f0_all[sl] for k, sl in slices.items()}

    # Step-0 kernel (all inputs × training inputs) gives λ_max, the stable learning rate and the
    # closed-form linearized dynamics.
    theta_all0 = np.asarray(_ntk(model, params0, x_all, x_train, True))
    theta_train0 = theta_all0[slices["train"]]
    eig = np.linalg.eigh(np.asarray(theta_train0, np.float64))
    lam_max = float(eig[0][-1]) / n
    max_lr = 2.0 / lam_max if lam_max > 0 else math.inf

    chunk = max(1, math.ceil(config.steps / config.n_records))
    record_steps = list(range(0, config.steps, chunk)) + [config.steps]
    closed = train_lin and (config.linearized_method == "closed_form" or
                            (config.linearized_method == "auto" and config.batch_size is None))
    grad_lin = train_lin and not closed
    lin = _closed_form_linearized(theta_all0, eig, slices, f0_all, y_train, scaled, config, record_steps) \
        if closed else None

    key = jax.random.key(config.seed + 1)
    state = (params0, params0)
    probe = slices["probe"]
    snapshot = partial(_snapshot, model, scaled, grad_lin, probe.start, probe.stop - probe.start)
    total = jnp.asarray(config.steps)
    rec = _Recorder(slices)
    rec.add(0, snapshot(state, params0, alpha, x_all, f0_all))
    history = [params0] if config.record_params else None
    losses, losses_lin = [], []
    done, diverged_at, diverged_model = 0, None, None
    loss0 = None
    while done < config.steps:
        length = min(chunk, config.steps - done)
        new_state, (l_net, l_lin) = _run_chunk(
            model, chunk, config.batch_size, scaled, grad_lin, state, jnp.asarray(done), total, x_train, y_train,
            f0["train"], lr, alpha, mults, params0, key)
        l_net, l_lin = np.asarray(l_net)[:length], np.asarray(l_lin)[:length]
        if closed:
            l_lin = lin["loss"][done:done + length]
        if loss0 is None:
            loss0 = max(float(l_net[0]), float(l_lin[0]) if train_lin else 0.0, 1e-30)
        bad_net = _first_bad(l_net, loss0)
        bad_lin = _first_bad(l_lin, loss0) if train_lin else None
        bads = [(b, m) for b, m in ((bad_net, "network"), (bad_lin, "linearized model")) if b is not None]
        if bads:
            b, diverged_model = min(bads)
            diverged_at = done + b
            losses.append(l_net[:b])
            losses_lin.append(l_lin[:b])
            break
        losses.append(l_net)
        losses_lin.append(l_lin)
        state = new_state
        done += length
        snap = snapshot(state, params0, alpha, x_all, f0_all)
        if not all(np.all(np.isfinite(v)) for v in jax.tree.leaves(snap)):
            diverged_at, diverged_model = done, "network"
            break
        rec.add(done, snap)
        if history is not None:
            history.append(state[0])
    if closed:
        for i, snap in enumerate(rec.snaps):
            snap["all_lin"] = lin["all"][i]

    message, suggested = "", None
    if diverged_at is not None:
        suggested = float(min(0.5 * config.lr, 0.9 * max_lr))
        message = (f"Training diverged at step {diverged_at} (the {diverged_model}'s loss became non-finite or grew "
                   f"over {DIVERGENCE_FACTOR:.0e}× its initial value). The learning rate η = {config.lr:g} "
                   f"{'exceeds' if config.lr > max_lr else 'is below'} 2/λ_max = {max_lr:.3g}; "
                   f"try η ≤ {suggested:.3g}.")
    traj = rec.finish(config, np.concatenate(losses) if losses else np.zeros(0),
                      np.concatenate(losses_lin) if (losses_lin and train_lin) else None,
                      y_train, y_test, y_probe, train_lin, x_test is not None, x_eval is not None,
                      lam_max, max_lr, params0, state[0], diverged_at, diverged_model, suggested, message)
    if history is not None:
        stacked = jax.tree.map(lambda *leaves: np.stack([np.asarray(v) for v in leaves]), *history)
        traj = dataclasses.replace(traj, params_history=stacked)
    return traj


def _closed_form_linearized(theta_all0, eig, slices, f0_all, y_train, scaled, config, record_steps):
    """The linearized model's outputs at ``record_steps`` and its per-step loss, in closed form.

    GD on f_lin is linear in function space with the lr-weighted Θ0; with the
    output scale α the trained outputs start at 0 and follow the same kernel.
    """
    from .dynamics import kernel_predictions

    start = np.zeros_like(f0_all) if scaled else f0_all
    tr = slices["train"]
    theta_train0 = theta_all0[tr]
    _, f_t = kernel_predictions(theta_train0, y_train, np.asarray(record_steps, float), config.lr,
                                theta_test_train=theta_all0, f0_train=start[tr], f0_test=start, mode="gd")
    # per-step loss ½·mean‖r_t‖² with r_t = V diag((1 − ηλ/N)^t) Vᵀ r_0, all steps at once
    n = theta_train0.shape[0]
    lam, vec = eig  # of Θ0(X, X), float64
    r0 = vec.T @ (np.asarray(start[tr], np.float64) - np.asarray(y_train, np.float64))
    steps = np.arange(config.steps, dtype=float)[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        decay = (1 - config.lr * np.maximum(lam, 0) / n)[None, :] ** steps
        loss = 0.5 * np.sum((decay ** 2) * np.sum(r0 ** 2, -1)[None, :], -1) / n
    return {"all": np.asarray(f_t), "loss": np.where(np.isfinite(loss), loss, np.inf)}


@jax.jit
def _apply(model, params, x):
    return model.apply(params, x)


def _as_float(x):
    # Host-side NumPy in the default float precision: slicing and concatenating inputs on the
    # host costs no JIT compiles (the app pays every compile on a visitor's first load).
    return np.asarray(x, np.dtype(jnp.result_type(float)))


def _targets(name, y, n, k):
    y = V.check_array(name, y, (1, 2))
    y = _as_float(y).reshape(y.shape[0], -1)
    if y.shape != (n, k):
        raise ValueError(f"{name} must have shape ({n},) or ({n}, {k}) to match the inputs and out_dim; got {tuple(y.shape)}")
    return y


def _first_bad(losses: np.ndarray, loss0: float) -> int | None:
    bad = ~np.isfinite(losses) | (losses > DIVERGENCE_FACTOR * loss0)
    return int(np.argmax(bad)) if bad.any() else None


def _outputs(model, params, params0, x, f0x, alpha, scaled, lin):
    out = linear_apply(model.apply, params0, params, x) if lin else model.apply(params, x)
    return alpha * (out - f0x) if scaled else out


def _loss(model, params, params0, x, y, f0x, alpha, scaled, lin):
    out = _outputs(model, params, params0, x, f0x, alpha, scaled, lin)
    loss = 0.5 * jnp.mean(jnp.sum((out - y) ** 2, -1))
    return loss / alpha ** 2 if scaled else loss


@partial(jax.jit, static_argnames=("length", "batch_size", "scaled", "train_lin"))
def _run_chunk(model, length, batch_size, scaled, train_lin, state, start, total, x, y, f0x, lr, alpha, mults,
               params0, key):
    """``length`` GD steps from step ``start``; steps ≥ ``total`` leave the parameters unchanged,
    so every chunk has the same length and compiles once."""
    n = x.shape[0]

    def step(carry, t):
        active = t < total

        def update(params, grads):
            return jax.tree.map(lambda p, g, r: jnp.where(active, p - lr * r * g, p), params, grads, mults)

        params, params_lin = carry
        if batch_size is None:
            xb, yb, fb = x, y, f0x
        else:
            idx = jax.random.choice(jax.random.fold_in(key, t), n, (batch_size,), replace=False)
            xb, yb, fb = x[idx], y[idx], f0x[idx]
        l_net, g = jax.value_and_grad(_loss, argnums=1)(model, params, params0, xb, yb, fb, alpha, scaled, False)
        params = update(params, g)
        if train_lin:
            l_lin, g_lin = jax.value_and_grad(_loss, argnums=1)(model, params_lin, params0, xb, yb, fb, alpha, scaled, True)
            params_lin = update(params_lin, g_lin)
        else:
            l_lin = jnp.zeros_like(l_net)
        if scaled:  # report the plain MSE of the model's output, comparable across α
            l_net, l_lin = l_net * alpha ** 2, l_lin * alpha ** 2
        return (params, params_lin), (l_net, l_lin)

    return jax.lax.scan(step, state, start + jnp.arange(length))


@partial(jax.jit, static_argnames=("scaled", "train_lin", "probe_start", "probe_size"))
def _snapshot(model, scaled, train_lin, probe_start, probe_size, state, params0, alpha, x_all, f0_all):
    params, params_lin = state
    out = {"all": _outputs(model, params, params0, x_all, f0_all, alpha, scaled, False)}
    if train_lin:
        out["all_lin"] = _outputs(model, params_lin, params0, x_all, f0_all, alpha, scaled, True)
    x_probe = jax.lax.dynamic_slice_in_dim(x_all, probe_start, probe_size)
    out["ntk"] = _ntk(model, params, x_probe, x_probe, True)
    out["weight_change"] = jnp.stack(relative_weight_change(params, params0))
    return out


class _Recorder:
    def __init__(self, slices):
        self.steps, self.snaps, self.slices = [], [], slices

    def add(self, step, snap):
        self.steps.append(step)
        self.snaps.append(jax.tree.map(np.asarray, snap))

    def finish(self, config, loss, loss_lin, y_train, y_test, y_probe, train_lin, has_test, has_eval,
               lam_max, max_lr, params0, params, diverged_at, diverged_model, suggested, message):
        s = {k: np.stack([snap[k] for snap in self.snaps]) for k in self.snaps[0]}
        for key in ("all", "all_lin"):
            if key in s:
                s.update({name + key[3:]: s[key][:, sl] for name, sl in self.slices.items()})
        y_train, y_probe = np.asarray(y_train), None if y_probe is None else np.asarray(y_probe)

        def mse(pred, y):
            return 0.5 * np.mean(np.sum((pred - y[None]) ** 2, -1), -1)

        ntk = s["ntk"]
        theta0 = ntk[0]
        get = s.get
        return Trajectory(
            config=config,
            steps=np.asarray(self.steps),
            loss=loss,
            loss_lin=loss_lin,
            train_loss=mse(s["train"], y_train),
            train_loss_lin=mse(s["train_lin"], y_train) if train_lin else None,
            test_loss=mse(s["test"], np.asarray(y_test)) if has_test else None,
            test_loss_lin=mse(s["test_lin"], np.asarray(y_test)) if (has_test and train_lin) else None,
            pred_train=s["train"],
            pred_train_lin=get("train_lin"),
            pred_test=get("test"),
            pred_test_lin=get("test_lin"),
            pred_eval=get("eval"),
            pred_eval_lin=get("eval_lin"),
            ntk=ntk,
            kernel_change=np.array([float(relative_kernel_change(k, theta0)) for k in ntk]),
            kernel_distance=np.array([float(kernel_distance(k, theta0)) for k in ntk]),
            alignment=np.array([float(kernel_target_alignment(k, y_probe)) for k in ntk]) if y_probe is not None
            else np.full(len(ntk), np.nan),
            weight_change=s["weight_change"],
            function_gap=np.array([float(function_gap(a, b)) for a, b in zip(
                s["eval" if has_eval else "train"], s["eval_lin" if has_eval else "train_lin"])]) if train_lin else None,
            lambda_max=lam_max,
            max_stable_lr=max_lr,
            params0=params0,
            params=params,
            diverged=diverged_at is not None,
            diverged_step=diverged_at,
            diverged_model=diverged_model,
            suggested_lr=suggested,
            message=message,
        )
