#!/usr/bin/env bash
# npm start: the main job for a newcomer. Installs what is missing (scripts/bootstrap.sh), starts the lab, runs the
# baseline scenario at its demo size (the ci profile, about a minute), tears the lab down and prints where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh start
exec node bin/perfgate.js run baseline --profile ci --lab "$@"
