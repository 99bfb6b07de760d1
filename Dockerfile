# NTK Lab for public hosting. Commands (README, "Deploy"):
#   docker build -t ntk-lab .
#   docker run --rm -p 8501:8501 ntk-lab        # then open http://localhost:8501
# The base image is referenced by tag: pin it by digest (python:3.11-slim@sha256:…) where a
# registry is reachable to look the digest up.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Visitors never see error details (.streamlit/config.toml and app/common/hosting.py: "none");
# tracebacks go to the container log.

# Unprivileged user; its home holds the persistent JAX compilation cache (~/.cache/ntk-lab/jax).
RUN useradd --create-home --uid 10001 ntk
WORKDIR /app

# Dependencies first (cached layer): the full pinned set (requirements.lock, written by
# scripts/lock_requirements.py from requirements.txt), then ntkcore itself without resolving again.
COPY requirements.lock pyproject.toml README.md ./
RUN pip install -r requirements.lock
COPY ntkcore/ ntkcore/
RUN pip install --no-deps -e .
COPY .streamlit/ .streamlit/
COPY app/ app/

USER ntk
EXPOSE 8501
# Streamlit's own health endpoint answers "ok" once the server is up (python: the slim image has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]
# app/serve.py = app/streamlit_app.py + a start-up hook that warms every page's defaults in the background.
CMD ["streamlit", "run", "app/serve.py", "--server.port=8501", "--server.address=0.0.0.0"]
