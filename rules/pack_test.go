package rules

import (
	"bytes"
	"testing"

	"github.com/leakfix/leakfix/rules/internal/pack"
)

// TestPackIsGenerated fails when a family file in pack/ was edited without
// running `go generate ./rules`, so the embedded pack never drifts from its
// sources.
func TestPackIsGenerated(t *testing.T) {
	want, err := pack.Compose("pack")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, DefaultPackBytes()) {
		t.Fatal("rules/default.toml is out of date with rules/pack/*.toml: run `go generate ./rules`")
	}
}
