"""Lesson: Learning-rate phases — lazy, catapult, divergent (/lr-phases)."""

import streamlit as st

from common import Control, progress, render_controls, show
from common.classroom import explain, note, prompt, references, reproduce
from compute import lr_phases as C
from plots import lr_phases as P
from references import cite

st.title("Learning-rate phases: lazy, catapult, divergent")
explain(
    "Gradient descent with step η on $L = \\frac{1}{2N}\\sum_i (f(x_i) - y_i)^2$ changes the residual along "
    "the NTK's top eigenvector by a factor $(1 - \\eta\\lambda_{\\max})$ per step, with the loss-normalized "
    "eigenvalues $\\lambda = \\mathrm{eig}(\\Theta)/N$, as long as the kernel stays put. GD on the linearized "
    "model (the kernel picture) therefore converges only for $\\eta < 2/\\lambda_0$. "
    f"{cite('lewkowycz2020')} found that a wide but finite network can go further: "
    "above that bound it can **catapult**: the loss first grows, the large outputs change the kernel, "
    "$\\lambda_{\\max}$ falls until $\\eta\\lambda_{\\max} < 2$, and training converges in a flatter region. "
    "Above a second learning rate $\\eta_{\\max}$ it diverges. For their two-layer *linear* model they derive "
    "$\\eta_{\\max} = 4/\\lambda_0$ (their Section 2) and report a larger $\\eta_{\\max}$ for ReLU networks; "
    "this page measures it for its own network."
)
explain(r"$$\begin{aligned}&\eta = c\cdot 2/\lambda_0:\\ &c < 1:\ \text{lazy (loss falls, } \lambda \approx \text{const.)}\\"
        r"&1 < c < c_{\max}:\ \text{catapult (spike, then } \eta\lambda < 2)\\"
        r"&c > c_{\max}:\ \text{divergent}\end{aligned}$$")
explain(
    f"Here a one-hidden-layer ReLU network ($\\sigma_w = 1$, no bias) learns ½ cos 2γ on {C.N_TRAIN} "
    f"equally spaced points of the unit circle by full-batch GD for {C.STEPS} steps; λ0 is the top eigenvalue "
    "of its own empirical NTK at initialization, and λ_max(t) is recomputed at every step."
)

v = render_controls("lr_phases", [
    Control("c", "Learning rate c = η·λ0/2 (η = c · 2/λ0)", "slider", 1.5, min=0.25, max=3.0, step=0.05,
            help="c < 1 is the stable range of the linearized model (η < 2/λ0)."),
    Control("width", "Width (hidden units)", "select_slider", 1024, options=C.WIDTHS),
    Control("param", "Parameterization", "selectbox", "ntk", options=C.PARAMETERIZATIONS),
    Control("seed", "Seed", "number", 0, min=0, max=99, step=1),
])
c, width, param, seed = float(v["c"]), int(v["width"]), v["param"], int(v["seed"])

with progress("Training at the chosen learning rate, then sweeping c…", "Training and sweep done") as p:
    r = C.run(width, param, c, seed)
    p.update(0.1, "Sweep over c…")
    s = C.sweep(width, param, seed, progress=lambda f, text: p.update(0.1 + 0.9 * f, text))
    p.update(1.0)

st.subheader("1 · One run")
m = st.columns(5)
m[0].metric("Phase", r["phase"])
m[1].metric("λ0 (top eig of Θ0/N)", f"{r['lambda0']:.4g}")
m[2].metric("η = c·2/λ0", f"{r['lr']:.4g}")
m[3].metric("peak loss / initial", f"{r['peak_loss_ratio']:.3g}")
m[4].metric("η·λ_final (stable below 2)", "—" if r["phase"] == "divergent" else f"{r['lr'] * r['lambda_final']:.3f}")
if r["phase"] == "divergent":
    safe = s["c_divergent"] if s["divergent_bracket"] is None else s["divergent_bracket"][0]
    st.warning(
        f"Divergent phase: at c = {c:.2f} (η = {r['lr']:.3g} = {2 * c:.2f}/λ0) the loss exceeded 10⁶× its initial "
        f"value at step {r['diverged_step']}; the curves stop there (only finite values are plotted). "
        f"This network still converged at c = {safe:.2f} (η = {safe * 2 / r['lambda0']:.3g}): try a c below that.",
        icon=":material/trending_up:")
elif r["phase"] == "unsettled":
    st.info(f"The loss rose but neither converged nor diverged within {C.STEPS} steps "
            "(close to a phase boundary, the catapult takes longer).", icon=":material/hourglass_top:")
show(P.training_curves(r), key="curves")

st.subheader("2 · Sweep over the learning rate")
sw = st.columns(3)
sw[0].metric("measured lazy → catapult", "—" if s["catapult_bracket"] is None else f"c ≈ {s['c_catapult']:.2f}")
sw[1].metric("measured catapult → divergent", "—" if s["divergent_bracket"] is None else f"c ≈ {s['c_divergent']:.2f}")
sw[2].metric("η_max · λ0", "> 6 (none up to c = 3)" if s["divergent_bracket"] is None else f"{2 * s['c_divergent']:.2f}")
show(P.sweep(s, c), key="sweep")
note(
    f"{len(s['cs'])} runs of {C.STEPS} steps with the same initialization (c on a grid of step 0.125 plus "
    f"{C.REFINE} bisection runs at the divergence edge). A boundary is the midpoint between the last c of one "
    "phase and the first of the next. Lazy runs end at η·λ ≈ 2c (λ hardly moves); catapult runs end below the "
    "ηλ = 2 line however large c was."
)

edge = ("does not appear: no c up to 3 diverged" if s["divergent_bracket"] is None else
        f"sits at c ≈ {s['c_divergent']:.2f}, i.e. η_max ≈ {2 * s['c_divergent']:.1f}/λ0")
prompt(
    f"""
- **Lazy vs catapult.** Move c from 0.9 to 1.2: below 1 the loss falls monotonically and λ_max is a flat line;
  at 1.2 the loss shoots up several-fold in the first tens of steps (about 5× at width 512, 30× at 2048) while
  λ_max drops below the dashed 2/η line — only then does the loss come down.
- **Where does it break?** Read the catapult → divergent edge off the sweep: for this network it {edge}
  (measured here, width {width}, {param} parameterization, seed {seed}). Pick a c just above it: the run
  diverges within a few steps.
- **Try this.** Switch the parameterization to *standard*: the spikes are far larger and, at these widths,
  the network survives every c up to 3. Change the width or seed: the edges move a little (in NTK
  parameterization we measured the divergence edge between c ≈ 1.8 and 2.3 over the three widths and
  seeds 0–2), the picture does not.
"""
)

reproduce("lr_phases", v)
references(["lewkowycz2020"])
