#!/usr/bin/env bash
# Install everything the tests need (fresh Debian, as root) and run the test suite.
#   bash scripts/test.sh                 # all tests
#   bash scripts/test.sh tests/app -x    # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python -m pip install --disable-pip-version-check -q -r requirements-test.txt

# Browser tests drive Debian's chromium through Playwright (`playwright install`
# cannot download browsers here).
if [ ! -x /usr/bin/chromium ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

if [ "$#" -gt 0 ]; then
    exec python -m pytest "$@"
fi
# Whole suite: the library tests and the app/browser tests run in separate pytest
# processes. The app tests import app/common, which turns on the persistent JAX
# compilation cache for the rest of that process; keeping the library tests in a
# process of their own keeps their JAX state independent of the app's (one long
# shared process once crashed inside an XLA compile).
status=0
python -m pytest tests/test_ntkcore_*.py || status=$?
python -m pytest tests/app tests/browser || status=$?
exit $status
