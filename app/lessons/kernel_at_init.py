"""Lesson: The kernel at initialization. Placeholder -- the lesson author replaces this file."""

import streamlit as st

st.title('The kernel at initialization')
st.info("Lesson under construction")
