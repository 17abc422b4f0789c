#!/usr/bin/env bash
# Runs a command as if the system components the tests use (tshark, redis-server, chromium, …)
# were not installed: in a private mount namespace, each of their programs is covered by an
# empty, non-executable file. Nothing changes outside the command. Needs root (unshare -m).
#
#   scripts/without-system.sh npm test
#   OPENMMSC_REQUIRE_ALL=1 scripts/without-system.sh node scripts/run-tests.mjs
set -euo pipefail
[ $# -gt 0 ] || { sed -n '2,7p' "$0"; exit 2; }

programs=(tshark dumpcap redis-server xmllint chromium bearerbox wapbox fakesmsc clamd ffmpeg ffprobe
  convert swaks python3 curl openssl mmsdtng dbus-daemon initdb pg_ctl postgres)
dirs=(/usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin /usr/lib/kannel/test /usr/lib/postgresql/*/bin)
IFS=: read -ra path_dirs <<<"${PATH:-}"

exec unshare -m --propagation private bash -s -- "$@" <<EOF
set -euo pipefail
empty=\$(mktemp)
chmod 0644 "\$empty"
for p in ${programs[*]}; do
  for d in ${dirs[*]} ${path_dirs[*]}; do
    [ -e "\$d/\$p" ] && mount --bind "\$empty" "\$d/\$p" 2>/dev/null || true
  done
done
exec "\$@"
EOF
