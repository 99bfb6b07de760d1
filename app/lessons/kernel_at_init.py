"""Lesson: The kernel at initialization (/kernel-at-init)."""

import numpy as np
import streamlit as st

from common import Control, progress, render_controls, show
from common.classroom import explain, note, prompt, references, reproduce
from compute import kernel_at_init as C
from plots import kernel_at_init as P

st.title("The kernel at initialization")
explain(
    "A network $f(x;\\theta)$ defines a kernel before it has seen any data: the **neural tangent "
    "kernel** is the inner product of its parameter gradients at two inputs,"
)
explain(r"$$\Theta(x, x') \;=\; \big\langle \nabla_\theta f(x;\theta_0),\, \nabla_\theta f(x';\theta_0) \big\rangle"
         r" \;=\; \sum_{p} \frac{\partial f(x)}{\partial \theta_p}\,\frac{\partial f(x')}{\partial \theta_p}.$$")
explain(
    "It depends on the random initialization $\\theta_0$. In the NTK parameterization "
    "(each layer computes $z = \\tfrac{\\sigma_w}{\\sqrt{n_{\\text{in}}}} W a + \\sigma_b b$ with "
    "$W, b \\sim \\mathcal N(0,1)$) it converges, as every hidden layer's width grows to infinity, to a "
    "deterministic kernel $\\Theta_\\infty$ given by a recursion over the layers (Jacot et al. 2018, Theorem 1); "
    "its Gaussian expectations have closed forms for ReLU, erf, GELU and the identity, and are computed by "
    "numerical quadrature for tanh. "
    "Inputs here are 64 points $x = (\\cos\\gamma, \\sin\\gamma)$ on the unit circle. "
    "The defaults follow the setting of Jacot et al.'s Fig. 1: ReLU, 3 hidden layers (their depth L = 4 counts "
    "the readout), $\\sigma_w = 1$, $\\sigma_b = 0.1$ (their β); they show widths 500 and 10 000, this page "
    "16 to 4096."
)

v = render_controls("kernel_at_init", [
    Control("width", "Width (hidden units per layer)", "select_slider", 256, options=C.WIDTHS),
    Control("depth", "Depth (hidden layers)", "slider", 3, min=1, max=5, step=1),
    Control("activation", "Activation", "selectbox", "relu", options=C.ACTIVATIONS),
    # Coarse steps: every new (σ_w, σ_b) is a new JIT compile per width (cached on disk afterwards).
    Control("w_std", "Weight std σ_w", "slider", 1.0, min=0.5, max=2.5, step=0.25),
    Control("b_std", "Bias std σ_b", "select_slider", 0.1, options=C.B_STDS),
    Control("seed", "Seed (first of 10 networks)", "number", 0, min=0, max=9999, step=1),
])
depth, act, w_std, b_std, seed = v["depth"], v["activation"], float(v["w_std"]), float(v["b_std"]), int(v["seed"])
width = v["width"]
if not C.allowed(width, depth):
    fallback = C.allowed_widths(depth)[-1]
    st.info(f"Width {width} with depth {depth} is too slow to sample live on this server (10 networks of this "
            f"size cost more than the live budget, that of depth 3 at width 1024); showing width {fallback}. Use depth "
            f"{max(d for d in range(1, 6) if C.allowed(width, d))} or less for width {width}.",
            icon=":material/speed:")
    width = fallback

x, gamma = C.circle_inputs()
with progress(f"Drawing 10 networks of width {width}…", "Kernels computed") as p:
    theta_inf = C.infinite_ntk(depth, act, w_std, b_std)
    p.update(0.3, "Infinite-width kernel done; sampling networks…")
    samples = C.ntk_samples(width, depth, act, w_std, b_std, seed)
    p.update(1.0)

errors = C.relative_errors(samples, theta_inf)
st.subheader("One network's kernel next to the limit")
c1, c2 = st.columns(2)
c1.metric(f"‖Θ − Θ∞‖ / ‖Θ∞‖ for seed {seed}", f"{errors[0]:.3f}")
c2.metric("Same, averaged over 10 seeds", f"{errors.mean():.3f}")
show(P.kernel_heatmaps(samples[0], theta_inf, gamma, width, seed), key="heatmaps")

st.subheader("The Jacot et al. slice: Θ(x₀, x) around the circle")
order = C.slice_order(gamma)
g_sorted = np.where(gamma[order] >= np.pi, gamma[order] - 2 * np.pi, gamma[order])
show(P.jacot_slice(g_sorted, samples[:, 0, order], theta_inf[0, order], width, seed), key="slice")

st.subheader("How fast does Θ approach Θ∞?")
widths = C.allowed_widths(depth)
errs = []
with progress("Width sweep…", "Width sweep done") as p:
    for i, w in enumerate(widths):
        p.update(i / len(widths), f"Width sweep: sampling 10 networks of width {w}…")
        errs.append(C.relative_errors(C.ntk_samples(w, depth, act, w_std, b_std, seed), theta_inf))
    p.update(1.0)
sw = C.sweep(widths, errs)
show(P.width_sweep(sw, width), key="sweep")
note(
    f"Each dot is one network (seeds {seed}–{seed + 9}); the line through the root-mean-square error is "
    f"fitted on log-log axes. Widths above {widths[-1]} are left out at depth {depth} (too slow live)."
    if widths[-1] < C.WIDTHS[-1] else
    f"Each dot is one network (seeds {seed}–{seed + 9}); the fit is a straight line on log-log axes."
)

ratio = float(theta_inf[0, C.N_POINTS // 2] / theta_inf[0, 0])  # Θ∞(x₀, −x₀)/Θ∞(x₀, x₀): γ = π vs 0
rate = ("close to" if abs(sw.slope + 0.5) <= 0.15 else
        "steeper than" if sw.slope < -0.5 else "shallower than")
prompt(
    f"""
- **The kernel is random but concentrates.** At width {width} the ten networks' slices scatter around
  Θ∞; move the width slider up and the scatter shrinks. The fitted slope of the typical distance against
  width is **{sw.slope:.2f}** here, {rate} the −½ of an average of n independent terms (the narrowest,
  deepest networks are the least Gaussian, so the fit over small widths can deviate).
- **The limit only depends on the architecture.** Change the seed: the empirical heatmap changes (a lot at
  width 16, little at 1024), Θ∞ not at all. Change σ_b, σ_w, depth or the activation: Θ∞ changes shape. Here
  Θ∞(x₀, −x₀)/Θ∞(x₀, x₀) = **{ratio:.2f}**: a large σ_b raises this ratio towards 1 (a flatter kernel; the bias
  adds the same constant to every pair), `erf` makes it negative.
- **Try** depth 1 to unlock width 4096, or `identity`: a linear network's Θ∞ is a function of x·x′ = cos γ
  only (a + b cos γ), while one network's kernel xᵀAx′ + c, with a random matrix A, is not: it fluctuates
  around Θ∞ at finite width.
"""
)

reproduce("kernel_at_init", v | {"width": width})
references(["jacot2018"])
