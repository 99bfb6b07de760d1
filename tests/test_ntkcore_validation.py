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
