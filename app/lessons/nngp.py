"""Lesson: NNGP and ensembles. Placeholder -- the lesson author replaces this file."""

import streamlit as st

st.title('NNGP and ensembles')
st.info("Lesson under construction")
