#!/usr/bin/env bash
# Times whole `leakfix scan` runs, reporting MB/s and peak RSS, next to
# ripgrep searching the same tree for every rule keyword (the cost of just
# reading and matching the bytes), and leakfix's start-up time.
#
#   bench/scan.sh [REAL_TREE]
#
# REAL_TREE defaults to the Go module cache (`go env GOMODCACHE` after
# `go mod download`). A generated 200 MB tree is made under $BENCH_DIR
# (default /tmp/leakfix-bench) once and reused. Needs: go, rg (Debian
# ripgrep), /usr/bin/time (Debian time).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/leakfix-bench}
mkdir -p "$BENCH_DIR"
for tool in rg /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/scan.sh needs $tool (apt-get install -y ripgrep time)" >&2; exit 2; }
done

go build -o "$BENCH_DIR/leakfix" ./cmd/leakfix
LEAKFIX="$BENCH_DIR/leakfix"

go mod download
REAL=${1:-$(go env GOMODCACHE)}
GEN="$BENCH_DIR/gen-tree"
if [ ! -f "$GEN/.done" ]; then
  rm -rf "$GEN"
  go run ./bench/gentree -out "$GEN" -mb 200
  touch "$GEN/.done"
fi

# All rule keywords, for rg's fixed-string search.
"$LEAKFIX" rules list 2>/dev/null | awk 'NR>1 {print $6}' | tr ',' '\n' | grep -v '^-$' | grep -v '^$' | sort -u > "$BENCH_DIR/keywords.txt"

mb() { du -sb --apparent-size "$1" | awk '{printf "%.1f", $1/1e6}'; }

# run LABEL CMD... : prints wall seconds, MB/s over $SIZE, peak RSS MiB.
run() {
  local label=$1; shift
  # Warm the page cache so both tools read from memory.
  /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>&1 || true
  /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>&1 || true
  # time(1) prefixes "Command exited with non-zero status N" when the
  # command fails (leakfix exits 1 on findings): the figures are last.
  read -r secs kb < <(tail -n 1 "$BENCH_DIR/time.txt")
  awk -v l="$label" -v s="$secs" -v k="$kb" -v size="$SIZE" \
    'BEGIN { printf "  %-34s %7.2f s  %8.1f MB/s  %7.1f MiB peak RSS\n", l, s, (s>0?size/s:0), k/1024 }'
}

for tree in "$REAL" "$GEN"; do
  SIZE=$(mb "$tree")
  echo "== $tree ($SIZE MB, $(find "$tree" -type f | wc -l) files, $(nproc) cores)"
  run "leakfix scan --no-ignore" "$LEAKFIX" scan --no-ignore --quiet --format json "$tree"
  "$LEAKFIX" scan --no-ignore --verbose --format json "$tree" 2>&1 >/dev/null | grep -o 'scanned.*' | sed 's/^/  leakfix: /' || true
  run "rg -F -i (all $(wc -l < "$BENCH_DIR/keywords.txt") keywords)" rg -F -i -c -uuu -f "$BENCH_DIR/keywords.txt" "$tree"
done

echo "== start-up"
printf 'x = 1\n' > "$BENCH_DIR/tiny.py"
best=999
for _ in 1 2 3 4 5 6 7 8 9 10; do
  /usr/bin/time -f '%e' -o "$BENCH_DIR/time.txt" "$LEAKFIX" scan --quiet "$BENCH_DIR/tiny.py" >/dev/null 2>&1 || true
  t=$(tail -n 1 "$BENCH_DIR/time.txt")
  best=$(awk -v a="$best" -v b="$t" 'BEGIN{print (b<a)?b:a}')
done
echo "  leakfix scan of one small file: best of 10 = ${best} s"
