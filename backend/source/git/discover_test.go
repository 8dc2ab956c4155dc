package git

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/source"
)

// layout makes, under root:
//
//	a/            repository (with a nested repository a/sub, and a worktree wt/)
//	b/c/          repository two levels down
//	d/e/f/g/      repository four levels down
//	mirror.git/   bare repository
//	node_modules/dep/, .hidden/h/   repositories that are never looked at
//	link -> ../elsewhere/repo       a symbolic link, not followed
//	plain/        a folder with no repository
func layout(t *testing.T) (root string, repos map[string]string) {
	t.Helper()
	isolateGit(t)
	base := t.TempDir()
	root = filepath.Join(base, "src")
	repos = map[string]string{}
	mk := func(rel string) *testRepo {
		r := newTestRepo(t, filepath.Join(root, rel))
		r.commit(alice, "start "+rel, map[string][]byte{"f.txt": []byte(rel + "\n")})
		repos[rel] = r.dir
		return r
	}
	a := mk("a")
	newTestRepo(t, filepath.Join(root, "a", "sub")).commit(alice, "nested", map[string][]byte{"n.txt": []byte("n\n")})
	a.git(nil, "worktree", "add", "-q", filepath.Join(root, "wt"))
	mk("b/c")
	mk("d/e/f/g")
	mk("node_modules/dep")
	mk(".hidden/h")
	a.git(nil, "clone", "-q", "--bare", a.dir, filepath.Join(root, "mirror.git"))
	repos["mirror.git"] = filepath.Join(root, "mirror.git")
	newTestRepo(t, filepath.Join(base, "elsewhere", "repo"))
	if err := os.Symlink(filepath.Join(base, "elsewhere", "repo"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "plain", "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root, repos
}

func TestDiscoverDepthNestedBareWorktreesAndSkips(t *testing.T) {
	root, repos := layout(t)
	ctx := context.Background()
	for _, tc := range []struct {
		depth int
		want  []string
	}{
		{0, nil},
		{1, []string{"a", "mirror.git"}},
		{2, []string{"a", "b/c", "mirror.git"}},
		{3, []string{"a", "b/c", "mirror.git"}},
		{4, []string{"a", "b/c", "d/e/f/g", "mirror.git"}},
		{8, []string{"a", "b/c", "d/e/f/g", "mirror.git"}},
	} {
		got, err := Discover(ctx, []string{root}, tc.depth)
		if err != nil {
			t.Fatalf("depth %d: %v", tc.depth, err)
		}
		var want []string
		for _, rel := range tc.want {
			want = append(want, repos[rel])
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("depth %d:\n got %v\nwant %v", tc.depth, got, want)
		}
	}

	// A path that is a repository is taken as it is, even one the scan
	// would not enter; a folder inside a repository stands for it; the
	// worktree counts as its repository; duplicates count once.
	got, err := Discover(ctx, []string{repos["node_modules/dep"], filepath.Join(repos["a"], "sub"), filepath.Join(root, "wt"), repos["a"]}, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{repos["a"], filepath.Join(repos["a"], "sub"), repos["node_modules/dep"]}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("explicit paths:\n got %v\nwant %v", got, want)
	}

	// ~ is the home folder.
	t.Setenv("HOME", filepath.Dir(root))
	if got, err := Discover(ctx, []string{"~/src"}, 1); err != nil || !slices.Contains(got, repos["a"]) {
		t.Errorf("~/src: %v, %v", got, err)
	}
}

func TestDiscoverErrorsSayWhatIsWrong(t *testing.T) {
	root, repos := layout(t)
	ctx := context.Background()
	missing := filepath.Join(root, "nope")
	file := filepath.Join(repos["a"], "f.txt")
	got, err := Discover(ctx, []string{missing, file, root}, 2)
	if err == nil {
		t.Fatal("no error for a missing path and a file")
	}
	for _, want := range []string{missing + ": no such file or directory (check the path)", file + " is a file, not a folder or repository"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if len(got) != 3 {
		t.Errorf("the good path's repositories were not returned with the errors: %v", got)
	}

	// A scan that runs out of time stops with what it found so far.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Discover(cctx, []string{root}, 4); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: %v", err)
	}
}

func TestDiscoverUnreadableFolders(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every folder; build/test.sh runs this as momentum-ci")
	}
	root, repos := layout(t)
	ctx := context.Background()
	locked := filepath.Join(root, "d")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	// Below a configured folder: passed over, the others are found.
	got, err := Discover(ctx, []string{root}, 4)
	if err != nil {
		t.Fatalf("an unreadable subfolder failed the scan: %v", err)
	}
	if !slices.Contains(got, repos["b/c"]) || slices.Contains(got, repos["d/e/f/g"]) {
		t.Errorf("scan with d/ unreadable: %v", got)
	}
	// The configured folder itself: a clear error.
	_, err = Discover(ctx, []string{locked}, 4)
	if err == nil || !strings.Contains(err.Error(), locked+" cannot be read: permission denied (check the folder's permissions)") {
		t.Errorf("unreadable configured folder: %v", err)
	}
}

func TestConnectionTestCountsRepositories(t *testing.T) {
	root, _ := layout(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := Source.WithDefaults(map[string]string{KeyRepos: root})
	if err := Source.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	conn := connOf(cfg)
	if err := test(ctx, conn); err != nil {
		t.Errorf("test of a folder with repositories: %v", err)
	}
	if want := "4 repositories: a, c, g, mirror.git"; conn.Found != want {
		t.Errorf("the test reports %q, want %q", conn.Found, want)
	}
	err := test(ctx, connOf(map[string]string{KeyRepos: filepath.Join(root, "plain"), KeyDepth: "3"}))
	if err == nil || !strings.Contains(err.Error(), "no git repository found in "+filepath.Join(root, "plain")+" (searched 3 levels deep)") {
		t.Errorf("test of a folder without repositories: %v", err)
	}
	err = test(ctx, connOf(map[string]string{KeyRepos: root + "," + filepath.Join(root, "gone"), KeyDepth: "1"}))
	if err == nil || !strings.Contains(err.Error(), "found 2 repositories, but: GIT_REPOS: "+filepath.Join(root, "gone")) {
		t.Errorf("test with a missing path: %v", err)
	}
	if err := Source.Validate(Source.WithDefaults(map[string]string{KeyRepos: root, KeyEmails: "me@example.com, not-an-email"})); err == nil ||
		!strings.Contains(err.Error(), `"not-an-email" is not an email address`) {
		t.Errorf("a bad email was accepted: %v", err)
	}
}

func connOf(cfg map[string]string) *source.Conn { return &source.Conn{Config: cfg} }

func TestFoundSummaryNamesTheFirstFew(t *testing.T) {
	for _, tc := range []struct {
		dirs []string
		want string
	}{
		{[]string{"/src/api"}, "1 repository: api"},
		{[]string{"/a/1", "/a/2", "/a/3", "/a/4", "/a/5", "/a/6", "/a/7"}, "7 repositories: 1, 2, 3, 4, 5 and 2 more"},
	} {
		if got := foundSummary(tc.dirs); got != tc.want {
			t.Errorf("foundSummary(%v) = %q, want %q", tc.dirs, got, tc.want)
		}
	}
}
