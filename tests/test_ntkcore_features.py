"""ntkcore.features: the single-index task, lazy/rich α sweeps, feature change under NTK / μP."""

import math

import numpy as np
import pytest

import ntkcore as nc
from ntkcore import features as F

D, N = 20, 160


def _ntk_regression_error(data, lr, steps):
    xall = np.concatenate([data.x_train, data.x_test])
    m = nc.MLP(width=1, depth=1, activation="relu", w_std=math.sqrt(2))
    theta = np.asarray(nc.infinite_kernels(m, xall, data.x_train).ntk, np.float64)
    _, f = nc.kernel_predictions(theta[:N], data.y_train, np.array([float(steps)]), lr, theta_test_train=theta[N:])
    return float(np.mean((f[0] - data.y_test) ** 2) / np.mean(data.y_test ** 2)), theta


def test_single_index_task():
    data = F.single_index("abs", D, N, 500, 0)
    assert data.x_train.shape == (N, D) and data.y_test.shape == (500, 1)
    assert abs(data.y_test.mean()) < 1e-9 and data.y_test.std() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="link"):
        F.single_index("cube")


def test_network_beats_its_ntk_at_small_alpha_but_not_at_large_alpha():
    data = F.single_index("abs", D, N, 500, 0)
    steps = 400
    err_inf, theta = 0.0, None
    lam = None
    xall = np.concatenate([data.x_train, data.x_test])
    m_inf = nc.MLP(width=1, depth=1, activation="relu", w_std=math.sqrt(2))
    theta = np.asarray(nc.infinite_kernels(m_inf, xall, data.x_train).ntk, np.float64)
    lam = np.linalg.eigvalsh(theta[:N])[-1] / N
    lr = 0.2 * 2 / lam
    err_inf, _ = _ntk_regression_error(data, lr, steps)
    assert err_inf > 0.5  # the kernel cannot resolve |w*·x| from 160 points in d = 20
    m = nc.MLP(width=128, depth=1, activation="relu", w_std=math.sqrt(2))
    r = F.alpha_sweep(m, data.x_train, data.y_train, data.x_test, data.y_test, (0.1, 10.0), steps=steps, lr=lr)
    small, large = r.test_error
    assert small < 0.5 * err_inf, (small, err_inf)  # rich: features win clearly
    assert large > 0.8 * err_inf  # lazy: no better than the kernel
    assert abs(large - r.test_error_lin) < 0.1  # and close to its own linearization
    assert r.kernel_change[0] > 1.0 > 10 * r.kernel_change[1]
    assert not r.diverged.any()


def test_alpha_sweep_validates():
    data = F.single_index("abs", 5, 20, 10, 0)
    m = nc.MLP(width=8, depth=1)
    with pytest.raises(ValueError, match="alphas"):
        F.alpha_sweep(m, data.x_train, data.y_train, data.x_test, data.y_test, (0.0,), steps=5, lr=0.1)
    with pytest.raises(ValueError, match="x_test"):
        F.alpha_sweep(m, data.x_train, data.y_train, data.x_test[:, :3], data.y_test, (1.0,), steps=5, lr=0.1)


def test_mup_feature_change_does_not_vanish_ntk_does():
    data = F.single_index("abs", D, N, 10, 0)
    widths = (64, 512, 4096)
    out = {}
    for p in ("ntk", "mup"):
        m = nc.MLP(width=1, depth=1, activation="relu", w_std=math.sqrt(2), parameterization=p)
        out[p] = F.feature_change(m, widths, data.x_train, data.y_train, steps=10, lr_frac=0.5)
    mup, ntk = out["mup"], out["ntk"]
    assert mup.hidden_change[-1] > 0.5 * mup.hidden_change[0] and mup.hidden_change[-1] > 0.1
    assert abs(mup.slope) < 0.1
    assert -0.65 < ntk.slope < -0.35  # ∝ width^-1/2
    assert ntk.hidden_change[-1] < 0.25 * ntk.hidden_change[0]
    with pytest.raises(ValueError, match="widths"):
        F.feature_change(nc.MLP(width=1, depth=1), (64,), data.x_train, data.y_train)


def test_crossover_fit_recovers_alpha_sqrt_width():
    a, w = np.array([0.1, 1.0, 10.0]), np.array([16.0, 64.0, 256.0])
    kc = 3.0 / (a[None, :] * np.sqrt(w[:, None]))
    fit = F.crossover_fit(a, w, kc)
    assert fit.p_alpha == pytest.approx(-1) and fit.p_width == pytest.approx(-0.5)
    assert fit.ratio == pytest.approx(0.5) and fit.constant == pytest.approx(3.0)
