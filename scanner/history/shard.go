package history

import "github.com/leakfix/leakfix/scanner"

// shardPairs keeps the (path, blob) introductions whose path the shard
// owns, in their rank order. A blob seen at paths of two shards is read by
// both, each scanning it at its own paths.
func shardPairs(in *introductions, s scanner.Shard) []pair {
	if s.N <= 1 {
		return in.pairs
	}
	owned := make([]int8, len(in.paths)) // 0 unknown, 1 owned, -1 not
	kept := in.pairs[:0:0]
	for _, p := range in.pairs {
		if owned[p.path] == 0 {
			owned[p.path] = -1
			if s.Owns(in.paths[p.path]) {
				owned[p.path] = 1
			}
		}
		if owned[p.path] == 1 {
			kept = append(kept, p)
		}
	}
	return kept
}
