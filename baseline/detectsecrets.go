package baseline

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/internal/regfile"
	"github.com/leakfix/leakfix/scanner"
)

// Importing a detect-secrets baseline: detect-secrets keeps only the SHA-1
// of each secret, so the import rescans the files it names and keeps the
// leakfix findings whose secrets hash to an entry.

// DetectSecrets is the part of detect-secrets' .secrets.baseline
// the import reads: file name → the secrets found there, each known only by
// the SHA-1 of its value.
type DetectSecrets struct {
	Version string                          `json:"version"`
	Results map[string][]DetectSecretsEntry `json:"results"`
}

// DetectSecretsEntry is one secret detect-secrets recorded.
type DetectSecretsEntry struct {
	Type         string `json:"type"`
	Filename     string `json:"filename"`
	HashedSecret string `json:"hashed_secret"`
	IsVerified   bool   `json:"is_verified"`
	LineNumber   int    `json:"line_number"`
	IsSecret     *bool  `json:"is_secret,omitempty"`
}

// ReadDetectSecrets reads a .secrets.baseline.
func ReadDetectSecrets(path string) (*DetectSecrets, error) {
	data, err := regfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read detect-secrets baseline: %w", err)
	}
	var ds DetectSecrets
	if err := json.Unmarshal(data, &ds); err != nil {
		return nil, fmt.Errorf("%s is not a detect-secrets baseline: %w", path, err)
	}
	if ds.Results == nil {
		return nil, fmt.Errorf("%s is not a detect-secrets baseline: it has no \"results\" object", path)
	}
	return &ds, nil
}

// ImportResult is what an import found.
type ImportResult struct {
	Entries   int
	Matched   int
	Unmatched []Unmatched
	Findings  []scanner.Finding // the leakfix baseline
	Extra     int               // leakfix findings in those files detect-secrets did not list
	Warnings  []string
}

// Unmatched is a detect-secrets entry left out, and why; never a value or
// a hash.
type Unmatched struct {
	File, Type string
	Line       int
	Reason     string
}

// privateKeyType is detect-secrets' name for its private-key plugin, which
// hashes the "BEGIN ... PRIVATE KEY" marker it matched rather than the key,
// so its entries can only be matched by line.
const privateKeyType = "Private Key"

// ImportDetectSecrets scans each file the detect-secrets baseline names
// and keeps the leakfix findings whose secret hashes (SHA-1, as
// detect-secrets does) to an entry of that file. Only files are scanned,
// never the whole root, so the baseline holds what detect-secrets knew
// about and nothing more. Files are named prefix + their path under root:
// the path of root inside its repository ("sub/"), so fingerprints match
// those of a scan, which names files from the repository root.
func ImportDetectSecrets(ctx context.Context, det *scanner.Detector, root, prefix string, ds *DetectSecrets, matchLines bool) (*ImportResult, error) {
	res := &ImportResult{}
	files := make([]string, 0, len(ds.Results))
	for name := range ds.Results {
		files = append(files, name)
	}
	sort.Strings(files)
	kept := map[string]bool{} // fingerprints already in the baseline
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		entries := ds.Results[name]
		res.Entries += len(entries)
		miss := func(en DetectSecretsEntry, reason string) {
			res.Unmatched = append(res.Unmatched, Unmatched{File: name, Type: en.Type, Line: en.LineNumber, Reason: reason})
		}
		rel := filepath.ToSlash(filepath.Clean(filepath.FromSlash(name)))
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			for _, en := range entries {
				miss(en, "file name is outside the root")
			}
			continue
		}
		data, err := regfile.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			reason := "cannot read the file"
			if errors.Is(err, os.ErrNotExist) {
				reason = "the file no longer exists"
			}
			for _, en := range entries {
				miss(en, reason)
			}
			continue
		}
		found, err := det.Detect(scanner.Fragment{Path: prefix + rel, Data: data})
		if err != nil {
			// Regex timeouts: the findings that did come are still good.
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %v", rel, err))
		}
		used := make([]bool, len(found))
		hashes := make([]string, len(found))
		for i, f := range found {
			sum := sha1.Sum([]byte(f.Secret))
			hashes[i] = hex.EncodeToString(sum[:])
		}
		for _, en := range entries {
			want := strings.ToLower(strings.TrimSpace(en.HashedSecret))
			hit := false
			for i := range found {
				if hashes[i] == want {
					used[i], hit = true, true
				}
			}
			if !hit && (matchLines || en.Type == privateKeyType) && en.LineNumber > 0 {
				for i, f := range found {
					if f.StartLine <= en.LineNumber && en.LineNumber <= max(f.EndLine, f.StartLine) {
						used[i], hit = true, true
					}
				}
			}
			switch {
			case hit:
				res.Matched++
			case len(found) == 0:
				miss(en, "leakfix finds no secret in this file")
			case matchLines:
				miss(en, "no leakfix finding has this secret or is on this line")
			default:
				miss(en, "no leakfix finding has this secret (try --match-lines)")
			}
		}
		for i, f := range found {
			switch {
			case !used[i]:
				res.Extra++
			case !kept[f.Fingerprint]:
				kept[f.Fingerprint] = true
				res.Findings = append(res.Findings, f)
			}
		}
	}
	scanner.SortFindings(res.Findings)
	return res, nil
}
