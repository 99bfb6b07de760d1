"""Lesson: Training is kernel regression. Placeholder -- the lesson author replaces this file."""

import streamlit as st

st.title('Training is kernel regression')
st.info("Lesson under construction")
