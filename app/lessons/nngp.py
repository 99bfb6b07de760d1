"""Lesson: NNGP and ensembles (url /nngp)."""

import streamlit as st

from common.classroom import explain, note, prompt, references, reproduce
from common.figures import show
from common.state import Control, divergence_warning, progress, render_controls
from compute import nngp as C
from plots import nngp as P

st.title("NNGP and ensembles")
explain(
    "At initialization a wide network's output is a sum of many independent random features, so "
    "over random seeds f(·; θ₀) tends, as the width grows, to a **Gaussian process** with the NNGP kernel "
    "K∞ (Neal 1996 for one hidden layer, Lee et al. 2018 for deep networks). In the same limit (NTK "
    "parameterization, squared loss, a learning rate below the stability bound) training by gradient descent "
    "turns the whole ensemble into another Gaussian process (Lee et al. 2019, Section 2.3), whose mean and "
    "covariance after t steps follow from the NTK Θ∞ and K∞ (the paper writes gradient flow, "
    "$e^{-\\eta\\Theta t/N}$; discrete GD steps, as here, replace it by $(I-\\tfrac{\\eta}{N}\\Theta)^t$):"
)
explain(
    r"$$\mu_t(x)=A_t(x)\,Y,\quad "
    r"\Sigma_t=K_{xx}+A_tK_{XX}A_t^\top-\big(A_tK_{Xx}+(A_tK_{Xx})^\top\big),\quad "
    r"A_t(x)=\Theta_{xX}\Theta_{XX}^{-1}\big(I-(I-\tfrac{\eta}{N}\Theta_{XX})^t\big)$$"
)
explain(
    "The Bayesian alternative is the NNGP posterior, mean K_xX(K_XX + σ²I)⁻¹Y. "
    "Task (as in the neural-tangents cookbook): 5 noisy samples of sin x; an Erf network with two hidden "
    "layers, w_std = 1.5, b_std = 0.05 (NTK parameterization)."
)

v = render_controls("nngp", [
    Control("width", "Width (hidden units per layer)", "select_slider", 512, options=C.WIDTHS),
    Control("nets", "Ensemble size", "slider", 10, min=2, max=20, step=1,
            help="Networks trained in section 2, each from its own random initialization (seed, seed+1, …). "
                 f"Section 1 always draws {C.N_PRIOR} untrained networks."),
    Control("steps", "Training steps", "select_slider", 1000, options=C.STEPS,
            help=f"Full-batch GD with η = {C.LR:g} on L = (1/2N)Σ(f−y)²."),
    Control("noise", "Label noise σ", "select_slider", 0.1, options=C.NOISES,
            format_func=lambda s: f"{s:g}",
            help="Standard deviation of the noise added to the 5 training targets; "
                 "the NNGP posterior uses σ² as its observation noise."),
    Control("seed", "Seed (network initializations)", "number", 0, min=0, max=99, step=1),
])
width, n_nets, steps = int(v["width"]), int(v["nets"]), int(v["steps"])
noise, seed = float(v["noise"]), int(v["seed"])
DATA_SEED = 0  # the 5 training inputs stay fixed; the seed varies the networks

note(
    f"Loss L = (1/2N)Σᵢ(f(xᵢ) − yᵢ)², full-batch GD with η = {C.LR:g}; λ = eig(Θ)/N, "
    "GD on the linearized model (and the infinite-width prediction) is stable iff η < 2/λ_max."
)

st.subheader("1 · Before training: networks at initialization are draws from the NNGP")
show(P.prior_figure(C.prior_draws(width, seed), width), key="nngp_prior")

st.subheader("2 · After training: a finite ensemble against infinite width")
data = C.dataset(noise, DATA_SEED)
if not C.allowed(width, n_nets, steps):
    # Fall back to the longest run that fits the live budget rather than leave section 2 empty.
    fallback = C.max_steps(width, n_nets)
    st.info(
        f"{n_nets} networks of width {width} trained for {steps} steps would take about "
        f"{C.train_cost_s(width, n_nets, steps):.0f} s — too slow to run live. "
        f"Showing **{fallback} steps** instead: at this width and ensemble size at most {fallback} steps "
        "fit; lower the width or the ensemble size for longer training.",
        icon=":material/timer:",
    )
    steps = fallback
inf = C.infinite(steps, noise, DATA_SEED)

members = []
with progress(f"Training {n_nets} networks…", f"Trained {n_nets} networks") as bar:
    for i in range(n_nets):
        bar.update(i / n_nets, f"Training network {i + 1}/{n_nets} (width {width}, {steps} steps)…")
        members.append(C.train_member(width, steps, noise, DATA_SEED, seed + i))
    bar.update(1.0)

bad = [m for m in members if m["diverged"]]
for m in bad[:1]:
    divergence_warning(m["diverged_step"], 0.9 * m["max_stable_lr"])
if bad:
    st.caption(f"{len(bad)} of {n_nets} networks diverged; they are left out of the ensemble.")
good = [m for m in members if not m["diverged"]]
if not good:
    st.stop()

import numpy as np  # noqa: E402

preds = np.stack([m["pred"] for m in good])
show(P.ensemble_figure(C.grid()[:, 0], preds, inf, data, steps, width), key="nngp_ensemble")
gap = float(np.sqrt(np.mean((preds.mean(0) - inf["ntk_mean"]) ** 2)))
st.markdown(
    f"RMS gap between the ensemble mean and the infinite-width NTK mean on [−π, π]: **{gap:.3f}** "
    f"(2/λ_max of Θ∞ on these inputs: {inf['max_stable_lr']:.3g})."
)

with st.expander("Training loss of the ensemble"):
    show(P.loss_figure([m["loss"] for m in good]), key="nngp_loss")

xg = C.grid()[:, 0]
x_tr, y_tr = data.x_train[:, 0], data.y_train[:, 0]
net_miss = float(np.max(np.abs(np.interp(x_tr, xg, preds.mean(0)) - y_tr)))
gp_miss = float(np.max(np.abs(np.interp(x_tr, xg, inf["nngp_mean"]) - y_tr)))
prompt(
    f"- **Left vs right in 1:** at width {width} the {C.N_PRIOR} untrained networks are hard to tell from "
    "the NNGP draws; at width 64 they still look like GP draws — the NNGP is already a good description.\n"
    "- **In 2**, the green band (infinite-width ensemble) and the blue band (your finite "
    "ensemble) agree: both shrink at the training points and widen away from them. The blue mean is an "
    f"estimate from {len(good)} networks of finite width: here it lies within {gap:.3f} (RMS) of the green one.\n"
    "- Set **training steps to 100**: the infinite-width prediction tells you where the "
    "networks are *during* training, not only at convergence. The NNGP posterior (purple) is a "
    "different object: the Bayesian answer, which gradient descent reproduces (as t → ∞, without "
    "label noise) only when the readout layer alone is trained (Lee et al. 2019, Section 2.3).\n"
    + (f"- With label noise σ = {noise:g}, the NNGP posterior (σ² as observation noise) misses the training "
     f"points by up to {gp_miss:.2f}; gradient descent heads for them (the ensemble mean misses by at most "
     f"{net_miss:.2f} after {steps} steps, and interpolates as t → ∞). Set the **noise to 0.3** to make the "
     "difference larger, or 0 to make both pass through the points."
     if noise > 0 else
     f"- Without label noise both pass through the training points (the NNGP posterior misses them by up to "
     f"{gp_miss:.3f}, the ensemble mean by at most {net_miss:.2f} after {steps} steps). Set the **noise to "
     "0.3**: the posterior (σ² as observation noise) smooths them, gradient descent still heads for them.")
)

reproduce("nngp", v)
references(["neal1996", "lee2018", "lee2019", "novak2020"])
