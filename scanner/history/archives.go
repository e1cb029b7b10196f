package history

import "github.com/leakfix/leakfix/scanner"

// scanArchive scans an archive blob whole at each of its paths: its bytes
// have no lines to skip, and every entry in it is new when the blob is.
func (s *blobScanner) scanArchive(j *blobJob, data []byte) {
	s.counters.scanned.Add(int64(len(data)))
	frag := scanner.Fragment{Path: s.in.paths[j.path], Data: data, Commit: s.commit(j.rank)}
	fs, err := s.d.Detect(frag)
	s.keep(fs, err, j.rank)
	for _, p := range j.extra {
		frag := scanner.Fragment{Path: s.in.paths[p.path], Data: data, Commit: s.commit(p.rank)}
		fs, err := s.d.Detect(frag)
		s.keep(fs, err, p.rank)
	}
}
