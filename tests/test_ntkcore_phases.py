"""ntkcore.phases: learning-rate phases (lazy / catapult / divergent) of a wide 1-hidden-layer ReLU net."""

from __future__ import annotations

import numpy as np
import pytest

import ntkcore as nc
from ntkcore import phases as ph

N, STEPS = 32, 300


@pytest.fixture(scope="module")
def setup():
    x, gamma = nc.circle_points(N)
    y = 0.5 * np.cos(2 * gamma)[:, None]
    model = nc.MLP(width=1024, depth=1, activation="relu", w_std=1.0, b_std=0.0)
    return model, x, y


def test_classify_phase_rules():
    assert ph.classify_phase([1.0, 0.5, 0.2], 1.0, 1.0, False) == "lazy"
    assert ph.classify_phase([1.0, 0.5, 0.505, 0.2], 1.0, 1.0, False) == "lazy"  # within the 2% tolerance
    assert ph.classify_phase([1.0, 20.0, 0.1], 1.0, 1.5, False) == "catapult"
    assert ph.classify_phase([1.0, 20.0, 0.1], 1.5, 1.5, False) == "unsettled"  # ηλ_final = 2.25 ≥ 2
    assert ph.classify_phase([1.0, 20.0, 5.0], 1.0, 1.0, False) == "unsettled"  # ended above L(0)
    assert ph.classify_phase([1.0, 1e3], np.nan, 1.0, True) == "divergent"
    with pytest.raises(ValueError):
        ph.classify_phase([1.0, np.nan], 1.0, 1.0, False)


def test_top_eigenvalues_match_spectrum(setup):
    model, x, _ = setup
    lam0, params = ph.initial_lambda_max(model, x)
    theta = np.asarray(nc.empirical_ntk(model, params, x, lr_weighted=True))
    assert lam0 == pytest.approx(nc.ntk_spectrum(theta).eigvals[0], rel=1e-5)
    both = ph.top_eigenvalues(np.stack([theta, 2 * theta]))
    np.testing.assert_allclose(both, [lam0, 2 * lam0], rtol=1e-5)


def test_lazy_catapult_divergent_runs(setup):
    model, x, y = setup
    lazy = ph.lr_phase_run(model, x, y, 0.5, STEPS)
    assert lazy.phase == "lazy"
    assert lazy.lr == pytest.approx(2 * 0.5 / lazy.lambda0)
    assert np.all(np.diff(lazy.loss) <= 1e-6 * lazy.loss[0])  # monotone
    assert abs(lazy.lambda_max[-1] / lazy.lambda0 - 1) < 0.05  # λ constant
    assert len(lazy.record_steps) == STEPS + 1  # λ_max at every step

    cat = ph.lr_phase_run(model, x, y, 1.5, STEPS)
    assert cat.phase == "catapult"
    assert cat.peak_loss_ratio > 3  # the loss spikes …
    assert cat.lr * cat.lambda0 > 2 > cat.lr * cat.lambda_final  # … and λ falls until ηλ < 2
    assert cat.final_loss < 0.01 * cat.loss[0]  # then it converges
    spike = int(np.argmax(cat.loss))
    assert spike < 60  # within the first tens of steps

    div = ph.lr_phase_run(model, x, y, 3.0, STEPS)
    assert div.phase == "divergent" and div.diverged_step is not None and div.diverged_step < 50
    assert np.all(np.isfinite(div.loss)) and len(div.loss) == div.diverged_step
    assert np.isnan(div.lambda_final) and np.isnan(div.final_loss)


def test_sweep_boundaries(setup):
    model, x, y = setup
    calls = []
    s = ph.lr_phase_sweep(model, x, y, [0.5, 0.9, 1.25, 1.75, 2.5, 3.0], STEPS, refine=2,
                          callback=lambda i, n: calls.append((i, n)))
    assert calls[-1] == (8, 8) and len(s.cs) == 8
    assert np.all(np.diff(s.cs) > 0)
    assert s.phase[:2] == ("lazy", "lazy") and s.phase[-1] == "divergent"
    # lazy → catapult at η = 2/λ0 (c = 1), measured between the grid points around it
    assert s.catapult_bracket == (0.9, 1.25)
    # acceptance: the catapult → divergence edge lies between 2/λ0 and 8/λ0 (1 < c < 4); measured here
    # ≈ 4.2/λ0 (tests/test_ntkcore_claims.py), near the 4/λ0 Lewkowycz et al. derive for the linear uv model
    lo, hi = s.divergent_bracket
    assert 1.0 < lo < hi < 4.0 and hi - lo == pytest.approx(0.75 / 4)  # two bisections of [1.75, 2.5]
    assert 1.5 < s.c_divergent < 3.0
    conv = np.array([p != "divergent" for p in s.phase])
    catapult = np.array([p == "catapult" for p in s.phase])
    assert np.all(s.final_lr_lambda[catapult] < 2)
    assert np.all(np.isnan(s.final_lr_lambda[~conv]))
    assert np.all(s.peak_loss_ratio[catapult] > 2)


def test_run_fn_and_validation(setup):
    model, x, y = setup
    seen = []

    def fake(c):
        seen.append(c)
        return ph.PhaseRun(c, c, 1.0, np.array([1.0, 0.5]), np.array([0, 1]), np.array([1.0, 1.0]),
                           "lazy" if c < 1 else "divergent", None if c < 1 else 1, 1.0, 1.0, 0.5)

    s = ph.lr_phase_sweep(model, x, y, [2.0, 0.5], 10, run_fn=fake)
    assert seen == [0.5, 2.0] and s.divergent_bracket == (0.5, 2.0)
    with pytest.raises(ValueError):
        ph.lr_phase_run(model, x, y, -1.0, 10)
    with pytest.raises(ValueError):
        ph.lr_phase_sweep(model, x, y, [], 10)
