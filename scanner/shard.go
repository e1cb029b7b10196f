package scanner

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one part K of N of a deterministic partition of a scan, so N
// independent runs (CI matrix jobs, Kubernetes Indexed Job pods) cover
// everything exactly once. The zero value is the whole scan.
//
// The partition is by path: a tree scan keeps the files whose path hashes
// to K; a history scan keeps the (path, blob) pairs whose path does, so all
// versions of a file stay in one shard, where the earliest commit that
// introduced a secret at that path is known (a finding is one path, rule
// and secret). Commit messages go to shard 1.
type Shard struct {
	K, N int // 1 ≤ K ≤ N
}

// ParseShard reads "K/N" (1-based), e.g. "2/8".
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 1 ≤ K ≤ N, e.g. 1/4", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// String is "K/N", or "" for the whole scan.
func (s Shard) String() string {
	if s.N <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Owns reports whether the path belongs to this shard (FNV-1a, stable
// across machines, versions and runs).
func (s Shard) Owns(path string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	return int(h.Sum64()%uint64(s.N)) == s.K-1
}

// OwnsMessages reports whether this shard scans commit messages.
func (s Shard) OwnsMessages() bool { return s.N <= 1 || s.K == 1 }
