"""Lesson: Interpolation and generalization — fitting noise and still predicting well (url /generalization)."""

import numpy as np
import streamlit as st

from common.classroom import explain, note, prompt, references, reproduce
from common.figures import show
from common.state import Control, progress, render_controls
from compute import generalization as C
from ntkcore import generalization as G
from plots import generalization as P

# The other two parts' defaults, computed by the server's warm-up after every page's default (cold: tens of seconds).
WARMUP = [
    lambda: C.double_descent([C.double_descent_seed(s) for s in C.INIT_SEEDS], 0.0, 0.5),
    lambda: C.early_stopping([C.early_stopping_seed(s) for s in C.SEEDS], 0.5),
]

st.title("Interpolation and generalization")
explain(
    "A wide network trained to zero training loss **interpolates** its data — label noise included — and "
    "still predicts well. Classical statistics says fitting noise should ruin the predictions. Infinite-width "
    "NTK regression shows what happens instead, and the kernel's spectrum predicts how much the noise costs."
)

v = render_controls("generalization", [
    Control("part", "Part", "selectbox", C.PARTS[0], options=C.PARTS,
            help="1: ridgeless NTK regression of noisy labels, test error vs n; 2: the linearized network as a "
                 "model with P features, test error vs P/n; 3: gradient descent stopped at step t vs a ridge."),
    Control("noise", "Label noise σ", "select_slider", 0.5, options=C.NOISES, format_func=lambda x: f"{x:g}",
            help="Training labels y = f*(x) + σξ, ξ ~ N(0, 1); the target f* has unit mean square."),
    Control("ridge", "Ridge ρ (part 2, relative to mean diag of the kernel)", "select_slider", 0.0,
            options=C.RIDGES, format_func=lambda x: f"{x:g}",
            help="0 = minimum-norm least squares (interpolates once P ≥ n). Used in part 2 only."),
])
part, noise, ridge = v["part"], float(v["noise"]), float(v["ridge"])


def _per_seed(bar, run, seeds, what: str) -> list[dict]:
    """``run(seed)`` for every seed (each cached), the progress bar saying which one is running."""
    out = []
    for i, seed in enumerate(seeds):
        bar.update(i / len(seeds), f"{what} {i + 1}/{len(seeds)}…")
        out.append(run(seed))
    return out

s2 = noise ** 2
note(
    "Task: points uniform on the sphere S² (d = 3), a target with power ∝ k⁻² per kernel eigenmode "
    "(/scaling's sphere target, r = 1), infinite-width NTK of a one-hidden-layer ReLU network (NTK "
    "parameterization, w_std = √2, b_std = 0.1) in float64. Test error = mean squared error against noisy "
    "test labels, i.e. the error against f* plus σ², averaged exactly over the label noise (the predictors "
    "are linear in the labels) and over random training sets (drawn from a pool of 1024 points; 1000 "
    "other test points)."
)

if part == C.PARTS[0]:
    st.subheader("1 · Interpolating noise")
    # three short formulas rather than one long line: a phone shows each whole
    st.latex(r"\kappa=\rho+\kappa\sum_k\frac{\lambda_k}{n\lambda_k+\kappa}")
    st.latex(r"\gamma=\sum_k\frac{n\lambda_k^2}{(n\lambda_k+\kappa)^2}")
    st.latex(r"E_g=\frac{1}{1-\gamma}\sum_k\frac{\kappa^2c_k^2}{(n\lambda_k+\kappa)^2}+\sigma^2\frac{\gamma}{1-\gamma}")
    explain(
        "The spectral theory of kernel regression (Canatar, Bordelon & Pehlevan 2021, Eq. (4); "
        "Bordelon, Canatar & Pehlevan 2020) predicts the error against the clean target from the kernel's "
        "eigenvalues λ_k on the data distribution, the target's power c_k² per eigenmode and the noise σ² "
        "(here ρ = 0: ridgeless). The eigenvalues are computed here per degree of the spherical harmonics "
        "(Funk–Hecke quadrature, degrees ≤ 200); the noise enters only through the factor γ/(1 − γ)."
    )
    with progress("Ridgeless NTK regression on random training sets…", "Learning curves") as bar:
        per_seed = _per_seed(bar, C.interpolation_seed, C.SEEDS, "Training set")
        c = C.interpolation(per_seed, noise)
        bar.update(0.9, f"Training a width-{C.NET_WIDTH} network for {C.NET_STEPS} steps…")
        net = C.network(noise)
        bar.update(1.0)
    dev = float(np.max(np.abs(c["pred_at"] - c["mean"]) / c["mean"]))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Training error (max over sets and n)", f"{c['train_max']:.1e}",
              help="mean (f̂(x_μ) − y_μ)² of the ridgeless interpolant, float64")
    m2.metric(f"Test error at n = {C.NS[-1]}", f"{c['mean'][-1]:.3f}",
              help=f"measured here; theory {c['pred_at'][-1]:.3f}")
    m3.metric("Test error / Bayes error σ²", "—" if noise == 0 else f"{c['ratio']:.2f}",
              help=f"at n = {C.NS[-1]}: 1 would be Bayes-optimal")
    m4.metric("Verdict (measured)", c["verdict"] if noise > 0 else "no noise",
              help=f"from the trend of the noise factor V(n) over n = {', '.join(map(str, C.VERDICT_NS))}")
    left, right = st.columns(2)
    with left:
        show(P.learning_curve(c, noise), key="generalization_curve")
    with right:
        show(P.noise_factor(c), key="generalization_noise_factor")
    vs = ", ".join(f"{x:.2f}" for x in c["V"][-len(C.VERDICT_NS):])
    explain(
        f"**Training error is zero** (at most {c['train_max']:.0e}: float rounding) for every training set, "
        f"noise included. The test error is **not** ruined: "
        + (f"at n = {C.NS[-1]} it is {c['mean'][-1]:.3f}, {c['ratio']:.2f}× the Bayes error σ² = {s2:g}. "
           if noise > 0 else f"without noise it falls to {c['mean'][-1]:.4f} at n = {C.NS[-1]}. ")
        + f"The theory's curve stays within {dev:.0%} of the measured one at every n (measured here; "
        "the theory treats the eigenfunctions as if they were Gaussian — an approximation on S²)."
    )
    if noise > 0:
        trend = {"tempered": "levels off", "benign": "keeps falling", "catastrophic": "grows"}[c["verdict"]]
        explain(
            f"**Benign, tempered or catastrophic?** The noise adds σ²·V(n) to the test error, V(n) the mean "
            f"squared weight ‖a(x)‖² the prediction puts on the training labels. Measured V at n = "
            f"{', '.join(map(str, C.VERDICT_NS))}: {vs} — it {trend}, so the excess over σ² "
            + {"tempered": "stays finite but does not vanish: **tempered** overfitting",
               "benign": "shrinks: **benign** overfitting over this range of n",
               "catastrophic": "grows: **catastrophic** overfitting over this range of n"}[c["verdict"]]
            + f" (Mallinar et al. 2022's classes, read off n ≤ {C.NS[-1]}; the theory's γ/(1 − γ), which differs "
            f"from the measured V by up to {np.max(np.abs(c['V_pred'] - c['V']) / c['V']):.0%}, says "
            f"{c['verdict_pred']}). Mallinar et al. report tempered overfitting for kernels with power-law "
            "spectra, ReLU NTKs included."
        )
    st.markdown(f"**A trained network beside the kernel** (training set 1, n = {C.NET_N}, this noise draw):")
    st.markdown(
        "| model | training error | test error |\n|---|---|---|\n"
        f"| network, width {C.NET_WIDTH}, {C.NET_STEPS} GD steps | {net['net_train']:.1e} | {net['net_test']:.3f} |\n"
        f"| Θ∞ gradient descent, {C.NET_STEPS} steps | {net['kgd_train']:.1e} | {net['kgd_test']:.3f} |\n"
        f"| Θ∞ ridgeless (t → ∞) | {net['ntk_train']:.1e} | {net['ntk_test']:.3f} |"
    )
    note(f"Network: output f − f₀ (so it starts at 0 like the kernel regression), full-batch GD with "
         f"η = {net['lr']:.2f} (0.75 × 2/λ_max of Θ∞/n), measured here. A finite network's kernel differs from "
         "Θ∞ (its training error after the same steps is measured, not assumed, to be small).")
    if net["diverged"]:
        st.warning(net["message"])
    if noise > 0:
        prompt(
            f"- The training error is zero — the noise is fitted exactly — yet the test error ends at "
            f"{c['ratio']:.2f}× the Bayes error σ² (left), and the theory (red dots) predicts it from the "
            "spectrum alone.\n"
            f"- Right: the noise's share V(n) levels off near {c['V'][-1]:.2f} instead of going to 0 with more "
            f"data: the fitted noise keeps costing a fixed fraction of σ² — **{c['verdict']}**.",
            "What to notice",
        )
    else:
        prompt(
            "- Without noise the interpolant only has the target to fit: the test error falls steadily with n, "
            "and the theory (red dots) follows it.\n"
            "- V(n) (right) is the same as with noise — it is a property of the kernel and the points; the "
            "noise multiplies it by σ².",
            "What to notice",
        )
    prompt(
        "- Set σ = 0: the same kernel learns the clean target, the error falls as a power law (as on /scaling).\n"
        "- Set σ = 1: the error still approaches a constant multiple of σ²; from σ = 0.5 to 1 the ratio "
        "metric barely changes (V does not depend on σ, and the noise term dominates).\n"
        "- Part 3 shows how to get closer to σ²: stop early, or add a ridge.",
        "Try this",
    )
elif part == C.PARTS[1]:
    st.subheader("2 · Double descent")
    explain(
        "At finite width the linearized network f₀(x) + ∇θf(x; θ₀)·(θ − θ₀) is linear regression on the "
        "features φ(x) = ∇θ f(x; θ₀); we drop f₀ (as kernel regression does). A one-hidden-layer network of "
        "width w on S² has 5w + 1 parameters but only **P = 4w + 1 independent features**: for ReLU, "
        "relu(z) = z·relu′(z), so each neuron's readout gradient is a combination of its input-weight and "
        "bias gradients. Regression on P features: least squares for P < n, the minimum-norm interpolant for "
        "P ≥ n, and as w → ∞ the features' inner product tends to Θ∞ — part 1's kernel."
    )
    with progress("Jacobian features and regressions for 20 widths…", "Double descent") as bar:
        per_seed = _per_seed(bar, C.double_descent_seed, C.INIT_SEEDS, "Initialization")
        c = C.double_descent(per_seed, ridge, noise)
        bar.update(1.0)
    has_peak = c["has_peak"]
    m1, m2, m3 = st.columns(3)
    m1.metric(f"Largest error near P = n = {C.N_FIXED}", f"{c['peak']:.3g}",
              help=f"at P = {c['peak_P']}, the largest mean test error for n/2 ≤ P ≤ 2n")
    m2.metric(f"Width {C.WIDTHS[-1]} (P/n = {c['ratio'][-1]:.0f})", f"{c['last']:.3f}")
    m3.metric("Infinite width (Θ∞)", f"{c['infinite']:.3f}")
    show(P.double_descent(c, noise, C.N_FIXED), key="generalization_double_descent")
    explain(
        f"n = {C.N_FIXED} training points, ridge ρ = {ridge:g}, σ = {noise:g}, {len(C.INIT_SEEDS)} initializations "
        f"(the same training set). "
        + (f"The test error **peaks at P = {c['peak_P']}** ({c['peak']:.3g}), at the interpolation threshold "
           f"P ≈ n, where the features just barely fit the {C.N_FIXED} labels and the fit's coefficients blow up. "
           if has_peak else
           f"**No peak is left** near P = n: the error there (at most {c['peak']:.3g}) does not both rise "
           f"above the smaller models' and fall again to the widest network's {c['last']:.3f}. ")
        + (f"Beyond it the error descends a second time: {c['last']:.3f} at width {C.WIDTHS[-1]}, towards the "
           f"infinite-width kernel's {c['infinite']:.3f} (measured here): the \"double descent\" curve of "
           "Belkin et al. 2019." if has_peak else
           f"At width {C.WIDTHS[-1]} it is {c['last']:.3f}, against the infinite-width kernel's "
           f"{c['infinite']:.3f} (measured here); without the ridge this curve shows the \"double descent\" of "
           "Belkin et al. 2019.")
    )
    if ridge == 0:
        explain("With ρ = 0 the fit uses the pseudo-inverse: for every P ≥ n it interpolates (largest training "
                f"error there {np.max(c['train'][c['P'] >= C.N_FIXED]):.0e}, measured here).")
    prompt(
        ("- Left of the threshold (P < n) the model cannot fit the labels exactly; right of it, it does "
         "— and near P ≈ n it fits them with huge coefficients: the peak.\n" if has_peak else
         f"- With ridge ρ = {ridge:g} the error near P ≈ n stays at most {c['peak']:.3g}: no peak.\n")
        + (f"- Far past the threshold, more parameters make the test error **smaller**, not larger: width "
           f"{C.WIDTHS[-1]} reaches {c['last']:.3g}, against up to {c['peak']:.3g} near P ≈ n."
           if c["last"] < c["peak"] else ""),
        "What to notice",
    )
    prompt(
        "- Raise the ridge to 1e-4, 1e-3, 1e-2 (at σ = 0.5): the peak shrinks and is gone by 1e-2.\n"
        "- Set σ = 0: the peak does not disappear — it is set by the fit's ill-conditioning at P ≈ n, "
        "which noise makes worse.",
        "Try this",
    )
else:
    st.subheader("3 · Early stopping is a ridge")
    st.latex(r"\text{GD after }t\text{ steps: }1-(1-\eta\lambda)^t\qquad\text{ridge: }\frac{\lambda}{\lambda+\rho}"
             r"\qquad\rho=\frac{1}{\eta t}")
    explain(
        "Gradient descent on Θ∞ (closed form, the infinite-width network's training) learns the eigenmode of "
        "Θ/n with eigenvalue λ by the factor 1 − (1 − ηλ)ᵗ after t steps; ridge regression (Θ + nρI)⁻¹ by "
        "λ/(λ + ρ). Both pass the large-λ modes (the signal) and hold back the small-λ ones (where the noise "
        "has to go to be interpolated); ρ = 1/(ηt) puts the two switch-overs at the same λ."
    )
    with progress("Closed-form GD and ridge regression on random training sets…", "Early stopping") as bar:
        per_seed = _per_seed(bar, C.early_stopping_seed, C.SEEDS, "Training set")
        c = C.early_stopping(per_seed, noise)
        bar.update(1.0)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Best stopping time t*", f"{c['t_best']:.3g}", help="minimum of the mean test error over the grid")
    m2.metric("Test error at t*", f"{c['gd_best']:.3f}", f"{c['gd_best'] - c['gd_end']:+.3f} vs t = 10⁶",
              delta_color="inverse")
    m3.metric("Best ridge ρ*", f"{c['rho_best']:.3g}", help="on the scale of Θ/n's eigenvalues")
    m4.metric("Test error at ρ*", f"{c['ridge_best']:.3f}")
    left, right = st.columns(2)
    with left:
        show(P.early_stopping(c, noise), key="generalization_early_stopping")
    with right:
        lam, t_best, rho_best = c["eigvals"], c["t_best"], 1.0 / (c["lr"] * c["t_best"])
        lam_pos = np.maximum(lam, 0.0)
        show(P.filters(lam_pos, G.gd_filter(lam_pos, c["lr"], [t_best])[0], G.ridge_filter(lam_pos, rho_best)[0],
                       t_best, rho_best), key="generalization_filters")
    gain = c["gd_end"] - c["gd_best"]
    explain(
        f"η = {c['lr']:.3g} (1/λ_max of Θ∞ on the pool; ηλ_max ≤ {c['lr'] * c['lambda_max']:.2f} < 2 on every "
        f"training set: stable). "
        + (f"**Stopping at t\\* = {c['t_best']:.3g}** gives {c['gd_best']:.3f} against {c['gd_end']:.3f} when "
           f"trained to convergence (t = 10⁶): {gain:.3f} less. " if gain > 1e-3 else
           f"Stopping early gains nothing measurable here (best {c['gd_best']:.4f} at t = {c['t_best']:.3g}, "
           f"{c['gd_end']:.4f} at t = 10⁶). ")
        + f"The best ridge, ρ\\* = {c['rho_best']:.3g}, gives {c['ridge_best']:.3f}; as a stopping time "
        f"1/(ηρ\\*) = {1 / (c['lr'] * c['rho_best']):.3g}. For t ≥ 10 the two curves differ by at most "
        f"{np.max(np.abs(c['gd'] - c['ridge'])[c['t'] >= 10]):.3f} (measured here), and the theory's ridge curve (red dots) "
        f"stays within {np.max(np.abs(c['theory'] - c['ridge']) / c['ridge']):.0%} of the measured one."
    )
    prompt(
        ("- The test error of GD first falls (signal learned) then rises (noise fitted): stopping at t\\* "
         "beats training to zero loss.\n" if gain > 1e-3 else
         f"- Here the test error hardly rises after its minimum: stopping early gains {max(gain, 0.0):.4f}.\n")
        + "- Beyond the first ten steps the ridge curve lies almost on top of the GD curve when plotted at "
        "t = 1/(ηρ), and its best value matches the best stopping time's: early stopping acts as a ridge.\n"
        "- Right: the two filters at t\\* switch on at the same λ; GD's is sharper.",
        "What to notice",
    )
    prompt(
        "- Set σ = 0: without noise, stopping early no longer helps (the best t moves to the end).\n"
        "- Set σ = 1: t\\* moves earlier and the gain from stopping grows.",
        "Try this",
    )

reproduce("generalization", v)
references(["canatar2021", "bordelon2020", "mallinar2022", "belkin2019"])
