package main

import (
	"os"
	"testing"

	"github.com/leakfix/leakfix/rewrite/moved"
)

// TestMain keeps the records `fix --write` makes for folders outside git
// in a temporary folder instead of the user's cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "leakfix-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv(moved.EnvStateDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
