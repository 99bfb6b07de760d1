"""Cached computations for the lesson "Beyond MLPs" (/beyond-mlps).

Four architectures, one NTK parameterization (every weight N(0, 1) scaled by
σ_w/√fan_in): an MLP on the flattened 8×8 digits, a CNN with global average
pooling ("CNN-GAP") and one that flattens its last feature map ("CNN-flatten")
on the same digits as images, and an Elman RNN and a self-attention network on
short noisy sinusoids (``ntkcore.sequences``). All sizes are fixed so that the
JIT compiles are reused between settings.

Everything returns plain NumPy; every computation is seeded.
"""

from __future__ import annotations

import math

import jax
import numpy as np
import streamlit as st

import ntkcore as nc

cache = st.cache_data(max_entries=32, ttl=3600, show_spinner=False)

# -- the digits part ---------------------------------------------------------------------------
DIGIT_ARCHS = ("MLP", "CNN-GAP", "CNN-flatten")
DEPTHS = (1, 2, 3)
W_STD = math.sqrt(2.0)  # ReLU's critical σ_w (kernels neither explode nor collapse with depth)
B_STD = 0.1
N_PER_CLASS = 10  # digits shown in the kernel matrices: 10 per class, sorted by class
N_SHOWN = 10 * N_PER_CLASS
N_TEST_PER_CLASS = 5
N_TRAIN, N_TEST = N_SHOWN, 10 * N_TEST_PER_CLASS  # section 2: the 100 shown digits train, 50 held-out digits test
BLOCK = 25  # CNN-GAP kernels are computed in BLOCK × BLOCK tiles: one compile per depth, symmetry halves the work
SHIFTS = (-2, -1, 0, 1, 2)
RIDGE = 1e-4  # kernel regression: Θ + RIDGE·mean(diag Θ)·I, for numerical safety only


def _digits() -> nc.Dataset:
    return nc.digits(n_train=200, n_test=200, seed=0)


def _balanced(labels: np.ndarray, per_class: int = N_PER_CLASS) -> np.ndarray:
    return np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)])


def shown_digits() -> tuple[np.ndarray, np.ndarray]:
    """(x (100, 64), labels (100,)): the first 10 training digits of each class, sorted by class.
    They are also the training set of section 2."""
    ds = _digits()
    idx = _balanced(ds.labels_train)
    return ds.x_train[idx], ds.labels_train[idx]


def test_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x (50, 64), labels (50,), one-hot targets (50, 10)): 5 held-out digits of each class."""
    ds = _digits()
    idx = _balanced(ds.labels_test, N_TEST_PER_CLASS)
    return ds.x_test[idx], ds.labels_test[idx], ds.y_test[idx]


def train_targets() -> np.ndarray:
    """Centred one-hot targets (100, 10) of the shown (= training) digits."""
    ds = _digits()
    return ds.y_train[_balanced(ds.labels_train)]


def shift_digit(x: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Shift a flat 8×8 digit right by dx and down by dy pixels (background fills in), re-normalized.

    The digits are centred and scaled (``ntkcore.digits``), so the background is the image's
    minimum; the shifted image is centred and scaled the same way (‖x‖² = 64).
    """
    img = x.reshape(8, 8)
    out = np.full_like(img, img.min())
    src = img[max(0, -dy):8 - max(0, dy), max(0, -dx):8 - max(0, dx)]
    out[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    out = out.ravel() - out.mean()
    return out * 8.0 / np.linalg.norm(out)


def digit_model(arch: str, depth: int, width: int = 1):
    """The architecture ``arch`` at ``width`` hidden units (MLP) or channels (CNN), 10 outputs."""
    if arch == "MLP":
        return nc.MLP(width=width, depth=depth, activation="relu", w_std=W_STD, b_std=B_STD, out_dim=10)
    pooling = "gap" if arch == "CNN-GAP" else "flatten"
    return nc.CNN(channels=width, depth=depth, kernel_size=3, activation="relu", w_std=W_STD, b_std=B_STD,
                  pooling=pooling, padding="same", out_dim=10)


def as_input(arch: str, x: np.ndarray) -> np.ndarray:
    """Flat digits (n, 64) as the architecture's input: (n, 64) for the MLP, (n, 8, 8, 1) images for CNNs."""
    return x if arch == "MLP" else x.reshape(-1, 8, 8, 1)


def _inf_ntk(arch: str, depth: int, x1: np.ndarray, x2: np.ndarray | None = None) -> np.ndarray:
    model = digit_model(arch, depth)
    k = nc.infinite_kernels(model, as_input(arch, x1), None if x2 is None else as_input(arch, x2))
    return np.asarray(k.ntk, np.float64)


def _tiled_ntk(arch: str, depth: int, x1: np.ndarray, x2: np.ndarray | None = None) -> np.ndarray:
    """Θ∞(x1, x2) (x2 = None: x1), both sets multiples of BLOCK digits. CNN-GAP, whose limit costs N1·N2·P² per layer (P = 64
    positions), is computed in BLOCK × BLOCK tiles (one compile per depth for every such call) and, when
    x2 is x1, only the upper triangle of tiles (the kernel is symmetric): 10 tiles instead of 16."""
    if arch != "CNN-GAP":
        return _inf_ntk(arch, depth, x1, x2)
    sym = x2 is None
    x2 = x1 if sym else x2
    n1, n2 = len(x1), len(x2)
    assert n1 % BLOCK == 0 and n2 % BLOCK == 0
    out = np.zeros((n1, n2))
    for i in range(0, n1, BLOCK):
        for j in range(i if sym else 0, n2, BLOCK):
            out[i:i + BLOCK, j:j + BLOCK] = _inf_ntk(arch, depth, x1[i:i + BLOCK], x2[j:j + BLOCK])
            if sym and j > i:
                out[j:j + BLOCK, i:i + BLOCK] = out[i:i + BLOCK, j:j + BLOCK].T
    return out


@cache
def shown_kernels(arch: str, depth: int) -> np.ndarray:
    """Infinite-width NTK of ``arch`` on the 100 shown digits, (100, 100)."""
    x, _ = shown_digits()
    return _tiled_ntk(arch, depth, x)


@cache
def shifted_row(arch: str, depth: int, index: int, dx: int, dy: int) -> np.ndarray:
    """Θ∞(shifted copy of shown digit ``index``, [100 shown digits, the copy itself]): (101,)."""
    x, _ = shown_digits()
    s = shift_digit(x[index], dx, dy)[None]
    return _inf_ntk(arch, depth, s, np.concatenate([x, s]))[0]


def centered_cosine(theta: np.ndarray) -> np.ndarray:
    """The kernel centred in feature space over the shown set (H Θ H, H = I − 11ᵀ/n: the part every
    digit shares is removed) and normalized to a cosine similarity in [−1, 1]."""
    m = theta.mean(0)
    kc = theta - m[:, None] - m[None, :] + theta.mean()
    d = np.sqrt(np.maximum(np.diag(kc), 1e-30))
    return kc / np.outer(d, d)


def similarity(theta: np.ndarray, row_shift: np.ndarray, index: int) -> dict:
    """Centred cosine similarities (``centered_cosine``) of digit ``index`` to all shown digits and to its
    shifted copy (centred with the same shown-set means), and the copy's rank among the other 99 digits
    (1 = the copy is more similar than every other digit)."""
    m = theta.mean(0)
    m_all = theta.mean()
    kc = theta - m[:, None] - m[None, :] + m_all
    rs = row_shift[:-1]
    ks = rs - rs.mean() - m + m_all  # k_c(copy, shown digit j)
    kss = row_shift[-1] - 2 * rs.mean() + m_all  # k_c(copy, copy)
    d = np.sqrt(np.maximum(np.diag(kc), 1e-30))
    sims = kc[index] / (d[index] * d)
    shifted = float(ks[index] / math.sqrt(max(kss, 1e-30) * kc[index, index]))
    others = np.delete(sims, index)
    return {"sims": sims, "shifted": shifted, "rank": int(1 + np.sum(others > shifted)),
            "frac_below": float(np.mean(others < shifted))}


# -- kernel regression vs trained networks --------------------------------------------------------

def kernel_regression(theta_tt: np.ndarray, theta_st: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Θ(test, train) (Θ(train, train) + ridge)⁻¹ Y: the infinite-width network's mean prediction
    after training to convergence from f₀ = 0."""
    reg = RIDGE * np.mean(np.diag(theta_tt))
    return theta_st @ np.linalg.solve(theta_tt + reg * np.eye(len(theta_tt)), y)


def accuracy(pred: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(pred, -1) == labels))


@cache
def test_kernel(arch: str, depth: int) -> np.ndarray:
    """Θ∞(50 held-out digits, 100 shown = training digits), (50, 100)."""
    return _tiled_ntk(arch, depth, test_digits()[0], shown_digits()[0])


@cache
def kernel_accuracy(arch: str, depth: int) -> dict:
    """Test accuracy of kernel regression with Θ∞ of ``arch`` (the 100 shown digits as training set, 50
    held-out test digits, one-hot targets), and λ_max of Θ∞(train)/N (sets the trained network's learning rate)."""
    tt, st_ = shown_kernels(arch, depth), test_kernel(arch, depth)
    _, labels_train = shown_digits()
    _, labels_test, _ = test_digits()
    y = train_targets()
    pred = kernel_regression(tt, st_, y)
    lam_max = float(np.linalg.eigvalsh(tt)[-1]) / N_TRAIN
    return {"acc": accuracy(pred, labels_test), "train_acc": accuracy(kernel_regression(tt, tt, y), labels_train),
            "lambda_max": lam_max}


TRAIN_DEPTHS = (1, 2)  # depth 3 CNNs train too slowly for a live view
TRAIN_WIDTHS = {"MLP": (64, 256, 512), "CNN-GAP": (8, 16, 24), "CNN-flatten": (8, 16, 24)}
TRAIN_STEPS = (100, 200, 300)
TRAIN_CHUNK = 50  # steps per compiled GD chunk: every step count reuses one compile
LR_FRAC = 0.5  # width section: learning rate = LR_FRAC · 2/λ_max(Θ₀/N), half the stability bound
TRAIN_LR_FRAC = 0.9  # section 2: η = 0.9 · 2/λ_max(Θ∞/N), just inside the limit's stability bound (fewer steps)


@cache
def trained_accuracy(arch: str, depth: int, width: int, steps: int, seed: int) -> dict:
    """Test accuracy of the finite network trained by full-batch GD on L = (1/2N)Σ‖f − y‖²."""
    lam = kernel_accuracy(arch, depth)["lambda_max"]
    lr = TRAIN_LR_FRAC * 2.0 / lam
    model = digit_model(arch, depth, width)
    x, labels_train = shown_digits()
    x_te, labels_test, y_te = test_digits()
    xi = as_input(arch, x)
    traj = nc.train(model, xi, train_targets(),
                    nc.TrainConfig(steps=steps, lr=lr, n_records=max(1, steps // TRAIN_CHUNK), train_linearized=False,
                                   seed=seed),
                    x_test=as_input(arch, x_te), y_test=y_te, x_probe=xi[:8])
    return {"acc": float("nan") if traj.diverged else accuracy(traj.pred_test[-1], labels_test),
            "train_acc": float("nan") if traj.diverged else accuracy(traj.pred_train[-1], labels_train),
            "lr": lr, "diverged": traj.diverged, "message": traj.message,
            "train_loss": float(traj.train_loss[-1])}


# -- the sequence part ------------------------------------------------------------------------------
SEQ_ARCHS = ("RNN", "Attention")
SEQ_T = 16
SEQ_N = 30  # training sequences (10 per frequency); as many test sequences
SEQ_NOISE = 0.3
SEQ_WIDTHS = (16, 64, 256)
N_SEEDS = 6
RNN_ACTIVATIONS = ("relu", "erf")
U_STDS = (0.5, 1.0, 1.5)
ATTN_HEADS = 4


def seq_data() -> nc.Dataset:
    return nc.sequences("sinusoids", n_train=SEQ_N, n_test=SEQ_N, length=SEQ_T, noise=SEQ_NOISE, seed=0)


def seq_order(labels: np.ndarray) -> np.ndarray:
    return np.argsort(labels, kind="stable")


def seq_model(arch: str, width: int, activation: str = "relu", u_std: float = 1.0):
    """One output: the NTK of a scalar network (the kernel of every output; regression on the three
    one-hot targets uses it for each)."""
    if arch == "RNN":
        return nc.RNN(width=width, activation=activation, w_std=1.0, b_std=B_STD, u_std=u_std)
    return nc.Attention(width=width, heads=ATTN_HEADS, activation="relu", w_std=1.0, b_std=B_STD)


@cache
def seq_kernels(arch: str, width: int, activation: str, u_std: float, seed: int) -> dict:
    """Θ on the 60 sequences (30 train then 30 test, each sorted by frequency): Monte Carlo mean
    and spread over N_SEEDS networks of ``width`` and, for the RNN, the infinite-width limit; the
    test accuracy of kernel regression with the mean (and limit)."""
    ds = seq_data()
    otr, ote = seq_order(ds.labels_train), seq_order(ds.labels_test)
    x = np.concatenate([ds.x_train[otr], ds.x_test[ote]])
    model = seq_model(arch, width, activation, u_std)
    mc = nc.monte_carlo_kernels(model, x, n_samples=N_SEEDS, seed=seed)
    out = {"mean": np.asarray(mc.ntk_mean, np.float64), "std": np.asarray(mc.ntk_std, np.float64),
           "labels": np.concatenate([ds.labels_train[otr], ds.labels_test[ote]])}
    y, lab_te = ds.y_train[otr], ds.labels_test[ote]
    n = SEQ_N
    out["acc_mean"] = accuracy(kernel_regression(out["mean"][:n, :n], out["mean"][n:, :n], y), lab_te - 1)
    if arch == "RNN":
        inf = np.asarray(nc.infinite_kernels(seq_model(arch, 1, activation, u_std), x).ntk, np.float64)
        out["inf"] = inf
        out["acc_inf"] = accuracy(kernel_regression(inf[:n, :n], inf[n:, :n], y), lab_te - 1)
        out["rel_err"] = float(np.linalg.norm(out["mean"] - inf) / np.linalg.norm(inf))
    out["rel_spread"] = float(np.linalg.norm(out["std"]) / np.linalg.norm(out["mean"]))
    return out


# -- convergence with width and drift during training --------------------------------------------------
ALL_ARCHS = ("MLP", "CNN-GAP", "RNN", "Attention")
CONV_WIDTHS = (16, 64, 256)
CONV_SEEDS = 4
WIDTH_DEPTH = 1  # MLP / CNN depth in the width section (a depth-2 CNN at 256 channels takes minutes to sweep)
N_CONV = 24  # inputs in the convergence sweep (digits or sequences)


def _conv_inputs(arch: str) -> np.ndarray:
    if arch in SEQ_ARCHS:
        return seq_data().x_train[:N_CONV]
    return as_input(arch, _digits().x_train[:N_CONV])


def _conv_model(arch: str, width: int, depth: int):
    if arch in SEQ_ARCHS:
        return seq_model(arch, width)
    return digit_model(arch, depth, width)


@cache
def convergence(arch: str, width: int, depth: int, seed: int) -> np.ndarray:
    """Per seed: ‖Θ − Θ∞‖_F/‖Θ∞‖_F (MLP, CNN-GAP, RNN), or for attention (no closed-form limit here)
    ‖Θ_s − Θ̄‖_F/‖Θ̄‖_F around the mean Θ̄ of the seeds: (CONV_SEEDS,)."""
    x = _conv_inputs(arch)
    mc = nc.monte_carlo_kernels(_conv_model(arch, width, depth), x, n_samples=CONV_SEEDS, seed=seed,
                                keep_samples=True)
    samples = np.asarray(mc.ntk_samples, np.float64)
    if arch == "Attention":
        ref = samples.mean(0)
    else:
        ref = np.asarray(nc.infinite_kernels(_conv_model(arch, 1, depth), x).ntk, np.float64)
    return np.linalg.norm((samples - ref).reshape(len(samples), -1), axis=1) / np.linalg.norm(ref)


DRIFT_WIDTHS = (16, 64, 256)
DRIFT_STEPS = 200
N_DRIFT = 24


@cache
def drift(arch: str, width: int, depth: int, seed: int) -> dict:
    """Relative kernel change ‖Θ_T − Θ₀‖/‖Θ₀‖ and relative weight change after DRIFT_STEPS of GD at
    half the stability bound, on 24 training points (digits or sequences)."""
    model = _conv_model(arch, width, depth)
    if arch in SEQ_ARCHS:
        ds = seq_data()
        x, y = ds.x_train[:N_DRIFT], ds.y_train[:N_DRIFT, :1]  # scalar models: "is it 1 cycle?" (centred)
    else:
        ds = _digits()
        x, y = as_input(arch, ds.x_train[:N_DRIFT]), ds.y_train[:N_DRIFT]
    params0 = model.init(jax.random.key(seed), x.shape[-1] if x.ndim == 2 else tuple(x.shape[1:]))
    lam_max = float(np.linalg.eigvalsh(np.asarray(nc.empirical_ntk(model, params0, x), np.float64))[-1]) / len(x)
    lr = LR_FRAC * 2.0 / lam_max
    traj = nc.train(model, x, y, nc.TrainConfig(steps=DRIFT_STEPS, lr=lr, n_records=4, train_linearized=False,
                                                seed=seed), params0=params0)
    bad = traj.diverged
    return {"kernel_change": float("nan") if bad else float(traj.kernel_change[-1]),
            "weight_change": float("nan") if bad else float(np.mean(traj.weight_change[-1])),
            "train_loss": float(traj.train_loss[-1]), "lr": lr, "diverged": bad}


def log_fit(widths, values) -> tuple[float, float] | None:
    """Least-squares log v = s·log w + c over the positive finite values → (s, c), or None."""
    w, v = np.asarray(widths, float), np.asarray(values, float)
    ok = np.isfinite(v) & (v > 0)
    if ok.sum() < 2:
        return None
    s, c = np.polyfit(np.log(w[ok]), np.log(v[ok]), 1)
    return float(s), float(c)
