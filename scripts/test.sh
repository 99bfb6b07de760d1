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

exec python -m pytest "$@"
