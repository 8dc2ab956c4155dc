package sourceconfig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const token = "ghp_TOPSECRET_4f9a1c"

func registry() *source.Registry {
	r := source.NewRegistry()
	r.Register(&source.Source{
		ID: "hub", Name: "Hub", Category: source.CategoryVCS,
		Keys: []source.Key{
			{Name: "HUB_TOKEN", Label: "Token", Kind: source.KindText, Required: true, Secret: true, Help: "a personal access token"},
			{Name: "HUB_ORG", Label: "Organization", Kind: source.KindText, Required: true, Help: "the organization"},
			{Name: "HUB_URL", Label: "API URL", Kind: source.KindURL, Default: "https://api.hub.test"},
		},
		Scripts: []source.Script{{Name: "repository", Provides: []string{"hub.repositories"},
			Run: func(context.Context, *source.Job) error { return nil }}},
	})
	return r
}

func encrypted(t *testing.T) *secret.Encrypted {
	e, err := secret.NewEncrypted([]byte("0123456789abcdef0123456789abcdef!!"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSetShowResolveUnset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		mem := secret.NewMemory()
		svc := New(st, registry(), secret.NewVault(mem))

		v, err := svc.Show(ctx, "hub")
		if err != nil || v.Configured || v.Complete {
			t.Fatalf("empty: %+v, %v", v, err)
		}
		if err := svc.Set(ctx, "hub", map[string]string{"HUB_TOKEN": token, "HUB_ORG": "acme"}, "cli"); err != nil {
			t.Fatal(err)
		}
		v, _ = svc.Show(ctx, "hub")
		if !v.Complete || len(v.Problems) != 0 {
			t.Errorf("complete config: %+v", v)
		}
		for _, val := range v.Values {
			if val.Key == "HUB_TOKEN" && (val.Value != source.Mask || !val.Set) {
				t.Errorf("token shown as %q", val.Value)
			}
		}
		cfg, err := svc.Resolve(ctx, "hub")
		if err != nil || cfg["HUB_TOKEN"] != token || cfg["HUB_URL"] != "https://api.hub.test" {
			t.Errorf("resolve: %v, %v", cfg, err)
		}
		// The masked value sent back by a form keeps the secret.
		if err := svc.Set(ctx, "hub", map[string]string{"HUB_TOKEN": source.Mask, "HUB_ORG": "acme2"}, "api"); err != nil {
			t.Fatal(err)
		}
		if cfg, _ := svc.Resolve(ctx, "hub"); cfg["HUB_TOKEN"] != token || cfg["HUB_ORG"] != "acme2" {
			t.Errorf("after a masked round trip: %v", cfg)
		}
		if err := svc.Unset(ctx, "hub", "HUB_TOKEN", "cli"); err != nil {
			t.Fatal(err)
		}
		if mem.Len() != 0 {
			t.Error("unset left the secret in the store")
		}
		v, _ = svc.Show(ctx, "hub")
		if v.Complete || !strings.Contains(strings.Join(v.Problems, ";"), "HUB_TOKEN is required") {
			t.Errorf("after unset: %+v", v)
		}
		log, err := st.AuditLog(ctx, 10)
		if err != nil || len(log) != 4 {
			t.Fatalf("audit: %d entries, %v", len(log), err)
		}
		if log[0].Action != "config.unset" || log[0].Key != "HUB_TOKEN" || log[0].Via != "cli" {
			t.Errorf("newest audit entry: %+v", log[0])
		}
		for _, e := range log {
			if strings.Contains(e.Detail, token) || strings.Contains(e.Detail, "acme") {
				t.Errorf("the audit log holds a value: %+v", e)
			}
		}
	})
}

func TestSetRejectsInvalidValuesAndSavesNothing(t *testing.T) {
	st := storetest.SQLite(t)
	svc := New(st, registry(), secret.NewVault(secret.NewMemory()))
	err := svc.Set(context.Background(), "hub", map[string]string{"HUB_ORG": "acme", "HUB_URL": "not a url", "HUB_COLOR": "red"}, "cli")
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "HUB_URL must be an http(s) URL") || !strings.Contains(err.Error(), "HUB_COLOR is not a key of hub") {
		t.Fatalf("err = %v", err)
	}
	if rows, _ := st.SourceConfigs(context.Background(), ""); len(rows) != 0 {
		t.Errorf("saved %d rows despite the error", len(rows))
	}
	if err := svc.Set(context.Background(), "nope", map[string]string{"X": "y"}, "cli"); err == nil {
		t.Error("an unknown source was accepted")
	}
}

func TestNoKeychainNoKeyRefusesSecretsButKeepsPlainValues(t *testing.T) {
	st := storetest.SQLite(t)
	svc := New(st, registry(), secret.NewVault(nil))
	err := svc.Set(context.Background(), "hub", map[string]string{"HUB_TOKEN": token}, "cli")
	if !errors.Is(err, secret.ErrNoBackend) {
		t.Fatalf("err = %v", err)
	}
	if rows, _ := st.SourceConfigs(context.Background(), ""); len(rows) != 0 {
		t.Errorf("a secret without a backend left %d rows", len(rows))
	}
}

// TestSecretIsNowhereInTheDatabase greps the SQLite file (and its WAL) and
// every text column on PostgreSQL for the token after saving it encrypted.
func TestSecretIsNowhereInTheDatabase(t *testing.T) {
	t.Run("sqlite file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "m.db")
		st, err := store.Open(context.Background(), store.Options{DB: "sqlite:" + path, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		svc := New(st, registry(), secret.NewVault(encrypted(t)))
		if err := svc.Set(context.Background(), "hub", map[string]string{"HUB_TOKEN": token, "HUB_ORG": "acme"}, "cli"); err != nil {
			t.Fatal(err)
		}
		if cfg, _ := svc.Resolve(context.Background(), "hub"); cfg["HUB_TOKEN"] != token {
			t.Fatal("the encrypted secret does not resolve")
		}
		checkFiles := func() {
			files, _ := filepath.Glob(path + "*")
			for _, f := range files {
				b, _ := os.ReadFile(f)
				if strings.Contains(string(b), token) || strings.Contains(string(b), "TOPSECRET") {
					t.Errorf("%s holds the token in clear", f)
				}
			}
			if len(files) == 0 {
				t.Fatal("no database files to check")
			}
		}
		checkFiles()
		st.Close()
		checkFiles()
	})
	t.Run("postgres tables", func(t *testing.T) {
		st := storetest.Postgres(t)
		svc := New(st, registry(), secret.NewVault(encrypted(t)))
		if err := svc.Set(context.Background(), "hub", map[string]string{"HUB_TOKEN": token}, "api"); err != nil {
			t.Fatal(err)
		}
		var n int
		err := st.DB().QueryRow(`SELECT (SELECT COUNT(*) FROM data_source_configs c WHERE c::text LIKE '%TOPSECRET%')
			+ (SELECT COUNT(*) FROM audit_log a WHERE a::text LIKE '%TOPSECRET%')
			+ (SELECT COUNT(*) FROM settings s WHERE s::text LIKE '%TOPSECRET%')`).Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("%d rows hold the token, %v", n, err)
		}
	})
}
