package report

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/template"

	"github.com/leakfix/leakfix/internal/regfile"
	"github.com/leakfix/leakfix/scanner"
)

// Formats gitleaks users' tooling reads.
const (
	// FormatGitleaksJSON is a JSON array with gitleaks' field names.
	FormatGitleaksJSON = "gitleaks-json"
	FormatCSV          = "csv"
	FormatJUnit        = "junit"
	// FormatTemplate renders Options.Template, a Go text/template, over
	// the findings with gitleaks' field names (as gitleaks does).
	FormatTemplate = "template"
)

// Formats lists every format Write accepts.
var Formats = []string{FormatText, FormatJSON, FormatSARIF, FormatGitleaksJSON, FormatCSV, FormatJUnit, FormatTemplate}

// GitleaksFinding is a finding with gitleaks' JSON field names.
type GitleaksFinding struct {
	RuleID      string
	Description string
	StartLine   int
	EndLine     int
	StartColumn int
	EndColumn   int
	Match       string
	Secret      string
	File        string
	SymlinkFile string
	Commit      string
	Entropy     float32
	Author      string
	Email       string
	Date        string
	Message     string
	Tags        []string
	// Fingerprint is gitleaks' location form (commit:file:rule:line, or
	// file:rule:line outside history), which .gitleaksignore accepts.
	Fingerprint string
}

// ToGitleaks converts a (redacted) finding.
func ToGitleaks(f scanner.Finding) GitleaksFinding {
	fp := f.File + ":" + f.RuleID + ":" + strconv.Itoa(f.StartLine)
	if f.Commit != "" {
		fp = f.Commit + ":" + fp
	}
	tags := f.Tags
	if tags == nil {
		tags = []string{}
	}
	return GitleaksFinding{
		RuleID: f.RuleID, Description: f.Description,
		StartLine: f.StartLine, EndLine: f.EndLine, StartColumn: f.StartColumn, EndColumn: f.EndColumn,
		Match: f.Match, Secret: f.Secret, File: f.File, Commit: f.Commit, Entropy: float32(f.Entropy),
		Author: f.Author, Email: f.Email, Date: f.Date, Message: f.Message, Tags: tags, Fingerprint: fp,
	}
}

func writeGitleaks(w io.Writer, findings []scanner.Finding, opts Options) error {
	gl := make([]GitleaksFinding, len(findings))
	for i, f := range findings {
		gl[i] = ToGitleaks(f)
	}
	switch opts.Format {
	case FormatGitleaksJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(gl)
	case FormatCSV:
		return writeCSV(w, gl)
	case FormatJUnit:
		return writeJUnit(w, gl)
	default:
		return writeTemplate(w, gl, opts.Template)
	}
}

// csvHeader is gitleaks' column order.
var csvHeader = []string{"RuleID", "Commit", "File", "SymlinkFile", "Secret", "Match", "StartLine", "EndLine",
	"StartColumn", "EndColumn", "Author", "Message", "Date", "Email", "Fingerprint", "Tags"}

func writeCSV(w io.Writer, gl []GitleaksFinding) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range gl {
		row := []string{f.RuleID, f.Commit, f.File, f.SymlinkFile, f.Secret, f.Match,
			strconv.Itoa(f.StartLine), strconv.Itoa(f.EndLine), strconv.Itoa(f.StartColumn), strconv.Itoa(f.EndColumn),
			f.Author, f.Message, f.Date, f.Email, f.Fingerprint, strings.Join(f.Tags, " ")}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// JUnit: one test case per finding, each a failure, as CI systems that
// only read JUnit show them.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string       `xml:"name,attr"`
	ClassName string       `xml:"classname,attr"`
	File      string       `xml:"file,attr,omitempty"`
	Failure   junitFailure `xml:"failure"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, gl []GitleaksFinding) error {
	suite := junitSuite{Name: "leakfix", Tests: len(gl), Failures: len(gl)}
	for _, f := range gl {
		body, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			return err
		}
		where := fmt.Sprintf("%s:%d", f.File, f.StartLine)
		if f.Commit != "" {
			where += " in commit " + f.Commit
		}
		suite.Cases = append(suite.Cases, junitCase{
			Name:      fmt.Sprintf("%s has detected a secret in %s", f.RuleID, where),
			ClassName: f.Description,
			File:      f.File,
			Failure:   junitFailure{Message: where, Type: f.Description, Body: string(body)},
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func writeTemplate(w io.Writer, gl []GitleaksFinding, path string) error {
	if path == "" {
		return fmt.Errorf("format %s needs a template file (--report-template)", FormatTemplate)
	}
	text, err := regfile.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read report template: %w", err)
	}
	tmpl, err := template.New(path).Parse(string(text))
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	return tmpl.Execute(w, gl)
}

// partialRedact gives each redacted finding in out the first (100-pct)%
// of its secret (from orig) and "...": gitleaks' --redact=N. It never
// shows more than half of a secret shorter than 8 characters.
func partialRedact(out, orig []scanner.Finding, pct int) {
	if pct <= 0 || pct >= 100 {
		return
	}
	for i := range out {
		s := []rune(orig[i].Secret)
		n := len(s) * (100 - pct) / 100
		if len(s) < 8 {
			n = min(n, len(s)/2)
		}
		out[i].Secret = string(s[:n]) + "..."
	}
}
