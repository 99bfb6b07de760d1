"""Speed of ntkcore's hot paths on this machine; prints a Markdown table.

    python benchmarks/bench_ntkcore.py            # full run (a few minutes on 2 cores)
    python benchmarks/bench_ntkcore.py --quick    # smaller repeat counts
    python benchmarks/bench_ntkcore.py --cnn      # only the CNN rows

Each row reports the first call (compile + run) and the median warm time;
ratios are between rows measured in the same run, so a busy machine shifts
both sides together. Targets (issue: ntkcore engine):
  * empirical NTK, ReLU MLP depth 2, N = 256, d = 2: at width 4096 ≤ 3× one
    forward+backward pass (jax.vjp) over the batch; at width 1024 ≥ 50× faster
    than jax.jacrev followed by J·Jᵀ.
  * infinite kernels 1000×1000 at depth 3: well under a second warm.
  * CNN (issue 4): empirical NTK of 256 digits (8×8×1) through 3 conv layers
    of 256 channels with GAP in a few seconds; the CNTK of 200 × 200 digits
    at depth 3 (gap and flatten).
"""
from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

import ntkcore as nc
from ntkcore.empirical import _jacobian_ntk


def timed(fn, repeats):
    t0 = time.perf_counter()
    jax.block_until_ready(fn())
    first = time.perf_counter() - t0
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(fn())
        warm.append(time.perf_counter() - t0)
    return first, statistics.median(warm)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cnn", action="store_true", help="only the CNN rows")
    args = ap.parse_args()
    reps = 3 if args.quick else 7
    rows = []
    if args.cnn:
        cnn_rows(rows, reps)
        print_rows(rows)
        return

    x = jax.random.normal(jax.random.key(0), (256, 2))
    # -- empirical NTK vs a forward+backward pass and vs jacrev --------------------
    for width in (1024, 4096):
        model = nc.MLP(width=width, depth=2, activation="relu")
        params = model.init(jax.random.key(1), 2)
        ntk = timed(lambda: nc.empirical_ntk(model, params, x), reps)
        vjp_fn = jax.jit(lambda p: jax.vjp(lambda q: model.apply(q, x), p)[1](jnp.ones((256, 1)))[0])
        fb = timed(lambda: vjp_fn(params), reps)
        rows.append((f"empirical NTK structured, width {width}", *ntk, ""))
        rows.append((f"forward+backward (jax.vjp), width {width}", *fb, ""))
        rows[-2] = rows[-2][:3] + (f"{ntk[1] / fb[1]:.2f}× fwd+bwd (target ≤ 3× at 4096)",)
        if width == 1024:
            jac = timed(lambda: _jacobian_ntk(model.apply, params, x, x), max(1, reps // 3))
            rows.append((f"jacrev + J·Jᵀ, width {width}", *jac, f"structured is {jac[1] / ntk[1]:.0f}× faster (target ≥ 50×)"))

    # -- infinite-width kernels --------------------------------------------------------
    x1000 = np.random.default_rng(0).normal(size=(1000, 2)).astype(np.float32)
    for act, n in (("relu", 1000), ("erf", 1000), ("gelu", 1000), ("tanh", 100), ("softplus", 100)):
        model = nc.MLP(depth=3, activation=act, w_std=1.5, b_std=0.1)
        res = timed(lambda: nc.infinite_kernels(model, x1000[:n]).ntk, reps)
        rows.append((f"infinite NNGP+NTK {n}×{n}, depth 3, {act}", *res,
                     "closed form" if act not in ("tanh", "softplus") else "2-D quadrature"))

    # -- training (network + closed-form linearization), 1000 full-batch GD steps -----
    data = nc.circle("cos2", n_train=20, n_test=100)
    for width, depth in ((256, 1), (4096, 1), (1024, 2)):
        model = nc.MLP(width=width, depth=depth, b_std=0.1)
        cfg = nc.TrainConfig(steps=1000, lr=1.0, n_records=40)
        res = timed(lambda: nc.train(model, data.x_train, data.y_train, cfg, x_test=data.x_test, y_test=data.y_test,
                                     x_eval=data.x_test).loss, max(1, reps // 3))
        rows.append((f"train 1000 GD steps + linearized, width {width}, depth {depth}", *res, "20 points, 40 records"))

    cnn_rows(rows, reps)
    print_rows(rows)


def cnn_rows(rows, reps):
    """CNN empirical NTK (fast path vs jacrev J·Jᵀ, which needs a smaller setting) and the CNTK."""
    data = nc.digits(n_train=256, n_test=200)
    x = jnp.asarray(data.x_train.reshape(-1, 8, 8, 1), jnp.float32)
    model = nc.CNN(channels=256, depth=3, pooling="gap")
    params = model.init(jax.random.key(0), (8, 8, 1))
    fast = timed(lambda: nc.empirical_ntk(model, params, x), max(1, reps // 3))
    rows.append(("CNN empirical NTK fast path, 256 digits, 3 conv × 256 ch, gap", *fast, "target: a few seconds"))
    small = nc.CNN(channels=64, depth=3, pooling="gap")
    p_small = small.init(jax.random.key(0), (8, 8, 1))
    xs = x[:128]
    fast_s = timed(lambda: nc.empirical_ntk(small, p_small, xs), reps)
    jac_s = timed(lambda: nc.empirical_ntk(small, p_small, xs, method="jacobian"), 1)
    rows.append(("CNN empirical NTK fast path, 128 digits, 3 conv × 64 ch, gap", *fast_s, ""))
    rows.append(("CNN jacrev + J·Jᵀ, 128 digits, 3 conv × 64 ch, gap", *jac_s,
                 f"fast path is {jac_s[1] / fast_s[1]:.0f}× faster"))
    x_test = data.x_test.reshape(-1, 8, 8, 1).astype(np.float32)
    for pooling in ("gap", "flatten"):
        cnn = nc.CNN(channels=1, depth=3, pooling=pooling, w_std=1.4, b_std=0.1)
        res = timed(lambda: nc.infinite_kernels(cnn, x[:200], x_test).ntk, max(1, reps // 3))
        rows.append((f"CNTK NNGP+NTK 200×200 digits, depth 3, relu, {pooling}", *res,
                     "P² = 4096 position pairs per input pair" if pooling == "gap" else "diagonal only"))


def print_rows(rows):
    print(f"jax {jax.__version__}, {jax.devices()[0].platform}, float32\n")
    print("| benchmark | first call (s) | warm (s) | note |")
    print("|---|---|---|---|")
    for name, first, warm, note in rows:
        print(f"| {name} | {first:.3f} | {warm:.4f} | {note} |")


if __name__ == "__main__":
    main()
