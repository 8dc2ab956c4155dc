package deployrule

import "testing"

func TestRule(t *testing.T) {
	r := New(nil, nil, nil)
	for _, c := range []struct {
		job, branch string
		deploys     bool
		env         string
		prod        bool
	}{
		{"deploy", "main", true, "production", true},
		{"deploy-prod", "main", true, "prod", true},
		{"Deploy to staging", "main", true, "staging", false},
		{"deploy:review", "main", true, "review", false},
		{"release", "main", true, "production", true},
		{"deploy-prod", "feature/x", false, "prod", true},
		{"build", "main", false, "production", true},
		{"predeploy-checks-live", "main", true, "live", true},
	} {
		if got := r.Deploys(c.job, c.branch, "main"); got != c.deploys {
			t.Errorf("Deploys(%q, %q) = %v", c.job, c.branch, got)
		}
		if env, prod := r.Environment(c.job); env != c.env || prod != c.prod {
			t.Errorf("Environment(%q) = %q, %v; want %q, %v", c.job, env, prod, c.env, c.prod)
		}
	}
	custom := New([]string{"ship-*"}, []string{"release/*"}, []string{"prd"})
	if !custom.Deploys("ship-it", "release/1.2", "main") || custom.Deploys("ship-it", "main", "main") || custom.Deploys("deploy", "release/1", "main") {
		t.Error("configured jobs and branches are not honoured")
	}
	if env, prod := custom.Environment("ship-prd"); env != "prd" || !prod {
		t.Errorf("configured production word: %q %v", env, prod)
	}
	if New(nil, nil, nil).Deploys("deploy", "main", "") {
		t.Error("no default branch: nothing deploys")
	}
}
