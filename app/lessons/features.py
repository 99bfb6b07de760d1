"""Lesson: When features win — lazy vs rich training and parameterizations (url /features)."""

import numpy as np
import streamlit as st

from common.classroom import explain, note, prompt, references, reproduce
from common.figures import show
from common.state import Control, progress, render_controls
from compute import features as C
from plots import features as P

st.title("When features win")
explain(
    "Kernel regression with the NTK is what an infinitely wide network learns (NTK parameterization, squared "
    "loss, a step below the stability bound: kernel gradient descent with Θ∞ started from f₀). A *finite* network "
    "trained away from the lazy regime can do better: it **learns features**. The task: "
    f"y = g(w*·x) for a hidden unit vector w* in d = {C.D} dimensions, only {C.N_TRAIN} training points. "
    "A rotation-invariant kernel has to learn g's degree-2 part in all ~d²/2 = 200 directions at once "
    "and, with 160 points, fails; a network can turn its first layer towards the single direction w* that matters."
)
st.latex(
    r"\text{trained model: } \alpha\,\big(f(\theta)-f(\theta_0)\big)\ \text{ on }\ \tfrac{1}{\alpha^2}L,\qquad "
    r"\frac{\|\Theta_T-\Theta_0\|_F}{\|\Theta_0\|_F}\;\propto\;\frac{1}{\alpha\sqrt{\text{width}}}"
)
explain(
    "**Output scale α** (Chizat, Oyallon & Bach 2019): large α fits with tiny weight changes — *lazy*, "
    "the network stays on its linearization and can only do kernel regression with Θ₀. Small α forces the "
    "weights to travel — *rich*. Under NTK parameterization the relevant combination is **α·√width** "
    "(Geiger et al. 2020): a wider network needs a smaller α to leave the kernel regime. The fit below "
    "measures the exponent on this page's grid."
)

v = render_controls("features", [
    Control("part", "Part", "selectbox", "lazy vs rich", options=("lazy vs rich", "parameterizations"),
            help="1: test error and kernel change over α and width. 2: NTK vs standard vs μP as width grows."),
    Control("target", "Target g(z)", "selectbox", "abs", options=tuple(C.LINKS), format_func=C.LINKS.get,
            help="Both have no linear part, so the kernel must learn them from degree ≥ 2 features."),
    Control("fw", "Width for 'error against α'", "select_slider", 128, options=C.WIDTHS),
    Control("fa", "α for 'error against width'", "select_slider", 0.1, options=C.ALPHAS,
            format_func=lambda a: f"{a:g}"),
    Control("fsteps", "Steps T for the feature change (part 2)", "select_slider", 10, options=C.FC_STEPS),
    Control("flr", "Learning rate η / (2/λ_max) (part 2)", "slider", 0.5, min=0.1, max=0.9, step=0.1,
            help="Each width gets η = fraction × 2/λ_max of its own lr-weighted NTK at initialization."),
    Control("seed", "Seed (task and initialization)", "number", 0, min=0, max=4, step=1),
])
note(
    f"Loss L = (1/2N)Σᵢ(out(xᵢ) − yᵢ)², full-batch GD with step η; λ = eig(Θ)/N; GD on the linearized "
    "model is stable iff η < 2/λ_max. "
    f"Network: 1 hidden ReLU layer, w_std = √2, no bias. Part 1: {C.STEPS} steps at "
    f"η = {C.LR_FRAC}·2/λ_max(Θ∞/N) for every width and α (runs that diverge are repeated at η/2). "
    "Test error is relative: mean(out − y)²/mean y² on 500 fresh points (1 = predicting 0)."
)

link, seed = v["target"], int(v["seed"])
inf = C.infinite(link, seed)

if v["part"] == "lazy vs rich":
    sweeps = {}
    with progress("Training every width at six output scales…", "Trained 4 widths × 6 output scales") as bar:
        for i, w in enumerate(C.WIDTHS):
            bar.update(i / len(C.WIDTHS), f"Width {w}: six values of α at once ({i + 1}/{len(C.WIDTHS)})…")
            sweeps[w] = C.sweep(w, link, seed)
        bar.update(1.0)
    g = C.grid(sweeps)
    if g["diverged"].any():
        bad = [f"width {int(w)}, α = {a:g}" for (i, w) in enumerate(g["widths"]) for (j, a) in enumerate(g["alphas"])
               if g["diverged"][i, j]]
        st.warning("Training diverged even at η/8 for " + "; ".join(bad) + ": those cells are left blank.",
                   icon=":material/warning:")
    halved = [f"width {int(w)}, α = {a:g} (η/{round(inf['lr'] / lr_):g})" for (i, w) in enumerate(g["widths"])
              for (j, a) in enumerate(g["alphas"]) if (lr_ := g["lr"][i, j]) == lr_ and lr_ < 0.99 * inf["lr"]]
    if halved:
        st.caption("Diverged at η and rerun with a smaller step (the kernel grows during rich training): "
                   + ", ".join(halved) + ".")

    best = float(np.nanmin(g["test_error"]))
    c1, c2, c3 = st.columns(3)
    c1.metric("Infinite-width NTK regression", f"{inf['test_error_converged']:.2f}",
              help="Relative test error of ridgeless kernel regression with Θ∞ (t → ∞).")
    c2.metric("Best trained network", f"{best:.2f}",
              help="Lowest relative test error over the (α, width) grid.")
    c3.metric("Fitted crossover", f"α·√width ≈ {g['fit']['constant']:.2g}",
              help="Where the fitted relative kernel change equals 1.")

    left, right = st.columns(2)
    with left:
        show(P.error_vs_alpha(g, int(v["fw"]), inf), key="features_alpha")
    with right:
        show(P.error_vs_width(g, float(v["fa"]), inf), key="features_width")
    show(P.phase_diagram(g), key="features_phase")
    fit = g["fit"]
    st.markdown(
        f"Least-squares fit over the grid: kernel change ∝ α^{fit['p_alpha']:.2f} · width^{fit['p_width']:.2f} "
        f"— the width exponent is **{fit['ratio']:.2f}×** the α exponent (α·√width would give 0.5)."
    )
    ja = list(g["alphas"]).index(10.0)
    lazy_gap = g["test_error"][:, ja] - inf["test_error"]  # network at α = 10 minus Θ∞ regression after T steps
    lin_gap = float(np.nanmax(np.abs(g["test_error"][:, ja] - g["test_error_lin"])))
    small = g["test_error"][:, : list(g["alphas"]).index(0.3) + 1]  # the cells with α ≤ 0.3
    n_beat, n_small = int(np.sum(small < inf["test_error_converged"])), int(np.sum(np.isfinite(small)))
    prompt(
        f"- **Small α wins.** At α ≤ 0.3 the trained network beats the infinite-width NTK "
        f"({inf['test_error_converged']:.2f}) in {n_beat} of {n_small} (α, width) cells, down to "
        f"{np.nanmin(small):.2f}: it found the direction w*. At large α the network falls back onto its linearization (orange), kernel "
        "regression with its own initial kernel Θ₀, which approaches the infinite-width kernel (green) only as "
        "width grows.\n"
        "- **Wider is lazier.** At a fixed α a wider network's kernel changes less (fitted: kernel change ∝ "
        f"width^{fit['p_width']:.2f}), so the same α is lazier.\n"
        "- **Phase diagram:** red cells (kernel changed by order one or more) are rich, blue cells lazy; "
        f"the fitted boundary has width exponent {fit['ratio']:.2f}× the α exponent (α·√width = const would "
        "give 0.5).",
        "What to notice",
    )
    prompt(
        "- Set *α for 'error against width'* to **10**: the network and its linearization coincide (they differ "
        f"by at most {lin_gap:.2f}) — the lazy network *is* kernel regression with its initial kernel Θ₀. At "
        "these widths Θ₀ is not yet Θ∞: "
        + (f"the network's error stays {np.nanmin(lazy_gap):.2f}–{np.nanmax(lazy_gap):.2f} above"
           if np.nanmin(lazy_gap) > 0 else
           f"the network's error differs by {np.nanmin(lazy_gap):+.2f} to {np.nanmax(lazy_gap):+.2f} from")
        + " the infinite-width NTK regression after the same number of steps.\n"
        "- Switch the target to **(w\\*·x)² − 1** — the kernel does a little better here (Θ∞ regression "
        "0.54 instead of 0.66 at seed 0), the network still wins.\n"
        "- Change the **seed**: a new w*, new samples and a new initialization; the picture stays.",
        "Try this",
    )
else:
    steps, lr_frac = int(v["fsteps"]), float(v["flr"])
    explain(
        "**Parameterizations.** The same network can be scaled in different ways as width grows "
        "(the table below; the full one is in the docstring of `ntkcore/models.py`). Under NTK "
        "parameterization each weight matrix changes by a relative O(1/√width) per step, so the hidden "
        "features freeze as width → ∞: the lazy regime is the default. **μP** (maximal update "
        "parameterization, Yang & Hu 2021, their SGD table) initializes the readout with variance "
        "1/fan_in² instead of 1/fan_in and trains it with learning rate η/fan_in, and trains the input layer "
        "and every bias with η·fan_out (hidden layers keep η), so the features move by O(1) per step at every "
        "width. Standard parameterization's NTK grows with width, so it needs η ∝ 1/width to stay stable, and "
        "then its features freeze even faster. Here (one hidden layer, fan_in of the input layer d = "
        f"{C.D}, width n):\n\n"
        "| | input weights: variance, learning rate | readout: variance, learning rate | biases: learning rate |\n"
        "|---|---|---|---|\n"
        "| NTK | 2/d, η | 2/n, η | η |\n"
        "| standard | 2/d, η | 2/n, η | η |\n"
        "| μP | 2/d, η·n | 2/n², η/n | η·fan_out (n; 1 at the readout) |\n\n"
        "(NTK parameterization puts w_std/√fan_in in the forward pass; the variances are the effective ones.) "
        "The base step η is the control's fraction × 2/λ_max of each width's learning-rate-weighted NTK at "
        "initialization, so under standard parameterization η ∝ 1/n. We measure the relative change of the hidden activations h on the training inputs after T steps:"
    )
    st.latex(r"\frac{\|h_T-h_0\|_F}{\|h_0\|_F},\qquad h=\mathrm{relu}(W_1x)\ \text{(hidden layer)},\qquad "
             r"\eta=\text{fraction}\times\frac{2}{\lambda_{\max}(\Theta_0/N)}\ \text{per width}")
    results = {}
    with progress("Training three parameterizations at four widths…", "Trained 3 parameterizations × 4 widths") as bar:
        for i, p in enumerate(C.PARAMS):
            bar.update(i / len(C.PARAMS), f"{P.PARAM_LABELS[p]} ({i + 1}/{len(C.PARAMS)})…")
            results[p] = C.feature_change(p, steps, lr_frac, link, seed)
        bar.update(1.0)
    left, right = st.columns(2)
    with left:
        show(P.feature_change_vs_width(results, steps), key="features_fc")
    with right:
        show(P.loss_vs_width(results, steps), key="features_loss")
    mup, ntk = results["mup"], results["ntk"]
    st.markdown(
        f"Feature change from width {C.PARAM_WIDTHS[0]} to {C.PARAM_WIDTHS[-1]}: "
        f"μP {mup['hidden_change'][0]:.3g} → {mup['hidden_change'][-1]:.3g} (slope {mup['slope']:+.2f}); "
        f"NTK {ntk['hidden_change'][0]:.3g} → {ntk['hidden_change'][-1]:.3g} (slope {ntk['slope']:+.2f}, "
        "lazy theory −1/2)."
    )
    prompt(
        f"- **μP** keeps the feature change flat in width (slope {mup['slope']:+.2f}): an infinitely wide μP "
        "network still learns features. Its training loss after T steps varies little with width (here "
        f"{np.min(mup['train_loss']):.3g}–{np.max(mup['train_loss']):.3g}).\n"
        "- **NTK parameterization** loses it like width^−1/2: at infinite width the features are frozen "
        "and only the kernel regression on Θ∞ remains — which the first part showed loses here.\n"
        f"- **Standard** with a stable step (η ∝ 1/width) freezes fastest (slope {results['standard']['slope']:+.2f}).",
        "What to notice",
    )
    prompt(
        "- Set **T = 1**: the slopes are already there after a single step (a per-step property).\n"
        "- Raise the learning-rate fraction: μP's feature change grows, the slopes do not change.",
        "Try this",
    )

reproduce("features", v)
references(["chizat2019", "geiger2020", "yang2021"])
