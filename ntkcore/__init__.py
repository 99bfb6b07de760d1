"""ntkcore: Neural Tangent Kernels in pure JAX — empirical and infinite-width
kernels, the linearized model, training with recorded trajectories, closed-form
kernel dynamics, spectra, drift metrics and datasets.

Precision is float32 by default; for float64 wrap calls in
``with jax.enable_x64(True):`` (thread-local). Nothing here changes JAX's global
configuration, and nothing imports streamlit or plotly.

Loss convention everywhere: L = (1/2N) Σ‖f − y‖²; kernels "normalized" by N
(λ = eig(Θ)/N) set the step size: GD on the *linearized* model (a fixed
kernel) is stable iff η < 2/λ_max. The network itself may still converge
above that bound (the catapult phase, ``ntkcore.phases``).

Training the network is kernel regression with Θ∞ only in a limit: NTK
parameterization (or standard parameterization with η ∝ 1/width), every
hidden width → ∞, squared loss, η below the bound. Then GD follows kernel
gradient descent with Θ∞ started from the random initial function f₀
(``kernel_predictions`` with ``f0_train``), whose t → ∞ limit is
f₀ + Θ∞(x, X) Θ∞⁻¹ (Y − f₀(X)); at finite width the kernel moves
(``metrics.relative_kernel_change``).

Inputs are checked (``ValueError`` naming the argument and its valid range),
parameters must match the model and the inputs, and sizes whose estimated
memory exceeds ``set_memory_limit`` (default: ``NTKCORE_MEMORY_LIMIT_MB`` or
half the physical memory) are refused before anything is allocated.
"""
from ._validate import memory_limit, set_memory_limit
from .activations import ACTIVATION_NAMES, activation_fn
from .cnn import CNN, PADDINGS, POOLINGS
from .attention import QK_SCALINGS, Attention
from .datasets import (CIRCLE_TARGETS, CLASSIFICATION_2D, REGRESSION_1D, Dataset, circle, circle_points,
                       circle_target, classification_2d, digits, grid_2d, regression_1d, sphere_points)
from .datasets import SEQUENCE_TASKS, sequences
from .dynamics import EnsemblePrediction, Posterior, ensemble_predictions, gp_posterior, kernel_predictions
from .empirical import MonteCarloKernels, empirical_nngp, empirical_ntk, monte_carlo_kernels
from .infinite import Kernels, gaussian_expectations, infinite_kernels
from .linearize import linear_apply, linearize
from .metrics import (function_gap, kernel_distance, kernel_target_alignment, relative_kernel_change,
                      relative_weight_change)
from .models import MLP, PARAMETERIZATIONS, LayerSpec
from .rnn import RNN, RNN_INFINITE_ACTIVATIONS, rnn_infinite_kernels
from .spectra import Spectrum, condition_number, max_stable_lr, mode_residuals, ntk_spectrum, predicted_mode_decay
from .training import Trajectory, TrainConfig, train

__all__ = [
    "CNN", "PADDINGS", "POOLINGS",
    "ACTIVATION_NAMES", "CIRCLE_TARGETS", "CLASSIFICATION_2D", "REGRESSION_1D", "Dataset", "EnsemblePrediction",
    "Kernels", "LayerSpec", "MLP", "MonteCarloKernels", "PARAMETERIZATIONS", "Posterior", "Spectrum", "Trajectory",
    "TrainConfig", "activation_fn", "circle", "circle_points", "circle_target", "classification_2d",
    "condition_number", "digits", "empirical_nngp", "empirical_ntk", "ensemble_predictions", "function_gap",
    "gaussian_expectations", "gp_posterior", "grid_2d", "infinite_kernels", "kernel_distance", "kernel_predictions",
    "kernel_target_alignment", "linear_apply", "linearize", "max_stable_lr", "mode_residuals", "monte_carlo_kernels",
    "ntk_spectrum", "predicted_mode_decay", "regression_1d", "relative_kernel_change", "relative_weight_change",
    "train", "Attention", "QK_SCALINGS", "RNN", "RNN_INFINITE_ACTIVATIONS", "SEQUENCE_TASKS", "rnn_infinite_kernels",
    "sequences", "sphere_points", "memory_limit", "set_memory_limit",
]
# Lesson-sized toolkits, used as namespaces: ntkcore.phases.lr_phase_sweep(...), ntkcore.scaling.fit_power_law(...).
from . import criticality, features, generalization, phases, scaling  # noqa: E402

__version__ = "0.1.0"
