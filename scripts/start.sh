#!/usr/bin/env bash
# npm start: the main job for a newcomer. Installs what is missing, starts the lab, runs the baseline scenario at its
# demo size (the ci profile, about a minute), tears the lab down and prints where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'perfgate: %s\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or later is required (found $(node -v))."
  exit 1
fi

missing=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null; }
have initdb || missing+=(postgresql)
have redis-server || missing+=(redis-server)
have pgbouncer || missing+=(pgbouncer)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v apt-get >/dev/null 2>&1; then
    say "missing: ${missing[*]}. Install them with:"
    say "  sudo apt-get install -y ${missing[*]}"
    exit 1
  elif command -v brew >/dev/null 2>&1; then
    say "missing: ${missing[*]}. Install them with:"
    say "  brew install postgresql redis pgbouncer"
    exit 1
  else
    say "missing: ${missing[*]}. Install PostgreSQL, Redis and PgBouncer with your package manager, then run npm start again."
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

exec node bin/perfgate.js run baseline --profile ci --lab "$@"
