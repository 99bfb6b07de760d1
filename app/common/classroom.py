"""Classroom modes read from the URL, and the two text helpers every lesson uses.

URL parameters (they work on every page, next to the page's own controls):

- ``hide=depth,activation,text``: hide the named controls of this page (they keep
  their URL/default value and still drive the computation) and, with ``text``, the
  explanatory text; ``prompts`` hides the "what to notice" callouts.
- ``show=width,lr``: show only these controls (everything else hidden; add
  ``text`` to keep the explanations).
- ``present=1``: presenter mode — large fonts, high contrast, the sidebar
  collapsed, no explanatory text: only the figures and the prompts.
- ``guide=1``: guided "predict, then reveal" steps (see ``common.guide``).

Lessons write their prose with ``explain(...)`` and their "What to notice /
Try this" callouts with ``prompt(...)``::

    from common.classroom import explain, prompt
    explain(r"The NTK is $\\Theta(x, x') = \\nabla f(x) \\cdot \\nabla f(x')$ …")
    prompt("- **Increase the width** and watch the curves merge.")
"""

from __future__ import annotations

import streamlit as st

HIDE = "hide"
SHOW = "show"
PRESENT = "present"
GUIDE = "guide"
# Pseudo-control names accepted in hide=/show= next to the page's control keys.
TEXT = "text"
PROMPTS = "prompts"
MODE_PARAMS = (HIDE, SHOW, PRESENT, GUIDE)
_TRUE = ("1", "true", "yes", "on")


def _raw(name: str) -> str | None:
    try:
        values = st.query_params.get_all(name)
    except Exception:  # no script run context (plain import in tests)
        return None
    return values[-1] if values else None


def _names(name: str) -> set[str] | None:
    raw = _raw(name)
    if raw is None:
        return None
    return {t.strip().lower() for t in raw.replace(" ", ",").split(",") if t.strip()}


def _flag(name: str) -> bool:
    raw = _raw(name)
    return raw is not None and raw.strip().lower() in _TRUE


def presenter() -> bool:
    """True in presenter mode (``?present=1``)."""
    return _flag(PRESENT)


def guided() -> bool:
    """True when the URL asks for the guided mode (``?guide=1``)."""
    return _flag(GUIDE)


def hidden_names() -> set[str]:
    """Names listed in ``hide=`` (lower case)."""
    return _names(HIDE) or set()


def shown_names() -> set[str] | None:
    """Names listed in ``show=``, or None when there is no ``show=``."""
    return _names(SHOW)


def is_hidden(name: str) -> bool:
    """Whether the control (or pseudo-control ``text``/``prompts``) ``name`` is hidden by the URL."""
    name = name.lower()
    if name in hidden_names():
        return True
    shown = shown_names()
    if shown is not None and name != PROMPTS and name not in shown:
        return True
    return False


def text_hidden() -> bool:
    """Explanatory text is hidden in presenter mode and with ``hide=text`` / ``show=`` without text."""
    return presenter() or is_hidden(TEXT)


def explain(markdown: str) -> None:
    """Explanatory text (markdown, ``$…$``/``$$…$$`` LaTeX allowed).

    Shown normally; hidden in a reduced UI (``hide=text``, or ``show=`` without
    ``text``) and in presenter mode.
    """
    if not text_hidden():
        st.markdown(markdown)


def prompt(markdown: str, title: str = "What to notice / Try this") -> None:
    """The "what to notice / try this" callout: always shown, prominently in presenter mode.

    Hidden only when the URL says ``hide=prompts``.
    """
    if PROMPTS in hidden_names():
        return
    # The key gives the box a CSS class (st-key-ntk_prompt_…) that presenter mode enlarges.
    with st.container(border=True, key=f"ntk_prompt_{abs(hash(markdown)) % 10**10}"):
        st.markdown(f"**:material/lightbulb: {title}**")
        st.markdown(markdown)
