// Package collect plans and runs collections: one code path for the
// scheduler, `momentum collect` and the UI's "sync now". It builds the graph
// of configured scripts from what they provide and depend on, runs them
// concurrently as soon as their dependencies complete, holds a database lock
// per script so no script runs twice at once (also across processes), and
// records every run with its incremental window.
package collect

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dominikbraun/graph"

	"github.com/momentum-app/momentum/backend/source"
)

// Step is one script in a plan.
type Step struct {
	ID     string // "github/commit"
	Source *source.Source
	Script source.Script
	Config source.Config
	// Needs are the steps that must complete first; Feeds the steps that
	// wait for this one.
	Needs []string
	Feeds []string
}

// Plan is the ordered graph of a collection.
type Plan struct {
	Steps map[string]*Step
	Order []string // a topological order, stable by ID
}

// PlanError explains why no plan could be built; it names the scripts.
type PlanError struct{ Problems []string }

func (e *PlanError) Error() string { return "collect: cannot plan: " + strings.Join(e.Problems, "; ") }

// BuildPlan builds the graph of the configured sources' scripts (configs:
// source ID → its resolved configuration). With only set, it keeps those
// sources' scripts and, transitively, the scripts they depend on.
func BuildPlan(reg *source.Registry, configs map[string]source.Config, only []string) (*Plan, error) {
	p := &Plan{Steps: map[string]*Step{}}
	providers := map[source.Resource][]string{}
	for id, cfg := range configs {
		src, err := reg.Lookup(id)
		if err != nil {
			return nil, err
		}
		for _, sc := range src.Scripts {
			if sc.When != nil && !sc.When(cfg) {
				continue
			}
			st := &Step{ID: source.ScriptID(src.ID, sc.Name), Source: src, Script: sc, Config: cfg}
			p.Steps[st.ID] = st
			for _, r := range sc.Provides {
				providers[r] = append(providers[r], st.ID)
			}
		}
	}
	g := graph.New(func(s *Step) string { return s.ID }, graph.Directed(), graph.PreventCycles())
	ids := make([]string, 0, len(p.Steps))
	for id := range p.Steps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := g.AddVertex(p.Steps[id]); err != nil {
			return nil, fmt.Errorf("collect: %w", err)
		}
	}
	var problems []string
	for _, id := range ids {
		st := p.Steps[id]
		for _, r := range st.Script.DependsOn {
			from := providers[r]
			if len(from) == 0 {
				problems = append(problems, fmt.Sprintf("%s depends on %s, which no configured script provides%s", id, r, hintProvider(reg, r)))
				continue
			}
			for _, prov := range from {
				if prov == id {
					continue // a script may refresh what it reads
				}
				err := g.AddEdge(prov, id)
				switch {
				case errors.Is(err, graph.ErrEdgeAlreadyExists):
				case errors.Is(err, graph.ErrEdgeCreatesCycle):
					path, _ := graph.ShortestPath(g, id, prov)
					problems = append(problems, fmt.Sprintf("dependency cycle: %s → %s", prov, strings.Join(path, " → ")))
				case err != nil:
					return nil, fmt.Errorf("collect: %w", err)
				default:
					st.Needs = append(st.Needs, prov)
					p.Steps[prov].Feeds = append(p.Steps[prov].Feeds, id)
				}
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, &PlanError{Problems: problems}
	}
	for _, st := range p.Steps {
		sort.Strings(st.Needs)
		sort.Strings(st.Feeds)
	}
	if len(only) > 0 {
		p.keep(only)
	}
	order, err := graph.StableTopologicalSort(g, func(a, b string) bool { return a < b })
	if err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	for _, id := range order {
		if _, ok := p.Steps[id]; ok {
			p.Order = append(p.Order, id)
		}
	}
	return p, nil
}

// keep drops every step that neither belongs to the sources nor is needed
// by one that does.
func (p *Plan) keep(sources []string) {
	want := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		if want[id] {
			return
		}
		want[id] = true
		for _, n := range p.Steps[id].Needs {
			visit(n)
		}
	}
	for id, st := range p.Steps {
		if slices.Contains(sources, st.Source.ID) {
			visit(id)
		}
	}
	for id, st := range p.Steps {
		if !want[id] {
			delete(p.Steps, id)
			continue
		}
		st.Feeds = slices.DeleteFunc(st.Feeds, func(f string) bool { return !want[f] })
	}
}

func hintProvider(reg *source.Registry, r source.Resource) string {
	var ids []string
	for _, src := range reg.All() {
		for _, sc := range src.Scripts {
			if slices.Contains(sc.Provides, r) {
				ids = append(ids, src.ID)
				break
			}
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return " (configure " + strings.Join(ids, " or ") + ")"
}
