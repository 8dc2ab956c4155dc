package git

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var (
	alice      = who{"Alice", "alice@example.com", "2026-03-02T09:15:00+02:00"}
	aliceUpper = who{"Alice", "Alice@Example.COM", "2026-03-04T23:50:00+02:00"}
	aliceGH    = who{"Alice", "12345+alice-gh@users.noreply.github.com", "2026-03-06T08:00:00+02:00"}
	bobOld     = who{"bobby", "bob@old.example", "2026-03-02T18:40:00-07:00"}
	bob        = who{"Bob", "bob@example.com", "2026-03-05T07:05:00-08:00"}
	carol      = who{"Carol", "carol@example.com", "2026-03-03T01:30:00+05:30"}
	dave       = who{"Dave", "dave@example.com", "2026-03-03T20:00:00Z"}
	dependabot = who{"dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", "2026-03-06T03:00:00Z"}
)

func at(w who, when string) who { w.when = when; return w }

// history is the test repository's story so far.
type history struct {
	r                             *testRepo
	initial, merge, topic, spike  string
	spikeOnly, topicOnly, feature []string
}

// buildHistory makes a repository with several authors in several time
// zones, a committer other than the author, a mailmap, a binary file, a
// rename, a merged branch, an annotated tag, a bot, a GitHub noreply
// address, a remote with its default branch, and two unmerged branches.
func buildHistory(t testing.TB, dir string) *history {
	r := newTestRepo(t, dir)
	h := &history{r: r}
	h.initial = r.commit(alice, "Initial commit", map[string][]byte{
		"main.go":   []byte("package main\n\nfunc main() {}\n"),
		"README.md": lines("# Widgets", 12),
		"util.h":    []byte("#ifndef UTIL_H\n#define UTIL_H\nint add(int a, int b);\n#endif\n"),
		"logo.png":  binary(1, 3000),
		".mailmap":  []byte("Bob Builder <bob@example.com>\nBob Builder <bob@example.com> <bob@old.example>\n"),
	})
	r.commit(bobOld, "Add the Python helper", map[string][]byte{"lib/helper.py": lines("def f(): pass #", 40)})
	// Rename with a change: --no-renames shows a deletion and an addition.
	if err := os.Mkdir(filepath.Join(r.dir, "include"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.git(nil, "mv", "util.h", "include/util.h")
	r.commit(carol, "Move util.h under include/ and change the logo", map[string][]byte{
		"include/util.h": []byte("#ifndef UTIL_H\n#define UTIL_H\nint add(int a, int b);\nint sub(int a, int b);\n#endif\n"),
		"logo.png":       binary(2, 3100),
		"main.go":        []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(1) }\n"),
	}, dave)
	r.git(actEnv(carol, carol), "tag", "-a", "v1.0", "-m", "Version 1.0")

	r.git(nil, "checkout", "-q", "-b", "feature")
	h.feature = append(h.feature, r.commit(aliceUpper, "Feature: parse flags", map[string][]byte{"flags.go": lines("// flag", 25)}))
	h.feature = append(h.feature, r.commit(bob, "Feature: faster helper", map[string][]byte{
		"lib/helper.py": append(lines("def f(): pass #", 30), lines("def g(): return 1 #", 6)...),
	}))
	r.git(nil, "checkout", "-q", "main")
	r.commit(at(carol, "2026-03-05T12:00:00+05:30"), "Docs: usage", map[string][]byte{"README.md": lines("# Widgets usage", 15), "docs/guide.txt": lines("guide", 3)})
	h.merge = r.merge(at(alice, "2026-03-05T16:00:00+01:00"), "feature", "Merge branch 'feature'")
	r.commit(dependabot, "Bump golang.org/x/sync from 0.7.0 to 0.8.0", map[string][]byte{"go.mod": []byte("module example.com/widgets\n\ngo 1.24\n")})
	r.commit(aliceGH, "Fix typo (web edit)", map[string][]byte{"README.md": lines("# Widgets  usage", 15)})

	r.git(nil, "remote", "add", "origin", "git@github.com:acme/widgets.git")
	r.git(nil, "update-ref", "refs/remotes/origin/main", "HEAD")
	r.git(nil, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")

	r.git(nil, "checkout", "-q", "-b", "topic")
	h.topicOnly = append(h.topicOnly, r.commit(at(carol, "2026-03-07T10:00:00+05:30"), "Topic: first try", map[string][]byte{"topic.go": lines("// try", 5)}))
	h.topicOnly = append(h.topicOnly, r.commit(at(carol, "2026-03-07T11:00:00+05:30"), "Topic: second try", map[string][]byte{"topic.go": lines("// try again", 8)}))
	h.topic = h.topicOnly[1]
	r.git(nil, "checkout", "-q", "main")
	r.git(nil, "checkout", "-q", "-b", "spike")
	h.spikeOnly = append(h.spikeOnly, r.commit(at(bob, "2026-03-08T09:00:00-08:00"), "Spike: try a cache", map[string][]byte{"cache.go": lines("// cache", 9), "blob.bin": binary(3, 500)}))
	h.spike = h.spikeOnly[0]
	r.git(nil, "checkout", "-q", "main")
	return h
}

func syncRepo(t testing.TB, st *store.Store, dir string, opt Options) Result {
	t.Helper()
	res, err := Sync(context.Background(), st, identity.NewResolver(st), dir, opt)
	if err != nil {
		t.Fatalf("sync %s: %v", dir, err)
	}
	return res
}

func count(t testing.TB, st *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestSyncStoresWhatGitLogPrints(t *testing.T) {
	isolateGit(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := buildHistory(t, filepath.Join(t.TempDir(), "widgets"))
		r := h.r
		total := len(gitLogOracle(t, r))
		res := syncRepo(t, st, r.dir, Options{BatchSize: 3, ChunkSize: 4, Workers: 2})
		if res.Read != total || res.Added != total || res.Removed != 0 || !res.Full {
			t.Fatalf("first sync: %+v, want %d commits read and added, a full read", res, total)
		}
		got := checkAgainstGit(t, st, r)

		// Figures git prints that the oracle cannot judge: language per
		// file (go-enry), the mailmap's single person, the bot, the merge.
		wantLang := map[string]string{"main.go": "Go", "README.md": "Markdown", "util.h": "C", "include/util.h": "C",
			"logo.png": "", ".mailmap": "", "lib/helper.py": "Python", "flags.go": "Go", "docs/guide.txt": "Text",
			"go.mod": "Go Module", "topic.go": "Go", "cache.go": "Go", "blob.bin": ""}
		for sha, c := range got {
			for p, lang := range c.languages {
				if w, ok := wantLang[p]; !ok || w != lang {
					t.Errorf("commit %s: %s has language %q, want %q", sha[:8], p, lang, w)
				}
			}
		}
		if c := got[h.initial]; c.authorTZ != 120 || len(c.files) != 5 {
			t.Errorf("initial commit: tz %d, %d files", c.authorTZ, len(c.files))
		}
		if !got[h.merge].isMerge || len(got[h.merge].files) != 0 {
			t.Errorf("merge commit: %+v", got[h.merge])
		}
		if n := count(t, st, `SELECT COUNT(DISTINCT c.person_id) FROM commits c JOIN accounts a ON a.id = c.author_account_id WHERE a.email = 'bob@example.com'`); n != 1 {
			t.Errorf("Bob's commits (two emails, one after the mailmap) belong to %d people", n)
		}
		if n := count(t, st, `SELECT COUNT(*) FROM accounts WHERE email = 'bob@old.example'`); n != 0 {
			t.Errorf("the mailmapped-away email got an account")
		}
		if n := count(t, st, `SELECT COUNT(*) FROM accounts WHERE source = 'git' AND email = 'alice@example.com'`); n != 1 {
			t.Errorf("Alice's two spellings of one email: %d accounts", n)
		}
		if n := count(t, st, `SELECT COUNT(*) FROM people p JOIN accounts a ON a.person_id = p.id WHERE a.name = 'dependabot[bot]' AND p.is_bot AND a.is_bot`); n != 1 {
			t.Errorf("dependabot is not stored as a bot")
		}

		// The repository: name, path, remotes, default branch, language
		// (Python has the most bytes at the tip of main).
		var name, url, branch, remotes, lang, path string
		if err := st.DB().QueryRowContext(context.Background(), `SELECT full_name, url, default_branch, remotes, language, local_path FROM repositories WHERE source = 'git'`).
			Scan(&name, &url, &branch, &remotes, &lang, &path); err != nil {
			t.Fatal(err)
		}
		if name != "widgets" || url != "https://github.com/acme/widgets" || branch != "main" || remotes != "origin git@github.com:acme/widgets.git\n" || lang != "Python" || path != r.dir {
			t.Errorf("repository: %q %q %q %q %q %q", name, url, branch, remotes, lang, path)
		}

		// Nothing new: no history read at all.
		if res := syncRepo(t, st, r.dir, Options{}); !res.Unchanged || res.Read != 0 {
			t.Errorf("re-sync with nothing new: %+v", res)
		}

		// New commits, a force-updated branch and a deleted one: only the
		// new commits are read; the rewritten and deleted ones go.
		r.git(nil, "checkout", "-q", "topic")
		r.git(nil, "reset", "-q", "--hard", "main")
		rewritten := r.commit(at(carol, "2026-03-09T10:00:00+05:30"), "Topic: done right", map[string][]byte{"topic.go": lines("// right", 4)})
		r.git(nil, "checkout", "-q", "main")
		r.git(nil, "branch", "-q", "-D", "spike")
		newer := r.commit(at(alice, "2026-03-09T18:00:00-04:00"), "After the rewrite", map[string][]byte{"main.go": []byte("package main\n")})
		res = syncRepo(t, st, r.dir, Options{})
		if res.Full || res.Read != 2 || res.Added != 2 || res.Removed != 3 {
			t.Errorf("incremental sync: %+v, want 2 read and added, 3 removed, not full", res)
		}
		got = checkAgainstGit(t, st, r)
		for _, sha := range append(append([]string{}, h.topicOnly...), h.spikeOnly...) {
			if _, ok := got[sha]; ok {
				t.Errorf("commit %s of a rewritten or deleted branch is still stored", sha[:8])
			}
		}
		if _, ok := got[rewritten]; !ok {
			t.Errorf("rewritten topic commit missing")
		}
		if _, ok := got[newer]; !ok {
			t.Errorf("new commit missing")
		}

		// A rewrite whose old tips are garbage-collected: git can no longer
		// say what changed, so the stored commits are compared with the
		// whole history.
		r.git(nil, "checkout", "-q", "topic")
		r.git(actEnv(carol, at(dave, "2026-03-10T08:00:00Z")), "commit", "-q", "--amend", "-m", "Topic: done right, amended")
		r.git(nil, "checkout", "-q", "main")
		r.git(nil, "reflog", "expire", "--expire=now", "--all")
		r.git(nil, "gc", "-q", "--prune=now")
		res = syncRepo(t, st, r.dir, Options{})
		if !res.Full || res.Read != 1 || res.Added != 1 || res.Removed != 1 {
			t.Errorf("sync after an amend and gc: %+v, want 1 read, added and removed", res)
		}
		checkAgainstGit(t, st, r)

		// A changed mailmap maps the stored commits' authors again.
		r.write(map[string][]byte{".mailmap": []byte("Bob Builder <bob@example.com>\nBob Builder <bob@example.com> <bob@old.example>\nCarol Q. <carol@example.org> <carol@example.com>\n")})
		res = syncRepo(t, st, r.dir, Options{})
		if res.Remapped == 0 || res.Read != 0 {
			t.Errorf("sync after a mailmap change: %+v", res)
		}
		checkAgainstGit(t, st, r)
	})
}

func TestSyncSinceReadsOnlyLaterHistoryAndWidens(t *testing.T) {
	isolateGit(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := buildHistory(t, filepath.Join(t.TempDir(), "widgets"))
		all := gitLogOracle(t, h.r)
		since := mustTime(t, "2026-03-05T00:00:00Z")
		want := 0
		for _, c := range all {
			if c.committedAt >= since.Unix() {
				want++
			}
		}
		res := syncRepo(t, st, h.r.dir, Options{Since: since})
		if res.Added != want || want == 0 || want == len(all) {
			t.Fatalf("since %s: %d added, want %d of %d", since, res.Added, want, len(all))
		}
		// A later since keeps what was read; no since reads the rest.
		if res := syncRepo(t, st, h.r.dir, Options{Since: mustTime(t, "2026-03-08T00:00:00Z")}); res.Removed != 0 || res.Added != 0 {
			t.Errorf("a later since changed the stored history: %+v", res)
		}
		if res := syncRepo(t, st, h.r.dir, Options{}); res.Added != len(all)-want {
			t.Errorf("widening to all history added %d, want %d", res.Added, len(all)-want)
		}
		checkAgainstGit(t, st, h.r)
	})
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSyncBareRepository(t *testing.T) {
	isolateGit(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := t.TempDir()
		h := buildHistory(t, filepath.Join(base, "widgets"))
		bare := filepath.Join(base, "widgets-mirror.git")
		h.r.git(nil, "clone", "-q", "--mirror", h.r.dir, bare)
		res := syncRepo(t, st, bare, Options{})
		if res.Added == 0 || res.Path != bare {
			t.Fatalf("bare: %+v", res)
		}
		checkAgainstGit(t, st, &testRepo{t: t, dir: bare})
	})
}

func TestSyncEmptyAndDetachedRepositories(t *testing.T) {
	isolateGit(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newTestRepo(t, filepath.Join(t.TempDir(), "fresh"))
		if res := syncRepo(t, st, r.dir, Options{}); res.Added != 0 || res.Read != 0 {
			t.Errorf("empty repository: %+v", res)
		}
		first := r.commit(alice, "First", map[string][]byte{"a.go": lines("// a", 2)})
		r.commit(bob, "Second", map[string][]byte{"a.go": lines("// b", 3)})
		if res := syncRepo(t, st, r.dir, Options{}); res.Added != 2 {
			t.Errorf("after two commits: %+v", res)
		}
		// A detached HEAD's commits count while it is checked out.
		r.git(nil, "checkout", "-q", "--detach", first)
		detached := r.commit(carol, "Experiment on a detached HEAD", map[string][]byte{"b.go": lines("// x", 1)})
		if res := syncRepo(t, st, r.dir, Options{}); res.Added != 1 {
			t.Errorf("detached HEAD: %+v", res)
		}
		checkAgainstGit(t, st, r)
		r.git(nil, "checkout", "-q", "main")
		if res := syncRepo(t, st, r.dir, Options{}); res.Removed != 1 {
			t.Errorf("after leaving the detached commit: %+v", res)
		}
		if _, ok := storedCommits(t, st, r.dir)[detached]; ok {
			t.Error("the abandoned detached commit is still stored")
		}
		checkAgainstGit(t, st, r)
	})
}

func TestSyncMailmapFileSetting(t *testing.T) {
	isolateGit(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newTestRepo(t, filepath.Join(t.TempDir(), "mm"))
		r.commit(bobOld, "Old address", map[string][]byte{"a.txt": []byte("a\n")})
		r.commit(bob, "New address", map[string][]byte{"a.txt": []byte("b\n")})
		syncRepo(t, st, r.dir, Options{})
		if n := count(t, st, `SELECT COUNT(DISTINCT author_account_id) FROM commits`); n != 2 {
			t.Fatalf("without a mailmap: %d authors, want 2", n)
		}
		// A mailmap outside the work tree, named by mailmap.file.
		file := filepath.Join(t.TempDir(), "people.mailmap")
		if err := os.WriteFile(file, []byte("Robert <bob@example.com> <bob@old.example>\nRobert <bob@example.com>\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r.git(nil, "config", "mailmap.file", file)
		// The old address's commit moves to the new address's account,
		// which takes the mailmap's name.
		if res := syncRepo(t, st, r.dir, Options{}); res.Remapped != 1 || res.Read != 0 {
			t.Errorf("after setting mailmap.file: %+v, want 1 remapped and nothing read", res)
		}
		if n := count(t, st, `SELECT COUNT(DISTINCT author_account_id) FROM commits`); n != 1 {
			t.Errorf("with the mailmap: %d authors, want 1", n)
		}
		checkAgainstGit(t, st, r)
	})
}
