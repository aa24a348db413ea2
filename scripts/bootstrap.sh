#!/usr/bin/env bash
# Installs what a fresh machine lacks before `npm start`, `npm test` or `npm run bench`, then returns:
#   bash scripts/bootstrap.sh start|test|bench
# 1. Node.js 20 or later, or a clear exit.
# 2. The system packages the command needs. Found: nothing happens. Missing: as root with apt-get, `apt-get update`
#    and `apt-get install`; otherwise the exact install command is printed and the script exits 1.
#    start needs PostgreSQL (with pg_stat_statements), Redis and PgBouncer; test and bench also need pgBackRest (the
#    recovery drills), Chromium, nginx, wrk, openssl and Prometheus (with promtool).
# 3. `npm ci` when node_modules is missing or older than package-lock.json (before anything imports a dependency).
# Binaries are looked up as the lab looks them up: in PERFGATE_BIN_DIRS (a colon-separated list) when it is set,
# else in PATH and the usual system folders.
set -euo pipefail
shopt -s nullglob

say() { printf 'perfgate: %s\n' "$*" >&2; }

case "${1:-}" in
  start) wanted=(postgresql postgresql-contrib redis-server pgbouncer) ;;
  test | bench) wanted=(postgresql postgresql-contrib redis-server pgbouncer pgbackrest chromium nginx-light wrk openssl prometheus) ;;
  *)
    say "usage: bash scripts/bootstrap.sh start|test|bench"
    exit 2
    ;;
esac

here=${BASH_SOURCE[0]%/*}
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
cd "$here/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or later is required (found $(node -v))."
  exit 1
fi

# The folders searched for binaries, in the lab's order (src/lab/binaries.ts).
if [ -n "${PERFGATE_BIN_DIRS+set}" ]; then
  IFS=: read -r -a dirs <<<"$PERFGATE_BIN_DIRS"
else
  IFS=: read -r -a dirs <<<"$PATH"
  dirs+=(/usr/lib/postgresql/*/bin /usr/local/opt/postgresql*/bin /opt/homebrew/opt/postgresql*/bin)
  dirs+=(/usr/sbin /usr/local/sbin /usr/local/bin /opt/homebrew/bin /usr/bin)
fi

# Prints the path of the first of the names found in the folders; fails when none is.
find_bin() {
  local name dir
  for name in "$@"; do
    for dir in ${dirs[@]+"${dirs[@]}"}; do
      if [ -n "$dir" ] && [ -f "$dir/$name" ] && [ -x "$dir/$name" ]; then
        printf '%s\n' "$dir/$name"
        return 0
      fi
    done
  done
  return 1
}

# True when the PostgreSQL found has pg_stat_statements in its library folder (next to the real initdb, through
# symlinks such as /usr/local/bin/initdb, or where its pg_config says).
has_pg_stat_statements() {
  local initdb real lib file
  initdb=$(find_bin initdb) || return 1
  real=$(readlink -f "$initdb" 2>/dev/null) || real=$initdb
  lib=${real%/bin/initdb}/lib
  if [ -x "${real%/initdb}/pg_config" ]; then lib=$("${real%/initdb}/pg_config" --pkglibdir 2>/dev/null) || lib=${real%/bin/initdb}/lib; fi
  for file in "$lib"/pg_stat_statements.* "$lib"/*/pg_stat_statements.*; do
    case "$file" in *.so | *.dylib) [ -f "$file" ] && return 0 ;; esac
  done
  return 1
}

# True when the Debian package's binary (or library) is present.
present() {
  case "$1" in
    postgresql) find_bin initdb >/dev/null ;;
    postgresql-contrib) has_pg_stat_statements ;;
    chromium) find_bin chromium chromium-browser google-chrome google-chrome-stable >/dev/null ;;
    nginx-light) find_bin nginx >/dev/null ;;
    prometheus) find_bin prometheus >/dev/null && find_bin promtool >/dev/null ;;
    *) find_bin "$1" >/dev/null ;;
  esac
}

# Sets `missing` to the wanted packages that are not present.
find_missing() {
  local pkg
  missing=()
  for pkg in "${wanted[@]}"; do present "$pkg" || missing+=("$pkg"); done
}

# Says how to install the packages where perfgate cannot do it itself, and exits 1.
explain_and_exit() {
  say "missing: $*."
  if command -v apt-get >/dev/null 2>&1; then
    say "Install them with:"
    say "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $*"
  elif command -v brew >/dev/null 2>&1; then
    local brew=() pkg
    for pkg in "$@"; do
      case "$pkg" in
        postgresql-contrib | chromium) ;;
        redis-server) brew+=(redis) ;;
        nginx-light) brew+=(nginx) ;;
        *) brew+=("$pkg") ;;
      esac
    done
    say "Install them with:"
    [ ${#brew[@]} -gt 0 ] && say "  brew install ${brew[*]}"
    [[ " $* " == *" chromium "* ]] && say "  brew install --cask chromium"
  else
    say "Install them with your package manager, then run the command again."
  fi
  exit 1
}

find_missing
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then explain_and_exit "${missing[@]}"; fi
  say "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  find_missing
  if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get ran, but these are still not found: ${missing[*]}."
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
