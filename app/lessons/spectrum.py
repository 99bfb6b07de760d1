"""Lesson: Spectrum and spectral bias. Placeholder -- the lesson author replaces this file."""

import streamlit as st

st.title('Spectrum and spectral bias')
st.info("Lesson under construction")
