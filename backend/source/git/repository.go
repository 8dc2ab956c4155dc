package git

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Repository is what the source reads of a local repository.
type Repository struct {
	Path          string   // the main work tree, or the bare repository's folder
	Name          string   // its folder name (without .git)
	Remotes       []Remote // by name
	DefaultBranch string   // the remote's default branch, else the current one
	Tips          []Tip    // the commits history is read from, by ref
	// DefaultTip is the commit at the tip of the default branch (or HEAD):
	// the primary language is read from its tree.
	DefaultTip string

	// mailmapFile and mailmapBlob are git's mailmap.file and mailmap.blob
	// settings, read with the remotes.
	mailmapFile, mailmapBlob string
}

// Remote is a configured remote.
type Remote struct {
	Name string
	URL  string
}

// Tip is a ref and the commit it points at (tags peeled).
type Tip struct {
	Ref string
	SHA string
}

// historyRefs are the refs whose history is collected: local and
// remote-tracking branches and tags. Stashes, notes, filter-branch backups
// (refs/original), replace refs and others are not history anyone wrote
// on a branch.
var historyRefs = []string{"refs/heads", "refs/remotes", "refs/tags"}

// ReadRepository reads a repository's name, remotes, default branch and ref
// tips. dir is any folder of the repository.
func ReadRepository(ctx context.Context, dir string) (Repository, error) {
	root, err := repoRoot(ctx, dir)
	if err != nil {
		return Repository{}, err
	}
	r := Repository{Path: root, Name: strings.TrimSuffix(filepath.Base(root), ".git")}
	if r.Name == "" {
		r.Name = filepath.Base(root)
	}

	out, err := run(ctx, root, append([]string{"for-each-ref",
		"--format=%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)%00%(refname)%00%(symref)"}, historyRefs...)...)
	if err != nil {
		return Repository{}, fmt.Errorf("%s: %w", root, err)
	}
	remoteHEAD := map[string]string{} // remote → its default branch ref
	branches := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\x00")
		if len(f) != 6 {
			continue
		}
		sha, typ, peeled, peeledType, ref, symref := f[0], f[1], f[2], f[3], f[4], f[5]
		if symref != "" {
			// refs/remotes/origin/HEAD → refs/remotes/origin/main: the
			// remote's default branch, and no history of its own.
			if rest, ok := strings.CutPrefix(ref, "refs/remotes/"); ok && strings.HasSuffix(rest, "/HEAD") {
				remoteHEAD[strings.TrimSuffix(rest, "/HEAD")] = symref
			}
			continue
		}
		switch {
		case typ == "commit":
		case typ == "tag" && peeledType == "commit":
			sha = peeled
		default:
			continue // a tag of a tree or blob has no history
		}
		if strings.HasPrefix(ref, "refs/heads/") {
			branches[ref] = true
		}
		r.Tips = append(r.Tips, Tip{Ref: ref, SHA: sha})
	}

	// HEAD: its branch for the default, or its commit when detached.
	current := ""
	if ref, sha, ok := readHEAD(root); ok {
		if sha != "" {
			r.Tips = append(r.Tips, Tip{Ref: "HEAD", SHA: sha})
		}
		current = ref
	} else if out, err := run(ctx, root, "symbolic-ref", "-q", "HEAD"); err == nil {
		current = strings.TrimSpace(string(out))
	} else if out, err := run(ctx, root, "rev-parse", "-q", "--verify", "HEAD^{commit}"); err == nil {
		r.Tips = append(r.Tips, Tip{Ref: "HEAD", SHA: strings.TrimSpace(string(out))})
	}
	sort.Slice(r.Tips, func(i, j int) bool { return r.Tips[i].Ref < r.Tips[j].Ref })

	err = readConfig(ctx, &r)
	if err != nil {
		return Repository{}, fmt.Errorf("%s: %w", root, err)
	}

	defaultRef := ""
	if ref, ok := remoteHEAD["origin"]; ok {
		defaultRef = ref
	} else {
		for _, rm := range r.Remotes {
			if ref, ok := remoteHEAD[rm.Name]; ok {
				defaultRef = ref
				break
			}
		}
	}
	if defaultRef != "" {
		parts := strings.SplitN(strings.TrimPrefix(defaultRef, "refs/remotes/"), "/", 2)
		if len(parts) == 2 {
			r.DefaultBranch = parts[1]
		}
	}
	if r.DefaultBranch == "" && strings.HasPrefix(current, "refs/heads/") {
		r.DefaultBranch = strings.TrimPrefix(current, "refs/heads/")
	}
	if r.DefaultBranch == "" {
		for _, b := range []string{"main", "master", "trunk", "develop"} {
			if branches["refs/heads/"+b] {
				r.DefaultBranch = b
				break
			}
		}
	}
	for _, ref := range []string{"refs/heads/" + r.DefaultBranch, defaultRef, current, "HEAD"} {
		if i := slices.IndexFunc(r.Tips, func(t Tip) bool { return t.Ref == ref }); ref != "" && i >= 0 {
			r.DefaultTip = r.Tips[i].SHA
			break
		}
	}
	return r, nil
}

// readHEAD reads the HEAD file of a work tree's .git folder or of a bare
// repository: the branch it names, or the commit of a detached HEAD. It
// saves a git process on every sync; ok is false when the file is not in
// the classic format (a reftable repository), and git is asked instead.
func readHEAD(root string) (ref, sha string, ok bool) {
	p := filepath.Join(root, ".git", "HEAD")
	if info, err := os.Stat(filepath.Join(root, ".git")); err != nil || !info.IsDir() {
		p = filepath.Join(root, "HEAD")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", "", false
	}
	head := strings.TrimSpace(string(b))
	if r, isRef := strings.CutPrefix(head, "ref: "); isRef {
		r = strings.TrimSpace(r)
		if !strings.HasPrefix(r, "refs/") || strings.HasSuffix(r, ".invalid") {
			return "", "", false
		}
		return r, "", true
	}
	if isHex(head) {
		return "", head, true
	}
	return "", "", false
}

// readConfig reads the remotes and the mailmap settings with one git
// process (a re-sync with nothing new is mostly process starts).
func readConfig(ctx context.Context, r *Repository) error {
	out, err := run(ctx, r.Path, "config", "-z", "--get-regexp", `^(remote\..*\.url|mailmap\.(file|blob))$`)
	if err != nil {
		if len(out) == 0 && strings.Contains(err.Error(), "exit status 1") {
			return nil // none set
		}
		return err
	}
	var remotes []Remote
	for _, rec := range bytes.Split(out, []byte{0}) {
		key, val, ok := bytes.Cut(rec, []byte{'\n'})
		if !ok {
			continue
		}
		switch k := strings.ToLower(string(key)); k {
		case "mailmap.file":
			r.mailmapFile = string(val)
			continue
		case "mailmap.blob":
			r.mailmapBlob = string(val)
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(string(key), "remote."), ".url")
		if slices.ContainsFunc(remotes, func(r Remote) bool { return r.Name == name }) {
			continue // a second URL of the same remote
		}
		remotes = append(remotes, Remote{Name: name, URL: withoutCredentials(string(val))})
	}
	sort.Slice(remotes, func(i, j int) bool {
		if (remotes[i].Name == "origin") != (remotes[j].Name == "origin") {
			return remotes[i].Name == "origin"
		}
		return remotes[i].Name < remotes[j].Name
	})
	r.Remotes = remotes
	return nil
}

// WebURL is the browsable https address of a remote on a forge
// (git@github.com:o/r.git → https://github.com/o/r), or "" for a local path
// or a URL that is not one. Credentials in the remote URL are dropped.
func WebURL(remote string) string {
	remote = strings.TrimSpace(remote)
	var host, p string
	if u, err := url.Parse(remote); err == nil && u.Host != "" {
		switch u.Scheme {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return ""
		}
		host, p = u.Hostname(), u.Path
		if u.Scheme == "http" || u.Scheme == "https" {
			if port := u.Port(); port != "" {
				host += ":" + port
			}
		}
	} else if at, rest, ok := strings.Cut(remote, ":"); ok && !strings.Contains(at, "/") && !strings.HasPrefix(rest, "/") && !strings.HasPrefix(rest, `\`) && len(at) > 1 {
		// scp-like: [user@]host:owner/repo.git
		host = at
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		p = "/" + rest
	} else {
		return ""
	}
	p = strings.TrimSuffix(strings.TrimSuffix(p, "/"), ".git")
	if host == "" || strings.Trim(p, "/") == "" {
		return ""
	}
	return "https://" + host + p
}

// withoutCredentials drops a user name and password from an http(s)
// remote URL: a token put there must reach neither the database nor a log.
func withoutCredentials(remote string) string {
	u, err := url.Parse(remote)
	if err != nil || u.User == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return remote
	}
	u.User = nil
	return u.String()
}

// exists tells whether dir is still there.
func exists(dir string) bool {
	_, err := os.Stat(dir)
	return err == nil
}
