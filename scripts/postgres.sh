#!/usr/bin/env bash
# Sourced by scripts/check.sh before pytest (which runs under `set -euo pipefail`).
# When SHUYUN_DATABASE_URL is unset: install Debian's PostgreSQL if missing, start a throwaway
# cluster in a temp dir on 127.0.0.1 and a free port, create a database, export
# SHUYUN_DATABASE_URL=postgresql+psycopg://..., and stop and delete the cluster when the
# calling shell exits. In CI (CI=true) any failure is fatal; elsewhere it warns and the tests
# marked `postgres` are skipped.

_shuyun_pg_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "postgres.sh: 错误 / ERROR: $* (CI=true: the PostgreSQL tests must run)" >&2
    exit 1
  fi
  echo "postgres.sh: 警告 / WARNING: $*; tests marked 'postgres' will be skipped" >&2
  return 1
}

_shuyun_pg_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return 0
  fi
  # Debian keeps the server binaries out of PATH, one folder per major version.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

_shuyun_pg_start() {
  local bindir tmp port run_as
  if ! bindir=$(_shuyun_pg_bindir); then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "postgres.sh: installing postgresql (apt-get) ..." >&2
      if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }; then
        _shuyun_pg_fail "apt-get install postgresql failed"
        return 1
      fi
    fi
    if ! bindir=$(_shuyun_pg_bindir); then
      _shuyun_pg_fail "PostgreSQL server binaries (initdb, pg_ctl) not found"
      return 1
    fi
  fi

  tmp=$(mktemp -d /tmp/shuyun-pg.XXXXXX)
  # initdb refuses to run as root: run the server as the `postgres` user when we are root.
  run_as=()
  if [ "$(id -u)" = "0" ]; then
    if ! id postgres >/dev/null 2>&1; then
      _shuyun_pg_fail "running as root and there is no 'postgres' user to run the server"
      return 1
    fi
    chown postgres "$tmp"
    run_as=(runuser -u postgres --)
  fi
  port=$("$PWD/.venv/bin/python" -c \
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

  if ! "${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U shuyun --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1; then
    cat "$tmp/initdb.log" >&2
    _shuyun_pg_fail "initdb failed"
    return 1
  fi
  if ! "${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
    cat "$tmp/server.log" >&2
    _shuyun_pg_fail "pg_ctl start failed"
    return 1
  fi
  SHUYUN_PG_DIR=$tmp
  SHUYUN_PG_CTL=("${run_as[@]}" "$bindir/pg_ctl")
  # Chain onto any EXIT trap the caller already has instead of replacing it.
  local previous
  previous=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
  # shellcheck disable=SC2064
  trap "_shuyun_pg_stop; ${previous:-:}" EXIT

  if ! "$bindir/createdb" -h 127.0.0.1 -p "$port" -U shuyun shuyun_test; then
    _shuyun_pg_fail "createdb failed"
    return 1
  fi
  export SHUYUN_DATABASE_URL="postgresql+psycopg://shuyun@127.0.0.1:$port/shuyun_test"
  echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

_shuyun_pg_stop() {
  if [ -n "${SHUYUN_PG_DIR:-}" ] && [ -d "$SHUYUN_PG_DIR" ]; then
    "${SHUYUN_PG_CTL[@]}" -D "$SHUYUN_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$SHUYUN_PG_DIR"
    SHUYUN_PG_DIR=
  fi
}

if [ -z "${SHUYUN_DATABASE_URL:-}" ]; then
  _shuyun_pg_start || true
fi
