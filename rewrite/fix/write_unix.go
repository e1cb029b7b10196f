//go:build unix

package fix

import (
	"io/fs"
	"os"
	"syscall"
)

func hardLinks(st fs.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Nlink)
	}
	return 1
}

// keepOwner gives the new file the old one's owner and group. Only root
// can give a file away, and a user's own files already have the right
// owner, so errors are ignored.
func keepOwner(f *os.File, st fs.FileInfo) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(s.Uid), int(s.Gid))
	}
}
