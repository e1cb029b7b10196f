#!/usr/bin/env bash
# Times `leakfix history` on a large generated repository, next to the
# floor: `git cat-file --batch-all-objects --batch`, which inflates every
# object once and does nothing else (in pack order with --unordered, the
# cheapest possible read).
#
#   bench/history.sh
#
# Environment:
#   BENCH_DIR        where builds and the repository are kept (default /tmp/leakfix-bench)
#   HISTORY_REPO     an existing repository to measure instead of generating one
#   HISTORY_COMMITS  commits to generate (default 10000)
#   HISTORY_MB       MB of distinct blob content to generate (default 250)
#   RUNS             runs per measurement, best kept (default 3)
#
# The generated repository (bench/genrepo piped into `git fast-import`, then
# `git repack -adf` so deltas are what a clone from a server would have) is
# cached under BENCH_DIR and reused. Needs: go, git, /usr/bin/time (Debian
# package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/leakfix-bench}
COMMITS=${HISTORY_COMMITS:-10000}
MB=${HISTORY_MB:-250}
RUNS=${RUNS:-3}
mkdir -p "$BENCH_DIR"
for tool in git go /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/history.sh needs $tool (apt-get install -y git time)" >&2; exit 2; }
done

go build -o "$BENCH_DIR/leakfix" ./cmd/leakfix
LEAKFIX="$BENCH_DIR/leakfix"

REPO=${HISTORY_REPO:-$BENCH_DIR/history-$COMMITS-${MB}mb.git}
if [ -z "${HISTORY_REPO:-}" ] && [ ! -f "$REPO/.leakfix-bench-done" ]; then
  echo "generating $REPO ($COMMITS commits, ~$MB MB of distinct blobs) ..."
  rm -rf "$REPO"
  git init -q --bare "$REPO"
  start=$(date +%s)
  go run ./bench/genrepo -commits "$COMMITS" -mb "$MB" | git -C "$REPO" fast-import --quiet
  git -C "$REPO" symbolic-ref HEAD refs/heads/main
  git -C "$REPO" repack -adfq
  touch "$REPO/.leakfix-bench-done"
  echo "generated in $(( $(date +%s) - start )) s"
fi

# Repository figures: commits on every ref, distinct blobs and their bytes.
commits=$(git -C "$REPO" rev-list --all --count)
read -r blobs blob_bytes < <(git -C "$REPO" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
  awk '$1=="blob" {n++; s+=$2} END {print n, s}')
pack_mb=$(du -sm "$REPO/objects/pack" | cut -f1)
BLOB_MB=$(awk -v b="$blob_bytes" 'BEGIN {printf "%.1f", b/1e6}')
echo "== $REPO"
echo "   $commits commits, $blobs distinct blobs, $BLOB_MB MB of distinct blob content, ${pack_mb} MB packed; $(nproc) cores"

# peak_tree_rss PID: samples the resident memory of PID and its children
# (git cat-file readers) every 50 ms and prints the peak sum in KiB.
peak_tree_rss() {
  local pid=$1 peak=0 sum
  while kill -0 "$pid" 2>/dev/null; do
    sum=$(ps -o rss= -p "$pid" --ppid "$pid" 2>/dev/null | awk '{s+=$1} END {print s+0}')
    [ "$sum" -gt "$peak" ] && peak=$sum
    sleep 0.05
  done
  echo "$peak"
}

# measure LABEL CMD...: best wall time of $RUNS runs, with user+sys CPU,
# MB/s of distinct blob content, the process's peak RSS (GNU time: the
# largest of it and any one child) and the sampled peak of the whole tree.
measure() {
  local label=$1; shift
  local best="" line
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>"$BENCH_DIR/stderr.txt" &
    local tpid=$!
    sleep 0.01
    local cpid
    cpid=$(pgrep -P "$tpid" | head -1 || true)
    local tree=0
    if [ -n "$cpid" ]; then tree=$(peak_tree_rss "$cpid"); fi
    wait "$tpid" || true
    line="$(tail -1 "$BENCH_DIR/time.txt") $tree"
    if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN {split(a,x," "); split(b,y," "); exit !(x[1] < y[1])}'; then
      best=$line
    fi
  done
  read -r secs user sys maxrss tree <<<"$best"
  awk -v l="$label" -v s="$secs" -v u="$user" -v y="$sys" -v k="$maxrss" -v t="$tree" -v mb="$BLOB_MB" -v floor="${FLOOR:-0}" \
    'BEGIN { printf "  %-44s %6.2f s wall %6.2f s cpu %7.1f MB/s %6.0f MiB rss %6.0f MiB tree", l, s, u+y, (s>0?mb/s:0), k/1024, t/1024;
             if (floor > 0) printf "  %4.2fx floor", s/floor; printf "\n" }'
  LAST=$secs
}

echo "   (best of $RUNS; MB/s = distinct blob MB / wall time; rss = GNU time %M; tree = sampled sum with children)"
measure "git cat-file --batch-all-objects --batch" git -C "$REPO" cat-file --batch-all-objects --batch
measure "git cat-file ... --batch --unordered (floor)" git -C "$REPO" cat-file --batch-all-objects --batch --unordered
FLOOR=$LAST
measure "leakfix history --reader git" "$LEAKFIX" history "$REPO" --quiet --reader git --format json
measure "leakfix history --reader go-git" "$LEAKFIX" history "$REPO" --quiet --reader go-git --format json
measure "leakfix history --reader git --no-line-skip" "$LEAKFIX" history "$REPO" --quiet --reader git --no-line-skip --format json
"$LEAKFIX" history "$REPO" --verbose --reader git --format json --output "$BENCH_DIR/history.json" 2>&1 | tail -1 || true
echo "   findings: $(grep -c '"rule_id"' "$BENCH_DIR/history.json")"
