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
CODE = "code"  # the "Reproduce in Python" expander
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
    return shown is not None and name not in (PROMPTS, CODE) and name not in shown


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


def note(text: str) -> None:
    """A small-print note under a figure (definitions, how it was computed, results).

    Hidden like ``explain`` (``hide=text``, presenter mode) and, because notes
    often state what the figure shows, while a guided step waits for its answer.
    Status messages (divergence, left-out runs) stay ``st.caption``.
    """
    from common import guide

    if not text_hidden() and not guide.hide_figures():
        st.caption(text)


def prompt(markdown: str, title: str = "What to notice / Try this") -> None:
    """The "what to notice / try this" callout: always shown, prominently in presenter mode.

    Hidden when the URL says ``hide=prompts``, and while a guided step waits for the
    student's prediction.
    """
    if PROMPTS in hidden_names():
        return
    from common import guide

    if guide.hide_figures():  # a guided step waits for a prediction: do not give the answer away
        return
    # The key gives the box a CSS class (st-key-ntk_prompt_…) that presenter mode enlarges.
    with st.container(border=True, key=f"ntk_prompt_{abs(hash(markdown)) % 10**10}"):
        st.markdown(f"**:material/lightbulb: {title}**")
        st.markdown(markdown)


def references(keys: list[str]) -> None:
    """End a lesson with its reference list (``app/references.py``): one line per cited work.

    Hidden like ``explain`` (presenter mode, ``hide=text``).
    """
    if text_hidden():
        return
    import references as refs

    with st.expander("References", icon=":material/menu_book:"):
        st.markdown("\n".join(f"- {refs.REFERENCES[k].entry()}" for k in keys))


# --------------------------------------------------------------------------------------------
# Hooks called by common.state.render_controls (so every page gets them without edits)
# --------------------------------------------------------------------------------------------
PAGE_STATE = "_ntk_page"  # {"page": page_key, "settings": {key: value}} of the current run
OVERRIDES = "_ntk_hidden_overrides"  # values the guided mode set for hidden controls

PRESENTER_CSS = """
<style>
/* Presenter mode (?present=1): projector-friendly, high contrast, figures and prompts only. */
/* the sidebar starts collapsed (set_page_config); its » button still opens the controls */
[data-testid=stMainBlockContainer] { max-width: 100% !important; padding: 1.5rem 2.5rem 2rem !important; }
[data-testid=stMain] { color: #000 !important; }
[data-testid=stMain] h1 { font-size: 3.2rem !important; font-weight: 800 !important; color: #000 !important; }
[data-testid=stMain] h2, [data-testid=stMain] h3 { font-size: 2.2rem !important; color: #000 !important; }
[data-testid=stMain] [data-testid=stMarkdownContainer] p,
[data-testid=stMain] [data-testid=stMarkdownContainer] li { font-size: 1.45rem !important; line-height: 1.45 !important; }
[data-testid=stMain] [data-testid=stCaptionContainer] { display: none !important; }
[data-testid=stMain] [data-testid=stMetricValue] p { font-size: 2.6rem !important; color: #000 !important; font-weight: 600; }
[data-testid=stMain] [data-testid=stMetricLabel] p { font-size: 1.2rem !important; }
/* finished progress boxes (st.status) are noise on a projector */
[data-testid=stMain] [data-testid=stExpander]:has([data-testid=stExpanderIconCheck]) { display: none !important; }
[class*="st-key-ntk_prompt"] { border: 4px solid #000 !important; background: #FFF8DC !important;
                                 border-radius: 0.6rem !important; padding: 1rem 1.4rem !important; }
[class*="st-key-ntk_prompt"] p, [class*="st-key-ntk_prompt"] li { font-size: 1.7rem !important; color: #000 !important; }
</style>
"""


def apply_page_modes() -> None:
    """Presenter mode: collapse the sidebar and inject the projector CSS."""
    if presenter():
        # Additive set_page_config call (Streamlit ≥ 1.4x): only changes the sidebar state.
        st.set_page_config(initial_sidebar_state="collapsed")
        st.html(PRESENTER_CSS)


def hidden_value(c):
    """Value of a control without a widget: guided-mode override, else its URL value, else default."""
    overrides = st.session_state.get(OVERRIDES, {})
    if c.key in overrides:
        return overrides[c.key]
    raw = _raw(c.key)
    if raw is not None:
        ok, value = c.parse(raw)
        if ok:
            return value
    return c.default


def before_widgets(page_key: str, controls) -> None:
    """Called before the widgets are created: the guided mode may set control values."""
    from common import guide

    guide.before_widgets(page_key, controls)


def url_value(c, value) -> str:
    """How ``value`` of control ``c`` is written in a URL: its short key (``Control.key_text``)."""
    return c.key_text(value)


def page_path() -> str:
    """This page's URL without the query string ('' when unknown, e.g. in AppTest)."""
    try:
        url = st.context.url or ""
    except Exception:
        url = ""
    base = url.split("?", 1)[0].split("#", 1)[0]
    if base.count("/") == 2:  # "http://host:port" (the default page): add the root path
        base += "/"
    return base


def link(controls, values, hide: list[str] | None = None, present: bool = False,
         keep_modes: bool = False, show: list[str] | None = None) -> str:
    """A URL reproducing ``values`` (non-default ones only) with the reduced-UI parameters
    (``hide=``; ``show=`` when ``show`` is given, even empty: then only those are shown)."""
    from urllib.parse import urlencode

    params = {c.key: url_value(c, values[c.key]) for c in controls if values[c.key] != c.default}
    if keep_modes:
        for name in MODE_PARAMS:
            raw = _raw(name)
            if raw is not None:
                params[name] = raw
    if hide:
        params[HIDE] = ",".join(hide)
    if show is not None:
        params[SHOW] = ",".join(show)
    if present:
        params[PRESENT] = "1"
    query = urlencode(params, safe=",")
    return page_path() + ("?" + query if query else "")


def settings() -> dict:
    """{"page", "settings", "link"} of the current run (what exports record)."""
    return st.session_state.get(PAGE_STATE, {"page": None, "settings": {}})


def after_widgets(page_key: str, controls, values: dict, container) -> None:
    """Record the settings for exports, add the Share box and the guided-mode panel."""
    st.session_state[PAGE_STATE] = {
        "page": page_key,
        "settings": {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()},
        "link": link(controls, values),  # reopens exactly this view
    }
    from common import guide

    if container is st.sidebar:
        with st.sidebar:
            guide.toggle_button(page_key)
            if presenter():
                st.button("Leave presenter mode", key=f"_ntk_present_leave_{page_key}",
                          on_click=_leave_presenter, icon=":material/fullscreen_exit:")
        share_box(page_key, controls, values)

    guide.panel(page_key, controls)


def share_box(page_key: str, controls, values: dict) -> None:
    """Sidebar: copy link to this exact view, and a builder for reduced-UI links."""
    with st.sidebar.expander("Share / classroom", icon=":material/share:"):
        st.markdown("**Link to this view** (copy with the icon at the right)")
        st.code(link(controls, values, keep_modes=True), language=None, wrap_lines=True)
        st.markdown("**Share a reduced version**")
        labels = {c.key: c.label for c in controls}
        shown = shown_names()
        only = st.checkbox(  # a checkbox, not a radio: the guided tour's answers are the page's radios
            "Show only some controls (pick those to keep)", value=shown is not None,
            key=f"_ntk_share_only_{page_key}",
            help="Hidden controls keep their current value and still drive the figures.",
        )
        if only:  # show=: one pick keeps one control, however many the page has
            keep = st.multiselect(
                "Show only these controls", options=list(labels), format_func=labels.get,
                default=[k for k in labels if shown is not None and k in shown],
                key=f"_ntk_share_show_{page_key}",
            )
        else:
            hide = st.multiselect(
                "Hide these controls", options=list(labels), format_func=labels.get,
                default=[k for k in labels if is_hidden(k)],
                key=f"_ntk_share_hide_{page_key}",
            )
        no_text = st.checkbox("Hide the explanations", key=f"_ntk_share_text_{page_key}")
        present = st.checkbox("Presenter mode (large fonts, no sidebar)",
                              key=f"_ntk_share_present_{page_key}")
        if only:  # with show=, the explanations are shown only when "text" is listed
            reduced = link(controls, values, show=keep + ([] if no_text else [TEXT]), present=present)
        else:
            reduced = link(controls, values, hide=hide + ([TEXT] if no_text else []), present=present)
        st.code(reduced, language=None, wrap_lines=True)


def _leave_presenter() -> None:
    try:
        del st.query_params[PRESENT]
    except KeyError:
        pass


def reproduce(page_key: str, settings: dict) -> None:
    """A "Reproduce in Python" expander: an ntkcore script that prints this page's numbers.

    ``settings`` are the values the page actually used (after any fallback). The
    per-lesson templates live in ``app/snippets.py``. Hidden in presenter mode
    and with ``hide=code``.
    """
    if presenter() or CODE in hidden_names():
        return
    try:
        import snippets
    except ImportError:
        return
    code = snippets.render(page_key, settings)
    if code is None:
        return
    with st.expander("Reproduce in Python", icon=":material/code:"):
        st.caption("A plain script (no Streamlit) with this page's current settings: it calls ntkcore and "
                   "prints the numbers shown here. Run it in the repository after `pip install -e .`.")
        st.code(code, language="python")
