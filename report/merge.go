package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/leakfix/leakfix/scanner"
)

// Merging: the reports of N shards (or of N repositories) become one, each
// finding once. A finding's identity is its fingerprint (rule, path,
// secret), which every format carries even when the secret is redacted,
// with its position: a tree scan reports each occurrence of one secret in
// one file, all with the same fingerprint.

// MergeJSON merges JSON reports (as `--format json` writes them): one
// finding per fingerprint and position — the earliest by commit date when
// two reports hold it (a history scanned twice over different ranges) —
// sorted by file, line, column and
// rule, as a tree scan sorts. Findings are written back as read: a
// redacted report stays redacted.
func MergeJSON(inputs []io.Reader) ([]scanner.Finding, error) {
	byKey := map[string]int{}
	var out []scanner.Finding
	for i, in := range inputs {
		var fs []scanner.Finding
		dec := json.NewDecoder(in)
		if err := dec.Decode(&fs); err != nil {
			return nil, fmt.Errorf("report %d is not a leakfix JSON report: %w", i+1, err)
		}
		for _, f := range fs {
			k := fmt.Sprintf("%s\x00%d\x00%d", f.Fingerprint, f.StartLine, f.StartColumn)
			if f.Fingerprint == "" {
				k += "\x00" + f.RuleID + "\x00" + f.File
			}
			if j, ok := byKey[k]; ok {
				if f.Date != "" && f.Date < out[j].Date {
					out[j] = f
				}
				continue
			}
			byKey[k] = len(out)
			out = append(out, f)
		}
	}
	scanner.SortFindings(out)
	return out, nil
}

// MergeSARIF merges SARIF documents. Runs are grouped by tool and category
// (runAutomationDetails.id), as GitHub code scanning keys them, so the
// result holds one run per tool and category: its rules are the union (by
// id, sorted, as leakfix writes them) with every result's ruleIndex
// renumbered; its results are deduplicated by leakfix's partial
// fingerprint and position and sorted by file, line, column and rule. Run properties
// come from the group's first run, with the truncation counts (a shard past
// GitHub's results cap) added up.
func MergeSARIF(inputs []io.Reader) (*sarif.Report, error) {
	out, err := sarif.New(sarif.Version210, false)
	if err != nil {
		return nil, fmt.Errorf("sarif: %w", err)
	}
	out.Schema = "https://json.schemastore.org/sarif-2.1.0.json"
	type group struct {
		run   *sarif.Run
		rules map[string]*sarif.ReportingDescriptor
		seen  map[string]bool
	}
	groups := map[string]*group{}
	var order []string
	for i, in := range inputs {
		data, err := io.ReadAll(in)
		if err != nil {
			return nil, fmt.Errorf("read SARIF report %d: %w", i+1, err)
		}
		doc, err := sarif.FromBytes(data)
		if err != nil {
			return nil, fmt.Errorf("report %d is not SARIF: %w", i+1, err)
		}
		for _, run := range doc.Runs {
			key := run.Tool.Driver.Name + "\x00"
			if run.AutomationDetails != nil && run.AutomationDetails.ID != nil {
				key += *run.AutomationDetails.ID
			}
			g, ok := groups[key]
			if !ok {
				merged := *run
				driver := *run.Tool.Driver
				driver.Rules = nil
				merged.Tool.Driver = &driver
				merged.Results = []*sarif.Result{}
				merged.Properties = copyProperties(run.Properties)
				g = &group{run: &merged, rules: map[string]*sarif.ReportingDescriptor{}, seen: map[string]bool{}}
				groups[key] = g
				order = append(order, key)
			} else if run.Properties["truncated"] == true {
				if g.run.Properties == nil {
					g.run.Properties = sarif.Properties{}
				}
				addTruncation(g.run.Properties, run.Properties)
			}
			for _, r := range run.Tool.Driver.Rules {
				if _, ok := g.rules[r.ID]; !ok {
					g.rules[r.ID] = r
				}
			}
			for _, res := range run.Results {
				k := resultKey(res)
				if g.seen[k] {
					continue
				}
				g.seen[k] = true
				// ruleIndex is renumbered below; keep the id it pointed at.
				if res.RuleID == nil && res.RuleIndex != nil && int(*res.RuleIndex) < len(run.Tool.Driver.Rules) {
					id := run.Tool.Driver.Rules[*res.RuleIndex].ID
					res.RuleID = &id
				}
				g.run.Results = append(g.run.Results, res)
			}
		}
	}
	for _, key := range order {
		g := groups[key]
		ids := make([]string, 0, len(g.rules))
		for id := range g.rules {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		index := map[string]uint{}
		for i, id := range ids {
			index[id] = uint(i)
			g.run.Tool.Driver.Rules = append(g.run.Tool.Driver.Rules, g.rules[id])
		}
		for _, res := range g.run.Results {
			if res.RuleID != nil {
				if i, ok := index[*res.RuleID]; ok {
					res.RuleIndex = &i
				}
			}
		}
		sort.SliceStable(g.run.Results, func(i, j int) bool { return resultLess(g.run.Results[i], g.run.Results[j]) })
		out.AddRun(g.run)
	}
	return out, nil
}

// WriteMergedSARIF writes a merged document as leakfix writes its own.
func WriteMergedSARIF(w io.Writer, doc *sarif.Report) error {
	return doc.PrettyWrite(w)
}

func resultKey(res *sarif.Result) string {
	if fp, ok := res.PartialFingerprints[FingerprintKey].(string); ok && fp != "" {
		file, line, col := resultPosition(res)
		return fmt.Sprintf("%s\x00%s\x00%d\x00%d", fp, file, line, col)
	}
	// Not leakfix's (no fingerprint of ours): the whole result is its
	// identity.
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(res)
	return b.String()
}

// resultLess orders results as a leakfix tree scan does its findings.
func resultLess(a, b *sarif.Result) bool {
	fa, la, ca := resultPosition(a)
	fb, lb, cb := resultPosition(b)
	if fa != fb {
		return fa < fb
	}
	if la != lb {
		return la < lb
	}
	if ca != cb {
		return ca < cb
	}
	return deref(a.RuleID) < deref(b.RuleID)
}

func resultPosition(r *sarif.Result) (file string, line, col int) {
	if len(r.Locations) == 0 || r.Locations[0].PhysicalLocation == nil {
		return "", 0, 0
	}
	pl := r.Locations[0].PhysicalLocation
	if pl.ArtifactLocation != nil {
		file = deref(pl.ArtifactLocation.URI)
		if file == "." {
			file = "" // a commit message: leakfix sorts it first
		}
	}
	if pl.Region != nil {
		if pl.Region.StartLine != nil {
			line = *pl.Region.StartLine
		}
		if pl.Region.StartColumn != nil {
			col = *pl.Region.StartColumn
		}
	}
	return file, line, col
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func copyProperties(p sarif.Properties) sarif.Properties {
	if p == nil {
		return nil
	}
	out := sarif.Properties{}
	for k, v := range p {
		out[k] = v
	}
	return out
}

// addTruncation adds another run's omitted-results counts to the merged
// run's, so a shard that hit GitHub's cap is not hidden by the merge.
func addTruncation(into, from sarif.Properties) {
	for _, k := range []string{"totalResults", "omittedResults"} {
		a, _ := into[k].(float64)
		b, _ := from[k].(float64)
		into[k] = a + b
	}
	into["truncated"] = true
}
