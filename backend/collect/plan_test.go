package collect

import (
	"errors"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/source"
)

func script(name string, provides, deps []string) source.Script {
	return source.Script{Name: name, Provides: provides, DependsOn: deps, Run: ok}
}

func planRegistry(extra ...*source.Source) *source.Registry {
	reg := source.NewRegistry()
	reg.Register(&source.Source{ID: "hub", Name: "Hub", Scripts: []source.Script{
		script("contributor", []string{"hub.users"}, nil),
		script("repository", []string{"hub.repositories"}, []string{"hub.users"}),
		script("commit", []string{"hub.commits"}, []string{"hub.repositories"}),
		script("pull-request", []string{"hub.pull_requests"}, []string{"hub.repositories", "hub.users"}),
	}})
	reg.Register(&source.Source{ID: "hub-actions", Name: "Hub Actions", Scripts: []source.Script{
		script("run", []string{"hub.pipeline_runs"}, []string{"hub.repositories"}),
	}})
	reg.Register(&source.Source{ID: "tracker", Name: "Tracker", Scripts: []source.Script{
		script("issue", []string{"tracker.issues"}, nil),
		source.Script{Name: "sprint", Provides: []string{"tracker.sprints"}, Run: ok,
			When: func(c source.Config) bool { return c.Get("TRACKER_SPRINTS") == "yes" }},
	}})
	for _, s := range extra {
		reg.Register(s)
	}
	return reg
}

func index(order []string, id string) int {
	for i, v := range order {
		if v == id {
			return i
		}
	}
	return -1
}

func TestPlanOrdersByDependencies(t *testing.T) {
	reg := planRegistry()
	p, err := BuildPlan(reg, map[string]source.Config{"hub": {}, "hub-actions": {}, "tracker": {}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Order) != 6 {
		t.Fatalf("order %v: want 6 scripts (sprint is off by config)", p.Order)
	}
	for _, edge := range [][2]string{
		{"hub/contributor", "hub/repository"}, {"hub/repository", "hub/commit"}, {"hub/repository", "hub/pull-request"},
		{"hub/contributor", "hub/pull-request"}, {"hub/repository", "hub-actions/run"},
	} {
		if index(p.Order, edge[0]) > index(p.Order, edge[1]) {
			t.Errorf("%s comes after %s in %v", edge[0], edge[1], p.Order)
		}
	}
	if got := strings.Join(p.Steps["hub/pull-request"].Needs, ","); got != "hub/contributor,hub/repository" {
		t.Errorf("pull-request needs %s", got)
	}
	p, _ = BuildPlan(reg, map[string]source.Config{"tracker": {"TRACKER_SPRINTS": "yes"}}, nil)
	if index(p.Order, "tracker/sprint") < 0 {
		t.Errorf("When(config) did not turn sprint on: %v", p.Order)
	}
}

func TestPlanOnlyKeepsWhatTheSourceNeeds(t *testing.T) {
	p, err := BuildPlan(planRegistry(), map[string]source.Config{"hub": {}, "hub-actions": {}, "tracker": {}}, []string{"hub-actions"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Order, " "); got != "hub/contributor hub/repository hub-actions/run" {
		t.Errorf("order %q", got)
	}
	if feeds := p.Steps["hub/repository"].Feeds; len(feeds) != 1 || feeds[0] != "hub-actions/run" {
		t.Errorf("feeds of repository kept dropped steps: %v", feeds)
	}
}

func TestPlanMissingProviderNamesTheScript(t *testing.T) {
	_, err := BuildPlan(planRegistry(), map[string]source.Config{"hub-actions": {}}, nil)
	var pe *PlanError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "hub-actions/run depends on hub.repositories, which no configured script provides (configure hub)") {
		t.Fatalf("err = %v", err)
	}
}

func TestPlanCycleNamesTheScripts(t *testing.T) {
	reg := planRegistry(&source.Source{ID: "loop", Name: "Loop", Scripts: []source.Script{
		script("a", []string{"loop.a"}, []string{"loop.c"}),
		script("b", []string{"loop.b"}, []string{"loop.a"}),
		script("c", []string{"loop.c"}, []string{"loop.b"}),
		script("d", []string{"loop.d"}, []string{"loop.d"}), // reading what it writes is fine
	}})
	_, err := BuildPlan(reg, map[string]source.Config{"loop": {}}, nil)
	if err == nil {
		t.Fatal("a cycle was planned")
	}
	for _, name := range []string{"dependency cycle", "loop/a", "loop/b", "loop/c"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("err %q does not name %s", err, name)
		}
	}
	if strings.Contains(err.Error(), "loop/d") {
		t.Errorf("a self-dependency counted as a cycle: %v", err)
	}
}
