"""Lesson: Welcome. Placeholder -- the lesson author replaces this file."""

import streamlit as st

st.title('Welcome')
st.info("Lesson under construction")
