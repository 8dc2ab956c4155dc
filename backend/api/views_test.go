package api

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

type viewJSON struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Slug  string `json:"slug"`
	Page  string `json:"page"`
	Query string `json:"query"`
}

type errJSON struct {
	Error string `json:"error"`
}

func TestSavedViewEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		api := newServer(t, st).URL + "/api/v1"

		var v viewJSON
		code := send(t, "POST", api+"/views", map[string]string{"name": "  Platform weekly ", "page": "organization", "query": "?range=90d&team=1&group=week&view=3"}, &v)
		if code != http.StatusCreated || v.ID == 0 || v.Name != "Platform weekly" || v.Page != "organization" || v.Slug == "" {
			t.Fatalf("create: %d %+v", code, v)
		}
		// Canonical query, without a pointer to another view.
		if v.Query != "group=week&range=90d&team=1" {
			t.Errorf("query = %q", v.Query)
		}

		var got viewJSON
		if code := send(t, "GET", api+"/views/"+idStr(v.ID), nil, &got); code != 200 || got != v {
			t.Errorf("get: %d %+v, want %+v", code, got, v)
		}
		var list struct{ Views []viewJSON }
		if code := send(t, "GET", api+"/views", nil, &list); code != 200 || len(list.Views) != 1 || list.Views[0] != v {
			t.Errorf("list: %d %+v", code, list)
		}

		// Rename only: page and query stay.
		var renamed viewJSON
		if code := send(t, "PUT", api+"/views/"+idStr(v.ID), map[string]string{"name": "Platform, by week"}, &renamed); code != 200 ||
			renamed.Name != "Platform, by week" || renamed.Query != v.Query || renamed.Page != v.Page || renamed.Slug != v.Slug {
			t.Errorf("rename: %d %+v", code, renamed)
		}
		var requery viewJSON
		if code := send(t, "PUT", api+"/views/"+idStr(v.ID), map[string]string{"query": "range=7d", "page": "individual"}, &requery); code != 200 ||
			requery.Name != "Platform, by week" || requery.Query != "range=7d" || requery.Page != "individual" {
			t.Errorf("update query: %d %+v", code, requery)
		}

		var other viewJSON
		send(t, "POST", api+"/views", map[string]string{"name": "Web", "page": "organization", "query": "repo=acme/web"}, &other)

		bad := []struct {
			method, path string
			body         any
			status       int
			says         string
		}{
			{"POST", "/views", map[string]string{"name": "platform, BY WEEK", "page": "organization", "query": ""}, 409, "choose another name"},
			{"PUT", "/views/" + idStr(other.ID), map[string]string{"name": "Platform, by week"}, 409, "choose another name"},
			{"POST", "/views", map[string]string{"name": "   ", "page": "organization", "query": ""}, 400, "name is empty"},
			{"POST", "/views", map[string]string{"name": strings.Repeat("x", 81), "page": "organization", "query": ""}, 400, "longer than 80"},
			{"POST", "/views", map[string]string{"name": "a\tb", "page": "organization", "query": ""}, 400, "control character"},
			{"POST", "/views", map[string]string{"name": "x", "page": "settings", "query": ""}, 400, "page: one of organization, individual"},
			{"POST", "/views", map[string]string{"name": "x", "page": "organization", "query": "range=%zz"}, 400, "not a URL query"},
			{"POST", "/views", map[string]string{"name": "x", "page": "organization", "query": strings.Repeat("a", 4001)}, 400, "longer than 4000"},
			{"POST", "/views", map[string]string{"name": "x"}, 400, "needs name, page and query"},
			{"POST", "/views", map[string]any{"name": "x", "page": "organization", "query": "", "colour": "red"}, 400, "unknown field"},
			{"GET", "/views/abc", nil, 400, "positive whole number"},
			{"GET", "/views/0", nil, 400, "positive whole number"},
			{"GET", "/views/9999", nil, 404, "no saved view 9999"},
			{"PUT", "/views/9999", map[string]string{"name": "y"}, 404, "no saved view 9999"},
			{"DELETE", "/views/9999", nil, 404, "no saved view 9999"},
			{"PATCH", "/views/1", nil, 405, "use GET or PUT or DELETE"},
		}
		for _, c := range bad {
			var e errJSON
			if code := send(t, c.method, api+c.path, c.body, &e); code != c.status || !strings.Contains(e.Error, c.says) {
				t.Errorf("%s %s %v: %d %q, want %d saying %q", c.method, c.path, c.body, code, e.Error, c.status, c.says)
			}
		}

		if code := send(t, "DELETE", api+"/views/"+idStr(v.ID), nil, nil); code != http.StatusNoContent {
			t.Errorf("delete: %d", code)
		}
		var e errJSON
		if code := send(t, "GET", api+"/views/"+idStr(v.ID), nil, &e); code != 404 {
			t.Errorf("get after delete: %d %q", code, e.Error)
		}
		send(t, "GET", api+"/views", nil, &list)
		if len(list.Views) != 1 || list.Views[0].ID != other.ID {
			t.Errorf("list after delete: %+v", list.Views)
		}
	})
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }
