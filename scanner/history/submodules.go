package history

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/leakfix/leakfix/redact"
)

// submodules collects the paths of submodule links (gitlinks) the walk
// met. Their content is a commit in another repository, which a history
// scan of this one does not read; saying so keeps "no secrets found" from
// reading as covering them.
type submodules struct {
	mu    sync.Mutex
	paths map[string]bool
}

func (s *submodules) add(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paths == nil {
		s.paths = map[string]bool{}
	}
	s.paths[path] = true
}

// warning names the skipped submodules (at most 10), or is empty.
func (s *submodules) warning() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.paths) == 0 {
		return ""
	}
	paths := make([]string, 0, len(s.paths))
	for p := range s.paths {
		paths = append(paths, redact.Name(p))
	}
	sort.Strings(paths)
	const shown = 10
	more := ""
	if len(paths) > shown {
		more = fmt.Sprintf(" and %d more", len(paths)-shown)
		paths = paths[:shown]
	}
	return fmt.Sprintf("%d submodule(s) not scanned (their history is in other repositories; run leakfix history in each): %s%s",
		len(s.paths), strings.Join(paths, ", "), more)
}
