package git

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/go-enry/go-enry/v2"
)

// languages names the language of a file from its name with go-enry
// (GitHub Linguist's data). A name several languages use (.h, .m, .pl)
// takes the language that the repository's own files with such names are
// written in, as go-enry reads their content at the tip of the default
// branch; failing that, go-enry's first guess.
type languages struct {
	mu       sync.Mutex
	byName   map[string]string // base name → language
	resolved map[string]string // candidate list → the repository's choice
}

const languageCacheLimit = 100_000

func newLanguages() *languages {
	return &languages{byName: map[string]string{}, resolved: map[string]string{}}
}

func candidatesKey(c []string) string { return strings.Join(c, "\x00") }

// of returns the language of the file at path p, or "" when unknown.
func (l *languages) of(p string) string {
	base := path.Base(p)
	l.mu.Lock()
	defer l.mu.Unlock()
	if lang, ok := l.byName[base]; ok {
		return lang
	}
	lang := ""
	switch c := enry.GetLanguages(base, nil); len(c) {
	case 0:
	case 1:
		lang = c[0]
	default:
		if r, ok := l.resolved[candidatesKey(c)]; ok {
			lang = r
		} else {
			lang = c[0]
		}
	}
	if len(l.byName) >= languageCacheLimit {
		clear(l.byName)
	}
	l.byName[base] = lang
	return lang
}

// treeFile is a file of a tree, from `git ls-tree -r --long`.
type treeFile struct {
	path string
	size int64
	blob string
}

// samplesPerAmbiguity bounds the blobs read to settle one ambiguous kind of
// file name.
const samplesPerAmbiguity = 16

// maxSampleBytes bounds the content go-enry reads of one blob.
const maxSampleBytes = 64 << 10

// learn settles ambiguous file names from the repository's tree at rev and
// returns its primary language: the programming or markup language with
// the most bytes, leaving out vendored files and documentation (GitHub's
// rule). It returns "" for an empty tree or one without code.
func (l *languages) learn(ctx context.Context, dir, rev string) (string, error) {
	out, err := run(ctx, dir, "ls-tree", "-r", "-z", "--long", "--full-tree", rev)
	if err != nil {
		return "", err
	}
	var files []treeFile
	for _, rec := range bytes.Split(out, []byte{0}) {
		// <mode> SP <type> SP <object> SP+ <size> TAB <path>
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		if !ok {
			continue
		}
		f := strings.Fields(string(meta))
		if len(f) != 4 || f[1] != "blob" || f[0] == "120000" { // skip submodules and symbolic links
			continue
		}
		size, _ := strconv.ParseInt(f[3], 10, 64)
		files = append(files, treeFile{path: string(p), size: size, blob: f[2]})
	}

	// Read samples of each ambiguous kind of name, and let go-enry decide
	// on their content.
	samples := map[string][]treeFile{}
	for _, f := range files {
		if c := enry.GetLanguages(path.Base(f.path), nil); len(c) > 1 {
			k := candidatesKey(c)
			if len(samples[k]) < samplesPerAmbiguity && f.size > 0 && f.size <= 4*maxSampleBytes && !enry.IsVendor(f.path) {
				samples[k] = append(samples[k], f)
			}
		}
	}
	if len(samples) > 0 {
		votes, err := sampleLanguages(ctx, dir, samples)
		if err != nil {
			return "", err
		}
		l.mu.Lock()
		for k, v := range votes {
			l.resolved[k] = v
		}
		clear(l.byName) // names cached before may resolve differently now
		l.mu.Unlock()
	}

	bytesBy := map[string]int64{}
	for _, f := range files {
		if enry.IsVendor(f.path) || enry.IsDocumentation(f.path) || enry.IsDotFile(f.path) {
			continue
		}
		lang := l.of(f.path)
		if t := enry.GetLanguageType(lang); lang == "" || (t != enry.Programming && t != enry.Markup) {
			continue
		}
		bytesBy[lang] += f.size
	}
	best, most := "", int64(-1)
	for lang, n := range bytesBy {
		if n > most || (n == most && lang < best) {
			best, most = lang, n
		}
	}
	return best, nil
}

// sampleLanguages reads the sample blobs with one `git cat-file --batch`
// and returns, per ambiguous kind, the language most samples are in.
func sampleLanguages(ctx context.Context, dir string, samples map[string][]treeFile) (map[string]string, error) {
	var input bytes.Buffer
	var order []struct{ key, path string }
	keys := make([]string, 0, len(samples))
	for k := range samples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, f := range samples[k] {
			input.WriteString(f.blob)
			input.WriteByte('\n')
			order = append(order, struct{ key, path string }{k, f.path})
		}
	}
	out, err := runInput(ctx, dir, input.Bytes(), "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(bytes.NewReader(out))
	count := map[string]map[string]int{}
	for _, o := range order {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		fields := strings.Fields(header)
		if len(fields) != 3 { // "<sha> missing"
			continue
		}
		size, _ := strconv.Atoi(fields[2])
		content := make([]byte, size+1) // and the newline after it
		if _, err := io.ReadFull(r, content); err != nil {
			return nil, err
		}
		content = content[:min(size, maxSampleBytes)]
		if lang := enry.GetLanguage(path.Base(o.path), content); lang != "" {
			if count[o.key] == nil {
				count[o.key] = map[string]int{}
			}
			count[o.key][lang]++
		}
	}
	votes := map[string]string{}
	for k, c := range count {
		best, most := "", 0
		for lang, n := range c {
			if n > most || (n == most && lang < best) {
				best, most = lang, n
			}
		}
		votes[k] = best
	}
	return votes, nil
}
