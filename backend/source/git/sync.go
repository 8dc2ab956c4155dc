package git

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/store"
)

// Options of a sync.
type Options struct {
	// Since limits the history read to commits committed at or after it;
	// zero reads all of it. A later sync with an earlier Since reads the
	// older history too; a later Since never drops what was read.
	Since time.Time
	// Workers is how many `git log` processes read at once (default: one
	// per CPU). Reading is bound by git's diffing, which uses one core per
	// process.
	Workers int
	// ChunkSize is the most commits one `git log` process reads (default
	// 20,000; fewer when that would leave a worker idle). Each process starts
	// with a cold delta-base cache, so small chunks cost git much more: on
	// 80,000 commits, chunks of 4,000 took 30-70% more CPU than one pass,
	// chunks of 20,000 about 10%. git's memory grows with the chunk.
	ChunkSize int
	// BatchSize is how many commits go to the database in one transaction
	// (default 4,000: the SHA indexes take inserts at random, and fewer,
	// larger transactions rewrite each index page fewer times).
	BatchSize int
	// Progress, when set, receives the number of commits stored so far.
	Progress func(commits int)
	Log      *slog.Logger
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 20_000
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 4000
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Result is what a sync of one repository did.
type Result struct {
	RepoID    int64
	Path      string
	Read      int  // commits read from git log
	Added     int  // commits stored
	Removed   int  // commits no ref reaches any more (rewritten or deleted branches)
	Remapped  int  // commits whose author or committer changed with the mailmap
	Unchanged bool // refs and mailmap as the last sync left them: no history read
	Full      bool // the stored commits were compared with the whole history
}

// state is where the last complete sync of a repository left off.
type state struct {
	found   bool
	tips    []Tip
	since   int64 // 0: all history
	mailmap string
}

// Sync brings the stored history of the repository at dir up to date: it
// stores its metadata, the commits every ref reaches (and that are not
// stored yet), and removes the commits no ref reaches any more. The first
// sync reads the whole history (from opt.Since); later ones read only
// commits the refs have gained since, unless the refs' old tips are gone
// (garbage-collected after a rewrite), when the stored commits are compared
// with the whole history. A sync that fails part-way leaves no commit
// without its files, and the next one picks up where it stopped.
func Sync(ctx context.Context, st *store.Store, people *identity.Resolver, dir string, opt Options) (Result, error) {
	opt.defaults()
	repo, err := ReadRepository(ctx, dir)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: repo.Path}
	if res.RepoID, err = upsertRepository(ctx, st, repo); err != nil {
		return res, err
	}
	old, err := loadState(ctx, st, res.RepoID)
	if err != nil {
		return res, err
	}
	mailmap, err := mailmapFingerprint(ctx, repo)
	if err != nil {
		return res, err
	}
	// The history read so far never narrows: a later Since keeps the
	// older coverage, an earlier one (or none) widens it.
	since := int64(0)
	if !opt.Since.IsZero() {
		since = max(opt.Since.Unix(), 1)
	}
	if old.found && (old.since == 0 || (since != 0 && since >= old.since)) {
		since = old.since
	}
	tipsSame := old.found && sameTips(old.tips, repo.Tips)
	if tipsSame && old.mailmap == mailmap && since == old.since {
		res.Unchanged = true
		return res, nil
	}

	s := &syncer{st: st, people: people, dir: repo.Path, repoID: res.RepoID, opt: opt, langs: newLanguages()}
	if err := storeLanguage(ctx, st, s.langs, repo, res.RepoID); err != nil {
		return res, err
	}

	var add, gone []string
	fast := old.found && since == old.since && s.allExist(ctx, old.tips)
	if fast {
		if add, err = s.revList(ctx, repo.Tips, old.tips, since); err != nil {
			return res, err
		}
		if gone, err = s.revList(ctx, old.tips, repo.Tips, 0); err != nil {
			return res, err
		}
	} else {
		res.Full = true
		if add, gone, err = s.reconcile(ctx, repo.Tips, since); err != nil {
			return res, err
		}
	}
	if res.Read, res.Added, err = s.importCommits(ctx, add); err != nil {
		return res, err
	}
	if len(gone) > 0 {
		if res.Removed, err = st.DeleteCommits(ctx, res.RepoID, gone); err != nil {
			return res, err
		}
	}
	if old.found && old.mailmap != mailmap {
		if res.Remapped, err = s.remap(ctx, repo.Tips); err != nil {
			return res, err
		}
	}
	if err := saveState(ctx, st, res.RepoID, state{tips: repo.Tips, since: since, mailmap: mailmap}); err != nil {
		return res, err
	}
	opt.Log.Debug("git: synced", "repo", repo.Path, "added", res.Added, "removed", res.Removed, "remapped", res.Remapped, "full", res.Full)
	return res, nil
}

// StoreRepository stores the metadata of the repository at dir (name,
// path, remotes, default branch) and its primary language, read from the
// tree at the tip of its default branch. It returns the repository's id.
func StoreRepository(ctx context.Context, st *store.Store, dir string) (int64, error) {
	repo, err := ReadRepository(ctx, dir)
	if err != nil {
		return 0, err
	}
	id, err := upsertRepository(ctx, st, repo)
	if err != nil {
		return 0, err
	}
	return id, storeLanguage(ctx, st, newLanguages(), repo, id)
}

// storeLanguage learns the repository's languages (settling ambiguous file
// names in langs) and stores its primary language.
func storeLanguage(ctx context.Context, st *store.Store, langs *languages, repo Repository, id int64) error {
	lang := ""
	if repo.DefaultTip != "" {
		var err error
		if lang, err = langs.learn(ctx, repo.Path, repo.DefaultTip); err != nil {
			return fmt.Errorf("%s: reading languages: %w", repo.Path, err)
		}
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE repositories SET language = $1 WHERE id = $2`, lang, id); err != nil {
		return fmt.Errorf("store: unable to update the language of %s: %w", repo.Path, err)
	}
	return nil
}

type syncer struct {
	st     *store.Store
	people *identity.Resolver
	dir    string
	repoID int64
	opt    Options
	langs  *languages
}

func sameTips(a, b []Tip) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// upsertRepository stores the repository's metadata and returns its id.
// Local repositories are known by their path; the full name is the folder
// name, or parent/name when another local repository has that name.
func upsertRepository(ctx context.Context, st *store.Store, r Repository) (int64, error) {
	fullName := r.Name
	var taken bool
	err := st.DB().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM repositories WHERE source = 'git' AND full_name = $1 AND external_id <> $2)`,
		fullName, r.Path).Scan(&taken)
	if err != nil {
		return 0, fmt.Errorf("store: unable to fetch repositories: %w", err)
	}
	if taken {
		fullName = filepath.Base(filepath.Dir(r.Path)) + "/" + r.Name
	}
	web := ""
	var remotes strings.Builder
	for _, rm := range r.Remotes {
		if web == "" {
			web = WebURL(rm.URL)
		}
		fmt.Fprintf(&remotes, "%s %s\n", rm.Name, rm.URL)
	}
	var id int64
	err = st.DB().QueryRowContext(ctx, `INSERT INTO repositories (source, external_id, full_name, name, url, local_path, default_branch, remotes, updated_at)
		VALUES ('git', $1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (source, external_id) DO UPDATE SET name = excluded.name, url = excluded.url, local_path = excluded.local_path,
			default_branch = excluded.default_branch, remotes = excluded.remotes, updated_at = excluded.updated_at
		RETURNING id`,
		r.Path, fullName, r.Name, web, r.Path, r.DefaultBranch, remotes.String(), time.Now().Unix()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: unable to store repository %s: %w", r.Path, err)
	}
	return id, nil
}

func loadState(ctx context.Context, st *store.Store, repoID int64) (state, error) {
	var s state
	var tips string
	err := st.DB().QueryRowContext(ctx, `SELECT tips, since, mailmap FROM git_sync_state WHERE repo_id = $1`, repoID).Scan(&tips, &s.since, &s.mailmap)
	if errors.Is(err, sql.ErrNoRows) {
		return state{}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("store: unable to fetch the git sync state: %w", err)
	}
	s.found = true
	for _, line := range strings.Split(tips, "\n") {
		if sha, ref, ok := strings.Cut(line, " "); ok {
			s.tips = append(s.tips, Tip{Ref: ref, SHA: sha})
		}
	}
	return s, nil
}

func saveState(ctx context.Context, st *store.Store, repoID int64, s state) error {
	var tips strings.Builder
	for _, t := range s.tips {
		tips.WriteString(t.SHA + " " + t.Ref + "\n")
	}
	_, err := st.DB().ExecContext(ctx, `INSERT INTO git_sync_state (repo_id, tips, since, mailmap, synced_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (repo_id) DO UPDATE SET tips = excluded.tips, since = excluded.since, mailmap = excluded.mailmap, synced_at = excluded.synced_at`,
		repoID, tips.String(), s.since, s.mailmap, time.Now().Unix())
	if err != nil {
		return fmt.Errorf("store: unable to save the git sync state: %w", err)
	}
	return nil
}

// mailmapFingerprint identifies the mailmap git applies: the work tree's
// .mailmap, mailmap.file and mailmap.blob (HEAD:.mailmap in a bare
// repository). When it changes, stored authors are mapped again.
func mailmapFingerprint(ctx context.Context, repo Repository) (string, error) {
	dir := repo.Path
	h := sha256.New()
	if b, err := os.ReadFile(filepath.Join(dir, ".mailmap")); err == nil {
		h.Write([]byte("worktree\x00"))
		h.Write(b)
	}
	if f := repo.mailmapFile; f != "" {
		p, err := expandPath(f)
		if err == nil && !filepath.IsAbs(f) && !strings.HasPrefix(f, "~") {
			p = filepath.Join(dir, f)
		}
		if b, err := os.ReadFile(p); err == nil {
			h.Write([]byte("file\x00"))
			h.Write(b)
		}
	}
	blob := repo.mailmapBlob
	if blob == "" && isBare(dir) {
		blob = "HEAD:.mailmap"
	}
	if blob != "" {
		if out, err := run(ctx, dir, "rev-parse", "-q", "--verify", blob); err == nil {
			h.Write([]byte("blob\x00"))
			h.Write(bytes.TrimSpace(out))
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// allExist tells whether every old tip is still a commit in the
// repository: only then can git tell what the refs gained and lost.
func (s *syncer) allExist(ctx context.Context, tips []Tip) bool {
	if len(tips) == 0 {
		return true
	}
	var in bytes.Buffer
	for _, t := range tips {
		in.WriteString(t.SHA + "\n")
	}
	out, err := runInput(ctx, s.dir, in.Bytes(), "cat-file", "--batch-check=%(objecttype)")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "commit" {
			return false
		}
	}
	return true
}

// revList lists the commits reachable from include and not from exclude,
// committed at or after since (0: any time), newest first.
func (s *syncer) revList(ctx context.Context, include, exclude []Tip, since int64) ([]string, error) {
	if len(include) == 0 {
		return nil, nil
	}
	var out []string
	err := s.walk(ctx, include, exclude, func(ts int64, sha string) {
		if since == 0 || ts >= since {
			out = append(out, sha)
		}
	})
	return out, err
}

// walk runs `git rev-list --timestamp` and hands each commit to fn.
func (s *syncer) walk(ctx context.Context, include, exclude []Tip, fn func(ts int64, sha string)) error {
	var in bytes.Buffer
	for _, t := range include {
		in.WriteString(t.SHA + "\n")
	}
	for _, t := range exclude {
		in.WriteString("^" + t.SHA + "\n")
	}
	cmd := command(ctx, s.dir, "rev-list", "--timestamp", "--stdin")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return gitError([]string{"rev-list"}, err, nil)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		ts, sha, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		t, _ := strconv.ParseInt(ts, 10, 64)
		fn(t, sha)
	}
	scanErr := sc.Err()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %w", s.dir, gitError([]string{"rev-list"}, err, stderr.Bytes()))
	}
	return scanErr
}

// reconcile compares the stored commits with the whole history: it
// returns the commits to add (from since) and those no ref reaches.
func (s *syncer) reconcile(ctx context.Context, tips []Tip, since int64) (add, gone []string, err error) {
	stored := map[string]bool{}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT sha FROM commits WHERE repo_id = $1`, s.repoID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to fetch commits: %w", err)
	}
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("store: unable to fetch commits: %w", err)
		}
		stored[sha] = false // not reached yet
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: unable to fetch commits: %w", err)
	}
	if len(tips) > 0 {
		err = s.walk(ctx, tips, nil, func(ts int64, sha string) {
			if _, ok := stored[sha]; ok {
				stored[sha] = true
			} else if since == 0 || ts >= since {
				add = append(add, sha)
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}
	for sha, reached := range stored {
		if !reached {
			gone = append(gone, sha)
		}
	}
	return add, gone, nil
}

// importCommits reads the commits with `git log --numstat`, several
// processes at once, and stores them in batches as they come: reading and
// writing overlap, and memory holds a few batches, not the history.
func (s *syncer) importCommits(ctx context.Context, shas []string) (read, stored int, err error) {
	if len(shas) == 0 {
		return 0, 0, nil
	}
	workers := s.opt.Workers
	chunk := min(s.opt.ChunkSize, max(256, (len(shas)+workers*2-1)/(workers*2)))
	var chunks [][]string
	for rest := shas; len(rest) > 0; {
		n := min(chunk, len(rest))
		chunks = append(chunks, rest[:n])
		rest = rest[n:]
	}
	workers = min(workers, len(chunks))

	g, ctx := errgroup.WithContext(ctx)
	todo := make(chan []string)
	batches := make(chan []*commit, workers*2)
	g.Go(func() error {
		defer close(todo)
		for _, c := range chunks {
			select {
			case todo <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	var readers sync.WaitGroup
	for range workers {
		readers.Add(1)
		g.Go(func() error {
			defer readers.Done()
			for c := range todo {
				if err := s.read(ctx, c, batches); err != nil {
					return err
				}
			}
			return nil
		})
	}
	go func() {
		readers.Wait()
		close(batches)
	}()
	g.Go(func() error {
		for b := range batches {
			read += len(b)
			n, err := s.write(ctx, b)
			if err != nil {
				return err
			}
			stored += n
			if s.opt.Progress != nil {
				s.opt.Progress(stored)
			}
		}
		return nil
	})
	err = g.Wait()
	// Drain what the readers may still send after a failure.
	for range batches {
	}
	return read, stored, err
}

// read runs one `git log` over a chunk of commits and sends them in batches.
func (s *syncer) read(ctx context.Context, shas []string, out chan<- []*commit) error {
	var in bytes.Buffer
	in.Grow(len(shas) * 41)
	for _, sha := range shas {
		in.WriteString(sha)
		in.WriteByte('\n')
	}
	cmd := command(ctx, s.dir, logArgs...)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return gitError(logArgs, err, nil)
	}
	perr := s.parse(ctx, stdout, out)
	if perr != nil {
		cmd.Process.Kill()
		io.Copy(io.Discard, stdout)
	}
	werr := cmd.Wait()
	if perr != nil {
		return perr
	}
	if werr != nil {
		return fmt.Errorf("%s: %w", s.dir, gitError(logArgs, werr, stderr.Bytes()))
	}
	return nil
}

func (s *syncer) parse(ctx context.Context, r io.Reader, out chan<- []*commit) error {
	p := newParser(r)
	batch := make([]*commit, 0, s.opt.BatchSize)
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		select {
		case out <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]*commit, 0, s.opt.BatchSize)
		return nil
	}
	for {
		c, err := p.next()
		if errors.Is(err, io.EOF) {
			return send()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.dir, err)
		}
		for i := range c.Files {
			c.Files[i].Language = s.langs.of(c.Files[i].Path)
		}
		batch = append(batch, c)
		if len(batch) == s.opt.BatchSize {
			if err := send(); err != nil {
				return err
			}
		}
	}
}

// write resolves the batch's authors and committers to accounts and people
// and stores it.
func (s *syncer) write(ctx context.Context, batch []*commit) (int, error) {
	rows := make([]store.NewCommit, len(batch))
	for i, c := range batch {
		author, err := s.people.Git(ctx, c.AuthorName, c.AuthorEmail)
		if err != nil {
			return 0, err
		}
		committer := author
		if c.CommitterEmail != c.AuthorEmail || c.CommitterName != c.AuthorName {
			if committer, err = s.people.Git(ctx, c.CommitterName, c.CommitterEmail); err != nil {
				return 0, err
			}
		}
		row := store.NewCommit{
			RepoID: s.repoID, SHA: c.SHA,
			AuthorAccountID: author.AccountID, PersonID: author.PersonID, CommitterAccountID: committer.AccountID,
			AuthoredAt: c.AuthoredAt, AuthorTZOffset: c.AuthorTZ, CommittedAt: c.CommittedAt,
			Subject: c.Subject, IsMerge: c.Parents > 1,
		}
		row.Files = make([]store.NewCommitFile, 0, len(c.Files))
		seen := map[string]int{}
		for _, f := range c.Files {
			if j, dup := seen[f.Path]; dup { // never in plain numstat; kept safe for the primary key
				row.Files[j].Additions += f.Additions
				row.Files[j].Deletions += f.Deletions
				row.Files[j].IsBinary = row.Files[j].IsBinary || f.Binary
			} else {
				seen[f.Path] = len(row.Files)
				row.Files = append(row.Files, store.NewCommitFile{Path: f.Path, Language: f.Language,
					Additions: f.Additions, Deletions: f.Deletions, IsBinary: f.Binary})
			}
			row.Additions += f.Additions
			row.Deletions += f.Deletions
		}
		row.FilesChanged = int64(len(row.Files))
		rows[i] = row
	}
	return s.st.InsertCommits(ctx, rows)
}

// remap maps the stored commits' authors and committers again after the
// mailmap changed, updating only the commits whose identity changed.
func (s *syncer) remap(ctx context.Context, tips []Tip) (int, error) {
	if len(tips) == 0 {
		return 0, nil
	}
	type ids struct{ author, committer int64 }
	stored := map[string]ids{}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT sha, COALESCE(author_account_id, 0), COALESCE(committer_account_id, 0) FROM commits WHERE repo_id = $1`, s.repoID)
	if err != nil {
		return 0, fmt.Errorf("store: unable to fetch commits: %w", err)
	}
	for rows.Next() {
		var sha string
		var v ids
		if err := rows.Scan(&sha, &v.author, &v.committer); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: unable to fetch commits: %w", err)
		}
		stored[sha] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: unable to fetch commits: %w", err)
	}

	var in bytes.Buffer
	for _, t := range tips {
		in.WriteString(t.SHA + "\n")
	}
	out, err := runInput(ctx, s.dir, in.Bytes(), "log", "--stdin", "-z", "--format=%H%x00%aN%x00%aE%x00%cN%x00%cE")
	if err != nil {
		return 0, fmt.Errorf("%s: %w", s.dir, err)
	}
	type change struct {
		sha                       string
		author, person, committer int64
	}
	var changes []change
	// The names the mailmap now gives each account: an account whose
	// commits all print one name, other than the stored one, is renamed.
	names := map[int64]map[string]bool{}
	named := func(id int64, name string) {
		if names[id] == nil {
			names[id] = map[string]bool{}
		}
		names[id][name] = true
	}
	f := bytes.Split(out, []byte{0})
	for i := 0; i+4 < len(f); i += 5 {
		sha := string(bytes.TrimLeft(f[i], "\n"))
		old, ok := stored[sha]
		if !ok {
			continue
		}
		a, err := s.people.Git(ctx, string(f[i+1]), string(f[i+2]))
		if err != nil {
			return 0, err
		}
		c, err := s.people.Git(ctx, string(f[i+3]), string(f[i+4]))
		if err != nil {
			return 0, err
		}
		named(a.AccountID, string(f[i+1]))
		named(c.AccountID, string(f[i+3]))
		if a.AccountID != old.author || c.AccountID != old.committer {
			changes = append(changes, change{sha, a.AccountID, a.PersonID, c.AccountID})
		}
	}
	for rest := changes; len(rest) > 0; {
		n := min(1000, len(rest))
		tx, err := s.st.DB().BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		for _, c := range rest[:n] {
			if _, err := tx.ExecContext(ctx, `UPDATE commits SET author_account_id = $1, person_id = $2, committer_account_id = $3 WHERE repo_id = $4 AND sha = $5`,
				c.author, c.person, c.committer, s.repoID, c.sha); err != nil {
				tx.Rollback()
				return 0, fmt.Errorf("store: unable to update commit authors: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("store: unable to update commit authors: %w", err)
		}
		rest = rest[n:]
	}
	for id, set := range names {
		if len(set) != 1 {
			continue
		}
		for name := range set {
			if _, err := s.st.DB().ExecContext(ctx, `UPDATE accounts SET name = $1 WHERE id = $2 AND name <> $1`, name, id); err != nil {
				return 0, fmt.Errorf("store: unable to rename an account: %w", err)
			}
		}
	}
	return len(changes), nil
}
