""""Reproduce in Python" snippets, one per lesson, in one place.

``render(page_key, settings)`` returns a self-contained script that calls
``ntkcore`` (no Streamlit) with the page's current settings and prints the
numbers the page shows. Each snippet's last line prints ``CHECK[page_key]``'s
quantity as ``<label> = <value>``; tests/app/test_classroom.py executes every
snippet for the default settings and compares that value with the page's own
computation (``expected(page_key, settings)``, calling the app's compute module).

Snippets use ``string.Template`` (``$width`` …) so the Python code keeps its
own braces. The numbers match the page exactly: same data, same model, same
seeds, same calls as ``app/compute/<lesson>.py``.
"""

from __future__ import annotations

from string import Template
from typing import Any

HEADER = "import jax\nimport numpy as np\nimport ntkcore as nc\n\n"

WELCOME = Template("""\
# Welcome: one network of width $width vs kernel regression with its infinite-width NTK
width, steps, lr = $width, 200, 0.5
data = nc.regression_1d("sine", n_train=20, n_test=200, seed=0)
def mlp(w):
    return nc.MLP(width=w, depth=1, activation="relu", w_std=1.0, b_std=1.0, parameterization="ntk")
traj = nc.train(mlp(width), data.x_train, data.y_train,
                nc.TrainConfig(steps=steps, lr=lr, n_records=1, seed=0, train_linearized=False),
                x_eval=data.x_test)
theta_all = np.asarray(nc.infinite_kernels(mlp(1), np.concatenate([data.x_train, data.x_test]),
                                           data.x_train).ntk)
theta, theta_eval = theta_all[:20], theta_all[20:]
step = int(traj.steps[-1])
_, f_eval = nc.kernel_predictions(theta, data.y_train, np.array([float(step)]), lr, theta_test_train=theta_eval,
                                  f0_train=traj.pred_train[0], f0_test=traj.pred_eval[0], mode="gd")
f_net = np.asarray(traj.pred_eval[-1, :, 0], np.float64)
f_ntk = np.asarray(f_eval[0, :, 0], np.float64)
print("RMS distance network vs infinite-width kernel regression =", float(np.sqrt(np.mean((f_net - f_ntk) ** 2))))
""")

KERNEL_AT_INIT = Template("""\
# The kernel at initialization: 10 networks vs the infinite-width NTK on 64 circle points
width, depth, activation, w_std, b_std, seed = $width, $depth, "$activation", $w_std, $b_std, $seed
x, gamma = nc.circle_points(64)
def mlp(w):
    return nc.MLP(width=w, depth=depth, activation=activation, w_std=w_std, b_std=b_std, parameterization="ntk")
theta_inf = np.asarray(nc.infinite_kernels(mlp(1), x).ntk, np.float64)
mc = nc.monte_carlo_kernels(mlp(width), x, n_samples=10, seed=seed, keep_samples=True)
samples = np.asarray(mc.ntk_samples, np.float32).astype(np.float64)   # (10, 64, 64); sample 0 = seed
errors = np.linalg.norm((samples - theta_inf).reshape(10, -1), axis=1) / np.linalg.norm(theta_inf)
print("mean over 10 seeds of ||Θ − Θ∞|| / ||Θ∞|| =", float(errors.mean()))
print("||Θ − Θ∞|| / ||Θ∞|| for seed", seed, "=", float(errors[0]))
""")

TRAINING = Template("""\
# Training is kernel regression: the network trained by GD; its linearization (kernel GD with its initial
# NTK Θ0, from its initial function f0) in closed form. Each runs until *it* diverges: above 2/λ_max of Θ0
# the linearization diverges, while the network may catapult and converge.
task, width, depth, activation = "$task", $width, $depth, "$activation"
lr, steps, seed = $lr, $steps, $seed
if task in ("moons", "circles", "xor", "gaussians", "spirals"):
    data = nc.classification_2d(task, n_train=100, n_test=100, seed=0)
    x_eval = nc.grid_2d(41, 1.5)
else:
    data = nc.regression_1d(task, n_train=20, n_test=200, seed=0)
    x_eval = data.x_test
model = nc.MLP(width=width, depth=depth, activation=activation, w_std=1.0, b_std=1.0, parameterization="ntk")
traj = nc.train(model, data.x_train, data.y_train,
                nc.TrainConfig(steps=steps, lr=lr, n_records=40, seed=seed, train_linearized=False), x_eval=x_eval)
print("network diverged:", traj.diverged, "| final training loss (network) =", float(traj.train_loss[-1]))
if lr < traj.max_stable_lr:   # the linearized model converges: compare it with the network at the end
    theta0 = np.asarray(nc.empirical_ntk(model, traj.params0, data.x_train, lr_weighted=True), np.float64)
    theta0_eval = np.asarray(nc.empirical_ntk(model, traj.params0, x_eval, data.x_train, lr_weighted=True), np.float64)
    _, f_lin = nc.kernel_predictions(theta0, data.y_train, np.array([float(traj.steps[-1])]), lr,
                                     theta_test_train=theta0_eval, f0_train=traj.pred_train[0], f0_test=traj.pred_eval[0])
    print("||f − f_lin|| at the end =", float(np.sqrt(np.mean((traj.pred_eval[-1] - f_lin[0]) ** 2))))
else:
    print("the linearized model diverges: η =", lr, "is above its bound")
print("stable bound 2/λ_max of Θ0 =", float(traj.max_stable_lr))
""")

DRIFT = Template("""\
# Kernel drift: one width of the sweep (nested initialization: the first `width` neurons of a width-4096 net)
param, alpha, lr_frac, steps, width, seed = "$param", $alpha, $lr_frac, $steps, $width, $seed
data = nc.circle("cos2", n_train=20, n_test=100)
def mlp(w):
    return nc.MLP(width=w, depth=1, activation="relu", w_std=1.0, b_std=0.1, parameterization=param)
full = mlp(4096).init(jax.random.key(seed), 2)
s_full, s = mlp(4096).layer_specs(2), mlp(width).layer_specs(2)
params0 = [
    {"W": full[0]["W"][:, :width] * (s[0].sigma_w / s_full[0].sigma_w), "b": full[0]["b"][:width]},
    {"W": full[1]["W"][:width] * (s[1].sigma_w / s_full[1].sigma_w), "b": full[1]["b"]},
]
model = mlp(width)
theta0 = nc.empirical_ntk(model, params0, data.x_train, lr_weighted=True)
lam_max = float(np.linalg.eigvalsh(np.asarray(theta0, np.float64))[-1]) / 20
lr = lr_frac * nc.max_stable_lr(lam_max)
cfg = nc.TrainConfig(steps=steps, lr=lr, output_scale=alpha, n_records=steps // 20, train_linearized=False,
                     seed=seed, record_params=True)
traj = nc.train(model, data.x_train, data.y_train, cfg, params0=params0)
print("learning rate η =", lr, "| final ||ΔW1||/||W1(0)|| =", float(np.asarray(traj.weight_change)[-1, 0]))
print("final kernel change ||Θ_T − Θ0||/||Θ0|| =", float(traj.kernel_change[-1]))
""")

SPECTRUM = Template("""\
# Spectrum and spectral bias: the NTK spectrum of one network on 64 circle points, then GD
width, depth, activation, b_std = $width, $depth, "$activation", $b_std
target, lr_frac, steps, seed = "$target", $lr, $steps, $seed
x, gamma = nc.circle_points(64)
model = nc.MLP(width=width, depth=depth, activation=activation, w_std=1.0, b_std=b_std)
params = model.init(jax.random.key(seed), 2)
theta0 = np.asarray(nc.empirical_ntk(model, params, x, lr_weighted=True), np.float64)
spec = nc.ntk_spectrum(theta0)                      # loss-normalized: λ = eig(Θ)/N, descending
lr = lr_frac * nc.max_stable_lr(float(spec.eigvals[0]))
if target == "mix":
    y = 0.25 * (np.cos(gamma) + np.cos(2 * gamma) + np.cos(4 * gamma) + np.cos(6 * gamma))
elif target == "cos6":
    y = 0.5 * np.cos(6 * gamma)
else:
    y = 0.5 * nc.circle_target(target, gamma)
# the network alone: its linearization diverges for lr_frac > 1, the network itself may catapult and converge
traj = nc.train(model, x, y, nc.TrainConfig(steps=steps, lr=lr, n_records=min(100, steps), seed=seed,
                                           train_linearized=False))
print("η =", lr, "| network diverged:", traj.diverged, "| final training loss (network) =", float(traj.train_loss[-1]))
print("largest eigenvalue λ_max =", float(spec.eigvals[0]))
""")

NNGP = Template("""\
# NNGP and ensembles: infinite-width predictions (neural-tangents cookbook task) + one trained network
width, steps, noise, seed, lr = $width, $steps, $noise, $seed, 0.1
data = nc.regression_1d("sine", n_train=5, n_test=50, noise=noise, seed=0)
x = np.linspace(-np.pi, np.pi, 120)[:, None]
def mlp(w):
    return nc.MLP(width=w, depth=2, activation="erf", w_std=1.5, b_std=0.05, parameterization="ntk")
k_tr, k_gx, k_gg = (nc.infinite_kernels(mlp(1), data.x_train), nc.infinite_kernels(mlp(1), x, data.x_train),
                    nc.infinite_kernels(mlp(1), x))
ens = nc.ensemble_predictions(k_tr.ntk, k_gx.ntk, k_tr.nngp, k_gx.nngp, k_gg.nngp, data.y_train,
                              np.array([float(steps)]), lr, mode="gd")
post = nc.gp_posterior(k_tr.nngp, k_gx.nngp, k_gg.nngp, data.y_train, noise=noise ** 2)
traj = nc.train(mlp(width), data.x_train, data.y_train,
                nc.TrainConfig(steps=steps, lr=lr, n_records=10, train_linearized=False, seed=seed),
                x_test=data.x_test, y_test=data.y_test, x_eval=x)
print("first network (seed", seed, "): final test loss =", float(traj.test_loss[-1]))
print("NNGP posterior mean at x = 0 =", float(np.interp(0.0, x[:, 0], np.asarray(post.mean[:, 0]))))
print("RMS of the infinite-width NTK ensemble mean =", float(np.sqrt(np.mean(np.asarray(ens.mean[0, :, 0]) ** 2))))
""")

LR_PHASES = Template("""\
# Learning-rate phases: one GD run at η = c · 2/λ0, λ_max of the empirical NTK recorded at every step
from ntkcore import phases
c, width, param, seed = $c, $width, "$param", $seed
x, gamma = nc.circle_points(32)
y = 0.5 * np.cos(2 * gamma)[:, None]
model = nc.MLP(width=width, depth=1, activation="relu", w_std=1.0, b_std=0.0, parameterization=param)
r = phases.lr_phase_run(model, x, y, c, 300, seed=seed)
print("phase:", r.phase, "| η =", r.lr, "| peak loss / initial =", r.peak_loss_ratio)
print("λ0 (top eigenvalue of Θ0/N) =", r.lambda0)
""")

DEPTH_INIT = Template("""\
# Depth and initialization: the infinite-width variance/correlation maps at (σ_w², σ_b²)
from ntkcore import criticality as cr
activation, sw2, sb2 = "$activation", $sw2, $sb2
crit = cr.criticality(activation, sw2, sb2)   # fixed points q*, c*, slopes χ1, χ_c, depth scale ξ_c
print("q* =", float(crit.q_star), "| c* =", float(crit.c_star), "| depth scale ξ_c =", float(crit.depth_scale))
print("χ1 =", float(crit.chi1))
""")

FEATURES = Template("""\
# When features win: y = g(w*·x) in d = 20, 160 training points; one-hidden-layer ReLU net, NTK parameterization
# (the page trains 4 widths; this script trains one width at all six output scales α — the (width, α) cell
# chosen by the page's two sliders is printed last)
from ntkcore import features as F
part, link, width, alpha, seed = "$part", "$target", $fw, $fa, $seed
fsteps, flr = $fsteps, $flr
data = F.single_index(link, 20, 160, 500, seed)
def mlp(w, param="ntk"):
    return nc.MLP(width=w, depth=1, activation="relu", w_std=np.sqrt(2.0), b_std=0.0, parameterization=param)
# infinite-width NTK regression: the step η = 0.2 · 2/λ_max(Θ∞/N) every run uses, and its test error (t → ∞)
x_all = np.concatenate([data.x_train, data.x_test])
theta = np.asarray(nc.infinite_kernels(mlp(1), x_all, data.x_train, lr_weighted=True).ntk, np.float64)
lr = 0.2 * 2.0 / (float(np.linalg.eigvalsh(theta[:160])[-1]) / 160)
_, f = nc.kernel_predictions(theta[:160], data.y_train, np.array([np.inf]), lr, theta_test_train=theta[160:])
print("infinite-width NTK regression: relative test error =",
      float(np.mean((np.asarray(f[0], np.float64) - data.y_test) ** 2) / np.mean(data.y_test ** 2)))
if part == "lazy vs rich":
    alphas = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
    sw = F.alpha_sweep(mlp(width), data.x_train, data.y_train, data.x_test, data.y_test, alphas, steps=400, lr=lr,
                       seed=seed)   # 400 GD steps from one θ0 per α; a diverged run is retried at η/2
    print("width", width, "| α:", alphas, "| kernel change ||Θ_T − Θ0||/||Θ0||:", sw.kernel_change.round(3).tolist())
    print("trained network, width", width, "α =", alpha, ": relative test error =",
          float(sw.test_error[alphas.index(alpha)]))
else:   # parameterizations: 3 × 4 widths up to 4096 (about half a minute on a laptop CPU)
    for param in ("ntk", "standard", "mup"):
        fc = F.feature_change(mlp(64, param), (64, 256, 1024, 4096), data.x_train, data.y_train, steps=fsteps,
                              lr_frac=flr, seed=seed)
        print(param, "| hidden-feature change ||h_T − h_0||/||h_0|| per width:", fc.hidden_change.round(4))
    print("μP: fitted slope of the feature change against width =", fc.slope)
""")

SCALING = Template("""\
# Scaling of kernel regression: infinite-width ReLU NTK regression on random training sets of size n
from ntkcore import scaling as S
dataset, r, depth, ridge = "$data", $r, $depth, $ridge
model = nc.MLP(width=1, depth=depth, activation="relu", w_std=np.sqrt(2.0), b_std=0.1)   # width unused (n → ∞)
if dataset == "circle":   # pool of 1024 random angles, 1000 evenly spaced test angles, amplitudes k^−r
    g = np.random.default_rng(0).uniform(0, 2 * np.pi, 1024)
    x_pool = np.stack([np.cos(g), np.sin(g)], -1)
    x_test, g_test = nc.circle_points(1000)
    y_pool, y_test = S.power_law_target(g, r)[:, None], S.power_law_target(g_test, r)[:, None]
elif dataset == "sphere":  # 1024 pool and 1000 test points uniform on S², spherical harmonics with b = 2r
    x_pool, x_test = nc.sphere_points(1024, seed=0), nc.sphere_points(1000, seed=1)
    y_pool, y_test = S.sphere_power_law_target(x_pool, r)[:, None], S.sphere_power_law_target(x_test, r)[:, None]
else:                     # 8×8 digits, centred one-hot targets (r is ignored)
    d = nc.digits(n_train=1297, n_test=500, seed=0)
    x_pool, x_test, y_pool, y_test = d.x_train, d.x_test, d.y_train, d.y_test
with jax.enable_x64(True):
    k = np.asarray(nc.infinite_kernels(model, x_pool).ntk, np.float64)
    k_test = np.asarray(nc.infinite_kernels(model, x_test, x_pool).ntk, np.float64)
spec = nc.ntk_spectrum(k[:1024, :1024])                      # λ = eig(Θ)/N, descending
ex = S.spectral_exponents(spec.eigvals, S.target_power(spec.eigvecs, y_pool[:1024]), 8, 256)
b = 2 * r if dataset != "digits" else ex.b                   # circle, sphere: b = 2r by construction
ns = np.array([16, 32, 64, 128, 256, 512])
lc = S.learning_curve(k, k_test, y_pool, y_test, ns, seeds=range(10), ridge=ridge)
errors = lc.errors / np.mean(np.sum(y_test ** 2, -1))        # relative test error, (10 seeds, 6 sizes)
geo = np.exp(np.mean(np.log(np.maximum(errors, 1e-300)), 0))  # geometric mean over the seeds
fit = S.fit_power_law(ns[ns >= 32], geo[ns >= 32])
print("eigenvalue decay a =", ex.a, "| target decay b =", b, "| predicted β = min(b − 1, 2a) =",
      S.predicted_exponent(ex.a, b))
print("relative test error at n = 512 (geometric mean) =", float(geo[-1]))
print("fitted exponent β (E ∝ n^−β, n ≥ 32) =", -fit.slope)
""")

BEYOND_MLPS = Template("""\
# Beyond MLPs: infinite-width NTKs of an MLP and two CNNs on 8×8 digits (sections 1 and 2 of the page)
part, depth, digit, dx, dy = "$part", $depth, $digit, $dx, $dy
ds = nc.digits(n_train=200, n_test=200, seed=0)
def balanced(labels, k):   # the first k digits of each class, sorted by class
    return np.concatenate([np.flatnonzero(labels == c)[:k] for c in range(10)])
itr, ite = balanced(ds.labels_train, 10), balanced(ds.labels_test, 5)
x, y = ds.x_train[itr], ds.y_train[itr]                        # the 100 shown digits = training set
x_test, labels_test = ds.x_test[ite], ds.labels_test[ite]      # 50 held-out digits
def shifted(v, dx, dy):    # move an 8×8 digit right/down, fill with the background, re-normalize (‖x‖² = 64)
    img = v.reshape(8, 8)
    out = np.full_like(img, img.min())
    src = img[max(0, -dy):8 - max(0, dy), max(0, -dx):8 - max(0, dx)]
    out[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    out = out.ravel() - out.mean()
    return out * 8.0 / np.linalg.norm(out)
def model(arch):           # NTK parameterization; the infinite-width limit ignores width/channels
    if arch == "MLP":
        return nc.MLP(width=1, depth=depth, activation="relu", w_std=np.sqrt(2.0), b_std=0.1, out_dim=10)
    return nc.CNN(channels=1, depth=depth, kernel_size=3, activation="relu", w_std=np.sqrt(2.0), b_std=0.1,
                  pooling="gap" if arch == "CNN-GAP" else "flatten", padding="same", out_dim=10)
def ntk(arch, a, b=None):  # Θ∞(a, b); CNNs take (n, 8, 8, 1) images
    img = (lambda v: v) if arch == "MLP" else (lambda v: v.reshape(-1, 8, 8, 1))
    return np.asarray(nc.infinite_kernels(model(arch), img(a), None if b is None else img(b)).ntk, np.float64)
for arch in ("MLP", "CNN-GAP", "CNN-flatten"):
    theta = ntk(arch, x)                                       # (100, 100)
    if part == "accuracy":   # kernel regression Θ(test, X) (Θ(X, X) + ridge)⁻¹ Y, ridge 1e-4 · mean diag
        reg = 1e-4 * np.mean(np.diag(theta)) * np.eye(100)
        pred = ntk(arch, x_test, x) @ np.linalg.solve(theta + reg, y)
        print(arch, "kernel regression: test accuracy =", float(np.mean(np.argmax(pred, -1) == labels_test)))
        continue
    s = shifted(x[digit], dx, dy)
    row = ntk(arch, s[None], np.concatenate([x, s[None]]))[0]  # Θ∞(copy, [100 digits, copy])
    m, m_all = theta.mean(0), theta.mean()                     # centre over the 100 shown digits, then cosine
    k_cc = theta - m[:, None] - m[None, :] + m_all
    k_sc = row[:-1] - row[:-1].mean() - m + m_all
    k_ss = row[-1] - 2 * row[:-1].mean() + m_all
    sims = k_cc[digit] / np.sqrt(k_cc[digit, digit] * np.diag(k_cc))
    sim = float(k_sc[digit] / np.sqrt(k_ss * k_cc[digit, digit]))
    rank = 1 + int(np.sum(np.delete(sims, digit) > sim))
    print(arch, "| rank of the shifted copy among the 100 digits:", rank, "| similarity =", sim)
""")

GENERALIZATION = Template("""\
# Interpolation and generalization, part 1: ridgeless NTK regression of noisy labels on the sphere S²
# vs the spectral theory (Canatar, Bordelon & Pehlevan 2021, Eq. (4)). Errors are exact averages over
# the label noise: bias + σ²·V, plus σ² for noisy test labels.
from ntkcore import generalization as G, scaling as S
noise = $noise
model = nc.MLP(width=1, depth=1, activation="relu", w_std=np.sqrt(2.0), b_std=0.1)   # width unused (n → ∞)
x_pool, x_test = nc.sphere_points(1024, seed=0), nc.sphere_points(1000, seed=1)
y_pool, y_test = S.sphere_power_law_target(x_pool, 1.0), S.sphere_power_law_target(x_test, 1.0)
with jax.enable_x64(True):
    k = np.asarray(nc.infinite_kernels(model, x_pool).ntk, np.float64)
    k_test = np.asarray(nc.infinite_kernels(model, x_test, x_pool).ntk, np.float64)
ns = [16, 32, 64, 128, 256]
errors, factors = [], []
for seed in range(10):                   # 10 random training sets, nested in n
    perm = np.random.default_rng(seed).permutation(1024)
    risks = [G.kernel_regression_risk(k[np.ix_(perm[:n], perm[:n])], k_test[:, perm[:n]], y_pool[perm[:n]], y_test)
             for n in ns]
    errors.append([r.bias + noise ** 2 * r.variance_factor + noise ** 2 for r in risks])
    factors.append([r.variance_factor for r in risks])
lam = G.per_mode(G.sphere_eigenvalues(model, 200))                 # λ_ℓ repeated 2ℓ + 1 times
power_l = np.zeros(201)
power_l[:65] = G.sphere_power_law_degree_power(1.0)                # the target's power per degree
power = G.per_mode(power_l / (2 * np.arange(201) + 1))
pred = G.learning_curve_prediction(lam, power, ns, noise)
print("predicted test error per n:", (pred.error + noise ** 2).round(4))
print("noise factor V per n (measured):", np.mean(factors, 0).round(3), "| theory γ/(1−γ):",
      (pred.gamma / (1 - pred.gamma)).round(3))
if noise > 0:
    print("verdict:", G.overfitting_verdict(ns[-3:], np.mean(factors, 0)[-3:]))
print("measured test error at n = 256 =", float(np.mean(errors, 0)[-1]))
""")

SNIPPETS: dict[str, Template] = {
    "welcome": WELCOME,
    "kernel_at_init": KERNEL_AT_INIT,
    "training": TRAINING,
    "drift": DRIFT,
    "spectrum": SPECTRUM,
    "nngp": NNGP,
    "lr_phases": LR_PHASES,
    "depth_init": DEPTH_INIT,
    "features": FEATURES,
    "scaling": SCALING,
    "beyond_mlps": BEYOND_MLPS,
    "generalization": GENERALIZATION,
}

# Settings a snippet needs that its page does not pass in every view (e.g. controls of another section).
SNIPPET_DEFAULTS: dict[str, dict[str, Any]] = {
    "beyond_mlps": {"part": "digit kernels", "depth": 2, "digit": 37, "dx": 1, "dy": 0},
}


def render(page_key: str, settings: dict[str, Any]) -> str | None:
    """The snippet for ``page_key`` filled with ``settings`` (None if the page has none)."""
    tpl = SNIPPETS.get(page_key)
    if tpl is None:
        return None
    plain = {k: (v.item() if hasattr(v, "item") else v)
             for k, v in {**SNIPPET_DEFAULTS.get(page_key, {}), **settings}.items()}
    return HEADER + tpl.substitute({k: repr(v) if not isinstance(v, str) else v for k, v in plain.items()})


def expected(page_key: str, s: dict[str, Any]) -> float:
    """The value the page computes for the snippet's last printed line (via the app's compute module)."""
    import numpy as np

    if page_key == "welcome":
        from compute import welcome as C
        return float(C.fit(s["width"])["gap"])
    if page_key == "kernel_at_init":
        from compute import kernel_at_init as C
        inf = C.infinite_ntk(s["depth"], s["activation"], float(s["w_std"]), float(s["b_std"]))
        smp = C.ntk_samples(s["width"], s["depth"], s["activation"], float(s["w_std"]), float(s["b_std"]),
                            int(s["seed"]))
        return float(C.relative_errors(smp, inf)[0])
    if page_key == "training":
        from compute import training as C
        return float(C.run(s["task"], s["width"], s["depth"], s["activation"], float(s["lr"]), s["steps"],
                           s["seed"])["max_lr"])
    if page_key == "drift":
        from compute import drift as C
        r = C.run_width(s["param"], int(s["width"]), float(s["alpha"]), float(s["lr_frac"]), int(s["steps"]),
                        int(s["seed"]))
        return float(r["kernel_change"][-1])
    if page_key == "spectrum":
        from compute import spectrum as C
        return float(C.spectra(s["width"], s["depth"], s["activation"], float(s["b_std"]), int(s["seed"]))
                     ["lambda_max"])
    if page_key == "nngp":
        from compute import nngp as C
        inf = C.infinite(int(s["steps"]), float(s["noise"]), 0)
        return float(np.sqrt(np.mean(np.asarray(inf["ntk_mean"]) ** 2)))
    if page_key == "lr_phases":
        from compute import lr_phases as C
        return float(C.run(int(s["width"]), s["param"], float(s["c"]), int(s["seed"]))["lambda0"])
    if page_key == "depth_init":
        from compute import depth_init as C
        return float(C.point(s["activation"], float(s["sw2"]), float(s["sb2"]))["chi1"])
    if page_key == "features":
        from compute import features as C
        if s["part"] == "lazy vs rich":
            return float(C.sweep(int(s["fw"]), s["target"], int(s["seed"]))["test_error"][C.ALPHAS.index(s["fa"])])
        return float(C.feature_change("mup", int(s["fsteps"]), float(s["flr"]), s["target"], int(s["seed"]))["slope"])
    if page_key == "scaling":
        from compute import scaling as C
        r = float(s["r"]) if s["data"] in C.SYNTHETIC else 0.0
        per_seed = [C.curve_seed(s["data"], int(s["depth"]), float(s["ridge"]), seed) for seed in C.SEEDS]
        return -float(C.curve(per_seed, s["data"], r)["slope"])
    if page_key == "beyond_mlps":
        from compute import beyond_mlps as C
        s = {**SNIPPET_DEFAULTS["beyond_mlps"], **s}
        depth = int(s["depth"])
        if s["part"] == "accuracy":
            return float(C.kernel_accuracy("CNN-flatten", depth)["acc"])
        theta = C.shown_kernels("CNN-flatten", depth)
        row = C.shifted_row("CNN-flatten", depth, int(s["digit"]), int(s["dx"]), int(s["dy"]))
        return float(C.similarity(theta, row, int(s["digit"]))["shifted"])
    if page_key == "generalization":
        from compute import generalization as C
        return float(C.interpolation([C.interpolation_seed(seed) for seed in C.SEEDS], float(s["noise"]))["mean"][-1])
    raise KeyError(page_key)
