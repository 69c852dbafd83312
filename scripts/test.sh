#!/usr/bin/env bash
# Set up everything the test suite needs and run all of it, on SQLite and on PostgreSQL.
# As root on Debian/Ubuntu, missing system packages are installed and PostgreSQL is started; otherwise
# the script says exactly what to install. XINYONG_TEST_POSTGRES_URL may name another server (the tests
# create and drop their own databases on it).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Xinyong needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))." >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }
have_apt() { command -v apt-get >/dev/null 2>&1; }
apt_updated=
apt_install() {
    if is_root && have_apt; then
        [ -n "$apt_updated" ] || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; apt_updated=1; }
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    else
        echo "Please install these system packages and run again: $*" >&2; exit 1
    fi
}

# --- PostgreSQL --------------------------------------------------------------------------------
if [ -z "${XINYONG_TEST_POSTGRES_URL:-}" ]; then
    export XINYONG_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres
    if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql postgresql-client
        cluster=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
        if [ -z "$cluster" ]; then
            echo "PostgreSQL is installed but has no cluster; create one with pg_createcluster." >&2; exit 1
        fi
        if is_root; then
            pg_ctlcluster --skip-systemctl-redirect "$cluster" main start 2>/dev/null \
                || pg_ctlcluster "$cluster" main start
        else
            echo "PostgreSQL is not running on 127.0.0.1:5432: start it (pg_ctlcluster $cluster main start)" >&2
            exit 1
        fi
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
    command -v psql >/dev/null 2>&1 || apt_install postgresql-client
    if ! psql "$XINYONG_TEST_POSTGRES_URL" -Atqc 'select 1' >/dev/null 2>&1; then
        # A fresh Debian cluster refuses password-less TCP logins: give the postgres role a test password.
        if is_root && id postgres >/dev/null 2>&1; then
            su postgres -c "psql -qc \"ALTER ROLE postgres PASSWORD 'xinyong-test'\"" >/dev/null
            export XINYONG_TEST_POSTGRES_URL=postgresql://postgres:xinyong-test@127.0.0.1:5432/postgres
        fi
        psql "$XINYONG_TEST_POSTGRES_URL" -Atqc 'select 1' >/dev/null || {
            echo "Cannot log in to PostgreSQL at $XINYONG_TEST_POSTGRES_URL; set XINYONG_TEST_POSTGRES_URL." >&2
            exit 1; }
    fi
fi
export XINYONG_TEST_REQUIRE_POSTGRES=1

# --- Reports: a Chinese font to embed, and the tools the tests read PDFs and QR codes back with ---
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || apt_install fonts-wqy-zenhei
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || apt_install fonts-noto-cjk
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || apt_install poppler-utils
command -v zbarimg >/dev/null 2>&1 || apt_install zbar-tools
# --- Browser tests: Debian's Chromium (Playwright drives it; it never downloads a browser) ------
command -v chromium >/dev/null 2>&1 || apt_install chromium

# --- Python ------------------------------------------------------------------------------------
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

.venv/bin/ruff check src tests bench
.venv/bin/python -m pytest "$@"
