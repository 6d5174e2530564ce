#!/bin/sh
# UI peak memory: runs the release binary in a detached tmux session under `/usr/bin/time -v`,
# waits until the patient list is drawn (loading finished and everyone evaluated), quits with
# `q`, and prints the maximum resident set size and the time to fully loaded.
#
#   cargo build --release
#   benches/ui_peak_rss.sh [PATIENTS_DIR]      # default target/bench-data/q100000
#
# The queue comes from `trialmatch generate --count 100000 --seed 1 --out target/bench-data/q100000`.
set -eu
dir=${1:-target/bench-data/q100000}
bin=${BIN:-./target/release/trialmatch}
session=tm-peak-rss-$$
out=/tmp/$session-time.txt
db=/tmp/$session-db
mkdir -p "$db"
rm -f "$out"
start=$(date +%s.%N)
tmux new-session -d -s "$session" -x 160 -y 48 \
    "/usr/bin/time -v -o $out $bin --db $db/w.sqlite3 --patients $dir --as-of 2026-11-22; sleep 600"
while :; do
    screen=$(tmux capture-pane -p -t "$session" 2>/dev/null || true)
    if printf '%s' "$screen" | grep -q 'best match first' &&
        ! printf '%s' "$screen" | grep -qi 'loading'; then
        break
    fi
    sleep 0.2
done
loaded=$(date +%s.%N)
tmux send-keys -t "$session" q
while [ ! -s "$out" ] || ! grep -q 'Exit status' "$out"; do sleep 0.2; done
tmux kill-session -t "$session" 2>/dev/null || true
rm -rf "$db"
echo "fully loaded after $(awk "BEGIN { printf \"%.1f\", $loaded - $start }") s (polled every 0.2 s)"
grep -E 'Maximum resident|Elapsed' "$out"
rm -f "$out"
