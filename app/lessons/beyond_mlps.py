"""Lesson: Beyond MLPs — convolutional, recurrent and attention kernels (/beyond-mlps)."""

import numpy as np
import streamlit as st

from common import Control, progress, render_controls, show
from common.classroom import explain, note, prompt, references
from compute import beyond_mlps as C
from plots import beyond_mlps as P

SECTIONS = ("digit kernels", "accuracy", "sequences", "width")
SECTION_TITLES = {
    "digit kernels": "1 · Digits: what each kernel finds similar",
    "accuracy": "2 · Digits: kernel regression vs trained networks",
    "sequences": "3 · Sequences: RNN vs attention",
    "width": "4 · Width: convergence to the limit and drift in training",
}


def _warm_digits(depth: int) -> None:
    for arch in C.DIGIT_ARCHS:
        C.shown_kernels(arch, depth)
        C.shifted_row(arch, depth, 37, 1, 0)


def _warm_accuracy(depth: int) -> None:
    for arch in C.DIGIT_ARCHS:
        C.kernel_accuracy(arch, depth)
        for width in C.TRAIN_WIDTHS[arch]:  # one compile per size; every step count and seed reuses it
            C.trained_accuracy(arch, depth, width, 200, 0)


def _warm_width(arch: str, depth: int) -> None:
    for a in ("MLP", arch):
        for w in C.CONV_WIDTHS:
            C.convergence(a, w, depth, 0)
        for w in C.DRIFT_WIDTHS:
            C.drift(a, w, depth, 0)


# Extra warm-up (common.warmup runs these after every page's default): the slow sections' compiles and
# seed-free results, so that a visitor's first look at any section is quick.
WARMUP = [
    lambda: _warm_accuracy(2),
    lambda: _warm_width("CNN-GAP", C.WIDTH_DEPTH),
    lambda: [C.seq_kernels(a, w, "relu", 1.0, 0) for w in C.SEQ_WIDTHS for a in C.SEQ_ARCHS],
    lambda: _warm_digits(3),
    lambda: _warm_digits(1),
    lambda: _warm_accuracy(1),
    *[(lambda a=a: _warm_width(a, C.WIDTH_DEPTH)) for a in ("RNN", "Attention")],
    lambda: [C.seq_kernels("RNN", w, "erf", 1.0, 0) for w in C.SEQ_WIDTHS],
]


st.title("Beyond MLPs: convolutional, recurrent and attention kernels")
explain(
    "The NTK is defined for any architecture: $\\Theta(x,x') = \\langle\\nabla_\\theta f(x;\\theta_0), "
    "\\nabla_\\theta f(x';\\theta_0)\\rangle$, and in the NTK parameterization (every weight "
    "$\\mathcal N(0,1)$, scaled by $\\sigma_w/\\sqrt{\\text{fan-in}}$, the fan-in of a convolution counting its "
    "3×3 window) it becomes deterministic as the width — or the number of channels — grows. "
    "What the architecture changes is **which inputs the kernel considers similar**: a convolution with "
    "**global average pooling** (GAP) averages the same features over all positions (Novak et al. 2019; "
    "Arora et al. 2019),"
)
explain(r"$$\Theta_{\text{CNN-GAP}}(x,x') \;=\; \frac{1}{P^2}\sum_{p,\,p'} \Theta_{p p'}(x, x')"
        r"\qquad\text{vs}\qquad \Theta_{\text{CNN-flatten}}(x,x') \;=\; \frac{1}{P}\sum_{p} \Theta_{pp}(x,x'),$$")
explain(
    "so it compares *every* position of $x$ with *every* position of $x'$ (a shift barely matters), while "
    "flattening compares only the same positions, and the MLP compares raw pixel vectors. Recurrent networks "
    "reuse one weight matrix at every time step and attention mixes all tokens of a sequence. "
    "The page has four sections; pick one in the sidebar."
)

section_ctl = Control("part", "Section", "selectbox", "digit kernels", options=SECTIONS,
                      help="Each section computes only what it shows.")
depth_ctl = Control("depth", "Depth (hidden layers / conv layers)", "slider", 2, min=1, max=3, step=1)
raw_part = st.session_state.get("part") or st.query_params.get("part", "digit kernels")
part = raw_part if raw_part in SECTIONS else "digit kernels"
controls = {
    "digit kernels": [
        depth_ctl,
        Control("digit", "Chosen digit (# in the sorted set, 0–99)", "number", 37, min=0, max=C.N_SHOWN - 1, step=1),
        Control("dx", "Shift right (pixels)", "select_slider", 1, options=C.SHIFTS),
        Control("dy", "Shift down (pixels)", "select_slider", 0, options=C.SHIFTS),
    ],
    "accuracy": [
        Control("depth", "Depth (hidden layers / conv layers)", "slider", 2, min=C.TRAIN_DEPTHS[0],
                max=C.TRAIN_DEPTHS[-1], step=1, help="Depth 3 networks train too slowly for a live view"),
        Control("size", "Trained network size", "select_slider", "medium", options=("small", "medium", "large"),
                help="MLP width " + " / ".join(map(str, C.TRAIN_WIDTHS["MLP"])) + "; CNN channels "
                     + " / ".join(map(str, C.TRAIN_WIDTHS["CNN-GAP"]))),
        Control("steps", "GD steps", "select_slider", 200, options=C.TRAIN_STEPS),
        Control("seed", "Seed", "number", 0, min=0, max=9999, step=1),
    ],
    "sequences": [
        Control("act", "RNN activation", "selectbox", "relu", options=C.RNN_ACTIVATIONS),
        Control("u_std", "RNN recurrent weight std σ_u", "select_slider", 1.0, options=C.U_STDS),
        Control("width", "Width (RNN hidden units / attention embedding)", "select_slider", 64,
                options=C.SEQ_WIDTHS),
        Control("seed", "Seed (first of 6 networks)", "number", 0, min=0, max=9999, step=1),
    ],
    "width": [
        Control("arch", "Architecture (the MLP is always shown for reference)", "selectbox", "CNN-GAP",
                options=C.ALL_ARCHS[1:]),
        Control("seed", "Seed", "number", 0, min=0, max=9999, step=1),
    ],
}[part]
for c in controls:  # a value kept from another section (e.g. depth 3) may be out of this section's range
    if c.kind == "slider" and c.key in st.session_state and not c.min <= st.session_state[c.key] <= c.max:
        st.session_state[c.key] = c.default
v = render_controls("beyond_mlps", [section_ctl] + controls)
part = v["part"]

st.header(SECTION_TITLES[part])

if part == "digit kernels":
    depth, index, dx, dy = v["depth"], int(v["digit"]), int(v["dx"]), int(v["dy"])
    x, labels = C.shown_digits()
    explain(
        f"100 handwritten 8×8 digits (10 of each class, sorted by class). Each matrix is an infinite-width NTK "
        f"with {depth} ReLU layer{'s' if depth > 1 else ''} (σ_w = √2, σ_b = {C.B_STD}). To compare kernels of "
        "different scales we show a **centred cosine similarity**: Θ is centred over the 100 digits (the part "
        "every digit shares is removed — large for CNN-GAP, whose pooled features look alike for any digit) "
        "and normalized, $\\tilde\\Theta(x,x')/\\sqrt{\\tilde\\Theta(x,x)\\tilde\\Theta(x',x')}$ in [−1, 1]."
    )
    with progress("Computing the three infinite-width kernels…", "Kernels computed") as p:
        kernels = {}
        for i, arch in enumerate(C.DIGIT_ARCHS):
            p.update(i / 6, f"{arch}: kernel on 100 digits…")
            kernels[arch] = C.shown_kernels(arch, depth)
        sims = []
        for i, arch in enumerate(C.DIGIT_ARCHS):
            p.update(0.5 + i / 6, f"{arch}: the shifted digit…")
            sims.append((arch, C.similarity(kernels[arch], C.shifted_row(arch, depth, index, dx, dy), index)))
        p.update(1.0)
    show(P.kernel_matrices(tuple((a, C.centered_cosine(kernels[a])) for a in C.DIGIT_ARCHS), labels,
                           f"Infinite-width NTKs on the same 100 digits (depth {depth}), centred and normalized",
                           centered=True), key="digit_kernels")
    st.subheader("One digit, and a shifted copy of it")
    c1, c2 = st.columns([1, 2])
    with c1:
        show(P.digit_pair(x[index], C.shift_digit(x[index], dx, dy), int(labels[index]), dx, dy), key="digit_pair")
    with c2:
        st.markdown("**Similarity of the chosen digit to its shifted copy** (rank among the 100 digits)")
        cols = st.columns(len(sims))
        for col, (arch, s) in zip(cols, sims):
            col.metric(arch, f"{s['shifted']:.2f}",
                       help=f"centred similarity; rank {s['rank']} of 100: more similar than "
                            f"{100 * s['frac_below']:.0f}% of the other digits")
        st.markdown(" · ".join(f"{arch}: rank **{s['rank']}** of 100" for arch, s in sims))
        if dx == 0 and dy == 0:
            st.info("Shift is 0: the 'copy' is the digit itself (similarity 1 under every kernel). "
                    "Move a shift slider to 1 or 2 pixels.", icon=":material/info:")
    show(P.similarity_rows(tuple(sims), labels, index), key="similarity")
    r_mlp, r_gap, r_flat = (s["rank"] for _, s in sims)
    shift_text = (
        f"Shifted by ({dx:+d}, {dy:+d}) pixels, digit #{index} ranks {r_gap} of 100 under CNN-GAP, {r_mlp} under "
        f"the MLP kernel and {r_flat} under CNN-flatten"
        + (": pooling compares every position with every other and keeps the copy similar; the MLP compares "
           "pixel by pixel and CNN-flatten position by position after its local convolutions."
           if r_gap < min(r_mlp, r_flat) else
           ": for this digit and shift pooling does not help. It does for most: shifted 1 or 2 pixels to the right, "
           "each of 15 sampled digits (#0, #7, …, #98) ranks higher under CNN-GAP than under the MLP kernel at "
           "every depth (measured here).")
    ) if (dx, dy) != (0, 0) else "Set a shift of 1 or 2 pixels to compare the three kernels."
    prompt(
        f"""
- **Block structure.** Same-class digits are red squares on the diagonal: every kernel sees the classes, each
  with its own idea of which classes resemble each other (hover to compare, e.g., 1s and 7s).
- **Shift tolerance comes from pooling.** {shift_text}
- **Try** other digits and shifts of 1 vs 2 pixels, or depth 3: a third 3×3 layer widens each CNN-flatten
  feature's window to 7×7, yet its readout still compares position by position, so its rank barely moves —
  shift tolerance comes from the pooling.
"""
    )

elif part == "accuracy":
    depth, size, steps, seed = v["depth"], v["size"], int(v["steps"]), int(v["seed"])
    k_size = ("small", "medium", "large").index(size)
    explain(
        "Training a network with gradient descent on the squared loss "
        "$L = \\frac{1}{2N}\\sum_i \\lVert f(x_i)-y_i\\rVert^2$ to convergence gives, in the limit of infinite width "
        "(NTK parameterization, a step below the stability bound) and on average over initializations, "
        "the kernel regression predictor $\\Theta_\\infty(x, X)\\,\\Theta_\\infty(X,X)^{-1} Y$. Here $Y$ are the "
        f"10-class one-hot targets (centred) of the {C.N_TRAIN} digits of section 1 (the training set); the test set is "
        f"{C.N_TEST} other digits ({C.N_TEST_PER_CLASS} per class); the predicted class is the largest output. "
        f"The trained networks use full-batch GD with learning rate η = {C.TRAIN_LR_FRAC:g} · 2/λ_max of the limit "
        "kernel (λ = eig(Θ)/N; GD on the linearized model is stable iff η < 2/λ_max)."
    )
    rows = []
    with progress("Kernel regression and training…", "Accuracies computed") as p:
        for i, arch in enumerate(C.DIGIT_ARCHS):
            p.update(i / 3, f"{arch}: infinite-width kernel regression…")
            ka = C.kernel_accuracy(arch, depth)
            width = C.TRAIN_WIDTHS[arch][k_size]
            p.update(i / 3 + 1 / 6, f"{arch}: training a network of {'width' if arch == 'MLP' else 'channels'} "
                                    f"{width} for {steps} steps…")
            na = C.trained_accuracy(arch, depth, width, steps, seed)
            rows.append((arch, ka, width, na))
        p.update(1.0)
    for arch, _, width, na in rows:
        if na["diverged"]:
            st.warning(f"{arch} (width {width}): {na['message']}", icon=":material/warning:")
    net_labels = tuple(f"{'width' if a == 'MLP' else 'channels'} {w}, {steps} steps" for a, _, w, _ in rows)
    show(P.accuracy_bars(tuple(r[0] for r in rows), tuple(r[1]["acc"] for r in rows),
                         tuple(r[3]["acc"] for r in rows), net_labels, C.N_TEST, C.N_TRAIN), key="accuracy")
    st.dataframe(
        {"architecture": [r[0] for r in rows],
         "Θ∞ kernel regression: test acc.": [f"{r[1]['acc']:.1%}" for r in rows],
         "trained network": list(net_labels),
         "trained: test acc.": [("diverged" if r[3]["diverged"] else f"{r[3]['acc']:.1%}") for r in rows],
         "trained: train acc.": [("—" if r[3]["diverged"] else f"{r[3]['train_acc']:.1%}") for r in rows],
         "learning rate η": [f"{r[3]['lr']:.3g}" for r in rows]},
        hide_index=True,
    )
    best = max(rows, key=lambda r: r[1]["acc"])
    prompt(
        f"""
- **The architecture is the prior.** With the same 100 training digits, kernel regression reaches
  {", ".join(f"{r[0]} {r[1]['acc']:.1%}" for r in rows)}: the best here is **{best[0]}**. The kernels differ
  only in which digits they consider similar (section 1).
- **One trained network is not its kernel's predictor.** The kernel predictor is what infinitely wide networks
  reach at convergence *on average over initializations*. One finite network also keeps the leftover of its
  random initial function f₀, its kernel differs from Θ∞ (and moves), and gradient descent fits the
  large-eigenvalue directions of Θ first: after {steps} steps the small ones are not fitted yet (compare the
  train accuracy with 100%). Here the trained networks reach
  {", ".join(f"{r[0]} {'diverged' if r[3]['diverged'] else format(r[3]['acc'], '.1%')}" for r in rows)}.
- **Try** 300 steps: at seed 0 every network's test accuracy rises or stays (measured here). A larger network
  does not reliably help: at depth 2 and 200 steps the MLP's test accuracy falls from 60% (width 64) to 50%
  (width 512) while its train accuracy is already 100%, and the CNN-GAP's rises.
"""
    )

elif part == "sequences":
    act, u_std, width, seed = v["act"], float(v["u_std"]), int(v["width"]), int(v["seed"])
    ds = C.seq_data()
    explain(
        f"Noisy sinusoids of length T = {C.SEQ_T} with 1, 2 or 3 cycles and a random phase; the task is to "
        "tell the frequency. The **RNN** $h_t = \\phi\\big(\\tfrac{\\sigma_w}{\\sqrt d}Wx_t + "
        "\\tfrac{\\sigma_u}{\\sqrt n}Uh_{t-1} + \\sigma_b b\\big)$ reads out its last state; its infinite-width "
        "NTK has a recursion over time (Alemohammad et al. 2021). The **attention** network embeds each token "
        f"(with 4 positional features), applies one block of {C.ATTN_HEADS}-head self-attention and an MLP, both "
        "with residual connections, and averages the tokens. Its query–key logits are scaled by 1/d_head "
        "(the mean-field choice): as width grows, attention at initialization becomes uniform and the kernel "
        f"deterministic. We show its Monte Carlo mean over {C.N_SEEDS} networks (no closed form here)."
    )
    show(P.sequence_examples(ds.x_train, ds.labels_train), key="seq_examples")
    res = {}
    with progress(f"Sampling {C.N_SEEDS} RNNs and {C.N_SEEDS} attention networks of width {width}…", "Kernels computed") as p:
        for i, arch in enumerate(C.SEQ_ARCHS):
            p.update(i / 2, f"{arch}: {C.N_SEEDS} networks of width {width}…")
            res[arch] = C.seq_kernels(arch, width, act if arch == "RNN" else "relu", u_std if arch == "RNN" else 1.0,
                                      seed)
        p.update(1.0)
    labels = res["RNN"]["labels"][:C.SEQ_N]
    n = C.SEQ_N
    panels = (("RNN: infinite width Θ∞", C.centered_cosine(res["RNN"]["inf"][:n, :n])),
              (f"RNN: mean of {C.N_SEEDS} nets, width {width}", C.centered_cosine(res["RNN"]["mean"][:n, :n])),
              (f"Attention: mean of {C.N_SEEDS} nets, width {width}",
               C.centered_cosine(res["Attention"]["mean"][:n, :n])))
    show(P.kernel_matrices(panels, labels, f"NTKs on the {C.SEQ_N} training sequences (sorted by frequency), "
                           "centred and normalized", class_name="frequency", centered=True), key="seq_kernels")
    c = st.columns(3)
    c[0].metric("RNN: ‖Θ̄ − Θ∞‖/‖Θ∞‖", f"{res['RNN']['rel_err']:.3f}",
                help=f"Monte Carlo mean of {C.N_SEEDS} networks vs the infinite-width kernel")
    c[1].metric("RNN: seed-to-seed spread", f"{res['RNN']['rel_spread']:.3f}", help="‖std over seeds‖/‖mean‖")
    c[2].metric("Attention: seed-to-seed spread", f"{res['Attention']['rel_spread']:.3f}",
                help="‖std over seeds‖/‖mean‖")
    c = st.columns(3)
    c[0].metric("RNN Θ∞: test accuracy", f"{res['RNN']['acc_inf']:.0%}",
                help=f"kernel regression on {C.SEQ_N} held-out sequences; chance 33%")
    c[1].metric(f"RNN mean of {C.N_SEEDS}: test accuracy", f"{res['RNN']['acc_mean']:.0%}",
                help="kernel regression with the Monte Carlo mean kernel")
    c[2].metric(f"Attention mean of {C.N_SEEDS}: test accuracy", f"{res['Attention']['acc_mean']:.0%}",
                help="kernel regression with the Monte Carlo mean kernel")
    prompt(
        f"""
- **Different priors.** The RNN kernel weighs the end of the sequence most (how fast its last state forgets
  early steps depends on σ_u, here {u_std:g}); attention + averaging treats all time steps alike and compares
  sequences through their token statistics and positions.
- **Same lazy picture.** Raise the width: the seed-to-seed spread of both kernels falls, and the RNN's
  Monte Carlo mean approaches Θ∞ (section 4 measures the rate).
- **Try** σ_u = 0.5 (short memory) vs 1.5 (long memory) and watch the RNN's class blocks and accuracy.
"""
    )

else:  # width
    arch_sel, depth, seed = v["arch"], C.WIDTH_DEPTH, int(v["seed"])
    archs = ("MLP", arch_sel)
    explain(
        "The same two measurements as in the MLP lessons, for each architecture: how far one random network's "
        "NTK is from the infinite-width limit, and how much training moves it. Width means hidden units (MLP with one hidden layer, "
        "RNN), channels (CNN with one 3×3 conv layer) or embedding width (attention, 4 heads). Inputs: 24 digits or 24 sequences; "
        f"{C.CONV_SEEDS} seeds per width; training: {C.DRIFT_STEPS} full-batch GD steps at half the stability "
        "bound η = ½ · 2/λ_max (loss L = (1/2N)Σ‖f−y‖², λ = eig(Θ₀)/N). One architecture at a time (with the "
        "MLP for reference) keeps each view to a few seconds."
    )
    conv, drift = {}, {}
    total = len(archs) * (len(C.CONV_WIDTHS) + len(C.DRIFT_WIDTHS))
    done = 0
    with progress("Width sweep…", "Width sweeps done") as p:
        for arch in archs:
            errs = []
            for w in C.CONV_WIDTHS:
                p.update(done / total, f"{arch}: kernels of {C.CONV_SEEDS} networks at width {w}…")
                errs.append(C.convergence(arch, w, depth, seed))
                done += 1
            conv[arch] = np.sqrt(np.mean(np.square(errs), axis=1))
            kc = []
            for w in C.DRIFT_WIDTHS:
                p.update(done / total, f"{arch}: training width {w}…")
                kc.append(C.drift(arch, w, depth, seed)["kernel_change"])
                done += 1
            drift[arch] = np.asarray(kc)
        p.update(1.0)
    show(P.sweep_figure(np.asarray(C.CONV_WIDTHS), conv,
                        "Distance of one network's NTK to the limit (root mean square over seeds; dashed: fits)",
                        "‖Θ − Θ∞‖ / ‖Θ∞‖ (Frobenius)" if arch_sel != "Attention" else "‖Θ − Θ̄‖ / ‖Θ̄‖ (Θ̄: mean of seeds)",
                        "width / channels (log scale)"),
         key="convergence")
    if arch_sel == "Attention":
        note("Attention has no closed-form limit here, so its curve is the seed-to-seed spread around the "
             "mean of the seeds (the same ∝ width^−½ law if the kernel concentrates).")
    show(P.sweep_figure(np.asarray(C.DRIFT_WIDTHS), drift,
                        f"Kernel drift after {C.DRIFT_STEPS} GD steps (dashed: fits)",
                        "‖Θ(T) − Θ(0)‖ / ‖Θ(0)‖ (Frobenius)", "width / channels (log scale)"), key="drift")
    fits = {k: (C.log_fit(C.CONV_WIDTHS, conv[k]), C.log_fit(C.DRIFT_WIDTHS, drift[k])) for k in archs}
    def _slope(f):  # noqa: E306
        return "—" if f is None else f"{f[0]:+.2f}".replace("-", "−")
    prompt(
        f"""
- **One law for all.** For every architecture the distance to the limit falls roughly like width^−½ (fitted
  slopes: {", ".join(f"{k} {_slope(fits[k][0])}" for k in archs)}), as for the MLP in *The kernel at initialization*.
- **Wide is lazy, whatever the architecture.** The kernel moves less during training as width grows (drift
  slopes: {", ".join(f"{k} {_slope(fits[k][1])}" for k in archs)}; *Kernel drift* found −½ to −1 for the MLP, and
  a steeper fall only means the narrow networks moved a lot): the kernel picture of training applies to CNNs,
  RNNs and attention too.
- **Try** another seed: the fitted slopes stay close while the individual points move.
"""
    )

references(["novak2019", "arora2019", "alemohammad2021"])
