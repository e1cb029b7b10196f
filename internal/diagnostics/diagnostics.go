// Package diagnostics writes the Go runtime's own profiles of one run —
// CPU, heap, execution trace — for `--diagnostics cpu,mem,trace`, the flag
// gitleaks users already pass when a scan is slow. A profile names
// functions and stacks, never scanned bytes, so it can be attached to a
// bug report; the files still go through the one atomic writer.
package diagnostics

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"

	"github.com/leakfix/leakfix/internal/atomicfile"
)

// Kinds are the profiles --diagnostics accepts, in the order they are
// written.
var Kinds = []string{"cpu", "mem", "trace"}

// File names, one per kind, in the chosen directory.
const (
	CPUFile   = "leakfix-cpu.pprof"
	MemFile   = "leakfix-mem.pprof"
	TraceFile = "leakfix-trace.out"
)

// ParseKinds reads a comma-separated list ("cpu,mem"). gitleaks' "http"
// (a pprof web server) is refused by name: a secret scanner has no
// business opening a listening socket.
func ParseKinds(list string) ([]string, error) {
	var out []string
	for _, k := range strings.Split(list, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		switch {
		case k == "":
			continue
		case k == "http":
			return nil, errors.New(`--diagnostics http is not supported (leakfix opens no listening socket); use cpu, mem and/or trace and read the files with "go tool pprof" / "go tool trace"`)
		case !slices.Contains(Kinds, k):
			return nil, fmt.Errorf("--diagnostics %q: unknown kind (kinds: %s)", k, strings.Join(Kinds, ", "))
		case !slices.Contains(out, k):
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--diagnostics needs at least one of %s", strings.Join(Kinds, ", "))
	}
	return out, nil
}

// Session is one run's profiling, from Start to Stop.
type Session struct {
	dir     string
	kinds   []string
	streams []*stream // cpu and trace, written while the run goes on
	written []string  // files complete on disk
}

// stream is a profile written as it is produced: the atomic writer's
// callback holds the temporary file open until stop is closed.
type stream struct {
	path string
	stop chan bool // true: keep the file; false: discard it
	done chan error
}

// errDiscarded makes the atomic writer drop a stream's temporary file.
var errDiscarded = errors.New("profile discarded")

// Start begins the profiles of kinds, to be written into dir (created
// if missing). Only one Session may run at a time (the runtime has one
// CPU profiler and one tracer).
func Start(kinds []string, dir string) (*Session, error) {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--diagnostics-dir: %w", err)
	}
	s := &Session{dir: dir, kinds: kinds}
	for _, k := range kinds {
		var err error
		switch k {
		case "cpu":
			err = s.startStream(CPUFile, pprof.StartCPUProfile, pprof.StopCPUProfile)
		case "trace":
			err = s.startStream(TraceFile, trace.Start, trace.Stop)
		}
		if err != nil {
			for _, st := range s.streams { // a run that never started leaves no file
				st.stop <- false
				<-st.done
			}
			return nil, err
		}
	}
	return s, nil
}

func (s *Session) startStream(name string, start func(io.Writer) error, stop func()) error {
	path := filepath.Join(s.dir, name)
	st := &stream{path: path, stop: make(chan bool), done: make(chan error, 1)}
	started := make(chan error, 1)
	go func() {
		st.done <- atomicfile.Write(path, atomicfile.Options{Perm: 0o644}, func(w io.Writer) error {
			if err := start(w); err != nil {
				started <- err
				return err
			}
			started <- nil
			keep := <-st.stop
			stop()
			if !keep {
				return errDiscarded
			}
			return nil
		})
	}()
	select {
	case err := <-started:
		if err != nil {
			<-st.done
			return fmt.Errorf("--diagnostics: %s: %w", path, err)
		}
	case err := <-st.done: // the temporary file could not be created
		return fmt.Errorf("--diagnostics: %w", err)
	}
	s.streams = append(s.streams, st)
	return nil
}

// Stop ends the streams and writes the heap profile (after a collection,
// so it shows what the run still held at its end, and what it allocated
// in all). It returns the files written.
func (s *Session) Stop() ([]string, error) {
	var errs []error
	for _, st := range s.streams {
		st.stop <- true
		err := <-st.done
		if err == nil {
			s.written = append(s.written, st.path)
		}
		errs = append(errs, err)
	}
	s.streams = nil
	if slices.Contains(s.kinds, "mem") {
		runtime.GC()
		path := filepath.Join(s.dir, MemFile)
		err := atomicfile.Write(path, atomicfile.Options{Perm: 0o644}, pprof.WriteHeapProfile)
		if err == nil {
			s.written = append(s.written, path)
		}
		errs = append(errs, err)
	}
	return s.written, errors.Join(errs...)
}
