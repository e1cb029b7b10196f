// Package history scans a git repository's history for secrets: every
// commit reachable from every ref, commit messages included, and — for
// pre-commit hooks — the staged index.
//
// # How a history scan works
//
// A scan that diffs every commit costs commits × changed files; a scan that
// reads every distinct blob once costs the bytes of distinct content, which
// is what this package does, in three steps:
//
//  1. Walk: read every commit reachable from the starting refs (go-git
//     resolves refs, tags and revisions), order them topologically
//     (parents first, older committer date first among siblings), and diff
//     each commit's tree against its first parent's. The result is every
//     (path, blob) pair in the history, each with the first commit that put
//     that blob at that path. Unchanged subtrees are skipped by hash, so
//     the walk's cost follows what changed; commits are diffed in parallel
//     segments, by `git diff-tree --stdin` when git reads (walk_git.go),
//     else in batches a directory level at a time. Commit messages are
//     scanned beside the walk as they are read.
//  2. Read and scan (one reader per core): each distinct blob is read once,
//     either through `git cat-file` processes (fast: C zlib and git's
//     delta-base cache; the walk's commits and trees come the same way) or
//     through go-git (needs nothing installed). Blobs are handed out path
//     by path, oldest version first, so a reader remembers the lines it
//     already scanned at that path: a later version costs one hash per
//     line it does not share with the previous version, and only the
//     changed lines, cut out with the detector's context around them, go
//     through the detector.
//  3. Attribute: each finding (path, rule, secret) is kept once, at the
//     earliest commit in the topological order, and only those commits are
//     read again for author, date and summary.
//
// Both readers run the same walk and scanning code over the same bytes and
// so produce the same findings; the choice only changes speed.
package history

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/leakfix/leakfix/scanner"
)

// Options narrow and tune a history scan.
type Options struct {
	// Branches limits the walk to commits reachable from these revisions
	// (branch, tag, remote branch, commit); empty means every ref.
	Branches []string
	// Range is "A..B": commits reachable from B but not from A. An empty
	// side means HEAD.
	Range string
	// Since drops commits whose committer date is before it.
	Since time.Time
	// Reader is ReaderAuto (git if on PATH, else go-git), ReaderGit or
	// ReaderGoGit.
	Reader string
	// Workers is the number of blob readers; 0 means GOMAXPROCS.
	Workers int
	// MaxBlobSize skips larger blobs; 0 means scanner.DefaultMaxFileSize.
	MaxBlobSize int64
	// NoLineSkip rescans every line of every version (for measurement).
	NoLineSkip bool
	// Warn receives operational messages; never a secret.
	Warn func(string)
	// Progress, if set, is called about every ProgressInterval (default
	// 250 ms) and once at the end, from another goroutine.
	Progress         func(Progress)
	ProgressInterval time.Duration
	// Git is the git binary for ReaderGit; default "git" on PATH.
	Git string
	// Shard scans only the paths of one shard (see scanner.Shard); the
	// commit graph is still walked whole, to attribute.
	Shard scanner.Shard

	// beforeBlob, for tests, runs before each blob is scanned.
	beforeBlob func()
}

// Progress is a snapshot of a running scan.
type Progress struct {
	Phase      string // "commits" while walking, "blobs" while reading
	Commits    int64  // commits read (walk) or diffed
	Blobs      int64  // blobs read
	BlobsTotal int64  // distinct blobs to read (known once the walk is done)
	Bytes      int64  // bytes of blob content read
	Elapsed    time.Duration
	Done       bool
}

// Stats says what a scan covered.
type Stats struct {
	Reader       string
	Tips         int   // commits the walk started from
	Commits      int   // commits in range, diffed and message-scanned
	Blobs        int   // distinct blobs read
	Pairs        int   // distinct (path, blob) pairs
	Bytes        int64 // bytes of blob content read
	ScannedBytes int64 // bytes of text handed to the detector
	SkippedBytes int64 // of which unchanged lines not rescanned
	Binary       int
	TooLarge     int
	Shallow      bool
	WalkTime     time.Duration
	ScanTime     time.Duration
}

// ErrIncomplete is wrapped by the error Scan returns when some objects
// were missing or corrupt; the findings cover everything else.
var ErrIncomplete = errors.New("history incomplete")

// Scan scans the history of the repository at (or above) repo. Findings
// come sorted by commit (oldest first in topological order), then path,
// line and column. On cancellation it returns ctx.Err() and no findings.
func Scan(ctx context.Context, repo string, d *scanner.Detector, opts Options) ([]scanner.Finding, Stats, error) {
	var stats Stats
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	maxSize := opts.MaxBlobSize
	if maxSize <= 0 {
		maxSize = scanner.DefaultMaxFileSize
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	r, err := openRepository(repo)
	if err != nil {
		return nil, stats, err
	}
	reader, gitBin, err := pickReader(opts)
	if err != nil {
		return nil, stats, err
	}
	stats.Reader = reader
	batchCommand := reader == ReaderGit && supportsBatchCommand(gitBin)

	if reader == ReaderGit {
		r.peeler = &gitReader{git: gitBin, gitDir: r.gitDir, batchCommand: batchCommand}
	}
	spec, err := r.walkSpec(opts, warn)
	if err != nil {
		return nil, stats, err
	}
	if reader == ReaderGit {
		// Peeling the refs made go-git load the pack index (tens of MB on
		// a large repository) into this handle; git cat-file reads every
		// object from here on, so start afresh and let it go.
		tags := r.tags // read while peeling; tags.go scans them below
		if r, err = openRepository(repo); err != nil {
			return nil, stats, err
		}
		r.tags = tags
	}
	if len(spec.shallow) > 0 {
		stats.Shallow = true
		warn(fmt.Sprintf("%s is a shallow clone: history before %d boundary commit(s) is not in it, so this scan is partial "+
			"(run `git fetch --unshallow` for the full history)", repo, len(spec.shallow)))
	}
	stats.Tips = len(spec.tips)

	c := &counters{}
	stopProgress := startProgress(opts, c)
	defer stopProgress(false)

	// 1. Walk.
	start := time.Now()
	errs := &objectErrors{}
	newSource := func() (objectSource, error) {
		if reader == ReaderGit {
			gr := &gitReader{git: gitBin, gitDir: r.gitDir, batchCommand: batchCommand}
			return gr.source(ctx)
		}
		return &goGitSource{st: r.storage(16<<20, 0)}, nil
	}
	src, err := newSource()
	if err != nil {
		return nil, stats, err
	}
	defer src.close()
	msgs := earliest{}
	// Messages are scanned on their own goroutine, beside the walk's reads
	// and tree diffs (a copy each: the reader reuses its buffer).
	type message struct {
		idx    int32
		commit plumbing.Hash
		text   []byte
	}
	msgRank := map[int32][]scanner.Finding{} // node index → message findings
	var ruleErrs []error
	messages := make(chan message, 256)
	messagesDone := make(chan struct{})
	go func() {
		defer close(messagesDone)
		for m := range messages {
			fs, err := d.Detect(scanner.Fragment{Data: m.text, Commit: m.commit.String()})
			if err != nil {
				ruleErrs = append(ruleErrs, err)
			}
			if len(fs) > 0 {
				msgRank[m.idx] = fs
			}
		}
	}()
	g, err := loadGraph(ctx, src, spec, func(idx int32, commit plumbing.Hash, msg []byte) {
		if opts.Shard.OwnsMessages() {
			messages <- message{idx, commit, append([]byte(nil), msg...)}
		}
	}, errs, &c.objectsRead)
	close(messages)
	if err != nil {
		<-messagesDone
		return nil, stats, err
	}
	order := g.topoOrder()
	src.close()
	subs := &submodules{}
	var trees *gitTreeDiffer
	if reader == ReaderGit {
		trees = &gitTreeDiffer{git: gitBin, gitDir: r.gitDir}
	}
	in, err := diffCommits(ctx, g, order, newSource, trees, workers, errs, subs, &c.commits)
	<-messagesDone
	if err != nil {
		return nil, stats, err
	}
	rankOf := make([]int32, len(g.nodes))
	for rank, i := range order {
		rankOf[i] = int32(rank)
		if g.nodes[i].included && g.nodes[i].loaded {
			stats.Commits++
		}
	}
	for idx, fs := range msgRank {
		for _, f := range fs {
			f.InMessage = true
			f.File = ""
			f.Commit = g.nodes[idx].hash.String()
			msgs.add(f, rankOf[idx])
		}
	}
	in.pairs = shardPairs(in, opts.Shard)
	stats.Pairs = len(in.pairs)
	stats.WalkTime = time.Since(start)

	// 2. Read and scan.
	start = time.Now()
	chunks := planChunks(in)
	for _, ch := range chunks {
		stats.Blobs += len(ch)
	}
	c.blobsTotal.Store(int64(stats.Blobs))
	queue := make(chan chunk, len(chunks))
	for _, ch := range chunks {
		queue <- ch
	}
	close(queue)
	multi := multilineKeywords(d)
	scanners := make([]*blobScanner, workers)
	runErrs := make([]error, workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := range workers {
		s := newBlobScanner(d, in, multi, !opts.NoLineSkip, c)
		s.beforeBlob = opts.beforeBlob
		scanners[w] = s
		var br blobReader
		if reader == ReaderGit {
			br = &gitReader{git: gitBin, gitDir: r.gitDir, batchCommand: batchCommand, in: in, maxSize: maxSize}
		} else {
			br = &goGitReader{repo: r, in: in, maxSize: maxSize}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := br.run(ctx, queue, s, errs); err != nil {
				runErrs[w] = err
				cancel() // one reader failing to start fails the scan
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		if e := errors.Join(runErrs...); e != nil && !errors.Is(e, context.Canceled) {
			return nil, stats, e
		}
		return nil, stats, err
	}
	stats.ScanTime = time.Since(start)
	stats.Bytes = c.bytes.Load()
	stats.ScannedBytes = c.scanned.Load()
	stats.SkippedBytes = c.skipped.Load()
	stats.Binary = int(c.binary.Load())
	stats.TooLarge = int(c.tooLarge.Load())

	// 3. Attribute.
	all := msgs
	var bigNames []string
	for _, s := range scanners {
		for _, rf := range s.found {
			all.add(rf.f, rf.rank)
		}
		ruleErrs = append(ruleErrs, s.ruleErrs...)
		bigNames = append(bigNames, s.tooLarge...)
	}
	findings, err := attribute(ctx, r, in, all, newSource)
	if err != nil {
		return nil, stats, err
	}
	tagFindings, tagErrs := scanTags(d, r.tags) // tags.go
	findings = append(findings, tagFindings...)
	ruleErrs = append(ruleErrs, tagErrs...)
	stopProgress(true)
	if msg := subs.warning(); msg != "" {
		warn(msg)
	}
	// Blobs and messages a rule timed out on were not fully scanned:
	// named in the error, and the scan is not clean.
	timeouts := scanner.IncompleteError(ruleErrs)
	// Text blobs skipped for size were not scanned either (binary ones
	// are not counted: they hold nothing to scan).
	timeouts = errors.Join(timeouts, scanner.NewTooLargeError("blob", maxSize, stats.TooLarge, bigNames))
	if list := errs.all(); len(list) > 0 {
		// Named in the error itself, not as warnings: --quiet must not
		// hide which objects were not scanned.
		const shown = 20
		var b strings.Builder
		fmt.Fprintf(&b, "%d missing or corrupt object(s); every other object was scanned:", len(list))
		for i, e := range list {
			if i == shown {
				fmt.Fprintf(&b, "\n  ... and %d more", len(list)-shown)
				break
			}
			fmt.Fprintf(&b, "\n  %v", e)
		}
		return findings, stats, errors.Join(fmt.Errorf("%w: %s", ErrIncomplete, b.String()), timeouts)
	}
	if timeouts != nil {
		return findings, stats, fmt.Errorf("%w: %w", ErrIncomplete, timeouts)
	}
	return findings, stats, nil
}

// pickReader resolves ReaderAuto.
func pickReader(opts Options) (string, string, error) {
	gitBin := opts.Git
	if gitBin == "" {
		gitBin = "git"
	}
	switch opts.Reader {
	case "", ReaderAuto:
		if p, err := exec.LookPath(gitBin); err == nil {
			return ReaderGit, p, nil
		}
		return ReaderGoGit, "", nil
	case ReaderGit:
		p, err := exec.LookPath(gitBin)
		if err != nil {
			return "", "", fmt.Errorf("reader %q: %w", ReaderGit, err)
		}
		return ReaderGit, p, nil
	case ReaderGoGit:
		return ReaderGoGit, "", nil
	}
	return "", "", fmt.Errorf("unknown reader %q (want %s, %s or %s)", opts.Reader, ReaderAuto, ReaderGit, ReaderGoGit)
}

// walkSpec turns the options into starting points and exclusions.
func (r *repository) walkSpec(opts Options, warn func(string)) (walkSpec, error) {
	var spec walkSpec
	shallow, err := r.repo.Storer.Shallow()
	if err != nil {
		return spec, fmt.Errorf("read shallow file: %w", err)
	}
	if len(shallow) > 0 {
		spec.shallow = map[plumbing.Hash]bool{}
		for _, h := range shallow {
			spec.shallow[h] = true
		}
	}
	spec.since = opts.Since
	if opts.Range != "" {
		if len(opts.Branches) > 0 {
			return spec, errors.New("give either a range or branches, not both")
		}
		if strings.Contains(opts.Range, "...") {
			return spec, fmt.Errorf("range %q: symmetric ranges (A...B) are not supported; use A..B", opts.Range)
		}
		a, b, ok := strings.Cut(opts.Range, "..")
		if !ok {
			return spec, fmt.Errorf("range %q: want A..B", opts.Range)
		}
		if a == "" {
			a = "HEAD"
		}
		if b == "" {
			b = "HEAD"
		}
		ta, err := r.tips([]string{a}, warn)
		if err != nil {
			return spec, fmt.Errorf("range %q: %w", opts.Range, err)
		}
		r.tags = nil // a tag on the excluded side is out of range (tags.go)
		tb, err := r.tips([]string{b}, warn)
		if err != nil {
			return spec, fmt.Errorf("range %q: %w", opts.Range, err)
		}
		spec.exclude, spec.tips = ta, tb
		return spec, nil
	}
	spec.tips, err = r.tips(opts.Branches, warn)
	return spec, err
}

// attribute fills in author, email, date and summary of the commit each
// finding is attributed to, and sorts the findings. The commits are read
// in one batch from the walk's kind of object source (through go-git, a
// lone commit read loads the whole pack index: 50 MB on curl/curl).
func attribute(ctx context.Context, r *repository, in *introductions, all earliest, newSource func() (objectSource, error)) ([]scanner.Finding, error) {
	type meta struct{ author, email, date, summary string }
	metas := map[int32]meta{}
	var ranks []int32
	var hs []plumbing.Hash
	for _, rf := range all {
		if _, ok := metas[rf.rank]; !ok {
			metas[rf.rank] = meta{}
			ranks = append(ranks, rf.rank)
			hs = append(hs, in.commits[rf.rank])
		}
	}
	if len(hs) > 0 {
		src, err := newSource()
		if err != nil {
			return nil, err
		}
		var readErr error
		err = src.fetch(ctx, hs, plumbing.CommitObject, func(i int, data []byte, err error) {
			if err == nil {
				obj := &plumbing.MemoryObject{}
				obj.SetType(plumbing.CommitObject)
				_, _ = obj.Write(data)
				var c object.Commit
				if err = c.Decode(obj); err == nil {
					metas[ranks[i]] = meta{author: c.Author.Name, email: c.Author.Email,
						date: c.Author.When.Format(time.RFC3339), summary: firstLine(c.Message)}
					return
				}
			}
			if readErr == nil {
				readErr = fmt.Errorf("read commit %s: %w", hs[i], err)
			}
		})
		src.close()
		if err == nil {
			err = readErr
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]rankedFinding, 0, len(all))
	for _, rf := range all {
		m := metas[rf.rank]
		f := rf.f
		f.Commit = in.commits[rf.rank].String()
		f.Author, f.Email, f.Date, f.Message = m.author, m.email, m.date, m.summary
		out = append(out, rankedFinding{f: f, rank: rf.rank})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.f.File != b.f.File {
			return a.f.File < b.f.File
		}
		if a.f.StartLine != b.f.StartLine {
			return a.f.StartLine < b.f.StartLine
		}
		if a.f.StartColumn != b.f.StartColumn {
			return a.f.StartColumn < b.f.StartColumn
		}
		return a.f.RuleID < b.f.RuleID
	})
	findings := make([]scanner.Finding, len(out))
	for i := range out {
		findings[i] = out[i].f
	}
	return findings, nil
}

// startProgress runs the progress callback on a ticker until stopped.
func startProgress(opts Options, c *counters) func(final bool) {
	if opts.Progress == nil {
		return func(bool) {}
	}
	interval := opts.ProgressInterval
	if interval <= 0 {
		interval = 250 * time.Millisecond
	}
	begin := time.Now()
	snapshot := func(done bool) Progress {
		p := Progress{Phase: "commits", Commits: c.objectsRead.Load(), Blobs: c.blobs.Load(),
			BlobsTotal: c.blobsTotal.Load(), Bytes: c.bytes.Load(), Elapsed: time.Since(begin), Done: done}
		if p.BlobsTotal > 0 {
			p.Phase = "blobs"
		}
		return p
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				opts.Progress(snapshot(false))
			}
		}
	}()
	var once sync.Once
	return func(final bool) {
		once.Do(func() {
			close(stop)
			<-finished
			if final {
				opts.Progress(snapshot(true))
			}
		})
	}
}
