#!/usr/bin/env bash
# Set Xinyong up in ./.venv, build the demo city (扬州市) on the embedded SQLite database, and serve the
# portal, the admin console and the API at http://127.0.0.1:8000. Safe to run again: an existing demo
# city is kept and served as it is (delete ./data/demo to build it anew).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Xinyong needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))." >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

# PDF credit reports embed a Chinese font: install one where we can (root on Debian/Ubuntu), else say so.
if [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] && [ ! -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-zenhei >/dev/null \
            || echo "Could not install fonts-wqy-zenhei: PDF credit reports need a Chinese font." >&2
    else
        echo "Note: PDF credit reports need a Chinese font: install fonts-wqy-zenhei or fonts-noto-cjk (apt-get install fonts-wqy-zenhei fonts-noto-cjk)." >&2
    fi
fi

export XINYONG_DATA_DIR=${XINYONG_DATA_DIR:-$PWD/data/demo}
export XINYONG_DEMO=1
credentials="$XINYONG_DATA_DIR/demo-credentials.txt"
if [ ! -f "$credentials" ]; then
    .venv/bin/xinyong demo --seed "${XINYONG_DEMO_SEED:-1}" --subjects "${XINYONG_DEMO_SUBJECTS:-20000}"
fi
echo
echo "Demo logins (also in $credentials):"
cat "$credentials"
echo
exec .venv/bin/xinyong serve --host 127.0.0.1 --port "${XINYONG_PORT:-8000}"
