"""URL and session state for the lesson controls, in one place.

A page declares its controls as ``Control`` specs and calls ``render_controls``:

    values = render_controls("kernel_at_init", [
        Control("width", "Width", "select_slider", 256, options=(16, 64, 256, 1024, 4096)),
        Control("depth", "Depth", "slider", 2, min=1, max=6, step=1),
        Control("activation", "Activation", "selectbox", "relu", options=("relu", "erf")),
    ])

Every widget is bound to the URL (``bind="query-params"``): the key is the URL
parameter (``?width=1024&depth=3``), defaults are left out of the URL, and a
copied link reproduces the state. Keys only need to be unique within one page
(each page has its own URL and session-state entries are cleaned up on page
switch), so keep them short and readable.

Malformed URL parameters (``width=abc``, ``width=-5``, ``activation=foo``) are
validated against the spec *before* the widgets are created, removed from the
URL, listed in one short ``st.warning``, and the widget uses its default. A
number between a slider's steps (``r=1.3`` on a 0.25 grid; ``seed=2.5`` for an
integer) is snapped to the nearest allowed value, with a note, and the URL shows
the snapped value. Every value a page gets goes through ``canonical``
(``Control.snap``), so a widget value sent over the websocket off the grid is
snapped too (a non-option becomes the default). The rejected text is shown
literally (``md_literal``): a URL value never renders as Markdown.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

Kind = Literal["slider", "select_slider", "selectbox", "number", "toggle"]
KINDS: tuple[str, ...] = ("slider", "select_slider", "selectbox", "number", "toggle")


@dataclass(frozen=True)
class Control:
    """Specification of one sidebar control bound to a URL parameter.

    key: widget key = URL parameter name (unique within the page).
    kind: "slider" / "number" need min, max (and optionally step); int vs float
        follows the type of ``default``. "select_slider" / "selectbox" need
        ``options``. "toggle" needs a bool default.
    format_func: optional display function for options (what the widget shows).
    labels: optional mapping option → display label (the same as ``format_func=labels.get``).

    The URL and session state always hold an option's short key (``Control.key_text``: the option
    itself, ``f"{x:g}"`` for a float): ``/drift?param=mup``. A URL with the display label
    (``param=NTK (Jacot)``, the older links) or the key in another case is accepted too. A widget
    whose display differs from its keys is synced with the URL here (``_synced_widget``), because
    Streamlit's own binding writes the display label.
    """

    key: str
    label: str
    kind: Kind
    default: Any
    min: float | int | None = None
    max: float | int | None = None
    step: float | int | None = None
    options: tuple[Any, ...] | None = None
    help: str | None = None
    format_func: Callable[[Any], Any] | None = None
    labels: Mapping[Any, str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Control {self.key!r}: unknown kind {self.kind!r}")
        if self.kind in ("slider", "number"):
            if self.min is None or self.max is None:
                raise ValueError(f"Control {self.key!r}: {self.kind} needs min and max")
            if not (self.min <= self.default <= self.max):
                raise ValueError(f"Control {self.key!r}: default outside [min, max]")
        elif self.kind in ("select_slider", "selectbox"):
            if not self.options:
                raise ValueError(f"Control {self.key!r}: {self.kind} needs options")
            object.__setattr__(self, "options", tuple(self.options))
            if self.default not in self.options:
                raise ValueError(f"Control {self.key!r}: default not among options")
            if self.labels is not None:
                if self.format_func is not None:
                    raise ValueError(f"Control {self.key!r}: give labels or format_func, not both")
                if set(self.labels) != set(self.options):
                    raise ValueError(f"Control {self.key!r}: labels must name every option once")
            texts = [self.key_text(o).lower() for o in self.options]
            if len(set(texts)) != len(texts):
                raise ValueError(f"Control {self.key!r}: options must have distinct URL keys")
        elif not isinstance(self.default, bool):
            raise ValueError(f"Control {self.key!r}: toggle needs a bool default")

    # -- helpers -----------------------------------------------------------
    @property
    def is_int(self) -> bool:
        return isinstance(self.default, int) and not isinstance(self.default, bool)

    def fmt(self, value: Any) -> str:
        """How the widget displays ``value`` (its label)."""
        if self.labels is not None:
            return str(self.labels.get(value, value))
        return str(self.format_func(value) if self.format_func else value)

    def key_text(self, value: Any) -> str:
        """How ``value`` is written in a URL: an option's short key (``0.5``, ``ntk``), never its label."""
        if self.kind == "toggle":
            return "true" if value else "false"
        return self._num(value)

    @property
    def keyed(self) -> bool:
        """Whether some option is displayed differently from its URL key (then the URL is synced by us)."""
        return self.kind in ("select_slider", "selectbox") and any(
            self.fmt(o) != self.key_text(o) for o in self.options)

    def _num(self, v: Any) -> str:
        return f"{v:g}" if isinstance(v, float) else str(v)

    def describe(self) -> str:
        """Human-readable description of the valid values (for the warning)."""
        if self.kind in ("slider", "number"):
            return f"{self._num(self.min)}–{self._num(self.max)}"
        if self.kind == "toggle":
            return "true or false"
        opts = [self.key_text(o) for o in self.options or ()]  # what a URL takes
        if len(opts) > 8:
            opts = opts[:3] + ["…"] + opts[-2:]
        return "one of " + ", ".join(opts)

    @property
    def grid_step(self) -> float | int:
        """Step of a slider/number input (Streamlit's default when unset: 1 for ints, 0.01 for floats)."""
        return self.step if self.step is not None else (1 if self.is_int else 0.01)

    def snap(self, value: Any) -> Any:
        """The allowed value nearest to ``value``: the slider grid min + k·step within [min, max]
        (a number input: any value in [min, max], an integer for an int control); the default for
        anything else (a non-option, a non-number, NaN). Values already allowed come back unchanged
        (up to float noise: 0.8 + 0.05 → 0.85)."""
        if self.kind == "toggle":
            return value if isinstance(value, bool) else self.default
        if self.kind in ("select_slider", "selectbox"):
            if value in self.options:
                return self.options[self.options.index(value)]  # the option itself (0 → 0.0)
            return self.default
        try:
            x = float(value)
        except (TypeError, ValueError):
            return self.default
        if not math.isfinite(x):
            return self.default
        lo, hi = float(self.min), float(self.max)
        if self.kind == "number":  # a number input takes any typed value in range: ints stay ints
            v = min(max(x, lo), hi)
            return int(round(v)) if self.is_int else float(f"{v:.12g}")
        step = float(self.grid_step)  # a slider steps from min
        k = min(max(round((x - lo) / step), 0), math.floor((hi - lo) / step + 1e-9))
        v = lo + k * step
        return int(round(v)) if self.is_int else float(f"{v:.12g}")

    def read(self, raw: str) -> tuple[Literal["ok", "snapped", "invalid"], Any]:
        """Validate a raw URL string: ("ok", value), ("snapped", nearest allowed value) for a
        number in range but between a slider's steps (or a fraction for an integer), or ("invalid", None)."""
        raw = raw.strip()
        if self.kind == "toggle":
            low = raw.lower()
            if low in ("true", "false"):
                return "ok", low == "true"
            return "invalid", None
        if self.kind in ("select_slider", "selectbox"):
            low = raw.lower()
            for text in (self.key_text, self.fmt):  # the key first: a label never shadows another key
                for opt in self.options or ():
                    if text(opt).lower() == low:
                        return "ok", opt
            x = _number(raw)  # "1.0" for the option 1.0 (written 1)
            if x is not None:
                for opt in self.options or ():
                    if isinstance(opt, (int, float)) and not isinstance(opt, bool) and opt == x:
                        return "ok", opt
            return "invalid", None  # options have no "between": a non-option is not valid
        x = _number(raw)
        if x is None or not (self.min <= x <= self.max):
            return "invalid", None
        v = self.snap(x)
        return ("ok" if math.isclose(v, x, rel_tol=1e-9, abs_tol=1e-12) else "snapped"), v

    def parse(self, raw: str) -> tuple[bool, Any]:
        """Validate a raw URL string. Returns (ok, value); an off-grid number is ok, snapped."""
        status, value = self.read(raw)
        return status != "invalid", value


def _number(raw: str) -> float | None:
    """A finite float from a URL string, else None."""
    try:
        x = float(raw)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def md_literal(text: str) -> str:
    """``text`` as a Markdown inline code span: shown verbatim, never parsed (no links, images,
    HTML, LaTeX, ``:color[…]`` directives or emoji shortcodes). Control characters are written as
    escapes (a newline could end the span), and the fence is longer than any backtick run inside.
    Streamlit's frontend rewrites ``:material/`` to ``:material_`` in the whole source before
    parsing (icons), code spans included; a zero-width space after ``:material`` keeps the text
    looking as typed."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    text = text.replace(":material/", ":material\u200b/")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""  # one space each side is stripped
    return f"{fence}{pad}{text}{pad}{fence}"


def _drop_url_param(key: str) -> None:
    """Remove an invalid parameter from the URL before its widget is created."""
    try:
        del st.query_params[key]
    except Exception:  # not present, or already bound in this session
        pass
    # Streamlit seeds bound widgets from a snapshot of the URL taken at the
    # start of the run; drop the value there too so it can never seed the
    # widget, even for values Streamlit itself would accept. (Private API:
    # purely defensive, Streamlit already rejects everything we reject except
    # in corner cases.)
    try:
        from streamlit.runtime.state import get_session_state

        with get_session_state().query_params() as qp:
            qp._initial_query_params.pop(key, None)
    except Exception:
        pass


def _replace_url_param(key: str, text: str) -> None:
    """Put ``text`` in the URL in place of a parameter's value, before its widget is created (and in
    the start-of-run snapshot the widget is seeded from; private API, as in ``_drop_url_param``)."""
    try:
        st.query_params[key] = text
    except Exception:  # already bound in this session: the widget keeps its own value
        return
    try:
        from streamlit.runtime.state import get_session_state

        with get_session_state().query_params() as qp:
            qp._initial_query_params[key] = [text]
    except Exception:
        pass


def validate_query_params(controls: Sequence[Control]) -> list[str]:
    """Check the URL parameters of ``controls``; drop invalid ones, snap off-grid numbers.

    Returns one message per ignored or snapped parameter (Markdown; the URL text in a code span).
    Call before creating widgets.
    """
    from common import classroom  # local: classroom imports nothing from here at import time

    notes: list[str] = []
    for c in controls:
        if c.key not in st.query_params:
            continue
        values = st.query_params.get_all(c.key)
        raw = values[-1] if values else ""
        status, value = c.read(raw) if len(values) == 1 else ("invalid", None)
        if status == "ok":
            if raw != classroom.url_value(c, value):  # a label, another case, "1.0": the URL shows the key
                _replace_url_param(c.key, classroom.url_value(c, value))
            continue
        shown = raw if len(values) <= 1 else ",".join(values)
        if len(shown) > 40:
            shown = shown[:37] + "…"
        if status == "snapped":  # the widget (or hidden_value) reads the snapped value; the address bar shows it
            notes.append(f"URL parameter {c.key}={md_literal(repr(shown))} is between the allowed values; "
                         f"using the nearest, {c.fmt(value)}")
            _replace_url_param(c.key, classroom.url_value(c, value))
        else:
            default = c.fmt(c.default) if c.kind != "toggle" else str(c.default).lower()
            notes.append(f"URL parameter {c.key}={md_literal(repr(shown))} is not valid ({c.describe()}); "
                         f"using default {default}")
            _drop_url_param(c.key)
    return notes


def reset_controls(controls: Sequence[Control]) -> None:
    """Set every control back to its default (also clears its URL parameter).

    Safe to call from a widget callback (that is how the Reset button uses it).
    """
    for c in controls:
        st.session_state[c.key] = c.default


def canonical(c: Control, value: Any) -> Any:
    """The value a page computes with: snapped to the control's grid (``Control.snap``; a slider
    accepts off-step values from the URL and over the websocket), float noise removed (0.8 + 0.05
    → 0.85, not 0.8500000000000001), so the same setting always hashes to the same cache entry."""
    return c.snap(value)


def neighbours(c: Control) -> list[Any]:
    """The values one step below and above ``c.default`` (what one arrow-key press on the
    widget gives); [] for controls without an order (selectbox, toggle)."""
    if c.kind == "select_slider":
        i = list(c.options).index(c.default)
        return [c.options[j] for j in (i - 1, i + 1) if 0 <= j < len(c.options)]
    if c.kind in ("slider", "number"):
        step = c.grid_step
        # canonical() snaps into [min, max]: a step past either end comes back as the default itself
        return [v for v in (canonical(c, c.default - step), canonical(c, c.default + step)) if v != c.default]
    return []


# The start-up warm-up (common.warmup) runs page scripts in bare mode, where every widget
# returns its default. To warm other settings it overrides control values for its own
# thread only: visitors' sessions run on other threads and never see the override.
_override = threading.local()


@contextmanager
def overridden_controls(values: dict[str, Any]) -> Iterator[list[Control]]:
    """On this thread, ``render_controls`` returns ``values`` for the controls they name.

    Yields the list of every Control rendered inside the block (filled as pages run).
    """
    seen: list[Control] = []
    _override.values, _override.seen = dict(values), seen
    try:
        yield seen
    finally:
        _override.values = _override.seen = None


_URL_SEEN = "_ntk_url_seen"  # {control key: the URL text the page last read or wrote for a synced control}


def _synced_widget(c: Control, container: Any) -> Any:
    """A select widget that displays labels while the URL holds keys (``Control.keyed``).

    Streamlit's ``bind="query-params"`` writes the displayed label, so the URL is synced here:
    a URL value the page has not seen yet (a new session, a pasted link) sets the widget, then
    the widget's value is written back as its key (left out at the default, as bound widgets do).
    """
    from common import classroom  # local: classroom imports nothing from here at import time

    seen = st.session_state.setdefault(_URL_SEEN, {})
    raw = classroom._raw(c.key)
    if c.key not in st.session_state or (raw is not None and raw != seen.get(c.key)):
        ok, value = c.parse(raw) if raw is not None else (False, None)
        st.session_state[c.key] = value if ok else c.default
    widget = container.select_slider if c.kind == "select_slider" else container.selectbox
    value = widget(c.label, options=list(c.options), format_func=c.fmt, key=c.key, help=c.help)
    text = c.key_text(value)
    try:
        if value == c.default:
            st.query_params.pop(c.key, None)
        elif raw != text:
            st.query_params[c.key] = text
    except Exception:  # no script run context
        pass
    seen[c.key] = None if value == c.default else text
    return value


def _widget(c: Control, container: Any) -> Any:
    if c.keyed:
        return _synced_widget(c, container)
    common = {"key": c.key, "help": c.help, "bind": "query-params"}
    if c.kind == "slider":
        cast = int if c.is_int else float
        step = None if c.step is None else cast(c.step)
        return container.slider(
            c.label, cast(c.min), cast(c.max), value=cast(c.default), step=step, **common
        )
    if c.kind == "number":
        cast = int if c.is_int else float
        step = None if c.step is None else cast(c.step)
        return container.number_input(
            c.label, cast(c.min), cast(c.max), value=cast(c.default), step=step, **common
        )
    if c.kind == "select_slider":
        kw = {"format_func": c.format_func} if c.format_func else {}
        return container.select_slider(
            c.label, options=list(c.options), value=c.default, **kw, **common
        )
    if c.kind == "selectbox":
        kw = {"format_func": c.format_func} if c.format_func else {}
        return container.selectbox(
            c.label, options=list(c.options), index=c.options.index(c.default), **kw, **common
        )
    return container.toggle(c.label, value=c.default, **common)


def render_controls(
    page_key: str,
    controls: Sequence[Control],
    container: Any = None,
    reset_button: bool = True,
) -> dict[str, Any]:
    """Render ``controls`` (in the sidebar by default) bound to the URL.

    1. Invalid URL parameters are dropped (widget falls back to its default)
       and listed in one ``st.warning`` at the top of ``container``.
    2. Each widget is created with ``key=control.key, bind="query-params"``:
       changes are written to the URL, a copied link reproduces the state.
    3. A "Reset to defaults" button resets all of them and clears the URL.

    Returns ``{key: value}``. ``page_key`` only namespaces internal state
    (the warning, the button key); URL parameters are the bare control keys.

    Classroom modes (``common.classroom``): controls named in ``hide=`` (or
    left out of ``show=``) get no widget but keep their URL/default value;
    ``present=1`` collapses the sidebar; ``guide=1`` adds the guided steps; the
    sidebar ends with a "Share" box (copy link, reduced-UI link builder).
    """
    if container is None:
        container = st.sidebar
    keys = [c.key for c in controls]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate control keys on page {page_key!r}: {keys}")

    notes = validate_query_params(controls)
    if notes:
        container.warning("\n\n".join(notes), icon=":material/link_off:")

    from common import classroom  # local: classroom imports nothing from here at import time

    classroom.apply_page_modes()
    classroom.before_widgets(page_key, controls)
    values = {
        c.key: canonical(c, classroom.hidden_value(c) if classroom.is_hidden(c.key) else _widget(c, container))
        for c in controls
    }
    if getattr(_override, "values", None) is not None:  # the warm-up thread (see overridden_controls)
        _override.seen.extend(controls)
        values.update({k: v for k, v in _override.values.items() if k in values})

    if reset_button:
        container.button(
            "Reset to defaults",
            key=f"_ntk_reset_{page_key}",
            icon=":material/restart_alt:",
            on_click=reset_controls,
            args=(tuple(controls),),
            help="Set every control on this page back to its default value",
        )
    classroom.after_widgets(page_key, controls, values, container)
    return values


def divergence_warning(step: int, suggested_lr: float | None = None) -> None:
    """Explain that training diverged (loss became inf/NaN) at ``step``."""
    msg = (
        f"Training diverged at step {step}: the loss became infinite or NaN. "
        "Gradient descent on the linearized model is only stable when the "
        "learning rate is below 2 / λ_max of the NTK."
    )
    if suggested_lr is not None:
        msg += f" Try a learning rate of at most {suggested_lr:.3g}."
    st.warning(msg, icon=":material/warning:")


def _in_cached_function() -> bool:
    """True while a Streamlit-cached function is computing (private Streamlit flag; False if absent)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function
    except ImportError:
        return False
    return bool(in_cached_function.get())


class _Progress:
    """Handle yielded by ``progress``: call ``update(fraction, text)``."""

    def __init__(self, status: Any, bar: Any) -> None:
        self._status = status
        self._bar = bar

    def update(self, fraction: float, text: str | None = None) -> None:
        if _in_cached_function():
            # Called from inside an st.cache_data function (a progress callback passed in):
            # Streamlit would record this element for replay on a cache hit, and the replay
            # fails in any other session (CacheReplayClosureError, "layout block created
            # outside the function"). The bar just does not move during such a call.
            return
        fraction = min(max(float(fraction), 0.0), 1.0)
        self._bar.progress(fraction, text=text)
        if text:
            self._status.update(label=text)


@contextmanager
def progress(label: str, done_label: str | None = None) -> Iterator[_Progress]:
    """Show a status box with a progress bar around work longer than ~0.5 s.

        with progress("Training 4 networks…") as p:
            for i in range(n):
                ...
                p.update((i + 1) / n, f"Network {i + 1}/{n}")

    Updating the bar between chunks also lets a newer rerun interrupt the old
    one (a rerun takes effect at the next ``st.*`` call). On success the box
    collapses to ``done_label`` (with the elapsed time); on error it turns red.
    """
    t0 = time.perf_counter()
    status = st.status(label, expanded=False, state="running")
    # Not `with status:` — leaving that block marks the box complete (✓) while the work is still running.
    bar = status.progress(0.0)
    try:
        yield _Progress(status, bar)
    except Exception:
        status.update(label=f"{label} — failed", state="error")
        raise
    else:
        elapsed = time.perf_counter() - t0
        status.update(
            label=f"{done_label or label.rstrip('…. ')} ({elapsed:.1f} s)", state="complete"
        )
