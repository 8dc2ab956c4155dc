package app

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// run calls Main as the command line would and returns the exit status
// and what it printed.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, errW
	var ob, eb bytes.Buffer
	done := make(chan struct{}, 2)
	go func() { io.Copy(&ob, outR); done <- struct{}{} }()
	go func() { io.Copy(&eb, errR); done <- struct{}{} }()
	code = Main(fstest.MapFS{}, args)
	os.Stdout, os.Stderr = oldOut, oldErr
	outW.Close()
	errW.Close()
	<-done
	<-done
	return code, ob.String(), eb.String()
}

func TestBadInputFailsClearly(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "never-created")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--db", "mysql://x", "--data-dir", missing, "metrics", "commit-pr-activity"}, "unknown database"},
		{[]string{"--db", "postgres://u:hunter2@127.0.0.1:1/x?connect_timeout=2", "--data-dir", missing, "metrics", "commit-pr-activity"}, "cannot reach PostgreSQL"},
		{[]string{"--db", "sqlite", "--data-dir", missing, "serve", "--addr", ln.Addr().String()}, "already in use"},
		{[]string{"--db", "sqlite", "--data-dir", missing, "serve", "--addr", "nonsense"}, "cannot listen"},
		{[]string{"--db", "sqlite", "--data-dir", missing, "metrics", "commit-pr-activity", "--range", "forever"}, "range"},
		{[]string{"--db", "sqlite", "--data-dir", missing, "metrics", "no-such-metric"}, "unknown metric"},
		{[]string{"--db", "sqlite", "--data-dir", missing, "demo", "--scale", "huge"}, "scale"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, c.args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want non-zero mentioning %q", c.args, code, stderr, c.want)
		}
		if strings.Contains(stderr, "hunter2") {
			t.Errorf("%v: the password was printed", c.args)
		}
		if len(lines) > 1 && !strings.Contains(stderr, "Usage") {
			t.Errorf("%v: %d lines, want one: %q", c.args, len(lines), stderr)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a failed command left %s behind", missing)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		code, _, stderr := run(t, "--db", "sqlite", "--data-dir", ro, "metrics", "commit-pr-activity")
		if code == 0 || !strings.Contains(stderr, "not writable") {
			t.Errorf("unwritable data dir: exit %d, %q", code, stderr)
		}
	}
}

func TestDemoAndMetricsFormats(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--db", "sqlite", "--data-dir", dir}
	if code, _, stderr := run(t, append(base, "demo")...); code != 0 {
		t.Fatalf("demo: %d %s", code, stderr)
	}
	if code, _, stderr := run(t, append(base, "demo")...); code == 0 || !strings.Contains(stderr, "--replace") {
		t.Errorf("demo twice: exit %d, %q; want a hint to use --replace", code, stderr)
	}

	code, out, stderr := run(t, append(base, "metrics", "commit-pr-activity", "--range", "30d", "--compare", "--format", "json")...)
	if code != 0 {
		t.Fatalf("json: %d %s", code, stderr)
	}
	var res struct {
		Metric   string             `json:"metric"`
		Summary  map[string]float64 `json:"summary"`
		Previous map[string]float64 `json:"previous"`
		Series   []map[string]any   `json:"series"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	for _, k := range []string{"commits", "prs_opened", "prs_merged", "merge_rate", "time_to_merge_median_hours"} {
		if _, ok := res.Summary[k]; !ok {
			t.Errorf("summary lacks %s", k)
		}
	}
	if res.Metric != "commit-pr-activity" || res.Summary["commits"] == 0 || res.Previous == nil || len(res.Series) != 30 {
		t.Errorf("json: %s %v %v %d", res.Metric, res.Summary, res.Previous, len(res.Series))
	}

	code, out, _ = run(t, append(base, "metrics", "commit-pr-activity", "--range", "30d", "--format", "csv")...)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 31 || strings.Join(rows[0], ",") != "bucket,commits,prs_opened,prs_merged" {
		t.Errorf("csv: exit %d, %v, %d rows, header %v", code, err, len(rows), rows[0])
	}

	code, out, _ = run(t, append(base, "metrics", "commit-pr-activity", "--format", "table", "--group", "week")...)
	if code != 0 || !strings.Contains(out, "merge_rate") || !strings.Contains(out, "bucket") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, append(base, "metrics")...)
	if code != 0 || !strings.Contains(out, "commit-pr-activity") || !strings.Contains(out, "person-patterns") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
}
