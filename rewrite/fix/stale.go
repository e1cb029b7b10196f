package fix

import (
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// staleTemp matches the temporary names Write creates (os.CreateTemp with
// "."+base+".leakfix-*": a decimal suffix), and nothing else.
var staleTemp = regexp.MustCompile(`^\..+\.leakfix-[0-9]+$`)

// CleanStaleTemps removes, from dir, temporary files an earlier Write left
// behind when its process was killed (kill -9 between create and rename).
// Only regular files with Write's own name pattern, last modified before
// started (this process's start), are removed: a concurrent run's
// temporary file is younger than that. It returns the paths removed.
func CleanStaleTemps(dir string, started time.Time) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, de := range entries {
		if !de.Type().IsRegular() || !staleTemp.MatchString(de.Name()) {
			continue
		}
		info, err := de.Info()
		if err != nil || !info.ModTime().Before(started) {
			continue
		}
		p := filepath.Join(dir, de.Name())
		if os.Remove(p) == nil {
			removed = append(removed, p)
		}
	}
	return removed
}
