package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/internal/motoserver"
	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

// requireTools is rewritetest.RequireTool's rule for anything else a
// test needs: skip with a message naming it, fail under
// LEAKFIX_REQUIRE_TOOLS=1.
func requireTools(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
		t.Fatalf("this test needs %s (LEAKFIX_REQUIRE_TOOLS=1): %v", what, err)
	}
	t.Skipf("this test needs %s: %v", what, err)
}

// awsPython returns a python3 that can import boto3 and moto.
func awsPython(t *testing.T) string {
	rewritetest.RequireTool(t, "python3")
	py, err := motoserver.Python()
	requireTools(t, "python3 with boto3 and moto (moto_server)", err)
	return py
}

// moto is a running moto_server.
type moto struct{ *motoserver.Server }

// startMoto runs moto_server on a free port of 127.0.0.1 and waits until
// it answers; it is stopped when the test ends.
func startMoto(t *testing.T, py string) *moto {
	t.Helper()
	s, err := motoserver.Start(context.Background(), py, "127.0.0.1", 0, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return &moto{s}
}

func (m *moto) env() []string { return m.Env(region) }

const (
	region  = "us-east-1"
	account = "123456789012" // moto's default account
)

// run runs a program and returns its stdout; a failure shows stderr.
func run(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s %s: %v\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
		}
		t.Fatalf("%s: %v", name, err)
	}
	return stdout.String()
}
