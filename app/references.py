"""Every work the app cites, in one place, with the part of it a sentence relies on.

Lessons cite by key: ``cite("lee2019")`` gives the short form used in running
text ("Lee et al. 2019"), and ``common.classroom.references(keys)`` ends a lesson
with its reference list (authors, year, title, venue, and the section or figure
relied on). A key that is not here raises ``KeyError`` (tests/app/test_references.py
checks that every key a lesson uses exists and that every short citation in the
app's text has an entry).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """One cited work. ``relied_on`` names the section/figure/equation the app uses."""

    key: str
    authors: str          # "Jacot, Gabriel & Hongler"
    short: str            # "Jacot et al. 2018" — the form used in running text
    year: int
    title: str
    venue: str
    relied_on: str        # "Theorem 1 (convergence of the NTK), Section 4"

    def entry(self) -> str:
        """One line of a reference list (Markdown, static text only)."""
        return f"{self.authors} ({self.year}). *{self.title}*. {self.venue}. — Relied on: {self.relied_on}."


_ALL: tuple[Reference, ...] = (
    # Entries are added by lesson; keep them sorted by key. Check every `relied_on` against the
    # paper's text (the search tool's `pages` corpus holds arXiv/OpenReview texts).
    Reference("alemohammad2021", "Alemohammad, Wang, Balestriero & Baraniuk", "Alemohammad et al. 2021", 2021,
              "The Recurrent Neural Tangent Kernel", "ICLR 2021",
              "the recurrent NTK (RNTK): the infinite-width NTK of a recurrent network as a recursion over time steps"),
    Reference("arora2019", "Arora, Du, Hu, Li, Salakhutdinov & Wang", "Arora et al. 2019", 2019,
              "On Exact Computation of an Infinitely Wide Neural Net", "NeurIPS 2019",
              "the convolutional NTK (CNTK), with global average pooling and with a flattened readout"),
    Reference("basri2019", "Basri, Jacobs, Kasten & Kritchman", "Basri et al. 2019", 2019,
              "The Convergence Rate of Neural Networks for Learned Functions of Different Frequencies",
              "NeurIPS 2019",
              "abstract: for uniformly distributed data on the sphere the NTK's eigenfunctions are spherical "
              "harmonics (Fourier modes on the circle) and low frequencies are learned faster; a shallow network "
              "without bias cannot represent or learn odd frequencies (≥ 3); a bias term brings them back"),
    Reference("belkin2019", "Belkin, Hsu, Ma & Mandal", "Belkin et al. 2019", 2019,
              "Reconciling modern machine-learning practice and the classical bias–variance trade-off",
              "PNAS 116(32), 15849–15854",
              "abstract: the \"double descent\" curve — test error rises towards the interpolation threshold and "
              "falls again as capacity grows beyond it; shown for random-feature models among others"),
    Reference("bordelon2020", "Bordelon, Canatar & Pehlevan", "Bordelon, Canatar & Pehlevan 2020", 2020,
              "Spectrum Dependent Learning Curves in Kernel Regression and Wide Neural Networks", "ICML 2020",
              "the generalization error of kernel regression mode by mode from the kernel's eigenvalues and the "
              "target's power per eigenmode"),
    Reference("canatar2021", "Canatar, Bordelon & Pehlevan", "Canatar, Bordelon & Pehlevan 2021", 2021,
              "Spectral bias and task-model alignment explain generalization in kernel regression and infinitely "
              "wide neural networks", "Nature Communications 12, 2914",
              "the generalization error of kernel (ridge) regression with label noise from the kernel's spectrum "
              "and the target's power per mode, through the self-consistent κ (cited by ntkcore.generalization)"),
    Reference("chizat2019", "Chizat, Oyallon & Bach", "Chizat, Oyallon & Bach 2019", 2019,
              "On Lazy Training in Differentiable Programming", "NeurIPS 2019",
              "Section 2: the scaled model α·(h(w) − h(w₀)) trained on the objective R/α²; large α is lazy "
              "(stays close to its linearization)"),
    Reference("cho2009", "Cho & Saul", "Cho & Saul 2009", 2009, "Kernel Methods for Deep Learning", "NeurIPS 2009",
              "the arc-cosine kernels; degree 1 is the Gaussian expectation E[relu(u) relu(v)] in closed form "
              "(cited by ntkcore.infinite)"),
    Reference("fort2020", "Fort, Dziugaite, Paul, Kharaghani, Roy & Ganguli", "Fort et al. 2020", 2020,
              "Deep learning versus kernel learning: an empirical study of loss landscape geometry and the time "
              "evolution of the Neural Tangent Kernel", "NeurIPS 2020",
              "the kernel distance S(Θ, Θ′) = 1 − ⟨Θ, Θ′⟩/(‖Θ‖‖Θ′‖); in deep networks trained on images the "
              "empirical NTK moves fastest in the first few epochs, then slowly"),
    Reference("geiger2020", "Geiger, Spigler, Jacot & Wyart", "Geiger et al. 2020", 2020,
              "Disentangling feature and lazy training in deep neural networks", "J. Stat. Mech. 2020, 113301",
              "the crossover between lazy and feature training at a fixed value of α·√width (their α√h)"),
    Reference("hron2020", "Hron, Bahri, Sohl-Dickstein & Novak", "Hron et al. 2020", 2020,
              "Infinite attention: NNGP and NTK for deep attention networks", "ICML 2020",
              "with the usual 1/√d_head query-key scaling the attention kernel becomes deterministic only as the "
              "number of heads grows; with 1/d_head the logits vanish at initialization (cited by "
              "ntkcore.attention)"),
    Reference("jacot2018", "Jacot, Gabriel & Hongler", "Jacot et al. 2018", 2018,
              "Neural Tangent Kernel: Convergence and Generalization in Neural Networks", "NeurIPS 2018",
              "Theorem 1 (the NTK at initialization converges to a deterministic kernel given by a recursion over "
              "the layers as the widths grow); Section 6, Fig. 1 (L = 4, ReLU, β = 0.1, widths 500 and 10 000, "
              "Θ(x₀, x) on the unit circle over 10 initializations); Theorem 2 (in the limit the NTK stays "
              "constant during training, so the network follows kernel gradient descent with it)"),
    Reference("lee2018", "Lee, Bahri, Novak, Schoenholz, Pennington & Sohl-Dickstein", "Lee et al. 2018", 2018,
              "Deep Neural Networks as Gaussian Processes", "ICLR 2018",
              "Section 2: infinitely wide deep fully connected networks at initialization are Gaussian processes; "
              "the NNGP kernel's recursion over the layers"),
    Reference("lee2019", "Lee, Xiao, Schoenholz, Bahri, Novak, Sohl-Dickstein & Pennington", "Lee et al. 2019", 2019,
              "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent", "NeurIPS 2019",
              "Section 2.3: infinitely wide networks trained by gradient descent on squared loss give Gaussian-process "
              "predictions with an explicit mean and covariance at every time t; when only the readout is trained, "
              "the t → ∞ limit is the NNGP posterior; Theorem 2.1 (for a learning rate below a critical value set by "
              "the limiting NTK's spectrum, the network stays within O(width^−½) of its linearization during "
              "training); the width scaling of the weight and kernel changes"),
    Reference("lewkowycz2020", "Lewkowycz, Bahri, Dyer, Sohl-Dickstein & Gur-Ari", "Lewkowycz et al. 2020", 2020,
              "The large learning rate phase of deep learning: the catapult mechanism", "arXiv:2003.02218",
              "the three phases by learning rate (lazy below η = 2/λ0, catapult, divergent above η_max); Section 2: "
              "η_max = 4/λ0 derived for their two-layer linear (uv) model; for ReLU networks they report a larger "
              "η_max (experiments section)"),
    Reference("mallinar2022", "Mallinar, Simon, Abedsoltan, Pandit, Belkin & Nakkiran", "Mallinar et al. 2022", 2022,
              "Benign, Tempered, or Catastrophic: A Taxonomy of Overfitting", "NeurIPS 2022",
              "the three classes of interpolating methods by their test error as n → ∞ (Bayes error, a constant "
              "above it, divergence) (cited by ntkcore.generalization)"),
    Reference("neal1996", "Neal", "Neal 1996", 1996, "Bayesian Learning for Neural Networks",
              "Lecture Notes in Statistics 118, Springer",
              "Chapter 2: a one-hidden-layer network with infinitely many hidden units is a Gaussian process"),
    Reference("novak2019", "Novak, Xiao, Lee, Bahri, Yang, Hron, Abolafia, Pennington & Sohl-Dickstein",
              "Novak et al. 2019", 2019,
              "Bayesian Deep Convolutional Networks with Many Channels are Gaussian Processes", "ICLR 2019",
              "the readout after the last convolution: global average pooling sums the kernel over all pairs of "
              "positions, vectorization (flatten) over equal positions only"),
    Reference("novak2020", "Novak, Xiao, Hron, Lee, Alemi, Sohl-Dickstein & Schoenholz", "Novak et al. 2020", 2020,
              "Neural Tangents: Fast and Easy Infinite Neural Networks in Python", "ICLR 2020",
              "the library's cookbook notebook: 5 noisy samples of sin x, an Erf network (two hidden layers of 512, "
              "W_std 1.5, b_std 0.05), an ensemble of trained networks against the infinite-width NTK and NNGP"),
    Reference("poole2016", "Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli", "Poole et al. 2016", 2016,
              "Exponential expressivity in deep neural networks through transient chaos", "NeurIPS 2016",
              "the length map q ↦ q* and the correlation map c ↦ c* of random networks; order and chaos "
              "separated by χ1 = 1"),
    Reference("price1958", "Price", "Price 1958", 1958,
              "A useful theorem for nonlinear devices having Gaussian inputs",
              "IRE Transactions on Information Theory 4(2), 69–72",
              "Price's theorem: ∂E[φ(u)ψ(v)]/∂Cov(u, v) = E[φ'(u)ψ'(v)] for jointly Gaussian u, v (cited by "
              "ntkcore.infinite and ntkcore.criticality)"),
    Reference("rahaman2019", "Rahaman, Baratin, Arpit, Draxler, Lin, Hamprecht, Bengio & Courville",
              "Rahaman et al. 2019", 2019, "On the Spectral Bias of Neural Networks", "ICML 2019",
              "spectral bias: networks trained by gradient descent fit the low-frequency components of a target "
              "first"),
    Reference("schoenholz2017", "Schoenholz, Gilmer, Ganguli & Sohl-Dickstein", "Schoenholz et al. 2017", 2017,
              "Deep Information Propagation", "ICLR 2017",
              "the correlation depth scale ξ_c = −1/ln χ_c, which diverges at χ1 = 1; random networks are "
              "trainable when their depth is at most a few ξ_c (tanh phase diagrams)"),
    Reference("spigler2020", "Spigler, Geiger & Wyart", "Spigler, Geiger & Wyart 2020", 2020,
              "Asymptotic learning curves of kernel methods: empirical data versus teacher–student paradigm",
              "J. Stat. Mech. 2020, 124001",
              "the learning-curve exponent of ridgeless kernel regression from the kernel's and the target's "
              "spectral decay"),
    Reference("williams1997", "Williams", "Williams 1997", 1997, "Computing with Infinite Networks",
              "NeurIPS 1996 (Advances in Neural Information Processing Systems 9)",
              "the covariance of an infinite erf (sigmoidal) network in closed form, an arcsine of the normalized "
              "input covariance (cited by ntkcore.infinite)"),
    Reference("xiao2018", "Xiao, Bahri, Sohl-Dickstein, Schoenholz & Pennington", "Xiao et al. 2018", 2018,
              "Dynamical Isometry and a Mean Field Theory of CNNs: How to Train 10,000-Layer Vanilla "
              "Convolutional Neural Networks", "ICML 2018",
              "very deep networks train when initialized on the critical line"),
    Reference("xiao2020", "Xiao, Pennington & Schoenholz", "Xiao et al. 2020", 2020,
              "Disentangling Trainability and Generalization in Deep Neural Networks", "ICML 2020",
              "at large depth the NTK degenerates in the ordered and chaotic phases; its condition number governs "
              "trainability"),
    Reference("yang2021", "Yang & Hu", "Yang & Hu 2021", 2021,
              "Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks", "ICML 2021",
              "abc-parameterizations; μP (maximal update parameterization) and its SGD table: input weights and "
              "biases with learning rate η·fan_out, readout initialized with variance 1/fan_in² and learning rate "
              "η/fan_in"),
    Reference("yang2021b", "Yang, Hu, Babuschkin, Sidor, Liu, Farhi, Ryder, Pachocki, Chen & Gao",
              "Yang et al. 2021", 2021,
              "Tensor Programs V: Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer", "NeurIPS 2021",
              "Table 3: μP in fan_in/fan_out form; for SGD input weights and all biases get init variance "
              "1/fan_in and learning rate η·fan_out, hidden weights 1/fan_in and η, output weights 1/fan_in² and "
              "η/fan_in (the table in ntkcore/models.py)"),
)

REFERENCES: dict[str, Reference] = {r.key: r for r in _ALL}


def cite(key: str) -> str:
    """Short in-text citation, e.g. ``"Lee et al. 2019"``."""
    return REFERENCES[key].short
