package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// seedPeopleRepos adds three people (IDs 1-3) and two repositories (IDs 1-2).
func seedPeopleRepos(t *testing.T, st *store.Store) {
	t.Helper()
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
}

func TestTeamLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		seedPeopleRepos(t, st)

		tm, err := st.CreateTeam(ctx, store.TeamInput{Name: "Platform", Description: "infra", PersonIDs: []int64{2, 1, 2}, RepoIDs: []int64{1}}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if tm.Name != "Platform" || tm.Description != "infra" || !slices.Equal(tm.PersonIDs, []int64{1, 2}) || !slices.Equal(tm.RepoIDs, []int64{1}) || tm.Members != 2 || tm.Repos != 1 {
			t.Errorf("created = %+v", tm)
		}
		if _, err := st.CreateTeam(ctx, store.TeamInput{Name: "platform"}, 11); !errors.Is(err, store.ErrNameTaken) {
			t.Errorf("case-insensitive duplicate: err = %v", err)
		}
		var unknown *store.UnknownIDsError
		_, err = st.CreateTeam(ctx, store.TeamInput{Name: "Ghosts", PersonIDs: []int64{1, 77, 78}}, 12)
		if !errors.As(err, &unknown) || unknown.Kind != "person" || !slices.Equal(unknown.IDs, []int64{77, 78}) {
			t.Errorf("unknown people: err = %v", err)
		}
		// Nothing of the failed team was kept.
		list, err := st.Teams(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Name != "Platform" || list[0].Members != 2 || list[0].Repos != 1 {
			t.Errorf("teams = %+v", list)
		}

		up, err := st.UpdateTeam(ctx, tm.ID, store.TeamInput{Name: "Platform & Web", PersonIDs: []int64{3}, RepoIDs: []int64{1, 2}})
		if err != nil {
			t.Fatal(err)
		}
		if up.Name != "Platform & Web" || up.Description != "" || !slices.Equal(up.PersonIDs, []int64{3}) || !slices.Equal(up.RepoIDs, []int64{1, 2}) {
			t.Errorf("updated = %+v", up)
		}
		_, err = st.UpdateTeam(ctx, tm.ID, store.TeamInput{Name: "Platform & Web", RepoIDs: []int64{5}})
		if !errors.As(err, &unknown) || unknown.Kind != "repository" {
			t.Errorf("unknown repository: err = %v", err)
		}
		// A failed update changes nothing.
		if again, _ := st.Team(ctx, tm.ID); !slices.Equal(again.PersonIDs, []int64{3}) || !slices.Equal(again.RepoIDs, []int64{1, 2}) {
			t.Errorf("after a failed update: %+v", again)
		}
		if _, err := st.UpdateTeam(ctx, 999, store.TeamInput{Name: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update of a missing team: err = %v", err)
		}

		other, err := st.CreateTeam(ctx, store.TeamInput{Name: "Web"}, 13)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateTeam(ctx, other.ID, store.TeamInput{Name: "PLATFORM & WEB"}); !errors.Is(err, store.ErrNameTaken) {
			t.Errorf("rename onto another team: err = %v", err)
		}

		if err := st.DeleteTeam(ctx, tm.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Team(ctx, tm.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted team: err = %v", err)
		}
		var left int
		st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM team_members WHERE team_id = $1`, tm.ID).Scan(&left)
		if left != 0 {
			t.Errorf("%d memberships outlived their team", left)
		}
		if err := st.DeleteTeam(ctx, tm.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: err = %v", err)
		}
	})
}
