package scanner

import (
	"path/filepath"
)

// repoPrefix is what goes before a path relative to the directory absRoot
// to make it relative to the work tree's root ("sub/dir/"), or "" when
// RepoRelative is off or absRoot is in no work tree (or is its root).
func (s *FileSource) repoPrefix(absRoot string) string {
	if !s.RepoRelative {
		return ""
	}
	wt := findWorkTree(absRoot)
	if wt == "" {
		return ""
	}
	rel, err := filepath.Rel(wt, absRoot)
	if err != nil || rel == "." {
		return ""
	}
	return filepath.ToSlash(rel) + "/"
}

// filePath names a file passed as a root: from its work tree's root when
// RepoRelative, else as given.
func (s *FileSource) filePath(root string) string {
	given := filepath.ToSlash(filepath.Clean(root))
	if !s.RepoRelative {
		return given
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return given
	}
	dir := filepath.Dir(abs)
	if findWorkTree(dir) == "" {
		return given
	}
	return s.repoPrefix(dir) + filepath.Base(abs)
}
