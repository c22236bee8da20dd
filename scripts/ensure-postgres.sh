#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 (trust auth, user postgres): starts the
# installed cluster when it is down, creates one when none exists.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL is not running on 127.0.0.1:5432 and this is not root: start it, or unset PASSAGE_TEST_POSTGRES" >&2
  exit 1
fi
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_createcluster "$version" main >/dev/null
fi
config=/etc/postgresql/$version/main
# Local tests only: trust connections from this machine, on loopback.
if ! grep -q "passage-test" "$config/pg_hba.conf"; then
  sed -i '1i host all all 127.0.0.1/32 trust # passage-test\nhost all all ::1/128 trust # passage-test\nlocal all all trust # passage-test' "$config/pg_hba.conf"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "PostgreSQL did not start" >&2
exit 1
