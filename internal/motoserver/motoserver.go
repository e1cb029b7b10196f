// Package motoserver runs moto_server, the AWS API emulator that ships
// with the machine's Python, for tests that drive the real aws CLI and
// SDKs against AWS Secrets Manager without an AWS account.
package motoserver

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
	"time"
)

// Server is a running moto_server.
type Server struct {
	// URL is its endpoint, for AWS_ENDPOINT_URL.
	URL string
	cmd *exec.Cmd
	log *os.File
}

// Python returns a python3 that can import moto's server and boto3, or
// an error naming what is missing. A pyenv shim is resolved to the
// interpreter it runs, so the result works with any HOME and PATH.
func Python() (string, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(py, "-c", "import sys, boto3, moto.server; print(sys.executable)").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// Start runs moto_server on host:port (port 0: a free one) through
// python's moto.server main, as the moto_server script does, and waits
// until it answers. logDir receives its log. Stop ends it.
func Start(ctx context.Context, python, host string, port int, logDir string) (*Server, error) {
	if port == 0 {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, err
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	logf, err := os.Create(filepath.Join(logDir, "moto.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, "-c", "import sys; from moto.server import main; sys.exit(main())", "-H", host, "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	s := &Server{URL: "http://" + net.JoinHostPort(host, fmt.Sprint(port)), cmd: cmd, log: logf}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			s.Stop()
			log, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("moto_server did not answer on %s: %w\n%s", s.URL, errors.Join(err, ctx.Err()), log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop ends moto_server and its children.
func (s *Server) Stop() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	s.cmd.Wait()
	s.log.Close()
}

// Env is what every AWS client needs to reach it: the endpoint through
// the standard variable, moto's default account's fake keys, a region,
// and no shared config that could point elsewhere.
func (s *Server) Env(region string) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_PAGER=",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
}
