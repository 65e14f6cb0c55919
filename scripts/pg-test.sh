#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server.
#
#   bash scripts/pg-test.sh .venv/bin/pytest tests/store tests/web
#
# Installs Debian's postgresql package if it is missing (needs root or sudo),
# creates a cluster in a temp dir on a free port, sets RETROWALK_TEST_POSTGRES_URL
# for the command, and stops and removes the cluster afterwards.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 64
fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! BIN="$(pg_bindir)"; then
  echo "pg-test: installing postgresql (Debian package)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null; then break; fi
    echo "pg-test: apt busy or failed (attempt $attempt), retrying in 15 s" >&2
    sleep 15
  done
  BIN="$(pg_bindir)" || { echo "pg-test: postgresql could not be installed" >&2; exit 1; }
fi

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
WORK="$(mktemp -d /tmp/retrowalk-pg.XXXXXX)"
chmod 755 "$WORK"

# PostgreSQL refuses to run as root: use the postgres user when we are root.
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$WORK"
  RUN=(runuser -u postgres --)
fi

cleanup() {
  "${RUN[@]}" "$BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

"${RUN[@]}" "$BIN/initdb" -D "$WORK/data" -U retrowalk -A trust --no-sync -E UTF8 >/dev/null
"${RUN[@]}" "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"${RUN[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U retrowalk retrowalk

export RETROWALK_TEST_POSTGRES_URL="postgresql+psycopg://retrowalk@127.0.0.1:$PORT/retrowalk"
echo "pg-test: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on port $PORT" >&2
set +e
"$@"
status=$?
set -e
exit $status
