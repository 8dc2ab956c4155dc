package deployrule

import (
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// main: c1 (t=100) ← c2 (200) ← c3 (300) ← c4 (400). Requests merged as c1,
// c2, c3; a request merged into another branch; one still open. Production
// deploys c2, then c4; staging deploys c3.
func TestLinkShipped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		db := st.DB()
		exec := func(q string, args ...any) int64 {
			t.Helper()
			var id int64
			if err := db.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return id
		}
		repo := exec(`INSERT INTO repositories (source, external_id, full_name, name) VALUES ('gitlab', '1', 'acme/api', 'api')`)
		for i, sha := range []string{"c1", "c2", "c3", "c4"} {
			exec(`INSERT INTO commits (repo_id, sha, authored_at, committed_at) VALUES ($1, $2, $3, $3)`, repo, sha, (i+1)*100)
		}
		pr := map[string]int64{}
		for _, p := range []struct{ name, base, sha string }{{"a", "main", "c1"}, {"b", "main", "c2"}, {"c", "main", "c3"}, {"other", "release", "c2"}} {
			pr[p.name] = exec(`INSERT INTO pull_requests (repo_id, source, external_id, number, state, created_at, updated_at, merged_at, merge_commit_sha, base_branch)
				VALUES ($1, 'gitlab', $2, $3, 'merged', 50, 60, 60, $4, $5)`, repo, p.name, len(pr)+1, p.sha, p.base)
		}
		exec(`INSERT INTO pull_requests (repo_id, source, external_id, number, state, created_at, updated_at, base_branch) VALUES ($1, 'gitlab', 'open', 9, 'open', 50, 60, 'main')`, repo)
		deploy := func(ext, env, sha, status string) int64 {
			id := exec(`INSERT INTO deployments (repo_id, source, external_id, environment, is_production, status, commit_sha, ref, created_at)
				VALUES ($1, 'gitlab', $2, $3, $4, $5, $6, 'main', 1000)`, repo, ext, env, env == "production", status, sha)
			if err := LinkShipped(ctx, db, id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		d1 := deploy("d1", "production", "c2", "success")
		failed := deploy("d-failed", "production", "c3", "failure")
		d2 := deploy("d2", "production", "c4", "success")
		stg := deploy("s1", "staging", "c3", "success")
		shipped := func(d int64) []int64 {
			rows, err := db.QueryContext(ctx, `SELECT pr_id FROM deployment_pull_requests WHERE deployment_id = $1 ORDER BY pr_id`, d)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				out = append(out, id)
			}
			return out
		}
		for _, c := range []struct {
			name string
			d    int64
			want []int64
		}{
			{"first production deployment", d1, []int64{pr["a"], pr["b"]}},
			{"a failed deployment ships nothing", failed, nil},
			{"the next production deployment ships only what is new", d2, []int64{pr["c"]}},
			{"another environment counts on its own", stg, []int64{pr["a"], pr["b"], pr["c"]}},
		} {
			if got := shipped(c.d); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
		}
		// Linking again changes nothing.
		if err := LinkShipped(ctx, db, d2); err != nil {
			t.Fatal(err)
		}
		if got := shipped(d2); !reflect.DeepEqual(got, []int64{pr["c"]}) {
			t.Errorf("relinking: %v", got)
		}
	})
}
