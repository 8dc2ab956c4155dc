package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

type teamJSON struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Members     int64   `json:"members"`
	Repos       int64   `json:"repos"`
	PersonIDs   []int64 `json:"person_ids"`
	RepoIDs     []int64 `json:"repo_ids"`
}

func TestTeamEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		for _, name := range []string{"Ada", "Grace", "Linus"} {
			if _, err := st.DB().ExecContext(ctx, `INSERT INTO people (display_name, email, created_at) VALUES ($1, $2, 1)`, name, name+"@example.com"); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"acme/api", "acme/web"} {
			if _, err := st.DB().ExecContext(ctx, `INSERT INTO repositories (source, external_id, full_name, name, created_at) VALUES ('git', $1, $1, $1, 1)`, name); err != nil {
				t.Fatal(err)
			}
		}
		api := newServer(t, st).URL + "/api/v1"

		var tm teamJSON
		code := send(t, "POST", api+"/teams", map[string]any{"name": "Platform", "description": "infra", "person_ids": []int64{1, 2}, "repo_ids": []int64{1}}, &tm)
		if code != http.StatusCreated || tm.ID == 0 || tm.Name != "Platform" || tm.Members != 2 || tm.Repos != 1 || !slices.Equal(tm.PersonIDs, []int64{1, 2}) {
			t.Fatalf("create: %d %+v", code, tm)
		}
		var list struct{ Teams []teamJSON }
		if send(t, "GET", api+"/teams", nil, &list); len(list.Teams) != 1 || list.Teams[0].Members != 2 || list.Teams[0].Repos != 1 {
			t.Errorf("list: %+v", list)
		}

		// PUT changes what it names and keeps the rest.
		var up teamJSON
		if code := send(t, "PUT", api+"/teams/"+idStr(tm.ID), map[string]any{"repo_ids": []int64{1, 2}}, &up); code != 200 ||
			up.Name != "Platform" || up.Description != "infra" || !slices.Equal(up.PersonIDs, []int64{1, 2}) || !slices.Equal(up.RepoIDs, []int64{1, 2}) {
			t.Errorf("set repos: %d %+v", code, up)
		}
		if code := send(t, "PUT", api+"/teams/"+idStr(tm.ID), map[string]any{"name": "Core", "person_ids": []int64{}}, &up); code != 200 ||
			up.Name != "Core" || len(up.PersonIDs) != 0 || up.Members != 0 || !slices.Equal(up.RepoIDs, []int64{1, 2}) {
			t.Errorf("rename and empty members: %d %+v", code, up)
		}
		var one teamJSON
		if code := send(t, "GET", api+"/teams/"+idStr(tm.ID), nil, &one); code != 200 || one.Name != "Core" || !slices.Equal(one.RepoIDs, []int64{1, 2}) {
			t.Errorf("get: %d %+v", code, one)
		}

		// The team filter of the metrics follows the change: Core is its repositories now.
		var m map[string]any
		if code := get(t, api+"/metrics/commit-pr-activity?range=30d&team="+idStr(tm.ID), &m); code != 200 {
			t.Errorf("metric filtered by the team: %d %v", code, m)
		}

		var web teamJSON
		send(t, "POST", api+"/teams", map[string]any{"name": "Web"}, &web)
		bad := []struct {
			method, path string
			body         any
			status       int
			says         string
		}{
			{"POST", "/teams", map[string]any{"name": "CORE"}, 409, `team named "CORE" exists: choose another name`},
			{"PUT", "/teams/" + idStr(web.ID), map[string]any{"name": "core"}, 409, "choose another name"},
			{"POST", "/teams", map[string]any{"description": "no name"}, 400, "needs a name"},
			{"POST", "/teams", map[string]any{"name": ""}, 400, "name is empty"},
			{"POST", "/teams", map[string]any{"name": "Ghosts", "person_ids": []int64{1, 99}}, 400, "no person with ID 99"},
			{"PUT", "/teams/" + idStr(web.ID), map[string]any{"repo_ids": []int64{7, 8}}, 400, "no repository with ID 7, 8"},
			{"POST", "/teams", map[string]any{"name": "x", "person_ids": "1,2"}, 400, "not valid JSON"},
			{"POST", "/teams", map[string]any{"name": "x", "description": strings.Repeat("d", 501)}, 400, "longer than 500"},
			{"GET", "/teams/x1", nil, 400, "positive whole number"},
			{"GET", "/teams/999", nil, 404, "no team 999"},
			{"PUT", "/teams/999", map[string]any{"name": "y"}, 404, "no team 999"},
			{"DELETE", "/teams/999", nil, 404, "no team 999"},
		}
		for _, c := range bad {
			var e errJSON
			if code := send(t, c.method, api+c.path, c.body, &e); code != c.status || !strings.Contains(e.Error, c.says) {
				t.Errorf("%s %s %v: %d %q, want %d saying %q", c.method, c.path, c.body, code, e.Error, c.status, c.says)
			}
		}
		// A rejected change left Web as it was.
		if send(t, "GET", api+"/teams/"+idStr(web.ID), nil, &one); one.Name != "Web" || len(one.RepoIDs) != 0 {
			t.Errorf("Web after rejected changes: %+v", one)
		}

		if code := send(t, "DELETE", api+"/teams/"+idStr(tm.ID), nil, nil); code != http.StatusNoContent {
			t.Errorf("delete: %d", code)
		}
		var e errJSON
		if code := get(t, api+"/metrics/commit-pr-activity?range=30d&team="+idStr(tm.ID), &e); code != 400 || !strings.Contains(e.Error, "unknown team") {
			t.Errorf("metric filtered by a deleted team: %d %q", code, e.Error)
		}

		// Every change is in the audit log, newest first, without the IDs of people.
		audit, err := st.AuditLog(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range audit {
			got = append(got, a.Action+" "+a.Key+": "+a.Detail)
		}
		want := []string{
			"team.delete Core: 0 people, 2 repositories",
			"team.create Web: 0 people, 0 repositories",
			`team.update Core: renamed from "Platform"; 0 people, 2 repositories`,
			"team.update Platform: 2 people, 2 repositories",
			"team.create Platform: 2 people, 1 repository",
		}
		if !slices.Equal(got, want) {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
