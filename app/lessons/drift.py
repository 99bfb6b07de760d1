"""Lesson: Kernel drift: lazy vs rich. Placeholder -- the lesson author replaces this file."""

import streamlit as st

st.title('Kernel drift: lazy vs rich')
st.info("Lesson under construction")
