"""Lesson: Welcome — the NTK in three sentences, one live figure, a map of the lessons."""

import streamlit as st
from common.classroom import explain, note, prompt, references, reproduce
from common.figures import show
from common.pages import lesson_pages
from common.state import Control, divergence_warning, progress, render_controls
from compute import welcome as C
from plots import welcome as P
from references import cite

st.title("Welcome")
explain(
    "**NTK Lab** is a hands-on tour of the *Neural Tangent Kernel*. In three sentences:"
)
explain(
    r"""
1. A network $f(x;\theta)$ defines a kernel through its parameter gradients,
   $\;\Theta(x, x') = \nabla_\theta f(x) \cdot \nabla_\theta f(x')$, the *neural tangent kernel*.
2. Gradient descent on $L = \tfrac{1}{2N}\sum_i (f(x_i) - y_i)^2$ moves the network's outputs along that
   kernel: on the training inputs, in the small-step limit (time $t$ counted in steps),
   $\;\dot f = -\tfrac{\eta}{N}\,\Theta_t\,(f - y)$.
3. As the width goes to infinity (NTK parameterization), $\Theta$ at initialization becomes a fixed,
   computable kernel $\Theta_\infty$, and with a small enough learning rate (below a bound set by its
   largest eigenvalue) it stays fixed during training — so training the network becomes kernel gradient descent with $\Theta_\infty$,
   started from its initial function $f_0$ ({jacot}; {lee}). At finite width this holds approximately:
   the figure shows how well.
""".replace("{jacot}", cite("jacot2018")).replace("{lee}", cite("lee2019"))
)

v = render_controls("welcome", [
    Control("width", "Network width", "select_slider", C.DEFAULT_WIDTH, options=C.WIDTHS,
            help="Hidden units of the one-hidden-layer ReLU network"),
])
width = v["width"]

st.subheader("See it: one network vs its infinite-width kernel")
with progress(f"Training a width-{width} network…", f"Trained width {width}") as p:
    r = C.fit(width)
    p.update(1.0)
if r["diverged"]:
    divergence_warning(r["diverged_step"], r["suggested_lr"])

cols = st.columns([3, 1])
with cols[0]:
    show(P.fit_figure(r, width, r["step"]), key="welcome_fit")
with cols[1]:
    st.metric("Distance between the two curves", f"{r['gap']:.3f}",
              help="Root-mean-square difference between the network and the infinite-width "
                   "kernel regression over 200 inputs in [−π, π]")
    st.metric("…relative to the size of the curve", f"{100 * r['rel_gap']:.1f} %")
    note(
        f"One hidden ReLU layer (NTK parameterization, σ_w = {C.W_STD:g}, σ_b = {C.B_STD:g}), "
        f"{C.N_TRAIN} training points of sin x, full-batch gradient descent, learning rate "
        f"η = {C.LR:g}, loss (1/2N)Σ(f − y)². The kernel regression is started from the "
        "network's own initial function, so both curves start together."
    )
    prompt("Move the width from 16 to 4096 in the sidebar. The blue network "
           "settles onto the green kernel curve and the distance shrinks.", title="Try this")

reproduce("welcome", v)

st.subheader("The course")
# One line per page; the pages themselves (order, titles, paths) come from the navigation.
SUMMARY = {
    "welcome": "this page: the NTK in three sentences and one live figure.",
    "kernel_at_init": "compute Θ of a random network, and watch it concentrate on Θ∞ as the width grows.",
    "training": "the network, its linearization and Θ∞ kernel regression, trained side by side.",
    "drift": "when does the kernel move during training, and what changes when it does?",
    "spectrum": "in the kernel picture, the eigenvalues of Θ set the speed at which each part of the target "
                "is learned.",
    "nngp": "wide untrained networks are close to a Gaussian process; wide trained ensembles follow the NTK.",
    "beyond_mlps": "other architectures, other kernels: convolution and pooling on digits, recurrence and "
                   "attention on sequences.",
    "lr_phases": "learning rates above the linearized model's bound: lazy, catapult and divergent training.",
    "depth_init": "deep networks at initialization: the order/chaos phase diagram and what depth does to "
                  "the kernel.",
    "features": "tasks on which a trained network does better than regression with its own NTK, and why.",
    "scaling": "learning curves of NTK regression: how the error falls with data, against the spectral "
               "prediction.",
    "generalization": "fitting noisy labels exactly and still predicting well; double descent; early stopping "
                      "as a ridge.",
    "presets": "for teachers: one-click configurations of the lessons. Each lesson also has a guided "
               "'predict, then reveal' tour (sidebar), presenter mode and a Share box for reduced links.",
}
for i, page in enumerate(lesson_pages()):
    c1, c2 = st.columns([3, 4], vertical_alignment="center")  # room for the longest title on a laptop
    with c1:
        st.page_link(f"lessons/{page.script.name}", label=f"{i}. {page.title}", icon=":material/arrow_forward:")
    with c2:
        st.markdown(SUMMARY.get(page.name, ""))

references(["jacot2018", "lee2019"])
