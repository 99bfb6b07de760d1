"""Lesson: Depth and initialization — order, chaos and the critical line (/depth-init)."""

import math

import streamlit as st

from common import Control, progress, render_controls, show
from common.classroom import explain, note, prompt, references, reproduce
from compute import depth_init as C
from plots import depth_init as P

st.title("Depth and initialization: order, chaos and the critical line")
explain(
    "At infinite width every layer maps the pre-activation variance $q$ of an input and the correlation $c$ of two "
    "inputs through the same Gaussian expectations that build the NTK (Poole et al. 2016; Schoenholz et al. 2017):"
)
explain(r"$$q \mapsto \sigma_w^2\,\mathbb{E}\big[\phi(\sqrt{q}\,z)^2\big] + \sigma_b^2 \;\to\; q^{\ast},\qquad"
        r" c \mapsto \frac{\sigma_w^2\,\mathbb{E}[\phi(u)\phi(v)] + \sigma_b^2}{q^{\ast}} \;\to\; c^{\ast},\qquad"
        r" \chi_1 = \sigma_w^2\,\mathbb{E}\big[\phi'(\sqrt{q^{\ast}}z)^2\big].$$")
explain(
    "If $\\chi_1 < 1$ (**ordered**) all inputs end up perfectly correlated ($c^{\\ast} = 1$); if $\\chi_1 > 1$ "
    "(**chaotic**) nearby inputs decorrelate to $c^{\\ast} < 1$. Either way correlations approach $c^{\\ast}$ "
    "exponentially, $|c_l - c^{\\ast}| \\propto e^{-l/\\xi_c}$ with $\\xi_c = -1/\\ln\\chi_c$ ($\\chi_c = \\sigma_w^2\\mathbb{E}[\\phi'(u)\\phi'(v)]$ at $c^{\\ast}$), and a "
    "network much deeper than $\\xi_c$ sees a degenerate kernel: its Θ∞ becomes ill-conditioned (ordered) or "
    "forgets the input geometry (chaotic). Only on the **critical line** $\\chi_1 = 1$ does $\\xi_c$ diverge, so "
    "very deep networks are trainable only near it (Schoenholz et al. 2017; Xiao et al. 2018, 2020). σ_w², σ_b² are the weight and bias "
    "variances of the NTK parameterization ($z = \\sigma_w W a/\\sqrt{n} + \\sigma_b b$)."
)

v = render_controls("depth_init", [
    Control("activation", "Activation", "selectbox", "erf", options=C.ACTIVATIONS,
            help="relu and erf have closed-form Gaussian expectations; tanh uses 2-D quadrature (slower)."),
    Control("sw2", "Weight variance σ_w²", "slider", 0.8, min=0.25, max=4.0, step=0.05),
    Control("sb2", "Bias variance σ_b²", "slider", 0.05, min=0.0, max=0.5, step=0.01),
    Control("depth", "Depth of the trained network (hidden layers)", "slider", 40, min=1, max=C.MAX_DEPTH, step=1),
    Control("seed", "Seed", "number", 0, min=0, max=99, step=1),
])
act, sw2, sb2, depth, seed = v["activation"], float(v["sw2"]), float(v["sb2"]), int(v["depth"]), int(v["seed"])

with progress("Computing the phase diagram, the kernels at every depth and a training run…",
              "Phase diagram, kernels and training done") as p:
    d = C.diagram(act)
    p.update(0.4, "Fixed points at the chosen point…")
    pt = C.point(act, sw2, sb2)
    p.update(0.5, f"Infinite-width kernels at depths 1–{C.MAX_DEPTH}…")
    prof = C.depth_profile(act, sw2, sb2)
    p.update(0.7, f"Training a width-{C.WIDTH} network of depth {depth} for {C.STEPS} steps…")
    tr = C.training(act, sw2, sb2, depth, seed)
    p.update(1.0)

st.subheader("1 · The phase diagram")
crit_here = C.critical_here(act, sb2)
if math.isinf(pt["q_star"]):
    phase = "exploding"  # q* = ∞
elif pt["chi1"] < 0.99:
    phase = "ordered"
elif pt["chi1"] > 1.01:
    phase = "chaotic"
else:
    phase = "critical"  # |χ1 − 1| ≤ 0.01
m = st.columns(5)
m[0].metric("Phase at (σ_w², σ_b²)", phase, help="ordered: χ1 < 0.99, critical: |χ1 − 1| ≤ 0.01, chaotic: χ1 > 1.01, "
            "exploding: the variance q grows without bound (q* = ∞)")
m[1].metric("χ1", "—" if math.isnan(pt["chi1"]) else f"{pt['chi1']:.3f}")
m[2].metric("c*", "—" if math.isnan(pt["c_star"]) else f"{pt['c_star']:.3f}")
m[3].metric("depth scale ξ_c (layers)", "—" if math.isnan(pt["depth_scale"]) else
            ("∞" if math.isinf(pt["depth_scale"]) else f"{pt['depth_scale']:.3g}"))
m[4].metric(f"critical σ_w² at σ_b² = {sb2:g}", "—" if math.isnan(crit_here) else f"{crit_here:.3f}")
show(P.phase_diagram(d, sw2, sb2), key="diagram")
pub = [f"σ_b² = {b:g}: {m_:.3f} (reference {p_})" for b, m_, p_ in
       zip(d["published_sb2"], d["measured_critical"], d["published_sw2"]) if p_ is not None]
note(f"Critical σ_w² on the line drawn here vs reference values from an independent quadrature of χ1 = 1 "
     f"(not values printed in a paper; Schoenholz et al. 2017 draw the tanh line in their phase diagrams) — {act}: "
     + "; ".join(pub) + ". "
     + ("ReLU's χ1 = σ_w²/2 does not depend on q*: its critical line is σ_w² = 2, and only the point (2, 0) "
        "keeps the variance finite (for σ_b² > 0 it grows without bound at σ_w² ≥ 2, the grey region)."
        if act == "relu" else "Hover for ξ_c, χ1, c* and q* at any grid point."))

st.subheader("2 · The kernel at depth")
show(P.depth_profile(prof, pt, depth), key="profile")
note(
    f"Infinite-width NNGP/NTK of MLPs with 1–{C.MAX_DEPTH} hidden layers on {C.N_KERNEL} equally spaced points of a "
    "circle (|x|² = d). Right: the loss of the infinite-width network (= its linearization) after "
    f"{C.STEPS} GD steps with η = {C.LR_C:g}·2/λ_max on the target cos 2γ; it stays high when Θ∞ is ill-conditioned. "
    + ("" if prof["cond_resolved"].all() else
       " The condition number is not drawn where it exceeds 10⁷: there λ_min of the float32 kernel is at rounding level.")
)

st.subheader("3 · Trainability of a finite network")
if tr["first_bad"] is not None:
    st.warning(f"The network's loss became non-finite at step {tr['first_bad']} (its outputs overflow at this depth "
               "and σ_w²): only the finite part is plotted. Move σ_w² towards the critical line or reduce the depth.",
               icon=":material/warning:")
show(P.training_curve(tr), key="training")
note(f"A width-{C.WIDTH} network with these σ_w², σ_b² and depth, full-batch GD on L = (1/2N)Σ(f − y)² "
     f"for {C.STEPS} steps with η = {C.LR_C:g}·2/λ_max of its own NTK (η = {tr['lr']:.3g}); both curves are relative "
     "to their initial loss.")

prompt(
    """
- **Order.** At the default (erf, σ_w² = 0.8, σ_b² = 0.05: ordered, ξ_c ≈ 4 layers) every pair of inputs is
  correlated to within 1 % of perfect (c = 1) by ~20 layers, cond(Θ∞) grows past 10⁷ by depth ~35, and the depth-40 network does not
  learn (its loss stays at ~98% of L(0)).
- **Criticality.** Move σ_w² to the red line (≈ 1.4 for erf at σ_b² = 0.05): ξ_c grows to ≈ 150 layers (it
  diverges on the line itself), correlations creep
  towards 1 only slowly (≈ 0.8 at depth 40), cond(Θ∞) even falls with depth, and the same depth-40 network cuts
  its loss ~2000×.
- **Try this.** Go deep into the chaotic side (σ_w² = 3.5): all pairs end at the same c* ≈ 0.14, so Θ∞ is almost
  a multiple of the identity — perfectly conditioned, but it has forgotten which inputs are close. The finite
  width-64 network trains worse again (~20% of L(0) left). Switch to relu: its only critical point is (2, 0);
  at σ_w² > 2 the variance explodes.
"""
)

reproduce("depth_init", v)
references(["poole2016", "schoenholz2017", "xiao2018", "xiao2020"])
