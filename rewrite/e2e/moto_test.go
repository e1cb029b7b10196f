package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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
	py := rewritetest.RequireTool(t, "python3")
	out, err := exec.Command(py, "-c", "import boto3, moto.server; print(moto.__version__)").CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	requireTools(t, "python3 with boto3 and moto (moto_server)", err)
	return py
}

// moto is a running moto_server.
type moto struct {
	url string
	cmd *exec.Cmd
}

// startMoto runs moto_server on a free port of 127.0.0.1 and waits until
// it answers; it is stopped when the test ends.
func startMoto(t *testing.T, py string) *moto {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	// moto.server's main is what the moto_server script runs; calling it
	// through this python avoids a pyenv shim picking another one.
	cmd := exec.Command(py, "-c", "import sys; from moto.server import main; sys.exit(main())", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	logf, err := os.Create(filepath.Join(t.TempDir(), "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	m := &moto{url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
		logf.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(m.url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return m
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("moto_server did not answer on %s: %v\n%s", m.url, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// env is the AWS configuration every client gets: moto's endpoint
// through the standard variable, moto's default account's fake keys.
func (m *moto) env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + m.url,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_PAGER=",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
}

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
