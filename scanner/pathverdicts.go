package scanner

// PathVerdicts remembers, for one path, which rules' path filters admit it
// and whether a global path allowlist drops it. The detector judges these
// once per fragment; a caller that hands it many fragments of one path —
// history scans every changed excerpt of every version of a file on its
// own — sets Fragment.Verdicts so they are judged once per path (on
// curl/curl's history these path regexes were 0.7 s of 8 s). It follows
// the fragment's path: a new path starts it afresh. Not safe for
// concurrent use: one per goroutine.
type PathVerdicts struct {
	d      *Detector
	path   string
	ok     []int8 // per rule: 0 not judged yet, 1 applies, -1 not
	global int8   // 0 not judged yet, 1 a global allowlist drops the path, -1 not
}

// follow resets v when the detector or the path changed.
func (v *PathVerdicts) follow(d *Detector, path string) {
	if v.d == d && v.path == path && v.ok != nil {
		return
	}
	v.d, v.path, v.global = d, path, 0
	if cap(v.ok) >= len(d.rules) {
		v.ok = v.ok[:len(d.rules)]
		clear(v.ok)
	} else {
		v.ok = make([]int8, len(d.rules))
	}
}

// allowedPath is d.globallyAllowedPath(path), remembered when v is set.
func (v *PathVerdicts) allowedPath(d *Detector, path string) bool {
	if v == nil {
		return d.globallyAllowedPath(path)
	}
	v.follow(d, path)
	if v.global == 0 {
		v.global = -1
		if d.globallyAllowedPath(path) {
			v.global = 1
		}
	}
	return v.global == 1
}

// rules returns the per-rule verdicts for path to fill in as rules are
// judged: v's own when set, else a fresh slice.
func (v *PathVerdicts) rules(d *Detector, path string) []int8 {
	if v == nil {
		return make([]int8, len(d.rules))
	}
	v.follow(d, path)
	return v.ok
}
