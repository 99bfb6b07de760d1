"""Lesson: Spectrum and spectral bias (/spectrum)."""

import streamlit as st

from common import Control, progress, render_controls, show
from common.classroom import explain, note, prompt, references, reproduce
from common.figures import frame_indices
from compute import spectrum as C
from plots import spectrum as P
from references import cite

st.title("Spectrum and spectral bias")
explain(
    "Gradient descent on $L = \\frac{1}{2N}\\sum_i (f(x_i) - y_i)^2$ trains the network's *linearization* "
    "exactly as kernel regression with its initial NTK Θ, started from the network's initial function f₀; "
    "as the width → ∞ (NTK parameterization, η below the bound below) the network itself trains the same way. Write the residual $r_t = f_t - y$ on the $N$ training points in "
    "the eigenbasis $\\{v_i\\}$ of the loss-normalized kernel $\\Theta/N$ (eigenvalues $\\lambda_i$): "
    "each component shrinks on its own,"
)
explain(r"$$\langle v_i, r_t\rangle \;=\; (1 - \eta\lambda_i)^t \,\langle v_i, r_0\rangle.$$")
explain(
    "So the linearized model converges iff η < 2/λ_max, and in this picture large-λ directions are learned "
    "in a few steps, small-λ directions take ~1/(ηλ) steps. "
    f"Here the inputs are {C.N_TRAIN} equally spaced points on the unit circle, $x = (\\cos\\gamma, \\sin\\gamma)$, "
    "and the network uses the NTK parameterization with $\\sigma_w = 1$."
)

v = render_controls("spectrum", [
    Control("width", "Width (hidden units per layer)", "select_slider", 1024, options=C.WIDTHS),
    Control("depth", "Depth (hidden layers)", "slider", 1, min=1, max=3, step=1),
    Control("activation", "Activation", "selectbox", "relu", options=C.ACTIVATIONS),
    Control("b_std", "Bias std σ_b", "select_slider", 0.1, options=C.B_STDS),
    Control("target", "Target y(γ)", "selectbox", "mix", options=C.TARGETS,
            format_func=lambda t: C.TARGET_LABELS[t]),
    Control("lr", "Learning rate η in units of 2/λ_max", "slider", 0.5, min=0.05, max=1.5, step=0.05,
            help="η = value × 2/λ_max of this network's NTK at initialization. GD on the linearized model "
                 "converges below 1.0 and diverges above; the network can converge above 1.0 too (catapult)."),
    Control("steps", "GD steps", "select_slider", 1000, options=C.STEPS),
    Control("seed", "Seed", "number", 0, min=0, max=9999, step=1),
])
depth, act, b_std, target = v["depth"], v["activation"], float(v["b_std"]), v["target"]
lr_frac, steps, seed, width = float(v["lr"]), v["steps"], int(v["seed"]), v["width"]
if not C.allowed(width, depth, steps):
    fallback = max(w for w in C.WIDTHS if C.allowed(w, depth, steps))
    st.info(f"Training width {width} at depth {depth} for {steps} steps is too slow live on this server "
            f"(≈ {steps * C.step_ms(width, depth) / 1000:.0f} s); showing width {fallback}. "
            "Fewer steps or a shallower network allow larger widths.", icon=":material/speed:")
    width = fallback

with progress(f"Computing the NTK spectrum and training for {steps} steps…", "Spectrum and training done") as p:
    sp = C.spectra(width, depth, act, b_std, seed)
    p.update(0.2, f"Training the network and its linearization ({steps} steps)…")
    tr = C.training(width, depth, act, b_std, target, lr_frac, steps, seed)
    p.update(1.0)

st.sidebar.caption(f"η = {tr['lr']:.3g} · 2/λ_max = {tr['max_lr']:.3g} · ηλ_max = {tr['lr'] * tr['lambda_max']:.2f}")

st.subheader("1 · The spectrum")
show(P.eigenvalues(sp), key="eigenvalues")
note(
    "Θ∞'s eigenvalues come in pairs (cos kγ and sin kγ share one): for equally spaced points on the circle "
    "a rotation-invariant kernel is diagonalized by Fourier modes, and λ for frequency k is the kernel's "
    "k-th Fourier coefficient μ_k (up to aliasing of frequencies above N/2). The network's Θ is rotation-"
    "invariant only on average, so its pairs split a little. Hover for the dominant frequency of each eigenvector. "
    "Values below 10⁻⁹·λ_max are drawn at that floor."
)

st.subheader("2 · The eigenfunctions")
show(P.eigenfunctions(sp), key="eigenfunctions")

st.subheader("3 · Each mode is learned at its own rate")
c1, c2, c3 = st.columns(3)
c1.metric("Learning rate η", f"{tr['lr']:.3g}")
c2.metric("Stable bound 2/λ_max (linearized model)", f"{tr['max_lr']:.3g}")
c3.metric("ηλ_max (linearized model stable below 2)", f"{tr['lr'] * tr['lambda_max']:.2f}")
warning = C.divergence_report(tr)
if warning:
    st.warning(warning, icon=":material/warning:")
show(P.mode_residuals(tr), key="residuals")
note(
    "For each frequency k the residual is projected on the eigenvectors of this network's initial NTK "
    "whose dominant frequency is k (combined in quadrature). The linearized model is computed in closed "
    "form and follows the prediction exactly; the network follows it while it stays close to its "
    "linearization."
)

st.subheader("4 · Watch it learn")
show(P.learning_animation(tr, frame_indices(len(tr["steps"]))), key="animation")

odd = C.odd_mode_share(sp)
prompt(
    f"""
- **Spectral bias** ({cite("rahaman2019")}). λ falls with the frequency k (not strictly: at depth 1 with ReLU the odd k ≥ 3 sit below
  the next even k, and erf favours odd k), so high-frequency modes (small λ) are learned last: in the residual
  panels the k = 6 curve bends down hundreds of steps after k = 1; press ▶ Play and watch the smooth part of
  the target appear first and the wiggles last.
- **Missing frequencies.** Set depth 1, σ_b = 0 with ReLU: on the circle such a network of *any* width is
  Σⱼ vⱼ‖wⱼ‖·relu(cos(γ − θⱼ)), and relu(cos ·) has no odd harmonics above 1 — so it cannot represent
  sin 3γ at all, lazy or rich, finite or infinite ({cite("basri2019")}). Its NTK's odd modes k ≥ 3 are exactly
  zero up to round-off (at the settings shown now, the largest eigenvalue of an odd-k ≥ 3 mode is
  {odd:.1e} × λ_max). With target
  `½ sin 3γ` the loss that falls is the random initial function f₀ being fitted away; the target's energy
  stays. Adding bias or depth brings odd modes back.
- **The step size bound.** Push the learning rate past 1.0 (η > 2/λ_max): the linearized model's top mode
  has |1 − ηλ_max| > 1 and it diverges. The network often does not: its loss spikes, its kernel's λ_max
  falls, and it converges (the catapult of *Learning-rate phases*). Just below 1.0 the top mode oscillates
  in sign while the slow modes barely move — the largest stable η is set by λ_max, the speed of the slowest
  mode by λ_min.
"""
)

reproduce("spectrum", v | {"width": width})
references(["basri2019", "rahaman2019", "lewkowycz2020"])
