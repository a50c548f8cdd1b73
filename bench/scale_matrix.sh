#!/usr/bin/env bash
# The scaling table of docs/PERFORMANCE.md: 50 → 5,000 machines, 20,000 → 1,000,000 bookings.
# Each scale is seeded once in its own PostgreSQL database, then reused.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUNS=${RUNS:-200}
for scale in "5 20000 500" "5 200000 500" "50 20000 2000" "50 200000 2000" "50 1000000 2000" \
    "200 1000000 2000" "500 1000000 2000"; do
    read -r platforms bookings companies <<<"$scale"
    "$PY" bench/booking_core.py --platforms "$platforms" --machines-per-platform 10 \
        --bookings "$bookings" --companies "$companies" --runs "$RUNS"
done
