package consumer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTerraformSensitive(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"variables.tf": "variable \"groq_api_key\" {\n  type = string\n  description = \"key {x}\"\n}\n\nvariable \"stripe_key\" {\n  type      = string\n  sensitive = true\n}\n\nvariable \"region\" {\n  type = string\n}\n",
		"other.tf":     "variable \"token\" { type = string }\n",
	}
	for n, c := range files {
		os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644)
	}
	edits, err := TerraformSensitive(dir, []string{"groq_api_key", "stripe_key", "token"})
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 1 || filepath.Base(edits[0].Path) != "variables.tf" || strings.Join(edits[0].Variables, ",") != "groq_api_key" {
		t.Fatalf("edits = %+v; want variables.tf marking groq_api_key only (stripe_key is already sensitive, token is a one-line block)", edits)
	}
	want := strings.Replace(files["variables.tf"], "variable \"groq_api_key\" {\n", "variable \"groq_api_key\" {\n  sensitive = true # leakfix fix: the value comes from TF_VAR_groq_api_key\n", 1)
	if string(edits[0].After) != want {
		t.Errorf("got\n%s\nwant\n%s", edits[0].After, want)
	}
	if string(edits[0].Before) != files["variables.tf"] {
		t.Errorf("Before is not the file as read")
	}
}
