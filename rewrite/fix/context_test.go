package fix

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/scanner"
)

// cancelling is a ContextRewriter that records the context it got and
// cancels the run, as a user's Ctrl-C during `go list` would.
type cancelling struct {
	cancel context.CancelFunc
	got    context.Context
}

func (c *cancelling) Rewrite(string, []byte, []rewrite.Secret) ([]byte, error) {
	return nil, errors.New("Rewrite called instead of RewriteContext")
}

func (c *cancelling) RewriteContext(ctx context.Context, _ string, src []byte, _ []rewrite.Secret) ([]byte, error) {
	c.got = ctx
	c.cancel()
	return append([]byte("changed "), src...), nil
}

func TestPlanPassesContextAndStopsOnCancel(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.x"), []byte("k = SECRET\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rw := &cancelling{cancel: cancel}
	reg := NewRegistry()
	reg.Register("x", rw, "*.x")
	f := scanner.Finding{File: "a.x", Secret: "SECRET", SecretStart: 4, SecretEnd: 10, StartLine: 1, SecretName: "s"}
	changes, err := Plan(ctx, dir, reg, []scanner.Finding{f})
	if rw.got == nil {
		t.Fatal("the engine did not call RewriteContext")
	}
	if !errors.Is(err, context.Canceled) || changes != nil {
		t.Errorf("Plan after cancellation = %d changes, %v; want none and context.Canceled", len(changes), err)
	}
}
