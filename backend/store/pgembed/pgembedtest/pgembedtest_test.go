package pgembedtest_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

func TestMain(m *testing.M) { os.Exit(pgembedtest.Main(m)) }

func TestDSNGivesEachTestItsOwnDatabase(t *testing.T) {
	ctx := context.Background()
	dsnA, dsnB := pgembedtest.DSN(t), pgembedtest.DSN(t)
	if dsnA == dsnB {
		t.Fatalf("two calls gave the same DSN %s", dsnA)
	}
	a, err := sql.Open("pgx", dsnA)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sql.Open("pgx", dsnB)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	if _, err := a.ExecContext(ctx, "CREATE TABLE only_in_a (id int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("a table made in one test database is visible in another")
	}
	var version string
	if err := a.QueryRowContext(ctx, "SHOW server_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("server_version %s", version)
}

func TestDSNInParallelTests(t *testing.T) {
	for _, name := range []string{"a", "b", "c", "d"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, err := sql.Open("pgx", pgembedtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("CREATE TABLE x (id int); INSERT INTO x VALUES (1)"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkDSN: the cost a test pays for its fresh database (server already up).
func BenchmarkDSN(b *testing.B) {
	pgembedtest.DSN(b) // start the shared server outside the measurement
	for b.Loop() {
		pgembedtest.DSN(b) // dropped when the benchmark ends
	}
}
