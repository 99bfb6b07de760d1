"""The one app-wide colour palette (Okabe & Ito, colour-blind safe).

Use the *roles*, not raw hex codes, so a concept has the same colour on every
page: the finite network is always NETWORK, its linearization LINEARIZED, the
infinite-width kernel prediction INFINITE, and so on.
"""

from __future__ import annotations

# Okabe-Ito base colours.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#999999"

# Fixed roles.
NETWORK = BLUE  # the finite-width network trained by gradient descent
LINEARIZED = ORANGE  # its first-order Taylor expansion around initialization
INFINITE = BLUISH_GREEN  # the infinite-width (analytic NTK / NNGP) prediction
TARGET = BLACK  # the ground-truth function
TRAIN_POINTS = VERMILLION  # training data markers
TEST = GREY  # test data / held-out points
BAND = "rgba(0, 158, 115, 0.18)"  # INFINITE at low alpha, for ±2σ bands

# Dash styles to pair with the roles (redundant encoding: not only colour).
DASH = {NETWORK: "solid", LINEARIZED: "dash", INFINITE: "dot", TARGET: "solid"}

# Ordered sequence for several seeds / widths / depths (no yellow: poor on white).
SEQUENCE = [BLUE, ORANGE, BLUISH_GREEN, VERMILLION, SKY_BLUE, REDDISH_PURPLE, BLACK, GREY]

# Heatmap colorscales (Plotly built-in names).
DIVERGING = "RdBu_r"  # signed matrices (kernel differences); use zmid=0
SEQUENTIAL = "Viridis"  # non-negative matrices (kernels, Gram matrices)


def seq(i: int) -> str:
    """The i-th colour of SEQUENCE, cycling."""
    return SEQUENCE[i % len(SEQUENCE)]


def rgba(hex_colour: str, alpha: float) -> str:
    """'#RRGGBB' -> 'rgba(r, g, b, alpha)' (for translucent bands)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"
