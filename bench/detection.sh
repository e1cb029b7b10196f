#!/usr/bin/env bash
# Recall and noise of the detector.
#
#   bench/detection.sh [OLD_LEAKFIX]
#
# Builds a labelled set under $BENCH_DIR/detection (bench/detection: every
# rule example in the pack, generated assignment / connection-string /
# credential-file cases, and files of real Go module source as negatives),
# scans it, and prints recall, false positives and their rules. Then scans
# the whole module cache (`go env GOMODCACHE`, the "real code" noise
# figure) and prints findings by rule and by confidence. With OLD_LEAKFIX
# (a binary built from an earlier commit), the same figures for it follow,
# for a before/after comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/leakfix-bench}
SET="$BENCH_DIR/detection"
mkdir -p "$BENCH_DIR"
go build -o "$BENCH_DIR/leakfix" ./cmd/leakfix
MODCACHE=$(go env GOMODCACHE)
rm -rf "$SET"
go run ./bench/detection -gen "$SET" -modcache "$MODCACHE" -neg-files "${NEG_FILES:-400}"

# noise BIN REPORT: findings on the module cache by rule and confidence.
noise() {
  local roots=()
  for d in "$MODCACHE"/*; do [ "$(basename "$d")" = cache ] || roots+=("$d"); done
  "$1" scan --no-ignore --quiet --format json "${roots[@]}" > "$2" || [ $? -eq 1 ]
  python3 - "$2" <<'PY'
import collections, json, sys
fs = json.load(open(sys.argv[1]))
by = collections.Counter(f["rule_id"] for f in fs)
conf = collections.Counter(f.get("confidence", "") for f in fs)
print(f"module-cache findings: {len(fs)} (high {conf['high']}, medium {conf['medium']}, low {conf['low']})")
for rule, n in by.most_common():
    med = sum(1 for f in fs if f["rule_id"] == rule and f.get("confidence") in ("high", "medium"))
    print(f"  {rule:<40} {n:4d}  (medium+: {med})")
PY
}

for bin in "$BENCH_DIR/leakfix" ${1:+"$1"}; do
  echo "== $bin"
  "$bin" scan --no-ignore --quiet --format json "$SET" > "$BENCH_DIR/detection.json" || [ $? -eq 1 ]
  go run ./bench/detection -score "$SET" -report "$BENCH_DIR/detection.json"
  noise "$bin" "$BENCH_DIR/noise.json"
done
