"""Classroom: the preset gallery (/presets) — one-click configurations of the lessons."""

from pathlib import Path

import streamlit as st
from common.classroom import explain
from presets import available, lesson_scripts

APP_DIR = Path(__file__).resolve().parents[1]

st.title("Preset gallery")
explain(
    "Named configurations of the lessons: settings taken from papers and this app's own runs of published "
    "findings. Each card opens its lesson with the controls already set; the sentence says what to look at, "
    "and the small print names the work it follows (numbers on the cards are measured here, in this app's "
    "setting, not quoted from the papers). Every setting stays in the link, so "
    "you can copy it from the address bar (or from the lesson's *Share / classroom* box) and send it on. "
    "Add `&present=1` to a link for a projector, `&guide=1` for the guided tour."
)

scripts = lesson_scripts()
titles = {}
COLS = 3
presets = available()
for row in range(0, len(presets), COLS):
    cols = st.columns(COLS)
    for col, p in zip(cols, presets[row:row + COLS]):
        with col.container(border=True, height="stretch"):
            st.markdown(f"#### {p.name}")
            st.markdown(p.what)
            if p.source:
                st.caption(p.source)
            st.page_link(str(scripts[p.page].relative_to(APP_DIR)), label=f"Open /{p.page}",
                         icon=":material/play_arrow:", query_params=p.params)
