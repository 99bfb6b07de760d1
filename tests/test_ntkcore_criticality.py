"""ntkcore.criticality: order/chaos maps vs published critical lines (Schoenholz et al. 2017) and Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erf

import ntkcore as nc
from ntkcore import criticality as cr

SB2 = [0.0, 0.05, 0.1, 0.3]
PUBLISHED = {"tanh": [1.00, 1.76, 1.99, 2.51], "erf": [0.785, 1.38, 1.55, 1.96]}
PHI = {"tanh": (np.tanh, lambda u: 1 / np.cosh(u) ** 2),
       "erf": (erf, lambda u: 2 / np.sqrt(np.pi) * np.exp(-u ** 2)),
       "relu": (lambda u: np.maximum(u, 0), lambda u: (u > 0).astype(float))}
Z = np.random.default_rng(0).standard_normal(400_000)


@pytest.mark.parametrize("activation", ["tanh", "erf"])
def test_critical_line_matches_published(activation):
    got = cr.critical_sigma_w2(activation, SB2)
    np.testing.assert_allclose(got, PUBLISHED[activation], rtol=0.01)
    # on the line χ1 = 1 at the variance fixed point
    np.testing.assert_allclose(cr.chi1(activation, got[1:], SB2[1:]), 1.0, atol=2e-3)


def test_relu_critical_point():
    assert np.all(cr.critical_sigma_w2("relu", SB2) == 2.0)
    assert cr.chi1("relu", 2.0, 0.0) == pytest.approx(1.0)
    assert cr.fixed_point("relu", 1.0, 0.1) == pytest.approx(0.2)  # σ_b²/(1 − σ_w²/2)
    assert np.isinf(cr.fixed_point("relu", 2.5, 0.1))  # the variance explodes
    crit = cr.criticality("relu", [1.0, 3.0], [0.1, 0.1])
    assert crit.chi1[0] == pytest.approx(0.5) and np.isnan(crit.depth_scale[1])


@pytest.mark.parametrize("activation", ["tanh", "erf", "relu"])
def test_maps_vs_monte_carlo(activation):
    phi, dphi = PHI[activation]
    for q, sw2, sb2 in ((0.3, 1.5, 0.1), (2.0, 2.5, 0.05)):
        mc = sw2 * np.mean(phi(np.sqrt(q) * Z) ** 2) + sb2
        assert cr.variance_map(activation, q, sw2, sb2) == pytest.approx(mc, rel=0.01)
    sw2, sb2 = 1.8, 0.1
    q = float(cr.fixed_point(activation, sw2, sb2))
    assert cr.variance_map(activation, q, sw2, sb2) == pytest.approx(q, rel=1e-4)
    mc_chi = sw2 * np.mean(dphi(np.sqrt(q) * Z) ** 2)
    assert cr.chi1(activation, sw2, sb2) == pytest.approx(mc_chi, rel=0.01)
    # correlation map at c = 0.5 by Monte Carlo
    z2 = np.random.default_rng(1).standard_normal(Z.shape)
    u, v = np.sqrt(q) * Z, np.sqrt(q) * (0.5 * Z + np.sqrt(0.75) * z2)
    mc_c = (sw2 * np.mean(phi(u) * phi(v)) + sb2) / q
    assert cr.correlation_map(activation, 0.5, sw2, sb2) == pytest.approx(mc_c, abs=0.01)


@pytest.mark.parametrize("sw2, sb2, chaotic", [(1.2, 0.05, False), (3.0, 0.05, True)])
def test_fixed_points_vs_a_wide_random_network(sw2, sb2, chaotic):
    """Propagate two inputs through a wide random tanh network: q and c settle at q*, c*."""
    rng = np.random.default_rng(0)
    n, depth = 1500, 25
    crit = cr.criticality("tanh", sw2, sb2)
    assert (crit.chi1 > 1) == chaotic
    h = rng.standard_normal((2, n)).astype(np.float32)
    h[1] = 0.6 * h[0] + 0.8 * h[1]  # correlation 0.6 at the input
    qs, cs = [], []
    for _ in range(depth):
        w = rng.standard_normal((n, n), dtype=np.float32) * np.float32(np.sqrt(sw2 / n))
        h = np.tanh(h) @ w + np.sqrt(sb2) * rng.standard_normal(n)
        q1, q2 = np.mean(h ** 2, 1)
        qs.append(q1)
        cs.append(np.mean(h[0] * h[1]) / np.sqrt(q1 * q2))
    assert np.mean(qs[-10:]) == pytest.approx(float(crit.q_star), rel=0.05)
    assert np.mean(cs[-10:]) == pytest.approx(float(crit.c_star), abs=0.04)
    if chaotic:
        assert crit.c_star < 0.9 and crit.chi_c < 1
    else:
        assert crit.c_star == 1.0 and crit.chi_c == pytest.approx(crit.chi1)


def test_depth_scale_diverges_at_the_critical_line():
    crit_sw2 = float(cr.critical_sigma_w2("erf", 0.05))
    xi = cr.depth_scale("erf", [crit_sw2 - 0.3, crit_sw2 - 0.02, crit_sw2 + 0.02, crit_sw2 + 0.6], 0.05)
    assert xi[1] > 5 * xi[0] and xi[2] > 5 * xi[3]
    assert np.all(xi > 0)
    assert cr.depth_scale_from_chi(np.array([np.exp(-0.1), 1.0]))[0] == pytest.approx(10.0)
    assert np.isinf(cr.depth_scale_from_chi(1.0))


def test_phase_diagram_shapes_and_sides():
    sw, sb = np.linspace(0.5, 3.0, 11), np.linspace(0.0, 0.3, 4)
    pd = cr.phase_diagram("erf", sw, sb)
    assert pd.chi1.shape == pd.depth_scale.shape == pd.c_star.shape == (4, 11)
    for i, b in enumerate(sb):
        left = sw < pd.critical_sigma_w2[i] - 0.05
        right = sw > pd.critical_sigma_w2[i] + 0.05
        assert np.all(pd.chi1[i, left] < 1) and np.all(pd.c_star[i, left] == 1.0)
        assert np.all(pd.chi1[i, right] > 1) and np.all(pd.c_star[i, right] < 1)
    np.testing.assert_allclose(pd.critical_sigma_w2, cr.critical_sigma_w2("erf", sb), rtol=1e-3)


@pytest.mark.parametrize("activation", ["relu", "erf", "tanh"])
def test_kernels_by_depth_match_infinite_kernels(activation):
    x = np.sqrt(2) * nc.circle_points(6)[0]
    dk = cr.kernels_by_depth(activation, 1.7, 0.1, x, 4)
    assert dk.ntk.shape == (5, 6, 6)
    for depth in ((3,) if activation == "tanh" else (1, 4)):  # tanh: quadrature, one compile
        k = nc.infinite_kernels(nc.MLP(depth=depth, activation=activation, w_std=np.sqrt(1.7), b_std=np.sqrt(0.1)), x)
        np.testing.assert_allclose(dk.ntk[depth], np.asarray(k.ntk), rtol=2e-4, atol=1e-5)
        np.testing.assert_allclose(dk.nngp[depth], np.asarray(k.nngp), rtol=2e-4, atol=1e-5)


def test_deep_network_trainability():
    x, gamma = nc.circle_points(16)
    x, y = np.sqrt(2) * x, np.cos(2 * gamma)
    crit_sw2 = float(cr.critical_sigma_w2("erf", 0.05))
    near = cr.deep_mlp_gd("erf", crit_sw2, 0.05, 30, 64, x, y, 200)
    ordered = cr.deep_mlp_gd("erf", 0.6, 0.05, 30, 64, x, y, 200)
    assert near.loss.shape == (201,) and near.lr == pytest.approx(2 * 0.5 / near.eigvals[0], rel=1e-5)
    assert near.loss[-1] < 0.05 * near.loss[0]  # trains at criticality …
    assert ordered.loss[-1] > 0.3 * ordered.loss[0]  # … hardly at all deep in the ordered phase
    assert nc.condition_number(ordered.eigvals) > 100 * nc.condition_number(near.eigvals)
    with pytest.raises(ValueError):
        cr.deep_mlp_gd("erf", 1.0, 0.0, cr.MAX_DEPTH + 1, 8, x, y, 5)
