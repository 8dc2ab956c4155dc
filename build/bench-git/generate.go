package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The generated history: a main line with feature branches forked from it
// and merged back with merge commits (some left open), twenty authors in
// a dozen time zones (one commits under two spellings of an email), one
// to six files changed per commit (edits, insertions, deletions, new and
// removed files, an occasional binary), sources in several languages, and
// a tag every thousand commits. It is deterministic: the same -commits
// gives the same repository, SHA for SHA.

type author struct {
	name, email string
	tz          int // minutes east of UTC
}

var authors = func() []author {
	names := []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson",
		"Dennis Ritchie", "Margaret Hamilton", "Donald Knuth", "Frances Allen", "John McCarthy", "Radia Perlman",
		"Linus Torvalds", "Guido van Rossum", "Rob Pike", "Anita Borg", "Tim Berners-Lee", "Sophie Wilson",
		"Bjarne Stroustrup", "Hedy Lamarr"}
	tzs := []int{0, 60, 120, -300, -240, -420, -480, 330, 540, 600, 480, -180, 60, 120, 0, -300, 345, 60, 120, 0}
	out := make([]author, len(names))
	for i, n := range names {
		out[i] = author{name: n, email: strings.ToLower(strings.ReplaceAll(n, " ", ".")) + "@example.com", tz: tzs[i]}
	}
	return out
}()

var exts = []string{".go", ".go", ".go", ".ts", ".ts", ".tsx", ".py", ".py", ".java", ".c", ".h", ".md", ".yaml", ".json", ".css", ".sql", ".sh", ".rs"}

var dirs = []string{"cmd", "internal/api", "internal/store", "internal/metric", "web/src", "web/src/components", "scripts", "docs", "lib", "pkg/util", "services/auth", "services/billing"}

type gen struct {
	rng     *rand.Rand
	w       *bufio.Writer
	mark    int
	files   map[string][]string // the main line's tree (text files)
	bins    map[string]int      // binary files: path → size
	nextID  int
	when    time.Time
	step    time.Duration
	commits int
}

// generateRepo writes a repository of n commits at dir with git fast-import.
func generateRepo(dir string, n int) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("git", "init", "-q", "-b", "main", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("git init: %v: %s", err, out)
	}
	cmd := exec.Command("git", "fast-import", "--quiet", "--done")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	// fast-import allocates and frees a delta buffer per blob; glibc's
	// default trimming turns that into a brk storm (10x slower).
	cmd.Env = append(os.Environ(), "MALLOC_TOP_PAD_=268435456", "MALLOC_TRIM_THRESHOLD_=268435456")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	g := &gen{
		rng: rand.New(rand.NewPCG(80_000, 4)), w: bufio.NewWriterSize(stdin, 1<<20),
		files: map[string][]string{}, bins: map[string]int{},
		when: time.Date(2019, 1, 7, 9, 0, 0, 0, time.UTC), step: 6 * 365 * 24 * time.Hour / time.Duration(n),
	}
	werr := g.history(n)
	if werr == nil {
		werr = g.w.Flush()
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	if werr != nil {
		return werr
	}
	// A checkout, as a clone on a laptop has (the mailmap lives there too).
	// No gc: fast-import's pack is already deltified, and both the baseline
	// and the import read the same pack.
	c := exec.Command("git", "checkout", "-q", "-f", "main")
	c.Dir = dir
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("git checkout: %v: %s", err, out)
	}
	return os.WriteFile(filepath.Join(dir, "BENCH_COMMITS"), []byte(strconv.Itoa(n)+"\n"), 0o644)
}

// branch is a line of development: main, or a feature forked from it.
type branch struct {
	ref     string
	tip     int                 // mark of its last commit
	files   map[string][]string // its tree, when it differs from main
	bins    map[string]int
	touched map[string]bool // paths it changed since the fork
	left    int             // commits before it merges
	// abandoned: never merged; its commits stay reachable from its ref.
	abandoned bool
}

func (g *gen) history(n int) error {
	// The initial tree.
	main := &branch{ref: "refs/heads/main"}
	for range 220 {
		g.files[g.newPath()] = g.text(10 + g.rng.IntN(110))
	}
	for i := range 6 {
		g.bins[fmt.Sprintf("assets/image-%d.png", i)] = 2000 + g.rng.IntN(6000)
	}
	g.files[".mailmap"] = []string{"Ada Lovelace <ada.lovelace@example.com> <Ada.Lovelace@Example.COM>"}
	g.commitHeader(main.ref, authors[0], "Initial import", 0, 0)
	g.writeFiles(g.files, g.bins, sortedKeys(g.files), sortedKeysInt(g.bins))
	main.tip = g.mark
	main.files, main.bins = g.files, g.bins

	var feature *branch
	featureNo := 0
	for g.commits < n {
		if feature == nil && g.rng.IntN(8) == 0 && n-g.commits > 20 {
			// Merged branches reuse a dozen names (as deleted and
			// recreated branches do); one in thirty is abandoned under a
			// name of its own.
			featureNo++
			ref := fmt.Sprintf("refs/heads/feature/%d", featureNo%12)
			abandoned := g.rng.IntN(30) == 0
			if abandoned {
				ref = fmt.Sprintf("refs/heads/abandoned/%d", featureNo)
			}
			feature = &branch{ref: ref, tip: main.tip, abandoned: abandoned,
				files: clone(main.files), bins: cloneInt(main.bins), touched: map[string]bool{}, left: 2 + g.rng.IntN(10)}
		}
		b := main
		if feature != nil && g.rng.IntN(3) > 0 {
			b = feature
		}
		g.change(b)
		if b == feature {
			feature.left--
			if feature.left == 0 {
				if !feature.abandoned && g.commits < n {
					g.mergeInto(main, feature)
				}
				feature = nil
			}
		}
		if g.commits%1000 == 0 && g.w.Flush() != nil {
			break // fast-import died: its error follows
		}
		if g.commits%1000 == 0 {
			fmt.Fprintf(g.w, "reset refs/tags/v%d.0\nfrom :%d\n\n", g.commits/1000, main.tip)
		}
	}
	fmt.Fprintf(g.w, "done\n")
	return nil
}

func (g *gen) newPath() string {
	g.nextID++
	return fmt.Sprintf("%s/file_%04d%s", dirs[g.rng.IntN(len(dirs))], g.nextID, exts[g.rng.IntN(len(exts))])
}

func (g *gen) text(lines int) []string {
	out := make([]string, lines)
	for i := range out {
		out[i] = g.line()
	}
	return out
}

var words = strings.Fields("the value of count total index user request handler result error config buffer stream item record update delete create parse render fetch store cache query")

func (g *gen) line() string {
	k := 2 + g.rng.IntN(7)
	var b strings.Builder
	b.WriteString(strings.Repeat("\t", g.rng.IntN(3)))
	for i := range k {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[g.rng.IntN(len(words))])
	}
	return b.String()
}

// commitHeader starts a commit on ref with parents (marks; 0: none).
func (g *gen) commitHeader(ref string, a author, msg string, from, merge int) {
	g.mark++
	g.commits++
	g.when = g.when.Add(g.step/2 + time.Duration(g.rng.Int64N(int64(g.step))))
	email := a.email
	if a.name == "Ada Lovelace" && g.rng.IntN(3) == 0 {
		email = "Ada.Lovelace@Example.COM"
	}
	zone := fmt.Sprintf("%+03d%02d", a.tz/60, abs(a.tz%60))
	if a.tz < 0 && a.tz > -60 {
		zone = fmt.Sprintf("-00%02d", -a.tz)
	}
	fmt.Fprintf(g.w, "commit %s\nmark :%d\nauthor %s <%s> %d %s\ncommitter %s <%s> %d %s\ndata %d\n%s\n",
		ref, g.mark, a.name, email, g.when.Unix(), zone, a.name, email, g.when.Unix()+int64(g.rng.IntN(600)), zone, len(msg), msg)
	if from > 0 {
		fmt.Fprintf(g.w, "from :%d\n", from)
	}
	if merge > 0 {
		fmt.Fprintf(g.w, "merge :%d\n", merge)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func (g *gen) writeFiles(files map[string][]string, bins map[string]int, paths, binPaths []string) {
	for _, p := range paths {
		content, ok := files[p]
		if !ok {
			fmt.Fprintf(g.w, "D %s\n", p)
			continue
		}
		body := strings.Join(content, "\n") + "\n"
		fmt.Fprintf(g.w, "M 100644 inline %s\ndata %d\n%s\n", p, len(body), body)
	}
	for _, p := range binPaths {
		size, ok := bins[p]
		if !ok {
			fmt.Fprintf(g.w, "D %s\n", p)
			continue
		}
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(g.rng.IntN(256))
		}
		b[0] = 0
		fmt.Fprintf(g.w, "M 100644 inline %s\ndata %d\n", p, size)
		g.w.Write(b)
		g.w.WriteByte('\n')
	}
	g.w.WriteByte('\n')
}

var verbs = []string{"Fix", "Add", "Refactor", "Update", "Improve", "Remove", "Handle", "Speed up", "Document", "Test"}

// change makes one commit on b: one to six files edited, added or removed.
func (g *gen) change(b *branch) {
	a := authors[min(g.rng.IntN(len(authors)), g.rng.IntN(len(authors)))] // some commit more
	k := 1 + min(g.rng.IntN(6), g.rng.IntN(6))
	var paths, binPaths []string
	keys := sortedKeys(b.files)
	for range k {
		switch r := g.rng.IntN(100); {
		case r < 6: // a new file
			p := g.newPath()
			b.files[p] = g.text(5 + g.rng.IntN(80))
			paths = append(paths, p)
		case r < 8 && len(keys) > 150: // a removed file
			p := keys[g.rng.IntN(len(keys))]
			if _, ok := b.files[p]; ok && p != ".mailmap" {
				delete(b.files, p)
				paths = append(paths, p)
			}
		case r < 9: // a binary
			bk := sortedKeysInt(b.bins)
			p := bk[g.rng.IntN(len(bk))]
			b.bins[p] = 2000 + g.rng.IntN(6000)
			binPaths = append(binPaths, p)
		default: // an edit
			p := keys[g.rng.IntN(len(keys))]
			if lines, ok := b.files[p]; ok && p != ".mailmap" {
				b.files[p] = g.edit(lines)
				paths = append(paths, p)
			}
		}
	}
	paths, binPaths = dedupe(paths), dedupe(binPaths)
	msg := fmt.Sprintf("%s %s in %s", verbs[g.rng.IntN(len(verbs))], words[g.rng.IntN(len(words))], filepath.Base(firstOr(paths, binPaths)))
	g.commitHeader(b.ref, a, msg, b.tip, 0)
	g.writeFiles(b.files, b.bins, paths, binPaths)
	b.tip = g.mark
	if b.touched != nil {
		for _, p := range append(paths, binPaths...) {
			b.touched[p] = true
		}
	}
}

// edit replaces, inserts and deletes a few lines, keeping files from
// growing without bound.
func (g *gen) edit(lines []string) []string {
	out := append([]string(nil), lines...)
	for range 1 + g.rng.IntN(4) {
		if len(out) == 0 {
			out = append(out, g.line())
			continue
		}
		i := g.rng.IntN(len(out))
		switch r := g.rng.IntN(10); {
		case r < 5:
			out[i] = g.line()
		case r < 8 && len(out) < 400:
			add := g.text(1 + g.rng.IntN(12))
			out = append(out[:i], append(add, out[i:]...)...)
		default:
			j := min(len(out), i+1+g.rng.IntN(6))
			out = append(out[:i], out[j:]...)
		}
	}
	return out
}

// mergeInto merges feature into main: the merge's tree is main's with the
// feature's version of every path the feature changed.
func (g *gen) mergeInto(main, feature *branch) {
	a := authors[g.rng.IntN(len(authors))]
	g.commitHeader(main.ref, a, "Merge branch '"+strings.TrimPrefix(feature.ref, "refs/heads/")+"'", main.tip, feature.tip)
	var paths, binPaths []string
	for _, p := range sortedKeysBool(feature.touched) {
		if _, isBin := feature.bins[p]; isBin {
			main.bins[p] = feature.bins[p]
			binPaths = append(binPaths, p)
			continue
		}
		if c, ok := feature.files[p]; ok {
			main.files[p] = c
		} else {
			delete(main.files, p)
		}
		paths = append(paths, p)
	}
	g.writeFiles(main.files, main.bins, paths, binPaths)
	main.tip = g.mark
}

func firstOr(a, b []string) string {
	if len(a) > 0 {
		return a[0]
	}
	if len(b) > 0 {
		return b[0]
	}
	return "tree"
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func clone(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cloneInt(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string][]string) []string { return sortStrings(keysOf(m)) }
func sortedKeysInt(m map[string]int) []string   { return sortStrings(keysOf(m)) }
func sortedKeysBool(m map[string]bool) []string { return sortStrings(keysOf(m)) }
func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// sortStrings orders keys: the stream must not depend on map iteration.
func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}
