"""Lesson: Training is kernel regression — network vs linearization vs infinite-width NTK."""

import numpy as np
import streamlit as st
from common.classroom import explain, note, prompt, references, reproduce
from common.figures import show
from common.state import Control, progress, render_controls
from compute import training as C
from plots import training as P
from references import cite

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
infinite-ensemble mean. $\Theta_\infty$ is the width → ∞ limit of $\Theta_0$ under the **NTK
parameterization** used here ($z = \frac{\sigma_w}{\sqrt{n_{\text{in}}}} W a + \sigma_b b$,
$\sigma_w = \sigma_b = 1$).

When is training the network kernel regression? In the limit width → ∞, with this parameterization,
squared loss and η below the bound $2/\lambda_{\max}$ of $\Theta_\infty$'s loss-normalized eigenvalues
$\lambda = \mathrm{eig}(\Theta)/N$, the network's training converges to the third model: kernel gradient
descent with $\Theta_\infty$ started from $f_0$ ({jacot}, Theorem 2; {lee}, Theorem 2.1, proved for η below a
critical value set by the kernel's spectrum). At finite width the three differ. Above the bound the two
kernel models diverge, while the network itself often **catapults** and converges (see *Learning-rate
phases*).
""".replace("{jacot}", cite("jacot2018")).replace("{lee}", cite("lee2019"))
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
            help="GD step on L = (1/2N)Σ(f − y)². GD on the linearized model (and Θ∞ regression) "
                 "converges iff η < 2/λ_max of its kernel, λ = eig(Θ)/N; the network can also converge "
                 "above it (catapult)."),
    Control("steps", "GD steps", "select_slider", 1000, options=C.STEPS),
    Control("seed", "Seed (initialization)", "number", 0, min=0, max=9999, step=1,
            help="Seed of the network's random initial parameters (the data set is fixed)"),
])
task, width, depth, act = v["task"], v["width"], v["depth"], v["activation"]
lr, steps, seed = float(v["lr"]), v["steps"], v["seed"]

if C.max_steps(width, depth) == 0:
    fit = C.fallback_width(width, depth)
    st.info(
        f"Width {width} with depth {depth} is too slow to train live on this machine "
        f"(about {1000 * C.step_cost_s(width, depth):.0f} ms per GD step). Showing **width {fit}** instead, "
        f"the largest that fits at depth {depth}; use depth 1 to train width {width}.",
        icon=":material/hourglass_disabled:",
    )
    width = fit

if not C.allowed(width, depth, steps):
    limit = C.max_steps(width, depth)
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
               help="Largest learning rate at which GD on the linearized model converges "
                    "(λ = eig(Θ₀)/N): the linearized model diverges above it; the network may not")
cols[1].metric("2/λ_max of Θ∞", f"{r['max_lr_inf']:.3g}",
               help="The same bound for the infinite-width kernel regression")
both = np.isfinite(r["gap_lin"]) & (r["rec_steps"] > 0)
cols[2].metric("Final training loss (network)", f"{r['final_loss_net']:.2g}",
               help="At the last step the network reached (the last step before it diverged, if it did)")
if both.any():
    last = int(r["rec_steps"][both][-1])
    cols[3].metric(f"‖f − f_lin‖ at step {last}", f"{r['gap_lin'][both][-1]:.3g}",
                   help="RMS distance between network and linearization over the plotted inputs "
                        "at the last recorded step where both are finite")
else:
    cols[3].metric("‖f − f_lin‖", "—", help="One of the two diverged before the first recorded step")

warning = C.divergence_report(r, lr)
if warning:
    st.warning(warning, icon=":material/warning:")

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

net_end = r["loss_net"][np.isfinite(r["loss_net"])]
prompt(
    f"""
- **Increase the width** (16 → 4096): the three curves move together — the network stays closer to its
  linearization, and its kernel Θ₀ closer to Θ∞, so ‖f − f_lin‖ and ‖f − f_∞‖ shrink as the width grows.
  At width 16 the network visibly leaves the kernel models.
- **Raise the learning rate past 2/λ_max** (here {r['max_lr']:.3g} for Θ₀, {r['max_lr_inf']:.3g} for Θ∞):
  the two kernel models diverge — along the top eigenvector their residual is multiplied by
  |1 − ηλ_max| > 1 at every step — and the page says at which step. The network itself often survives: at
  width 256 and η = 1.5 its loss spikes, its kernel changes, and after some later bumps it ends near 1 % of
  its initial loss; at η = 2 it diverges too.
  Just below the bound the kernel models' output along the top eigenvector flips sign at every step but
  still shrinks.
- **Switch to a 2-D task** (moons, xor, …): the decision boundaries of the three models move
  together at large width. Compare the loss curves: the slow, late part of the loss is the
  small-eigenvalue directions of the kernel (see *Spectrum and spectral bias*).
"""
)

reproduce("training", v | {"width": width, "steps": steps})
references(["jacot2018", "lee2019", "lewkowycz2020"])
