"""Lesson: Training is kernel regression — network vs linearization vs infinite-width NTK."""

import streamlit as st
from common.classroom import explain, note, prompt, reproduce
from common.figures import show
from common.state import Control, divergence_warning, progress, render_controls
from compute import training as C
from plots import training as P

st.title("Training is kernel regression")
explain(
    r"""
Train three models **from the same start, on the same data, with the same gradient descent**
(loss $L = \frac{1}{2N}\sum_i (f(x_i) - y_i)^2$, step size $\eta$):

- **the network** $f(x;\theta_t)$ itself (blue, solid);
- **its linearization** around the initial parameters (orange, dashed),
  $f_{\text{lin}}(x;\theta) = f(x;\theta_0) + \nabla_\theta f(x;\theta_0)\cdot(\theta-\theta_0)$, whose
  training is *exactly* kernel regression with the network's initial NTK $\Theta_0$;
- **kernel regression with the infinite-width NTK** $\Theta_\infty$ (green, dotted), in closed form:
"""
)
explain(
    r"$$f_t(x) = f_0(x) + \Theta_\infty(x, X)\,\Theta_\infty^{-1}"
    r"\Big(I - \big(I - \tfrac{\eta}{N}\Theta_\infty\big)^{t}\Big)\big(y - f_0(X)\big)$$"
)
explain(
    r"""
The linearization uses the same formula with $\Theta_0$ in place of $\Theta_\infty$. All three start
from the network's own initial function $f_0$ (so they start together and any difference comes from
the kernel alone); averaging over many random initializations would instead give $f_0 = 0$, the
infinite-ensemble mean. $\Theta_\infty$ is the limit of the **NTK parameterization** used here
($z = \frac{\sigma_w}{\sqrt{n_{\text{in}}}} W a + \sigma_b b$, $\sigma_w = \sigma_b = 1$).
"""
)

v = render_controls("training", [
    Control("task", "Task", "selectbox", "sine", options=C.TASKS,
            help="1-D regression: sine, freqs (sin x + ½ sin 3x + ¼ sin 6x), step. "
                 "2-D classification as ±1 regression: moons, circles, xor, gaussians, spirals."),
    Control("width", "Width", "select_slider", 256, options=C.WIDTHS,
            help="Hidden units per layer"),
    Control("depth", "Depth (hidden layers)", "select_slider", 1, options=C.DEPTHS),
    Control("activation", "Activation", "selectbox", "relu", options=C.ACTIVATIONS,
            help="Activations whose infinite-width NTK has a closed form"),
    Control("lr", "Learning rate η", "slider", 0.5, min=0.05, max=2.0, step=0.05,
            help="GD step on L = (1/2N)Σ(f − y)²; stable iff η < 2/λ_max with λ = eig(Θ)/N"),
    Control("steps", "GD steps", "select_slider", 1000, options=C.STEPS),
    Control("seed", "Seed (initialization)", "number", 0, min=0, max=9999, step=1,
            help="Seed of the network's random initial parameters (the data set is fixed)"),
])
task, width, depth, act = v["task"], v["width"], v["depth"], v["activation"]
lr, steps, seed = float(v["lr"]), v["steps"], v["seed"]

if not C.allowed(width, depth, steps):
    limit = C.max_steps(width, depth)
    if limit == 0:
        st.info(
            f"Width {width} with depth {depth} is too slow to train live on this machine "
            f"(about {1000 * C.step_cost_s(width, depth):.0f} ms per GD step). Use depth 1 at this "
            f"width, or width ≤ {C.MAX_WIDTH_DEPTH2} at depth 2.",
            icon=":material/hourglass_disabled:",
        )
        st.stop()
    st.info(
        f"{steps} steps at width {width}, depth {depth} would take about "
        f"{C.estimated_cost_s(width, depth, steps):.0f} s; running the first {limit} steps instead.",
        icon=":material/hourglass_top:",
    )
    steps = limit

with progress(f"Training width {width}, depth {depth} for {steps} steps…",
              "Trained network, linearization and infinite-width kernel regression") as p:
    r = C.run(task, width, depth, act, lr, steps, seed)
    p.update(1.0)

cols = st.columns(4)
cols[0].metric("Stable bound 2/λ_max of Θ₀", f"{r['max_lr']:.3g}",
               help="Largest stable learning rate for the network's kernel at initialization "
                    "(λ = eig(Θ₀)/N): GD on the linearized model diverges above it")
cols[1].metric("2/λ_max of Θ∞", f"{r['max_lr_inf']:.3g}",
               help="The same bound for the infinite-width kernel")
last = int(r["rec_steps"][-1])
cols[2].metric(f"Training loss at step {last} (network)", f"{r['final_loss_net']:.2g}")
cols[3].metric(f"‖f − f_lin‖ at step {last}", f"{r['gap_lin'][-1]:.3g}",
               help="RMS distance between network and linearization over the plotted inputs "
                    "at the last recorded step")

if r["diverged"]:
    divergence_warning(r["diverged_step"], C.suggested_lr(r["max_lr"], r["max_lr_inf"]))
    st.caption(
        f"The {r['diverged_model']} blew up first (η = {lr:g} > 2/λ_max = {r['max_lr']:.3g}). "
        f"Only the steps before step {r['diverged_step']} are plotted."
    )
elif r["inf_diverged_step"] is not None:
    st.warning(
        f"The infinite-width kernel regression diverged at step {r['inf_diverged_step']}: "
        f"η = {lr:g} exceeds its bound 2/λ_max(Θ∞) = {r['max_lr_inf']:.3g}. Its curves stop there; "
        f"try η ≤ {C.suggested_lr(r['max_lr'], r['max_lr_inf']):.2f}.",
        icon=":material/warning:",
    )

anim, loss_fig, gap_fig = P.figures(task, width, depth, act, lr, steps, seed)
show(anim, key="training_functions")
if r["is_2d"]:
    note(
        "Colour: the network's output on the plane (red > 0 > blue). Lines: where each model's output "
        "crosses 0 — its decision boundary. Drag the step slider or press ▶ Play."
    )

c1, c2 = st.columns(2)
with c1:
    show(loss_fig, key="training_loss")
with c2:
    show(gap_fig, key="training_gap")

prompt(
    f"""
- **Increase the width** (16 → 4096): the three curves merge — the network stays close to its
  linearization, and its kernel Θ₀ close to Θ∞, so ‖f − f_lin‖ and ‖f − f_∞‖ shrink as the width grows. At width 16 the network visibly leaves the kernel models.
- **Raise the learning rate past 2/λ_max** (here {r['max_lr']:.3g}): the loss stops decreasing
  and training blows up; the page shows at which step and which learning rate to try instead.
  Just below the bound the output along the kernel's top eigenvector flips sign at every step but
  still shrinks, so training converges.
- **Switch to a 2-D task** (moons, xor, …): the decision boundaries of the three models move
  together at large width. Compare the loss curves: the slow, late part of the loss is the
  small-eigenvalue directions of the kernel (see *Spectrum and spectral bias*).
"""
)

reproduce("training", v | {"steps": steps})
