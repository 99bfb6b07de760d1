"""Guided "predict, then reveal" mode (``?guide=1``), one engine for every lesson.

The steps of each lesson are data in ``app/guides.py`` (``GUIDES[page_key]``,
``page_key`` as passed to ``render_controls``). A step sets some controls,
asks a multiple-choice question and — once the student has picked an answer —
says right or wrong, shows the explanation and reveals the page's figures
(``common.figures.show`` renders a placeholder until then).

State lives in ``st.session_state`` under ``_ntk_guide_<page>_*`` keys; the
controls are set through their session-state keys (bound widgets cannot be set
through ``st.query_params``), so the URL follows the step's settings.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from common import classroom


@dataclass(frozen=True)
class Step:
    """One guided step: set ``settings``, ask ``question``; ``options[answer]`` is right."""

    title: str
    question: str
    options: tuple[str, ...]
    answer: int
    explanation: str
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f"step {self.title!r}: answer index out of range")

    @property
    def order(self) -> tuple[int, ...]:
        """The order in which the options are shown: indices into ``options``.

        A fixed shuffle seeded by the step's title and question, so every student of a class sees the
        same order in every process, and the right answer is not always in the same place (authors
        tend to put it second: 26 of 32 steps did).
        """
        seed = int.from_bytes(hashlib.sha256(f"{self.title}\0{self.question}".encode()).digest()[:8], "big")
        order = list(range(len(self.options)))
        random.Random(seed).shuffle(order)
        return tuple(order)

    @property
    def shown_options(self) -> list[str]:
        """``options`` in display order (``order``)."""
        return [self.options[j] for j in self.order]


def steps_for(page_key: str) -> list[Step]:
    try:
        from guides import GUIDES
    except ImportError:  # app/ not on sys.path (plain library use)
        return []
    return list(GUIDES.get(page_key, ()))


def _k(page_key: str, name: str) -> str:
    return f"_ntk_guide_{page_key}_{name}"


def current(page_key: str) -> int:
    n = len(steps_for(page_key))
    return min(max(int(st.session_state.get(_k(page_key, "step"), 0)), 0), max(n - 1, 0))


def apply_step(page_key: str, index: int, controls=()) -> None:
    """Go to step ``index`` and set its controls (safe inside a widget callback)."""
    steps = steps_for(page_key)
    index = min(max(index, 0), len(steps) - 1)
    st.session_state[_k(page_key, "step")] = index
    st.session_state[_k(page_key, "applied")] = index
    overrides = dict(st.session_state.get(classroom.OVERRIDES, {}))
    for key, value in steps[index].settings.items():
        if classroom.is_hidden(key):
            overrides[key] = value
        else:
            st.session_state[key] = value
    st.session_state[classroom.OVERRIDES] = overrides


def active(page_key: str) -> bool:
    return classroom.guided() and bool(steps_for(page_key))


def before_widgets(page_key: str, controls) -> None:
    """On entering the guided mode, apply the current step's settings before the widgets exist."""
    if active(page_key) and st.session_state.get(_k(page_key, "applied")) != current(page_key):
        apply_step(page_key, current(page_key), controls)


def answer(page_key: str, index: int | None = None) -> int | None:
    """The option the student picked in step ``index`` (default: current), or None."""
    i = current(page_key) if index is None else index
    return st.session_state.get(_k(page_key, f"first_{i}"))


def _record(page_key: str, i: int) -> None:
    """Radio callback: keep the student's first prediction (later clicks do not change the verdict)."""
    picked = st.session_state.get(_k(page_key, f"answer_{i}"))
    options = steps_for(page_key)[i].options
    if _k(page_key, f"first_{i}") not in st.session_state and picked in options:
        st.session_state[_k(page_key, f"first_{i}")] = options.index(picked)


def hide_figures() -> bool:
    """True while the current guided step waits for an answer (figures stay hidden)."""
    page = classroom.settings().get("page")
    return bool(page) and active(page) and answer(page) is None


def _exit() -> None:
    try:
        del st.query_params[classroom.GUIDE]
    except KeyError:
        pass


def _start(page_key: str) -> None:
    st.query_params[classroom.GUIDE] = "1"
    st.session_state.pop(_k(page_key, "applied"), None)
    st.session_state[_k(page_key, "step")] = 0


def toggle_button(page_key: str) -> None:
    """Sidebar button that starts (or leaves) the guided tour of this page, if it has one."""
    if not steps_for(page_key):
        return
    if classroom.guided():
        st.button("Leave the guided tour", key=_k(page_key, "leave"), on_click=_exit,
                  icon=":material/close:")
    else:
        st.button("Start the guided tour", key=_k(page_key, "start"), on_click=_start,
                  args=(page_key,), icon=":material/school:",
                  help="Predict, then reveal: a few questions that walk through this lesson")


def panel(page_key: str, controls=()) -> None:
    """The guided-tour box (main area, where render_controls is called)."""
    if not active(page_key):
        return
    steps = steps_for(page_key)
    i = current(page_key)
    step = steps[i]
    with st.container(border=True, key=_k(page_key, "panel")):
        st.progress((i + 1) / len(steps), text=f"Guided tour · step {i + 1} of {len(steps)}: {step.title}")
        if step.settings:
            labels = {c.key: c for c in controls}
            st.caption("This step sets " + ", ".join(
                f"{labels[k].label if k in labels else k} = {labels[k].fmt(v) if k in labels else v}"
                for k, v in step.settings.items()))
        first = answer(page_key)
        question = f"**Predict:** {step.question}"
        if first is None:
            st.radio(question, options=step.shown_options, index=None,
                     key=_k(page_key, f"answer_{i}"), on_change=_record, args=(page_key, i))
        else:
            # Locked on the first prediction, which the verdict below is about. A separate widget:
            # disabling the answering radio would clear its value (Streamlit 1.67).
            st.radio(question, options=step.shown_options, index=step.order.index(first), disabled=True,
                     key=_k(page_key, f"locked_{i}"))
            # Streamlit greys a disabled radio out; a locked prediction must stay readable on a projector.
            st.html(f"<style>.st-key-{_k(page_key, f'locked_{i}')} * {{ color: inherit !important; "
                    "opacity: 1 !important; }</style>")
        picked = answer(page_key)
        if picked is None:
            st.caption("Pick an answer to reveal the figures and the explanation.")
            # the page's numbers would give the answer away: hide them until the prediction is made
            st.html("<style>[data-testid=stMain] [data-testid=stMetric] { visibility: hidden; }</style>")
        else:
            if picked == step.answer:
                st.success(f"**Right.** {step.explanation}", icon=":material/check_circle:")
            else:
                st.error(f"**Not quite** — the answer is *{step.options[step.answer]}*. {step.explanation}",
                         icon=":material/cancel:")
        c1, c2, c3 = st.columns(3)
        c1.button("← Previous step", key=_k(page_key, "prev"), disabled=i == 0,
                  on_click=apply_step, args=(page_key, i - 1, controls))
        if i + 1 < len(steps):
            c2.button("Next step →", key=_k(page_key, "next"), type="primary", disabled=picked is None,
                      on_click=apply_step, args=(page_key, i + 1, controls))
        else:
            c2.button("Finish the tour", key=_k(page_key, "finish"), type="primary",
                      disabled=picked is None, on_click=_exit)
        c3.button("Leave the tour", key=_k(page_key, "leave_main"), on_click=_exit)
