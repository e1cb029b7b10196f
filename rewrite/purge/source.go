package purge

import (
	"net/url"
	"path/filepath"
	"strings"
)

// Source is what the mirror clone is made from: origin's URL without
// credentials (they would land in the printed commands and in shell
// history), or the repository itself. local is set when the source is a
// path on this machine (see Steps.Local). warn hears when credentials
// were dropped, never what they were.
func Source(root string, warn func(string)) (src string, local bool) {
	r, err := OpenRepository(root)
	if err == nil {
		if rem, err := r.Remote("origin"); err == nil && len(rem.Config().URLs) > 0 {
			raw := rem.Config().URLs[0]
			clean, hadCreds := StripURLCredentials(raw)
			if hadCreds && warn != nil {
				warn("origin's URL holds credentials; they are left out of the commands below (git will ask for them)")
			}
			if !strings.Contains(clean, ":") {
				// A path (git resolves a relative one from the repository).
				if !filepath.IsAbs(clean) {
					clean = filepath.Join(root, clean)
				}
				return filepath.Clean(clean), true
			}
			return clean, strings.HasPrefix(clean, "file://")
		}
	}
	return root, true
}

// StripURLCredentials removes a password (and, over HTTP, where a token
// often sits in the user name, the whole user part) from a remote URL,
// and reports whether there was anything to remove.
func StripURLCredentials(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.User == nil {
		return raw, false
	}
	_, hasPassword := u.User.Password()
	switch u.Scheme {
	case "http", "https", "ftp", "ftps":
		u.User = nil
		return u.String(), true
	}
	if hasPassword {
		u.User = url.User(u.User.Username())
		return u.String(), true
	}
	return raw, false
}
