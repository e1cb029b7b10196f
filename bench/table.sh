#!/usr/bin/env bash
# Prints the performance table (docs/DESIGN.md, README) from one command:
# for each kind of work, the floor (the cheapest program that reads the
# same bytes), peers when installed (gitleaks, betterleaks), and leakfix,
# as paired runs (A B A B ...) with the ratio taken pair by pair, median
# quoted, and leakfix's peak RSS.
#
#   bench/table.sh [GIT_REPO]
#
# GIT_REPO is a clone with history (e.g. curl/curl); without it the
# generated history of bench/history.sh is used. Every corpus is rebuilt
# here: the sources of leakfix's own Go module dependencies (`go mod
# download` into a module cache of the bench's own, so the corpus is the
# same on every machine whatever else was downloaded there), a 200 MB file of them concatenated,
# GIT_REPO's HEAD tree (a small real tree), the generated history
# (bench/genrepo). Peers get a column when they are on PATH: gitleaks
# (`go install github.com/zricethezav/gitleaks/v8@v8.30.0`) and Betterleaks
# (`go install github.com/betterleaks/betterleaks@v1.7.0`). Environment:
#   BENCH_DIR  work directory (default /tmp/leakfix-bench)
#   RUNS       pairs per row (default 5)
#   ROWS       which rows to run, a regex over modsrc|tree|file|stdin|staged|history (default all)
# Needs: go, git, rg (Debian ripgrep), /usr/bin/time (Debian time).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/leakfix-bench}
RUNS=${RUNS:-5}
ROWS=${ROWS:-.}
mkdir -p "$BENCH_DIR"
for tool in git go rg /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/table.sh needs $tool (apt-get install -y git ripgrep time)" >&2; exit 2; }
done
go build -o "$BENCH_DIR/leakfix" ./cmd/leakfix
LEAKFIX=$BENCH_DIR/leakfix
go run ./bench/keywords > "$BENCH_DIR/keywords.txt"

# Corpora.
MODCACHE=$BENCH_DIR/gomodcache
GOMODCACHE=$MODCACHE GOFLAGS=-modcacherw go mod download
# The module sources, not the download cache (zips and hashes) beside them,
# in one directory: the peers take a single path.
MODSRC=$BENCH_DIR/modsrc
if [ ! -f "$MODSRC/.leakfix-bench-done" ]; then
  rm -rf "$MODSRC"; mkdir -p "$MODSRC"
  find "$MODCACHE" -mindepth 1 -maxdepth 1 -type d ! -name cache -exec cp -r -t "$MODSRC" {} +
  touch "$MODSRC/.leakfix-bench-done"
fi
BIG=$BENCH_DIR/big-200mb.txt
if [ ! -f "$BIG" ]; then
  find "$MODSRC" -name '*.go' -size -200k -print0 | xargs -0 cat > "$BIG.src"
  : > "$BIG"
  while [ "$(stat -c %s "$BIG")" -lt 200000000 ]; do cat "$BIG.src" >> "$BIG"; done
  truncate -s 200000000 "$BIG"
  rm -f "$BIG.src"
fi
REPO=${1:-}
if [ -z "$REPO" ]; then
  REPO=$BENCH_DIR/history-10000-250mb.git
  [ -f "$REPO/.leakfix-bench-done" ] || bench/history.sh >/dev/null
fi
# REPO's HEAD tree, without .git: a small real tree.
TREE=$BENCH_DIR/head-tree-$(basename "$REPO" .git)
if [ ! -d "$TREE" ]; then
  mkdir -p "$TREE.tmp" && git -C "$REPO" archive HEAD | tar -x -C "$TREE.tmp" && mv "$TREE.tmp" "$TREE"
fi
# A work tree of REPO with one line staged, for the pre-commit row.
STAGE=$BENCH_DIR/staged-clone
if [ ! -d "$STAGE/.git" ]; then
  git clone -q "$REPO" "$STAGE"
fi
git -C "$STAGE" reset -q --hard
file=$(git -C "$STAGE" ls-files | grep -E '\.(c|go|py|js|h|txt|md)$' | sed -n 1p) # sed reads to the end: no SIGPIPE under pipefail
echo "one more line" >> "$STAGE/$file"
git -C "$STAGE" add "$file"

# pair A_CMD B_CMD: runs them in turn RUNS times; prints "medianA medianB
# median(A/B) peakA_MiB" (wall seconds). Commands are strings for bash -c
# so a redirection can drop a floor's output.
pair() {
  local a=$1 b=$2 ta tb ka kb ra=() rb=() rr=() ma=0 mb=0
  for _ in $(seq 0 "$RUNS"); do
    ta=$(timed "$a" "$BENCH_DIR/ta")
    tb=$(timed "$b" "$BENCH_DIR/tb")
    read -r ka < <(tail -1 "$BENCH_DIR/ta")
    read -r kb < <(tail -1 "$BENCH_DIR/tb")
    if [ -z "${warm:-}" ]; then warm=1; continue; fi # first pair warms the cache
    ra+=("$ta"); rb+=("$tb"); rr+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN{printf "%.3f", (b>0?a/b:0)}')")
    [ "$ka" -gt "$ma" ] && ma=$ka
    [ "$kb" -gt "$mb" ] && mb=$kb
  done
  unset warm
  printf '%s %s %s %s %s\n' "$(median "${ra[@]}")" "$(median "${rb[@]}")" "$(median "${rr[@]}")" "$((ma / 1024))" "$((mb / 1024))"
}
# timed CMD FILE: prints CMD's wall seconds (nanosecond clock: a floor of a
# few ms is beyond time(1)'s 10 ms resolution); FILE gets its peak RSS KiB.
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$2" bash -c "$1" >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b-a}'
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

row() { # row KEY WORK FLOOR_LABEL FLOOR_CMD LEAKFIX_CMD [PEER_LABEL PEER_CMD]...
  local key=$1 work=$2 flabel=$3 floor=$4 lf=$5; shift 5
  [[ $key =~ $ROWS ]] || return 0
  read -r tl tf ratio rss _ < <(pair "$lf" "$floor")
  local peers=""
  while [ $# -ge 2 ]; do
    if command -v "$1" >/dev/null; then
      read -r _ tp pr _ prss < <(pair "$lf" "$2")
      peers+=" $1 ${tp}s, ${prss} MiB (leakfix/$1 **${pr}**);"
    else
      peers+=" $1 not installed;"
    fi
    shift 2
  done
  printf '| %s | %s %ss | %ss | **%s** | %s MiB |%s\n' "$work" "$flabel" "$tf" "$tl" "$ratio" "$rss" "$peers"
}

echo "$("$LEAKFIX" version 2>/dev/null | head -1) — $(date -u +%Y-%m-%d), $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'); median of $RUNS paired runs"
echo
echo "| work | floor | leakfix | leakfix / floor | leakfix peak RSS | peers |"
echo "|---|---|---|---|---|---|"
KW="-F -i -c -uuu -f $BENCH_DIR/keywords.txt"
row modsrc "Go module sources ($(du -sm "$MODSRC" | cut -f1) MB, $(find "$MODSRC" -type f | wc -l) files)" "rg -F -i (every rule keyword)" "rg $KW $MODSRC" \
  "$LEAKFIX scan --quiet --no-ignore --format json $MODSRC" \
  gitleaks "gitleaks dir --no-banner --exit-code 0 $MODSRC" betterleaks "betterleaks dir --exit-code 0 $MODSRC"
row tree "$(basename "$REPO" .git) HEAD tree ($(du -sm "$TREE" | cut -f1) MB, $(find "$TREE" -type f | wc -l) files)" "rg -F -i" "rg $KW $TREE" \
  "$LEAKFIX scan --quiet --no-ignore --format json $TREE" \
  gitleaks "gitleaks dir --no-banner --exit-code 0 $TREE" betterleaks "betterleaks dir --exit-code 0 $TREE"
row file "one 200 MB file" "rg -F -i" "rg $KW $BIG" "$LEAKFIX scan --quiet --format json $BIG"
row stdin "stdin, 200 MB" "rg -F -i" "rg $KW - < $BIG" "$LEAKFIX scan --quiet --format json - < $BIG"
row staged "scan --staged, one line ($(git -C "$STAGE" ls-files | wc -l) files)" "git diff --cached -U0" \
  "git -C $STAGE diff --cached -U0" "cd $STAGE && $LEAKFIX scan --staged --quiet" \
  gitleaks "cd $STAGE && gitleaks git --pre-commit --staged --no-banner --exit-code 0" \
  betterleaks "cd $STAGE && betterleaks git --pre-commit --staged --exit-code 0"
row history "history of $(basename "$REPO") ($(git -C "$REPO" rev-list --all --count) commits)" "git cat-file --batch-all-objects --batch --unordered" \
  "git -C $REPO cat-file --batch-all-objects --batch --unordered > /dev/null" \
  "$LEAKFIX history $REPO --quiet --format json" \
  gitleaks "gitleaks git --no-banner --exit-code 0 $REPO" betterleaks "betterleaks git --exit-code 0 $REPO"
git -C "$STAGE" reset -q --hard
