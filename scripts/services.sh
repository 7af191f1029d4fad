#!/usr/bin/env bash
# Makes sure the database servers the tests use are running on loopback:
# PostgreSQL on 127.0.0.1:5432 (trust auth, database "test") and MariaDB on
# 127.0.0.1:3306 (root, empty password, database "test"). Idempotent: a
# server already answering is left alone; one that is installed but stopped
# is started; one that is missing is installed from Debian's packages (root only).
set -euo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_up() { for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done; echo "services.sh: nothing answers on 127.0.0.1:$1" >&2; return 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else echo "services.sh: needs root for: $*" >&2; return 1; fi; }

if ! up 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_up 5432
fi
if ! up 3306; then
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server
  fi
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  wait_up 3306
fi
echo "services.sh: PostgreSQL :5432 and MariaDB :3306 are up" >&2
