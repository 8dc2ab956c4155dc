package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestSavedViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a, err := st.CreateSavedView(ctx, store.SavedView{Name: "Platform, 90 days", Page: "organization", Query: "range=90d&team=1&group=week"}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || len(a.Slug) != 12 || a.CreatedAt != 100 || a.UpdatedAt != 100 {
			t.Errorf("created = %+v", a)
		}
		b, err := st.CreateSavedView(ctx, store.SavedView{Name: "api only", Page: "individual", Query: "range=7d&repo=acme/api"}, 200)
		if err != nil {
			t.Fatal(err)
		}
		if a.Slug == b.Slug {
			t.Errorf("two views share slug %q", a.Slug)
		}
		// Names are unique regardless of case.
		if _, err := st.CreateSavedView(ctx, store.SavedView{Name: "API ONLY", Page: "organization", Query: "range=30d"}, 300); !errors.Is(err, store.ErrNameTaken) {
			t.Errorf("duplicate name: err = %v, want ErrNameTaken", err)
		}

		list, err := st.SavedViews(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "api only" || list[1].Name != "Platform, 90 days" {
			t.Errorf("list = %+v, want api only then Platform (by name, case-insensitive)", list)
		}

		b.Name, b.Query = "API and web", "range=30d&repo=acme/api,acme/web"
		got, err := st.UpdateSavedView(ctx, b, 400)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "API and web" || got.Query != b.Query || got.Slug != b.Slug || got.CreatedAt != 200 || got.UpdatedAt != 400 {
			t.Errorf("updated = %+v", got)
		}
		b.Name = "platform, 90 DAYS"
		if _, err := st.UpdateSavedView(ctx, b, 500); !errors.Is(err, store.ErrNameTaken) {
			t.Errorf("rename onto another's name: err = %v", err)
		}
		if _, err := st.UpdateSavedView(ctx, store.SavedView{ID: 9999, Name: "x", Page: "organization"}, 500); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update of a missing view: err = %v", err)
		}

		if err := st.DeleteSavedView(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SavedView(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted view: err = %v", err)
		}
		if err := st.DeleteSavedView(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: err = %v", err)
		}
		// The name is free again once its view is gone.
		if _, err := st.CreateSavedView(ctx, store.SavedView{Name: "Platform, 90 days", Page: "organization", Query: "range=90d"}, 600); err != nil {
			t.Errorf("reuse of a deleted view's name: %v", err)
		}
	})
}
