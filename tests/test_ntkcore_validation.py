"""Bad input raises ValueError naming the argument; the library stays independent of the UI."""
import subprocess
import sys

import jax
import numpy as np
import pytest

import ntkcore as nc


@pytest.mark.parametrize("kwargs, name", [
    (dict(width=0), "width"), (dict(width=2.5), "width"), (dict(depth=-1), "depth"),
    (dict(activation="swish"), "activation"), (dict(parameterization="xavier"), "parameterization"),
    (dict(w_std=float("nan")), "w_std"), (dict(b_std=-1.0), "b_std"), (dict(out_dim=0), "out_dim"),
])
def test_model_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        nc.MLP(**kwargs)


def test_input_arrays():
    model = nc.MLP(width=8, depth=1)
    params = model.init(jax.random.key(0), 2)
    with pytest.raises(ValueError, match="x1.*last dimension 2"):
        nc.empirical_ntk(model, params, np.ones((3, 3)))
    with pytest.raises(ValueError, match="x2"):
        nc.empirical_ntk(model, params, np.ones((3, 2)), np.ones((3, 5)))
    with pytest.raises(ValueError, match="x1.*finite"):
        nc.empirical_ntk(model, params, np.array([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match="x1.*inf|x1.*finite"):
        nc.infinite_kernels(model, np.array([[np.inf, 0.0]]))
    with pytest.raises(ValueError, match="x1.*axes"):
        nc.infinite_kernels(model, np.ones(3))
    with pytest.raises(ValueError, match="x2.*last dimension"):
        nc.infinite_kernels(model, np.ones((3, 2)), np.ones((3, 4)))


@pytest.mark.parametrize("kwargs, name", [
    (dict(lr=0.0), "lr"), (dict(lr=-1.0), "lr"), (dict(steps=0), "steps"), (dict(steps=1.5), "steps"),
    (dict(n_records=0), "n_records"), (dict(output_scale=0.0), "output_scale"), (dict(batch_size=0), "batch_size"),
    (dict(linearized_method="magic"), "linearized_method"),
])
def test_train_config(kwargs, name):
    with pytest.raises(ValueError, match=name):
        nc.TrainConfig(**kwargs)


def test_train_arguments():
    model = nc.MLP(width=8, depth=1)
    x = np.ones((4, 2))
    with pytest.raises(ValueError, match="y_train"):
        nc.train(model, x, np.ones((5, 1)))
    with pytest.raises(ValueError, match="x_test and y_test"):
        nc.train(model, x, np.ones(4), x_test=x)
    with pytest.raises(ValueError, match="x_train.*finite"):
        nc.train(model, np.full((4, 2), np.nan), np.ones(4))


def test_other_functions():
    with pytest.raises(ValueError, match="mode"):
        nc.kernel_predictions(np.eye(2), np.ones(2), [1], 0.1, mode="euler")
    with pytest.raises(ValueError, match="lr"):
        nc.kernel_predictions(np.eye(2), np.ones(2), [1], -0.1)
    with pytest.raises(ValueError, match="t must be"):
        nc.kernel_predictions(np.eye(2), np.ones(2), [-1], 0.1)
    with pytest.raises(ValueError, match="theta must be square"):
        nc.ntk_spectrum(np.ones((2, 3)))
    with pytest.raises(ValueError, match="kind"):
        nc.regression_1d("cosine")
    with pytest.raises(ValueError, match="n_train"):
        nc.classification_2d("moons", n_train=1)
    with pytest.raises(ValueError, match="classes"):
        nc.digits(classes=(3, 3))
    with pytest.raises(ValueError, match="n_samples"):
        nc.monte_carlo_kernels(nc.MLP(width=4, depth=1), np.ones((2, 2)), n_samples=0)
    with pytest.raises(ValueError, match="lambda_max"):
        nc.max_stable_lr(0.0)


def test_datasets_are_deterministic():
    for make in (lambda: nc.regression_1d("freqs", 7, 9, 0.1, seed=3), lambda: nc.classification_2d("spirals", seed=2),
                 lambda: nc.digits(50, 20, seed=1), lambda: nc.circle("x1x2", 8, 16)):
        a, b = make(), make()
        np.testing.assert_array_equal(a.x_train, b.x_train)
        np.testing.assert_array_equal(a.y_test, b.y_test)
    d = nc.digits(100, 50, classes=(0, 1, 7))
    assert d.y_train.shape == (100, 3) and set(d.labels_train) <= {0, 1, 7}
    np.testing.assert_allclose(np.sum(d.x_train ** 2, 1), 64, rtol=1e-10)
    c = nc.classification_2d("xor", 100, 10)
    assert set(np.unique(c.y_train)) == {-1.0, 1.0}


def test_import_does_not_pull_in_ui_or_change_jax_config():
    code = ("import sys, jax; before = jax.config.read('jax_enable_x64'); import ntkcore; "
            "assert 'streamlit' not in sys.modules and 'plotly' not in sys.modules; "
            "assert jax.config.read('jax_enable_x64') == before == False; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


# -- issue 20: parameters against the model, memory estimates, no silent NaN ------------------------------

SEQ = np.random.default_rng(0).normal(size=(3, 5, 2))
IMG = np.random.default_rng(0).normal(size=(3, 6, 6, 1))
ARCHITECTURES = [  # (model, a narrower/other model of the same kind, inputs)
    (nc.MLP(width=8, depth=2), nc.MLP(width=16, depth=2), np.ones((3, 2))),
    (nc.CNN(channels=4, depth=2), nc.CNN(channels=6, depth=2), IMG),
    (nc.RNN(width=8, depth=1), nc.RNN(width=16, depth=1), SEQ),
    (nc.Attention(width=8, heads=2), nc.Attention(width=16, heads=2), SEQ),
]


def _init(model, x):
    return model.init(jax.random.key(0), x.shape[-1] if x.ndim == 2 else x.shape[1:])


@pytest.mark.parametrize("model, other, x", ARCHITECTURES, ids=lambda v: type(v).__name__)
def test_params_of_another_width_are_refused(model, other, x):
    wrong = _init(other, x)
    with pytest.raises(ValueError, match=r"params.* must have shape .* got"):
        nc.empirical_ntk(model, wrong, x)
    with pytest.raises(ValueError, match=r"params0.* must have shape"):
        nc.train(model, x, np.ones(3), nc.TrainConfig(steps=1, train_linearized=False), params0=wrong)
    np.testing.assert_allclose(  # the right ones still work, with the same kernel as before the checks
        nc.empirical_ntk(model, _init(model, x), x),
        nc.empirical_ntk(model, _init(model, x), x, method="jacobian"), rtol=2e-4, atol=1e-5)


@pytest.mark.parametrize("model, other, x", ARCHITECTURES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("params", [None, 3.0, "weights", [], {"W": 1}])
def test_params_that_are_not_parameters(model, other, x, params):
    with pytest.raises(ValueError, match="params must be the parameters of"):
        nc.empirical_ntk(model, params, x)


def test_params_with_a_missing_layer_or_wrong_readout():
    model, x = nc.MLP(width=8, depth=2), np.ones((3, 2))
    params = _init(model, x)
    with pytest.raises(ValueError, match="params must be the parameters of MLP.*3 arrays|6 arrays"):
        nc.empirical_ntk(model, params[:-1], x)
    with pytest.raises(ValueError, match=r"params\[2\]\['W'\] must have shape \(8, 1\)"):
        nc.empirical_ntk(model, _init(nc.MLP(width=8, depth=2, out_dim=2), x), x)
    with pytest.raises(ValueError, match="params must be the parameters"):
        nc.empirical_nngp(model, None, x)


@pytest.mark.parametrize("make, init_arg", [
    (lambda: nc.MLP(width=2 ** 20), 2),
    (lambda: nc.CNN(channels=2 ** 16, depth=8), (8, 8, 1)),
    (lambda: nc.RNN(width=2 ** 16, depth=16), (4, 2)),
    (lambda: nc.Attention(width=2 ** 16, heads=1, depth=16), (4, 2)),
])
def test_init_too_large_for_memory(make, init_arg, limit_8gb):
    with pytest.raises(ValueError, match=r"would need about [\d.]+ [GT]B of memory, over the limit.*reduce"):
        make().init(jax.random.key(0), init_arg)


def test_memory_limit_is_configurable_and_estimates_are_from_shapes():
    model, x = nc.MLP(width=64, depth=2), np.ones((50, 2))
    params = model.init(jax.random.key(0), 2)
    old = nc.set_memory_limit(10_000)
    try:
        assert nc.memory_limit() == 10_000
        with pytest.raises(ValueError, match=r"empirical_ntk on 50×50 inputs would need about [\d.]+ KB"):
            nc.empirical_ntk(model, params, x)
        with pytest.raises(ValueError, match=r"infinite_kernels on 50×50 inputs .*x1 and x2"):
            nc.infinite_kernels(model, x)
        with pytest.raises(ValueError, match=r"init with in_dim=2 would need"):
            nc.MLP(width=100, depth=2).init(jax.random.key(0), 2)
        with pytest.raises(ValueError, match="n_samples or the number of inputs"):
            nc.monte_carlo_kernels(model, x, n_samples=3)
        with pytest.raises(ValueError, match="nbytes"):
            nc.set_memory_limit(0)
    finally:
        nc.set_memory_limit(old)
    assert nc.memory_limit() == old
    nc.empirical_ntk(model, params, x)  # fine again


@pytest.fixture
def limit_8gb():
    """A fixed limit, so what is refused does not depend on the test machine's memory."""
    old = nc.set_memory_limit(8 * 2 ** 30)
    yield
    nc.set_memory_limit(old)


@pytest.mark.parametrize("model, x", [
    (nc.MLP(depth=2), np.ones((60_000, 2))),
    (nc.CNN(channels=1, depth=2), np.ones((60_000, 8, 8, 1))),
    (nc.RNN(depth=1, activation="relu"), np.ones((30_000, 10, 1))),
], ids=["MLP", "CNN", "RNN"])
def test_infinite_kernels_on_too_many_points(model, x, limit_8gb):
    # 60 000² float32 entries are 14 GB per array: refused from the shapes, before any allocation
    with pytest.raises(ValueError, match=r"would need about [\d.]+ GB of memory, over the limit of 8.0 GB"):
        nc.infinite_kernels(model, x)


def test_empirical_ntk_too_large_names_the_inputs(limit_8gb):
    model = nc.MLP(width=4096, depth=4)
    params = model.init(jax.random.key(0), 2)
    with pytest.raises(ValueError, match=r"empirical_ntk on 200000×200000 inputs.*x1 and x2"):
        nc.empirical_ntk(model, params, np.ones((200_000, 2)))


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "erf", "gelu", "identity", "tanh"])
def test_zero_norm_inputs_give_the_limit_not_nan(activation):
    """A zero input with b_std = 0 has variance 0 at every layer. Its NNGP/NTK row is the limit ‖x‖ → 0,
    checked against a tiny nonzero input (the kernels are continuous there)."""
    model = nc.MLP(depth=3, activation=activation, w_std=1.3, b_std=0.0)
    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.6, 0.8]])
    k = nc.infinite_kernels(model, x)
    near = nc.infinite_kernels(model, np.array([[1e-6, 0.0], [1.0, 0.0], [0.6, 0.8]]))
    for a, b in zip(k, near):
        a, b = np.asarray(a), np.asarray(b)
        assert np.all(np.isfinite(a))
        np.testing.assert_allclose(a, b, atol=1e-5 * np.abs(b).max())  # they move by O(‖x‖) = 1e-6 near 0
        np.testing.assert_allclose(a[1:, 1:], b[1:, 1:], rtol=1e-5)  # other pairs unaffected
    # relu family: a zero input is mapped to 0 at every layer, so its whole row vanishes
    if activation in ("relu", "leaky_relu", "identity"):
        assert np.all(np.asarray(k.nngp)[0] == 0) and np.all(np.asarray(k.ntk)[0] == 0)
    # the empirical kernel agrees at finite width (same limit, sampled)
    params = model.init(jax.random.key(0), 2)
    assert np.all(np.isfinite(np.asarray(nc.empirical_ntk(model, params, x))))


def test_all_zero_inputs_and_cnn_rnn_zero_inputs():
    assert np.all(np.asarray(nc.infinite_kernels(nc.MLP(depth=2), np.zeros((2, 2))).ntk) == 0)
    cnn = nc.infinite_kernels(nc.CNN(channels=1, depth=2), np.zeros((2, 4, 4, 1)))
    rnn = nc.infinite_kernels(nc.RNN(depth=1, activation="relu"), np.zeros((2, 3, 1)))
    for k in (*cnn, *rnn):
        assert np.all(np.isfinite(np.asarray(k)))


def test_deep_relu_at_sigma_w_1_is_tiny_not_nan():
    """σ_w = 1 halves a ReLU net's variance per layer: 2⁻⁶⁴ at depth 64, whose square underflows float32.
    The kernels are q₀·2⁻ᴸ times depth-independent factors: closed form for the NNGP diagonal."""
    x = np.array([[1.0, 0.0], [0.6, 0.8]])
    k = nc.infinite_kernels(nc.MLP(depth=64, w_std=1.0), x)
    nngp = np.asarray(k.nngp, np.float64)
    assert np.all(np.isfinite(nngp)) and np.all(np.isfinite(np.asarray(k.ntk)))
    # K^{L+1}(x, x) = σ_w² E[relu²] = q/2 per layer, q₀ = x·x/d = 1/2
    np.testing.assert_allclose(np.diag(nngp), 0.5 * 0.5 ** 64, rtol=1e-4)
    assert 0 < nngp[0, 1] < nngp[0, 0]


def test_huge_inputs_raise_instead_of_nan():
    for model, x in [(nc.MLP(depth=2), np.full((2, 2), 1e20)), (nc.MLP(depth=2, activation="erf"), np.full((2, 2), 1e20)),
                     (nc.CNN(channels=1, depth=1), np.full((2, 3, 3, 1), 1e20)),
                     (nc.RNN(depth=1, activation="relu"), np.full((2, 3, 1), 1e20))]:
        with pytest.raises(ValueError, match=r"overflow float32.*largest \|x\| entry 1e\+20.*x1 and x2 must be scaled"):
            nc.infinite_kernels(model, x)
    # large but representable inputs are fine, and a relu net without biases scales exactly with ‖x‖²
    x = np.array([[3.0, 4.0], [0.0, 1.0]])
    k1, k2 = nc.infinite_kernels(nc.MLP(depth=2), x), nc.infinite_kernels(nc.MLP(depth=2), 1e8 * x)
    np.testing.assert_allclose(np.asarray(k2.ntk), 1e16 * np.asarray(k1.ntk), rtol=1e-5)


@pytest.mark.parametrize("args, name", [
    (("relu", np.nan, 0.1), "sigma_w2"), (("tanh", 2.0, np.inf), "sigma_b2"), (("tanh", -1.0, 0.0), "sigma_w2"),
    (("erf", 2.0, [0.1, -0.1]), "sigma_b2"), (("tanh", 2e6, 0.0), "sigma_w2"), (("relu", "two", 0.0), "sigma_w2"),
])
def test_criticality_arguments(args, name):
    from ntkcore import criticality as cr

    for fn in (cr.criticality, cr.fixed_point, cr.chi1, cr.depth_scale):
        with pytest.raises(ValueError, match=rf"{name} must be .*\[0.0, 1000000.0\]|{name} must be a number"):
            fn(*args)
    with pytest.raises(ValueError, match="c must be"):
        cr.correlation_map("tanh", 1.5, 2.0, 0.1)
    with pytest.raises(ValueError, match="q must be"):
        cr.variance_map("tanh", np.nan, 2.0, 0.1)
    with pytest.raises(ValueError, match="sigma_b2"):
        cr.critical_sigma_w2("tanh", [0.1, np.inf])
