package consumer

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"

	"github.com/leakfix/leakfix/internal/lazyre"
)

// TerraformEdit is a Terraform file that needs `sensitive = true` added to
// variables whose values `fix` moved out of a .tfvars file (they now come
// from TF_VAR_<name>): Terraform then keeps them out of plan and apply
// output.
type TerraformEdit struct {
	Path          string
	Before, After []byte
	Mode          os.FileMode
	Variables     []string
}

var tfVariableRe = lazyre.New(`(?m)^variable\s+"([A-Za-z_][A-Za-z0-9_-]*)"\s*\{[ \t]*\r?\n`)
var tfSensitiveRe = lazyre.New(`(?m)^\s*sensitive\s*=`)

// TerraformSensitive finds, in the *.tf files of dir, the declarations of
// vars and returns the files to change so each is marked sensitive.
// Variables already marked, or declared on one line, are left alone.
func TerraformSensitive(dir string, vars []string) ([]TerraformEdit, error) {
	want := map[string]bool{}
	for _, v := range vars {
		want[v] = true
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []TerraformEdit
	for _, p := range files {
		st, err := os.Lstat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		var marked []string
		pos := 0
		for _, m := range tfVariableRe.FindAllSubmatchIndex(src, -1) {
			name := string(src[m[2]:m[3]])
			if !want[name] {
				continue
			}
			body := blockBody(src, m[1])
			if tfSensitiveRe.Match(body) {
				continue
			}
			buf.Write(src[pos:m[1]])
			buf.WriteString("  sensitive = true # leakfix fix: the value comes from TF_VAR_" + name + "\n")
			pos = m[1]
			marked = append(marked, name)
		}
		if len(marked) == 0 {
			continue
		}
		buf.Write(src[pos:])
		out = append(out, TerraformEdit{Path: p, Before: src, After: buf.Bytes(), Mode: st.Mode(), Variables: marked})
	}
	return out, nil
}

// blockBody returns src from start to the brace closing the block opened
// just before start (strings and comments are not special-cased: a
// variable block holds none with braces in practice, and a miss only
// means a redundant sensitive line is not added).
func blockBody(src []byte, start int) []byte {
	depth := 1
	for i := start; i < len(src); i++ {
		switch src[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return src[start:i]
			}
		}
	}
	return src[start:]
}
