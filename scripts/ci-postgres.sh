#!/usr/bin/env bash
# Source this (CI: `.ci/run`): starts a throwaway PostgreSQL server on loopback and exports
# DATABASE_URL, so the services' tests run against a real server as well as their embedded default.
# Debian's PostgreSQL 15 (the runbooks' version) comes with the machine image; it is installed if missing.
# `stop_ci_postgres` stops it and removes its data.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "ci-postgres: installing Debian's PostgreSQL 15"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
ci_pg_bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
ci_pg_dir="$(mktemp -d /tmp/ci-postgres-XXXXXX)"
chmod 755 "$ci_pg_dir"
ci_pg_port="${CI_POSTGRES_PORT:-55432}"
ci_pg_password="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
ci_pg_as=()
# PostgreSQL refuses to run as root: run it as the system's postgres user.
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$ci_pg_dir"
  ci_pg_as=(runuser -u postgres --)
fi
printf '%s\n' "$ci_pg_password" > "$ci_pg_dir/pwfile"
chmod 600 "$ci_pg_dir/pwfile"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$ci_pg_dir/pwfile"
"${ci_pg_as[@]}" "$ci_pg_bin/initdb" -D "$ci_pg_dir/data" -U cloak --pwfile="$ci_pg_dir/pwfile" --auth=scram-sha-256 -E UTF8 >/dev/null
rm -f "$ci_pg_dir/pwfile"
"${ci_pg_as[@]}" "$ci_pg_bin/pg_ctl" -D "$ci_pg_dir/data" -l "$ci_pg_dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $ci_pg_port -k $ci_pg_dir" start >/dev/null
export DATABASE_URL="postgresql://cloak:${ci_pg_password}@127.0.0.1:${ci_pg_port}/postgres"
echo "ci-postgres: PostgreSQL $("$ci_pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$ci_pg_port"

stop_ci_postgres() {
  "${ci_pg_as[@]}" "$ci_pg_bin/pg_ctl" -D "$ci_pg_dir/data" -m fast -w stop >/dev/null || true
  rm -rf "$ci_pg_dir"
  unset DATABASE_URL
}
