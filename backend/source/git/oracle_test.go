package git

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/store"
)

// The oracle: what `git log --all --numstat --no-renames` itself prints,
// read independently of the source's parser (another format, ISO dates,
// text numstat), to compare every stored figure with.

type oracleFile struct {
	path      string
	additions int64
	deletions int64
	binary    bool
}

type oracleCommit struct {
	sha             string
	parents         int
	authorName      string
	authorEmail     string
	authoredAt      int64
	authorTZ        int
	committerName   string
	committerEmail  string
	committedAt     int64
	subject         string
	files           []oracleFile
	added, deleted  int64
	filesChangedCnt int64
}

const oracleMark = "@@commit@@"

func gitLogOracle(t testing.TB, r *testRepo) map[string]oracleCommit {
	t.Helper()
	out := r.git(nil, "log", "--all", "--numstat", "--no-renames",
		"--format="+oracleMark+"%n%H%n%P%n%aN%n%aE%n%aI%n%cN%n%cE%n%cI%n%s")
	commits := map[string]oracleCommit{}
	for _, block := range strings.Split(out, oracleMark+"\n")[1:] {
		ls := strings.Split(strings.TrimRight(block, "\n"), "\n")
		if len(ls) < 9 {
			t.Fatalf("oracle: short block %q", block)
		}
		c := oracleCommit{sha: ls[0], authorName: ls[2], authorEmail: ls[3], committerName: ls[5], committerEmail: ls[6], subject: ls[8]}
		if ls[1] != "" {
			c.parents = len(strings.Fields(ls[1]))
		}
		at, err := time.Parse(time.RFC3339, ls[4])
		if err != nil {
			t.Fatalf("oracle: author date %q: %v", ls[4], err)
		}
		_, off := at.Zone()
		c.authoredAt, c.authorTZ = at.Unix(), off/60
		ct, err := time.Parse(time.RFC3339, ls[7])
		if err != nil {
			t.Fatalf("oracle: committer date %q: %v", ls[7], err)
		}
		c.committedAt = ct.Unix()
		for _, l := range ls[9:] {
			if l == "" {
				continue
			}
			f := strings.SplitN(l, "\t", 3)
			if len(f) != 3 {
				t.Fatalf("oracle: numstat line %q", l)
			}
			of := oracleFile{path: f[2]}
			if f[0] == "-" && f[1] == "-" {
				of.binary = true
			} else {
				of.additions, _ = strconv.ParseInt(f[0], 10, 64)
				of.deletions, _ = strconv.ParseInt(f[1], 10, 64)
			}
			c.files = append(c.files, of)
			c.added += of.additions
			c.deleted += of.deletions
		}
		c.filesChangedCnt = int64(len(c.files))
		sort.Slice(c.files, func(i, j int) bool { return c.files[i].path < c.files[j].path })
		commits[c.sha] = c
	}
	return commits
}

// storedCommit is a commit as the database holds it, with its accounts.
type storedCommit struct {
	oracleCommit
	isMerge    bool
	personID   int64
	languages  map[string]string
	authorAcct int64
}

func storedCommits(t testing.TB, st *store.Store, repoPath string) map[string]storedCommit {
	t.Helper()
	ctx := context.Background()
	rows, err := st.DB().QueryContext(ctx, `SELECT c.id, c.sha, COALESCE(a.name, ''), COALESCE(a.email, ''), c.authored_at, c.author_tz_offset,
			COALESCE(k.name, ''), COALESCE(k.email, ''), c.committed_at, c.subject, c.is_merge, c.additions, c.deletions, c.files_changed,
			COALESCE(c.person_id, 0), COALESCE(c.author_account_id, 0)
		FROM commits c JOIN repositories r ON r.id = c.repo_id
		LEFT JOIN accounts a ON a.id = c.author_account_id LEFT JOIN accounts k ON k.id = c.committer_account_id
		WHERE r.source = 'git' AND r.local_path = $1`, repoPath)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]string{}
	out := map[string]storedCommit{}
	for rows.Next() {
		var id int64
		var c storedCommit
		if err := rows.Scan(&id, &c.sha, &c.authorName, &c.authorEmail, &c.authoredAt, &c.authorTZ, &c.committerName, &c.committerEmail,
			&c.committedAt, &c.subject, &c.isMerge, &c.added, &c.deleted, &c.filesChangedCnt, &c.personID, &c.authorAcct); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[c.sha]; dup {
			t.Errorf("commit %s stored twice", c.sha)
		}
		c.languages = map[string]string{}
		out[c.sha] = c
		byID[id] = c.sha
	}
	rows.Close()
	frows, err := st.DB().QueryContext(ctx, `SELECT f.commit_id, f.path, f.language, f.additions, f.deletions, f.is_binary
		FROM commit_files f JOIN commits c ON c.id = f.commit_id JOIN repositories r ON r.id = c.repo_id
		WHERE r.source = 'git' AND r.local_path = $1 ORDER BY f.commit_id, f.path`, repoPath)
	if err != nil {
		t.Fatal(err)
	}
	defer frows.Close()
	for frows.Next() {
		var id int64
		var f oracleFile
		var lang string
		if err := frows.Scan(&id, &f.path, &lang, &f.additions, &f.deletions, &f.binary); err != nil {
			t.Fatal(err)
		}
		sha, ok := byID[id]
		if !ok {
			t.Fatalf("file row of a commit %d that is not there", id)
		}
		c := out[sha]
		c.files = append(c.files, f)
		c.languages[f.path] = lang
		out[sha] = c
	}
	// Files that point at no commit at all (ghosts of deleted commits).
	var orphans int
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM commit_files f WHERE NOT EXISTS (SELECT 1 FROM commits c WHERE c.id = f.commit_id)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans > 0 {
		t.Errorf("%d file rows of commits that are gone", orphans)
	}
	return out
}

// checkAgainstGit compares every stored commit of the repository with the
// oracle: the same set of commits, and every figure equal.
func checkAgainstGit(t testing.TB, st *store.Store, r *testRepo) map[string]storedCommit {
	t.Helper()
	want := gitLogOracle(t, r)
	got := storedCommits(t, st, r.dir)
	for sha := range want {
		if _, ok := got[sha]; !ok {
			t.Errorf("commit %s (%q) not stored", sha[:10], want[sha].subject)
		}
	}
	for sha, g := range got {
		w, ok := want[sha]
		if !ok {
			t.Errorf("stored commit %s (%q) is no longer in the history (a ghost)", sha[:10], g.subject)
			continue
		}
		checks := []struct {
			what      string
			got, want any
		}{
			{"author name", g.authorName, w.authorName},
			{"author email", g.authorEmail, strings.ToLower(w.authorEmail)},
			{"authored at", g.authoredAt, w.authoredAt},
			{"author time zone", g.authorTZ, w.authorTZ},
			{"committer name", g.committerName, w.committerName},
			{"committer email", g.committerEmail, strings.ToLower(w.committerEmail)},
			{"committed at", g.committedAt, w.committedAt},
			{"subject", g.subject, w.subject},
			{"merge", g.isMerge, w.parents > 1},
			{"additions", g.added, w.added},
			{"deletions", g.deleted, w.deleted},
			{"files changed", g.filesChangedCnt, w.filesChangedCnt},
			{"files", fmt.Sprint(g.files), fmt.Sprint(w.files)},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("commit %s (%q): %s = %v, git log says %v", sha[:10], w.subject, c.what, c.got, c.want)
			}
		}
	}
	return got
}
