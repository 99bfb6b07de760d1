"""Guided-tour steps ("predict, then reveal") for every lesson, in one place.

``GUIDES[page_key]`` (``page_key`` as passed to ``render_controls``) is a list of
``common.guide.Step``: the controls it sets (keys and values of that page's
Controls, checked by tests/app/test_classroom.py), a question, the options, the
index of the right one and the explanation shown after the answer. The engine
is ``common.guide``; open a lesson with ``?guide=1`` (or the sidebar button).
Answers were checked against the app's numbers at the default seeds.
"""

from __future__ import annotations

from common.guide import Step

GUIDES: dict[str, list[Step]] = {
    "welcome": [
        Step(
            "A narrow network", settings={"width": 16},
            question="A network with only 16 hidden units is trained for 200 steps. Does it end up on the "
                     "curve of infinite-width kernel regression (green)?",
            options=("Yes, exactly on it", "Close, but visibly off (about 20 % of the curve's size)",
                     "Nowhere near it"),
            answer=1,
            explanation="At width 16 the network's kernel is a noisy, drifting version of Θ∞: the curves have "
                        "the same shape but differ by about a fifth of the curve's size.",
        ),
        Step(
            "A wide network", settings={"width": 4096},
            question="Now 4096 hidden units (256× wider). What happens to the distance between the two curves?",
            options=("It grows", "It shrinks to a few percent", "It stays the same"),
            answer=1,
            explanation="The wider the network, the closer its NTK stays to Θ∞ during training: the distance "
                        "falls from about 21 % to about 3.5 % of the curve's size.",
        ),
    ],
    "kernel_at_init": [
        Step(
            "Narrow networks", settings={"width": 16, "depth": 3, "seed": 0},
            question="Ten random ReLU networks of width 16: how do their kernel slices Θ(x₀, x) compare "
                     "with Θ∞?",
            options=("They lie exactly on Θ∞", "They scatter widely around Θ∞",
                     "They agree with each other but all differ from Θ∞"),
            answer=1,
            explanation="At width 16 the empirical kernel is a sum of only 16 random terms per layer: the "
                        "relative error ‖Θ − Θ∞‖/‖Θ∞‖ is ≈ 1.45 for seed 0 and ≈ 0.70 averaged over the ten "
                        "seeds (root mean square ≈ 0.83), and each seed gives a different kernel.",
        ),
        Step(
            "64× wider", settings={"width": 1024, "depth": 3, "seed": 0},
            question="Width 1024 is 64× wider. By roughly how much should the typical error ‖Θ − Θ∞‖/‖Θ∞‖ shrink?",
            options=("64×", "About 8× (= √64)", "It does not shrink"),
            answer=1,
            explanation="The kernel is an average over the width of independent terms, so its fluctuation "
                        "falls like width⁻¹ᐟ²: √64 = 8 (here the root mean square over the ten seeds falls from "
                        "≈ 0.83 to ≈ 0.08). The width sweep's fitted slope is ≈ −0.56, close to −½.",
        ),
        Step(
            "Another seed", settings={"width": 1024, "depth": 3, "seed": 1},
            question="Only the seed changes (1 instead of 0). What changes in the heatmaps?",
            options=("Θ∞ changes as much as the network's kernel",
                     "The network's kernel changes a little; Θ∞ does not change at all",
                     "Nothing changes"),
            answer=1,
            explanation="Θ∞ depends only on the architecture (depth, activation, σ_w, σ_b), not on the random "
                        "draw; the empirical kernel is one random sample around it.",
        ),
    ],
    "training": [
        Step(
            "Narrow network", settings={"task": "sine", "width": 16, "depth": 1, "lr": 0.5, "steps": 1000},
            question="Width 16: do the network (blue) and its linearization (orange) stay together during "
                     "training?",
            options=("Yes, they coincide", "No, the network visibly leaves its linearization",
                     "The linearization diverges"),
            answer=1,
            explanation="A narrow network's kernel moves during training, so it is not kernel regression "
                        "with its initial kernel: ‖f − f_lin‖ ends around 0.12.",
        ),
        Step(
            "Wide network", settings={"task": "sine", "width": 4096, "depth": 1, "lr": 0.5, "steps": 1000},
            question="Width 4096: what happens to the three curves (network, linearization, Θ∞)?",
            options=("They merge into one", "They separate further", "The network stops learning"),
            answer=0,
            explanation="At large width the kernel barely moves and is close to Θ∞: training the network is "
                        "close to kernel regression with its initial kernel, and with Θ∞ (‖f − f_lin‖ ≈ 0.02 "
                        "and ‖f − f_∞‖ ≈ 0.02 at the end); exactly so only in the limit width → ∞.",
        ),
        Step(
            "Past the step-size bound", settings={"task": "sine", "width": 256, "depth": 1, "lr": 0.7,
                                                  "steps": 1000},
            question="The stable bound 2/λ_max of this network's initial kernel is about 0.65. What happens "
                     "with η = 0.7?",
            options=("All three models just train more slowly",
                     "The linearization and Θ∞ regression diverge; the network's loss rises, then it converges",
                     "All three diverge"),
            answer=1,
            explanation="For the two kernel models the residual along the top eigenvector is multiplied by "
                        "(1 − ηλ_max) each step; with |1 − ηλ_max| > 1 it grows geometrically (the linearization "
                        "diverges at step 69, Θ∞ regression at step 39). The network's kernel is not fixed: its "
                        "loss rises to about 1.5× its start, λ_max falls, and it converges (final loss ≈ 8e-4) "
                        "— the catapult of Learning-rate phases.",
        ),
    ],
    "drift": [
        Step(
            "Lazy scaling", settings={"param": "ntk", "alpha": 1.0, "lr_frac": 0.5, "steps": 500},
            question="NTK parameterization: how does the final relative change of the input-layer weights "
                     "depend on the width?",
            options=("It grows with width", "It falls like width⁻¹ᐟ²", "It does not depend on width"),
            answer=1,
            explanation="Each weight moves by O(1/√width) while the function moves by O(1): the log–log fit "
                        "has slope ≈ −½ and the kernel change falls even faster.",
        ),
        Step(
            "Large output scale", settings={"param": "ntk", "alpha": 10.0, "lr_frac": 0.5, "width": 128},
            question="Output scale α = 10 at width 128. Do the neurons (right animation) move more or less "
                     "than at α = 1?",
            options=("Much more", "Much less: lazy training", "The same"),
            answer=1,
            explanation="With a large α a tiny weight change already moves the output enough to fit: the "
                        "network stays on its linearization and Θₜ − Θ₀ stays pale.",
        ),
        Step(
            "Small output scale", settings={"param": "ntk", "alpha": 0.1, "lr_frac": 0.1, "width": 128},
            question="α = 0.1 (with a small learning-rate fraction). What does the kernel do?",
            options=("It stays frozen", "It changes by order one: rich, feature learning",
                     "Training diverges immediately"),
            answer=1,
            explanation="A small α forces the weights to travel far to fit: the neurons migrate and the kernel "
                        "changes by order one — outside the lazy (NTK) regime.",
        ),
    ],
    "spectrum": [
        Step(
            "Which part first?", settings={"target": "mix", "depth": 1, "b_std": 0.1, "lr": 0.5, "steps": 1000},
            question="The target is ¼(cos γ + cos 2γ + cos 4γ + cos 6γ). Which part is learned first?",
            options=("cos γ, the lowest frequency", "cos 6γ, the highest frequency", "All at the same speed"),
            answer=0,
            explanation="Here the NTK's eigenvalue falls with the frequency k and, in the kernel picture, mode i "
                        "decays like (1 − ηλᵢ)ᵗ: the network's k = 1, 2 residuals are below 1 % of their start "
                        "after 100 steps, k = 6 still at about 57 %.",
        ),
        Step(
            "A missing frequency", settings={"target": "sin3", "depth": 1, "b_std": 0.0, "lr": 0.5,
                                             "steps": 1000},
            question="Bias-free one-hidden-layer ReLU network, target ½ sin 3γ. How well is it learned?",
            options=("Fully within 100 steps", "Slowly, over thousands of steps",
                     "Not at all, at any width"),
            answer=2,
            explanation="On the circle a bias-free one-hidden-layer ReLU network is Σⱼ vⱼ‖wⱼ‖·relu(cos(γ − θⱼ)), "
                        "and relu(cos ·) has no odd harmonics above 1: no such network — of any width, lazy or "
                        "rich — can represent sin 3γ, and its NTK's odd modes k ≥ 3 are exactly zero (Basri et "
                        "al. 2019). The loss that falls is the random initial function being fitted away; the "
                        "target's whole energy, ½·mean((½ sin 3γ)²) = 0.0625, is left after 1000 steps.",
        ),
        Step(
            "Too large a step", settings={"target": "mix", "depth": 1, "b_std": 0.1, "lr": 1.1, "steps": 1000},
            question="The learning rate is 1.1 × 2/λ_max of the network's initial NTK. What happens to the "
                     "linearized model, and to the network?",
            options=("Both learn faster", "Both diverge",
                     "The linearized model diverges; the network's loss spikes, then it converges"),
            answer=2,
            explanation="|1 − ηλ_max| > 1: the linearized model's residual along the top eigenvector flips sign "
                        "and grows each step, so it diverges (here at step 52). The network's kernel is not "
                        "fixed: its loss rises to about 4.6× its start, λ_max falls until ηλ_max < 2, and it "
                        "converges (final loss ≈ 2e-5) — the catapult of Learning-rate phases.",
        ),
    ],
    "nngp": [
        Step(
            "Narrow networks at initialization", settings={"width": 64, "steps": 1000},
            question="Untrained networks of width 64 (left) vs draws from the NNGP (right): can you tell "
                     "them apart?",
            options=("Easily: the networks look nothing like GP draws",
                     "Hardly: they already look like draws from the NNGP", "The networks are all identical"),
            answer=1,
            explanation="The output is a sum of many independent random features, so by the central limit "
                        "theorem it is close to a Gaussian process already at modest width.",
        ),
        Step(
            "During training", settings={"width": 512, "steps": 100},
            question="Only 100 training steps. Does the infinite-width NTK prediction (green) still describe "
                     "the finite ensemble (blue)?",
            options=("Only at convergence", "Yes: it describes the ensemble at every step t",
                     "No, the NTK only describes networks at initialization"),
            answer=1,
            explanation="The infinite-width ensemble is a Gaussian process at every step t, with mean and "
                        "covariance from the closed form (I − ηΘ/N)ᵗ; at width 512 the finite ensemble follows "
                        "it closely.",
        ),
        Step(
            "Noisy labels", settings={"width": 512, "steps": 1000, "noise": 0.3},
            question="Label noise σ = 0.3. Which prediction stops passing through the training points?",
            options=("The trained ensemble", "The NNGP posterior (purple)", "Both"),
            answer=1,
            explanation="The NNGP posterior uses σ² as observation noise and smooths the points (it misses them "
                        "by up to ≈ 0.33); gradient descent on squared loss heads for them: after 1000 steps the "
                        "ensemble mean is within ≈ 0.12 of every point, and it interpolates as t → ∞.",
        ),
    ],
    "lr_phases": [
        Step(
            "Inside the stable range", settings={"c": 0.9, "width": 1024, "param": "ntk"},
            question="c = 0.9, i.e. η = 0.9 · 2/λ0, just inside the range where the linearized model is stable. "
                     "What does the loss do?",
            options=("It falls monotonically and λ_max stays flat", "It spikes first, then falls",
                     "It blows up"),
            answer=0,
            explanation="Lazy phase: every mode shrinks by |1 − ηλ| < 1 per step and the kernel hardly moves "
                        "(η·λ stays ≈ 1.8 < 2).",
        ),
        Step(
            "Above 2/λ0", settings={"c": 1.5, "width": 1024, "param": "ntk"},
            question="c = 1.5: the linearized model would diverge. What does the wide network do?",
            options=("It diverges like its linearization",
                     "The loss spikes (~20×), λ_max falls until ηλ < 2, then it converges",
                     "It trains exactly as at c = 0.9"),
            answer=1,
            explanation="The catapult (Lewkowycz et al. 2020): the large outputs change the kernel; λ_max drops "
                        "until η·λ_max ≈ 1.2 < 2 and training settles in a flatter region (measured here: the "
                        "loss peaks at about 20× its start).",
        ),
        Step(
            "Much larger", settings={"c": 2.5, "width": 1024, "param": "ntk"},
            question="c = 2.5 (η = 5/λ0). Catapult again?",
            options=("Yes, just a bigger spike", "No: it diverges — past the measured edge c ≈ 2.1",
                     "It becomes lazy again"),
            answer=1,
            explanation="Above c_max the kernel cannot shrink fast enough and the loss runs away. For this "
                        "network the sweep measures the edge at η·λ0 ≈ 4.2 (c ≈ 2.1); Lewkowycz et al. 2020 "
                        "derive 4/λ0 for their two-layer linear model and report larger values for ReLU "
                        "networks — the 4.2 is this app's measurement, not theirs.",
        ),
    ],
    "depth_init": [
        Step(
            "Ordered side", settings={"activation": "erf", "sw2": 0.8, "sb2": 0.05, "depth": 40},
            question="erf, σ_w² = 0.8, σ_b² = 0.05: ordered, with a depth scale of about 4 layers. Does a network "
                     "with 40 hidden layers learn?",
            options=("Yes, its loss falls about 1000×", "Hardly: its loss stays at ~98 % of the start",
                     "It diverges"),
            answer=1,
            explanation="After a few multiples of ξ_c all inputs are perfectly correlated: Θ∞ is ill-conditioned "
                        "(cond > 10⁷) and gradient descent cannot separate the training points.",
        ),
        Step(
            "On the critical line", settings={"activation": "erf", "sw2": 1.4, "sb2": 0.05, "depth": 40},
            question="σ_w² = 1.4, next to the critical value ≈ 1.38 at this σ_b². Same depth 40: what happens?",
            options=("Still stuck", "It trains: the loss falls about 2000×", "It diverges"),
            answer=1,
            explanation="At χ1 ≈ 1 the depth scale diverges (here ≈ 150 layers): correlations survive 40 layers, "
                        "Θ∞ stays well conditioned and the deep network trains.",
        ),
        Step(
            "Deep in chaos", settings={"activation": "erf", "sw2": 3.5, "sb2": 0.05, "depth": 40},
            question="σ_w² = 3.5 (chaotic). What happens to the correlation of two different inputs at depth?",
            options=("It goes to 1, as on the ordered side",
                     "Every pair ends at the same c* ≈ 0.14: the kernel forgets which inputs are close",
                     "It does not change with depth"),
            answer=1,
            explanation="χ1 > 1 drives all correlations to c* < 1 within ξ_c ≈ 6 layers: Θ∞ is nearly a multiple "
                        "of the identity — well conditioned but blind to the input geometry (~20 % of the loss left).",
        ),
    ],
    "features": [
        Step(
            "Small output scale", settings={"part": "lazy vs rich", "target": "abs", "fa": 0.1, "fw": 128,
                                            "seed": 0},
            question="At output scale α = 0.1, who has the lower test error: the trained networks or kernel "
                     "regression with the infinite-width NTK?",
            options=("The trained networks, by far", "The infinite-width NTK", "They are equal"),
            answer=0,
            explanation="Rich training turns the first layer towards the hidden direction w*: relative test error "
                        "≈ 0.13–0.25 against ≈ 0.66 for Θ∞ regression, which must learn the target in all "
                        "directions at once.",
        ),
        Step(
            "Large output scale", settings={"part": "lazy vs rich", "target": "abs", "fa": 10.0, "fw": 128,
                                            "seed": 0},
            question="α = 10. Does the network still beat the kernel?",
            options=("Yes, by as much as at α = 0.1",
                     "No: it is lazy and does about as well as kernel regression, or worse",
                     "Training diverges"),
            answer=1,
            explanation="Large α fits with tiny weight changes: the network stays on its linearization, i.e. kernel "
                        "regression with Θ₀ (errors ≈ 0.7–1 vs 0.66 for Θ∞).",
        ),
        Step(
            "Parameterizations", settings={"part": "parameterizations", "fsteps": 10, "flr": 0.5},
            question="As the width grows, which parameterization keeps its feature change from shrinking?",
            options=("NTK", "standard", "μP"),
            answer=2,
            explanation="μP is built so that every layer's features move by O(1) at any width (slope ≈ 0); under "
                        "NTK parameterization the change falls like width⁻¹ᐟ² and the infinite-width network "
                        "trained on squared loss with a stable step is kernel regression with Θ∞.",
        ),
    ],
    "scaling": [
        Step(
            "A rough target", settings={"data": "circle", "r": 1.0, "depth": 1, "ridge": 0.0},
            question="On the circle the NTK's eigenvalues fall like λₖ ∝ k⁻² (a ≈ 2) and this target's power "
                     "per eigenmode like cₖ² ∝ k⁻² (r = 1, so b = 2r = 2). How does the test error fall with "
                     "the number of training points n?",
            options=("E ∝ n⁻¹: doubling n halves the error", "E ∝ n⁻²: doubling n quarters the error",
                     "It levels off at a plateau"),
            answer=0,
            explanation="β = min(b − 1, 2a) = min(1, 4) = 1: the kernel learns roughly one eigenmode per training "
                        "point, and the target power left beyond rank n (∝ n⁻¹) dominates the error. Measured "
                        "β = 1.00 ± 0.03 (relative error 0.13 at n = 32, 0.008 at n = 512).",
        ),
        Step(
            "A smoother target", settings={"data": "circle", "r": 2.0, "depth": 1, "ridge": 0.0},
            question="Same kernel, a smoother target: r = 2, so b = 4. What is the exponent β now?",
            options=("Still about 1: the kernel alone sets the rate",
                     "About 3 = b − 1: smoother targets are learned faster",
                     "About 8 = 2b"),
            answer=1,
            explanation="β = min(b − 1, 2a) = min(3, 4) = 3 (measured 2.88 ± 0.13): each doubling of n cuts the "
                        "error about 8×, down to ~10⁻⁶ at n = 512. Only beyond b − 1 = 2a ≈ 4 (r ≈ 2.5) would the "
                        "eigenvalue decay take over.",
        ),
        Step(
            "Real data", settings={"data": "digits", "depth": 1, "ridge": 0.0},
            question="Handwritten 8×8 digits (d = 64, 10 classes). Is the learning curve still a power law, "
                     "and how steep?",
            options=("No power law at all",
                     "A power law, but much shallower: β ≈ 0.6",
                     "As steep as on the circle: β ≈ 2"),
            answer=1,
            explanation="Still close to a straight line on log–log axes, but the digits' NTK spectrum decays more "
                        "slowly (a ≈ 1.5) and the class targets spread their power over many modes (b ≈ 1.8): "
                        "predicted ≈ 0.79, measured 0.58 ± 0.01 — real data are hard in this sense (relative error "
                        "0.71 at n = 16, still 0.10 at n = 512).",
        ),
    ],
    "beyond_mlps": [
        Step(
            "One pixel to the right", settings={"part": "digit kernels", "depth": 2, "digit": 37, "dx": 1, "dy": 0},
            question="Digit #37 is moved one pixel to the right. Under which kernel is the moved copy still more "
                     "similar to the original than any of the other 99 digits (rank 1)?",
            options=("MLP", "CNN-GAP", "CNN-flatten"),
            answer=1,
            explanation="CNN-GAP (similarity ≈ 0.64, rank 1): global average pooling compares every position of one "
                        "image with every position of the other. The MLP (≈ 0.12, rank 25) and CNN-flatten "
                        "(≈ 0.11, rank 29) compare pixel by pixel, or position by position.",
        ),
        Step(
            "Two pixels", settings={"part": "digit kernels", "depth": 2, "digit": 37, "dx": 2, "dy": 0},
            question="Two pixels to the right. Where does CNN-flatten now rank the copy among the 100 digits?",
            options=("Still near the top, like CNN-GAP", "Around the middle: it looks like an unrelated digit",
                     "Exactly last"),
            answer=1,
            explanation="CNN-flatten ranks it about 44th (similarity ≈ 0.03), the MLP 48th; CNN-GAP still ranks it "
                        "4th (≈ 0.41): shift tolerance comes from the pooling, not from the convolutions alone.",
        ),
        Step(
            "A deeper CNN", settings={"part": "digit kernels", "depth": 3, "digit": 37, "dx": 2, "dy": 0},
            question="A third 3×3 layer lets each CNN-flatten feature see a 7×7 window. Does it rescue the "
                     "two-pixel shift?",
            options=("Yes: rank 1 now", "Hardly: still around the middle", "It gets much worse"),
            answer=1,
            explanation="Rank ≈ 42 instead of 44: the features still sit at fixed positions and the readout compares "
                        "them position by position. CNN-GAP keeps the copy at rank 2.",
        ),
    ],
    "generalization": [
        Step(
            "Fitting the noise", settings={"part": "interpolating noise", "noise": 0.5, "ridge": 0.0},
            question="Ridgeless NTK regression fits 256 labels with noise σ = 0.5 exactly (training error 0). "
                     "Where does its test error (against noisy test labels) end up?",
            options=("Far above σ²: fitting noise ruins the predictions",
                     "Exactly at the Bayes error σ² = 0.25",
                     "Somewhat above σ²: about 1.4 σ²"),
            answer=2,
            explanation="Measured 0.36 = 1.44 σ² at n = 256, and the theory (red dots) predicts it from the "
                        "spectrum within a few per cent. The noise's share V(n) levels off near 0.42 instead of "
                        "falling to 0: tempered overfitting, neither benign nor catastrophic.",
        ),
        Step(
            "More parameters", settings={"part": "double descent", "noise": 0.5, "ridge": 0.0},
            question="The linearized network with P features fits n = 64 noisy labels. As P grows past 64, what "
                     "does the test error do?",
            options=("It spikes at P ≈ n, then falls again towards the infinite-width kernel",
                     "It rises steadily: more parameters, more overfitting",
                     "It stays flat once P ≥ n"),
            answer=0,
            explanation="At P = 65 the minimum-norm fit just barely interpolates and its error explodes (≈ 1.8·10⁴); "
                        "at width 512 (P/n = 32) it is back to 0.45, near the Θ∞ regression's 0.39: double descent.",
        ),
        Step(
            "A small ridge", settings={"part": "double descent", "noise": 0.5, "ridge": 0.01},
            question="Now with a ridge ρ = 0.01 (relative to the kernel's mean diagonal). What happens to the peak?",
            options=("It moves to larger P", "It gets higher", "It is gone"),
            answer=2,
            explanation="The ridge caps the coefficients where the features are nearly dependent: the largest "
                        "error near P = n drops to 0.46, within 1.5× of the widest network's 0.39.",
        ),
        Step(
            "When to stop", settings={"part": "early stopping", "noise": 0.5, "ridge": 0.0},
            question="Gradient descent on Θ∞ with noisy labels. Is the test error lowest at the end of training "
                     "(t = 10⁶, zero training error)?",
            options=("Yes: the lower the training loss the better",
                     "No: it is lowest after about 13 steps, and a ridge ρ ≈ 1/(ηt) does as well"),
            answer=1,
            explanation="Measured 0.338 at t* = 13 against 0.400 at convergence; the best ridge gives 0.336. The "
                        "large-eigenvalue modes (signal) are learned first, the small ones (where the noise must "
                        "go) last — stopping early filters them like a ridge.",
        ),
    ],
}
