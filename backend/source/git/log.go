package git

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// logFormat prints, NUL-separated, what a commit row needs. %aN/%aE and
// %cN/%cE apply .mailmap; --date=raw gives "<unix seconds> <±hhmm>", the
// offset the author's clock had.
const logFormat = "--format=%H%x00%P%x00%aN%x00%aE%x00%ad%x00%cN%x00%cE%x00%cd%x00%s"

// logFields is the number of NUL-separated fields logFormat prints.
const logFields = 9

// logArgs read the given commits (one per line on stdin) in the given
// order, each with its numstat. Merges print no diff, as in plain
// `git log --numstat`; --root gives a root commit its creation diff whatever
// log.showRoot says; --no-ext-diff and --no-textconv keep the repository's
// configuration from running programs or changing the figures.
var logArgs = []string{"log", "--no-walk=unsorted", "--stdin", "-z", "--numstat", "--no-renames", "--root",
	"--no-ext-diff", "--no-textconv", "--date=raw", logFormat}

// commit is one parsed commit.
type commit struct {
	SHA            string
	Parents        int
	AuthorName     string
	AuthorEmail    string
	AuthoredAt     int64
	AuthorTZ       int // minutes east of UTC
	CommitterName  string
	CommitterEmail string
	CommittedAt    int64
	Subject        string
	Files          []fileStat
}

// fileStat is one line of --numstat.
type fileStat struct {
	Path      string
	Additions int64
	Deletions int64
	Binary    bool   // "-\t-": git shows no line counts
	Language  string // from the file name (go-enry)
}

// tokenReader reads NUL-terminated tokens of any length.
type tokenReader struct {
	r   *bufio.Reader
	buf []byte
}

func newTokenReader(r io.Reader) *tokenReader {
	return &tokenReader{r: bufio.NewReaderSize(r, 256<<10)}
}

// next returns the next token, valid until the following call; io.EOF
// after the last.
func (t *tokenReader) next() ([]byte, error) {
	b, err := t.r.ReadSlice(0)
	if err == nil {
		return b[:len(b)-1], nil
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		t.buf = append(t.buf[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = t.r.ReadSlice(0)
			t.buf = append(t.buf, b...)
		}
		if err == nil {
			return t.buf[:len(t.buf)-1], nil
		}
		b = t.buf
	}
	if errors.Is(err, io.EOF) && len(b) > 0 {
		return b, nil // the last token, unterminated
	}
	return nil, err
}

// parser turns the output of logArgs into commits.
type parser struct {
	tr      *tokenReader
	pending []byte // a token read past the end of the previous commit
	hasPend bool
}

func newParser(r io.Reader) *parser { return &parser{tr: newTokenReader(r)} }

// next returns the next commit, or io.EOF.
func (p *parser) next() (*commit, error) {
	var fields [logFields]string
	i := 0
	if p.hasPend {
		fields[0] = string(p.pending)
		p.hasPend = false
		i = 1
	}
	for ; i < logFields; i++ {
		tok, err := p.tr.next()
		if err != nil {
			if errors.Is(err, io.EOF) && i == 0 {
				return nil, io.EOF
			}
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("git log output ends inside a commit (%d of %d fields)", i, logFields)
			}
			return nil, err
		}
		if i == 0 {
			// Between commits: the newline git puts before a diff.
			tok = bytes.TrimLeft(tok, "\n")
			if len(tok) == 0 {
				i--
				continue
			}
		}
		fields[i] = string(tok)
	}
	c, err := parseHeader(fields)
	if err != nil {
		return nil, err
	}
	for {
		tok, err := p.tr.next()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		tok = bytes.TrimPrefix(tok, []byte{'\n'})
		if len(tok) == 0 {
			continue
		}
		f, ok := parseNumstat(tok)
		if !ok {
			// The next commit's SHA.
			p.pending = append(p.pending[:0], tok...)
			p.hasPend = true
			return c, nil
		}
		c.Files = append(c.Files, f)
	}
}

func parseHeader(f [logFields]string) (*commit, error) {
	if !isHex(f[0]) {
		return nil, fmt.Errorf("git log: expected a commit id, got %q", truncate(f[0]))
	}
	c := &commit{SHA: f[0], AuthorName: f[2], AuthorEmail: f[3], CommitterName: f[5], CommitterEmail: f[6], Subject: f[8]}
	if f[1] != "" {
		c.Parents = strings.Count(f[1], " ") + 1
	}
	var err error
	if c.AuthoredAt, c.AuthorTZ, err = parseRawDate(f[4]); err != nil {
		return nil, fmt.Errorf("git log: commit %s: author date: %w", c.SHA, err)
	}
	if c.CommittedAt, _, err = parseRawDate(f[7]); err != nil {
		return nil, fmt.Errorf("git log: commit %s: committer date: %w", c.SHA, err)
	}
	return c, nil
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

func isHex(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// parseRawDate reads "1700000000 +0530" into seconds and minutes east of UTC.
func parseRawDate(s string) (int64, int, error) {
	secs, zone, ok := strings.Cut(s, " ")
	if !ok || len(zone) != 5 || (zone[0] != '+' && zone[0] != '-') {
		return 0, 0, fmt.Errorf("unexpected date %q", s)
	}
	t, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("unexpected date %q", s)
	}
	hh, err1 := strconv.Atoi(zone[1:3])
	mm, err2 := strconv.Atoi(zone[3:5])
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("unexpected time zone in %q", s)
	}
	off := hh*60 + mm
	if zone[0] == '-' {
		off = -off
	}
	return t, off, nil
}

// parseNumstat reads "<added>\t<deleted>\t<path>", where binary files show
// "-" for both counts.
func parseNumstat(tok []byte) (fileStat, bool) {
	a, rest, ok := bytes.Cut(tok, []byte{'\t'})
	if !ok {
		return fileStat{}, false
	}
	d, path, ok := bytes.Cut(rest, []byte{'\t'})
	if !ok || len(path) == 0 {
		return fileStat{}, false
	}
	if string(a) == "-" && string(d) == "-" {
		return fileStat{Path: string(path), Binary: true}, true
	}
	add, ok1 := atoi(a)
	del, ok2 := atoi(d)
	if !ok1 || !ok2 {
		return fileStat{}, false
	}
	return fileStat{Path: string(path), Additions: add, Deletions: del}, true
}

func atoi(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
