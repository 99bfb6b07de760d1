"""Numbers and directions the ntkcore docstrings state, pinned against the computation (issue 13).

Each test names the docstring it checks; docs/claims.md (section ntkcore) lists every claim read.
"""
from __future__ import annotations

import math

import jax
import numpy as np
import pytest

import ntkcore as nc
from ntkcore import criticality as cr
from ntkcore import phases as ph
from ntkcore.generalization import jacobian_features
from ntkcore.infinite import gaussian_expectations


def test_phases_measured_divergence_edge():
    """phases.py: 'measured here … diverges above η ≈ 4.2/λ0 (c ≈ 2.1)' for the /lr-phases net
    (NTK parameterization, width 1024, 32 circle points, target ½ cos 2γ, 300 steps, seed 0)."""
    x, gamma = nc.circle_points(32)
    y = 0.5 * np.cos(2 * gamma)[:, None]
    model = nc.MLP(width=1024, depth=1, activation="relu", w_std=1.0, b_std=0.0)
    s = ph.lr_phase_sweep(model, x, y, [1.5, 2.0, 2.5], 300, refine=3, n_records=2)
    lo, hi = s.divergent_bracket
    assert hi - lo == pytest.approx(0.5 / 8)  # three bisections of [2.0, 2.5]
    assert 2 * s.c_divergent == pytest.approx(4.2, abs=0.1)  # η_max·λ0 = 2c
    # … above the uv model's 4/λ0 (Lewkowycz et al. Sec. 2) yet far below 12/λ0
    assert s.phase[0] == "catapult"


def test_quadrature_claims_tanh():
    """infinite.py: the trapezoidal rule is converged to ~1e-7; a fixed Gauss–Hermite rule at variance 10,
    correlation 0.5 is off by ~3e-3 with 25 points and ~1e-4 with 64."""
    q, c = 10.0, 0.5
    z = np.linspace(-9, 9, 4001)
    w = np.exp(-z ** 2 / 2)
    w /= w.sum()
    u = math.sqrt(q) * z[:, None]
    v = math.sqrt(q) * (c * z[:, None] + math.sqrt(1 - c * c) * z[None, :])
    reference = float((w[:, None] * w[None, :] * np.tanh(u) * np.tanh(v)).sum())

    def hermite(deg):
        zh, wh = np.polynomial.hermite_e.hermegauss(deg)
        wh = wh / wh.sum()
        uh = math.sqrt(q) * zh[:, None]
        vh = math.sqrt(q) * (c * zh[:, None] + math.sqrt(1 - c * c) * zh[None, :])
        return float((wh[:, None] * wh[None, :] * np.tanh(uh) * np.tanh(vh)).sum())

    with jax.enable_x64(True):
        ours = float(gaussian_expectations("tanh", q, q, c * q)[0])
    assert abs(ours - reference) < 1e-7
    assert 1e-3 < abs(hermite(25) - reference) < 1e-2
    assert 3e-5 < abs(hermite(64) - reference) < 3e-4


def test_parameterization_width_scaling():
    """infinite.py: under "ntk" the kernels do not depend on width; the standard NTK grows ∝ width;
    the muP NNGP vanishes ∝ 1/width."""
    x = nc.circle_points(6)[0]
    kern = {(p, n): nc.infinite_kernels(nc.MLP(width=n, depth=2, parameterization=p), x)
            for p in ("ntk", "standard", "mup") for n in (512, 2048, 8192)}
    np.testing.assert_array_equal(kern["ntk", 512].ntk, kern["ntk", 2048].ntk)
    # standard: Θ(n) = A + n·B exactly (the weights fed by width-n layers), B > 0: growth ∝ width
    std = {n: np.asarray(kern["standard", n].ntk, np.float64) for n in (512, 2048, 8192)}
    np.testing.assert_allclose((std[8192] - std[2048]) / (std[2048] - std[512]), 4.0, rtol=2e-3)
    assert np.all(std[2048] - std[512] > 0) and np.all(std[8192] / std[2048] > 3.8)
    np.testing.assert_allclose(np.asarray(kern["mup", 2048].nngp) / np.asarray(kern["mup", 512].nngp), 0.25,
                               rtol=1e-5)


def test_mup_table_in_models():
    """models.py table (Yang et al. 2021, Tensor Programs V, Table 3, SGD): input weights and all biases
    lr η·fan_out, hidden weights lr η, readout initial std w_std/fan_in (variance 1/fan_in², not 1/fan_in)
    and lr η/fan_in; every other weight variance w_std²/fan_in."""
    w_std, width, d = 1.7, 256, 3
    first, hidden, readout = nc.MLP(width=width, depth=2, w_std=w_std, b_std=0.3, parameterization="mup",
                                    out_dim=2).layer_specs(d)
    assert (first.lr_w, first.lr_b, first.sigma_w) == (width, width, pytest.approx(w_std / math.sqrt(d)))
    assert (hidden.lr_w, hidden.lr_b, hidden.sigma_w) == (1.0, width, pytest.approx(w_std / math.sqrt(width)))
    assert readout.lr_w == pytest.approx(1 / width) and readout.lr_b == 2
    assert readout.sigma_w ** 2 == pytest.approx(w_std ** 2 / width ** 2)
    assert readout.omega2 == pytest.approx(w_std ** 2 / width)  # LayerSpec.omega2: "w_std² except the muP readout"
    assert {s.sigma_b for s in (first, hidden, readout)} == {0.3}
    params = nc.MLP(width=4096, depth=1, parameterization="mup").init(jax.random.key(0), 2)
    assert np.std(np.asarray(params[1]["W"])) == pytest.approx(1 / 4096, rel=0.05)  # the drawn std is 1/fan_in


def test_linearized_stability_bound():
    """__init__/spectra: GD on the linearized model (a fixed kernel) is stable iff η < 2/λ_max."""
    x, gamma = nc.circle_points(16)
    y = np.cos(2 * gamma)[:, None]
    theta = np.asarray(nc.infinite_kernels(nc.MLP(depth=1), x).ntk, np.float64)
    bound = nc.max_stable_lr(nc.ntk_spectrum(theta).eigvals[0])
    steps = [2000]
    below, _ = nc.kernel_predictions(theta, y, steps, 0.98 * bound)
    above, _ = nc.kernel_predictions(theta, y, steps, 1.02 * bound)
    assert np.abs(np.asarray(below)[-1] - y).max() < 1e-3
    assert np.abs(np.asarray(above)[-1] - y).max() > 1e3


def test_criticality_closed_forms():
    """criticality.py: relu's critical line is σ_w² = 2 for every σ_b²; homogeneous activations have
    q* = σ_b²/(1 − χ1) below it; χ1 = C'(1) (Price's theorem); ξ_c = ∞ on the line."""
    np.testing.assert_allclose(cr.critical_sigma_w2("relu", [0.0, 0.5, 2.0]), 2.0)
    for act, slope in (("relu", 0.5), ("identity", 1.0)):
        sw2, sb2 = 1.2 if act == "relu" else 0.7, 0.3
        chi = float(cr.chi1(act, sw2, sb2))
        assert chi == pytest.approx(slope * sw2)
        assert float(cr.fixed_point(act, sw2, sb2)) == pytest.approx(sb2 / (1 - chi))
    crit = cr.criticality("relu", 2.0, 0.0)
    assert crit.chi1 == pytest.approx(1.0) and np.isinf(crit.depth_scale)
    q, h = float(cr.fixed_point("tanh", 1.5, 0.05)), 1e-4
    slope = (cr.correlation_map("tanh", 1.0, 1.5, 0.05, q) - cr.correlation_map("tanh", 1 - h, 1.5, 0.05, q)) / h
    assert float(slope) == pytest.approx(float(cr.chi1("tanh", 1.5, 0.05)), rel=2e-3)


def test_datasets_and_conventions():
    """datasets.py: 1797 digits scaled to ‖x‖² = 64; clean sinusoid sequences have mean square 1;
    the cookbook task; activations.py: relu'(0) = 0 as in JAX; generalization.py: P = w(d + 2) + 1."""
    dig = nc.digits(classes=tuple(range(10)), n_train=1000, n_test=797)
    x = np.concatenate([dig.x_train, dig.x_test])
    assert x.shape == (1797, 64)
    np.testing.assert_allclose(np.sum(x ** 2, -1), 64.0, rtol=1e-5)
    seq = nc.sequences("sinusoids", n_train=30, n_test=30, length=16, noise=0.0)
    np.testing.assert_allclose(np.mean(np.asarray(seq.x_train) ** 2, axis=(1, 2)), 1.0, rtol=1e-5)
    cook = nc.regression_1d("sine", n_train=5, n_test=50, noise=0.1)
    assert cook.x_train.shape == (5, 1) and cook.x_test.shape == (50, 1)
    assert float(jax.grad(nc.activation_fn("relu"))(0.0)) == 0.0
    model = nc.MLP(width=7, depth=1)
    phi = jacobian_features(model, model.init(jax.random.key(0), 3), np.ones((2, 3)))
    assert phi.shape == (2, 7 * (3 + 2) + 1)
