package diagnostics

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"runtime/pprof"
	"strings"
	"testing"
)

func TestParseKinds(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"cpu", []string{"cpu"}, ""},
		{"cpu,mem,trace", []string{"cpu", "mem", "trace"}, ""},
		{" MEM , cpu,mem", []string{"mem", "cpu"}, ""},
		{"http", nil, "not supported"},
		{"cpu,heap", nil, "unknown kind"},
		{",", nil, "at least one"},
		{"", nil, "at least one"},
	} {
		got, err := ParseKinds(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseKinds(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseKinds(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestSessionWritesProfiles: every kind lands in its file, in the formats
// go tool pprof (gzip-compressed protobuf) and go tool trace read.
func TestSessionWritesProfiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	s, err := Start(Kinds, dir)
	if err != nil {
		t.Fatal(err)
	}
	work := 0
	for i := range 2_000_000 {
		work += i % 7
	}
	_ = work
	files, err := s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("files = %v, want 3", files)
	}
	magic := map[string][]byte{
		CPUFile:   {0x1f, 0x8b},
		MemFile:   {0x1f, 0x8b},
		TraceFile: []byte("go 1."),
	}
	for name, m := range magic {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, m) {
			t.Errorf("%s starts %q, want %q", name, b[:min(len(b), 8)], m)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestStartFailureLeavesNothing: a profile that cannot start is an error
// at Start, before the run; no file (not even a temporary one, nor the
// heap profile) is left, and the profilers it did start are released.
func TestStartFailureLeavesNothing(t *testing.T) {
	var other bytes.Buffer
	if err := pprof.StartCPUProfile(&other); err != nil { // someone else holds the CPU profiler
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err := Start([]string{"trace", "mem", "cpu"}, dir)
	pprof.StopCPUProfile()
	if err == nil {
		t.Fatal("Start succeeded while the CPU profiler was taken")
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("files left after a failed Start: %v", left)
	}
	s, err := Start([]string{"trace", "cpu"}, t.TempDir()) // the tracer was released
	if err != nil {
		t.Fatalf("second Start: %v", err)
	}
	if _, err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(Kinds, filepath.Join(dir, "x\x00")); err == nil {
		t.Error("Start accepted an impossible directory")
	}
}
