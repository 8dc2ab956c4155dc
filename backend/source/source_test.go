package source

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func noop(context.Context, *Job) error { return nil }

func sample() *Source {
	return &Source{
		ID: "acme-ci", Name: "Acme CI", Category: CategoryCICD,
		Keys: []Key{
			{Name: "ACME_CI_TOKEN", Label: "Token", Kind: KindText, Required: true, Secret: true, Help: "an API token"},
			{Name: "ACME_CI_URL", Label: "URL", Kind: KindURL, Default: "https://ci.acme.test"},
			{Name: "ACME_CI_SCOPE", Label: "Scope", Kind: KindEnum, Options: []string{"all", "mine"}, Default: "all"},
			{Name: "ACME_CI_DAYS", Label: "Days", Kind: KindNumber},
			{Name: "ACME_CI_JOBS", Label: "Jobs", Kind: KindList},
		},
		Scripts: []Script{
			{Name: "job", Provides: []Resource{"acme.jobs"}, Run: noop, ImportWindow: 30 * 24 * time.Hour},
			{Name: "build", Provides: []Resource{"acme.builds"}, DependsOn: []Resource{"acme.jobs"}, Run: noop},
		},
	}
}

func TestRegisterLookupAndDuplicatePanics(t *testing.T) {
	r := NewRegistry()
	r.Register(sample())
	if s, err := r.Lookup("acme-ci"); err != nil || s.Name != "Acme CI" {
		t.Fatalf("lookup: %v, %v", s, err)
	}
	if _, err := r.Lookup("nope"); err == nil || !strings.Contains(err.Error(), "acme-ci") {
		t.Errorf("unknown source error should list the IDs: %v", err)
	}
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(string), `duplicate source ID "acme-ci"`) {
			t.Errorf("recover = %v, want a duplicate-ID panic", v)
		}
	}()
	r.Register(sample())
}

func TestRegisterRejectsMalformedMetadata(t *testing.T) {
	for name, mutate := range map[string]func(*Source){
		"bad id":          func(s *Source) { s.ID = "Acme" },
		"unprefixed key":  func(s *Source) { s.Keys[0].Name = "TOKEN" },
		"duplicate key":   func(s *Source) { s.Keys[1].Name = s.Keys[0].Name },
		"no kind":         func(s *Source) { s.Keys[0].Kind = "" },
		"enum no options": func(s *Source) { s.Keys[2].Options = nil },
		"bad default":     func(s *Source) { s.Keys[1].Default = "ftp://x" },
		"dup script":      func(s *Source) { s.Scripts[1].Name = "job" },
		"no run":          func(s *Source) { s.Scripts[0].Run = nil },
		"provides none":   func(s *Source) { s.Scripts[0].Provides = nil },
	} {
		t.Run(name, func(t *testing.T) {
			s := sample()
			mutate(s)
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			NewRegistry().Register(s)
		})
	}
}

func TestValidate(t *testing.T) {
	s := sample()
	if err := s.Validate(Config{"ACME_CI_TOKEN": "x", "ACME_CI_URL": "https://ci.example.com", "ACME_CI_DAYS": "7"}); err != nil {
		t.Errorf("valid config: %v", err)
	}
	err := s.Validate(Config{"ACME_CI_URL": "ci.example.com", "ACME_CI_SCOPE": "some", "ACME_CI_DAYS": "x", "ACME_CI_COLOR": "red"})
	for _, want := range []string{"ACME_CI_TOKEN is required", "ACME_CI_URL must be an http(s) URL", "ACME_CI_SCOPE must be one of all, mine",
		"ACME_CI_DAYS must be a whole number", "ACME_CI_COLOR is not a key of acme-ci"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if got := s.WithDefaults(Config{"ACME_CI_TOKEN": "x"}); got["ACME_CI_URL"] != "https://ci.acme.test" || got["ACME_CI_SCOPE"] != "all" {
		t.Errorf("defaults: %v", got)
	}
	if got := (Config{"ACME_CI_JOBS": " a, ,b ,"}).List("ACME_CI_JOBS"); strings.Join(got, "|") != "a|b" {
		t.Errorf("list: %q", got)
	}
}

func TestJSONShowsMetadataNotFunctions(t *testing.T) {
	b, err := json.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":"acme-ci"`, `"secret":true`, `"provides":["acme.jobs"]`, `"depends_on":["acme.jobs"]`, `"import_window_days":30`, `"options":["all","mine"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}
