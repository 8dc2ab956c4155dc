package gitlab

import (
	"context"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/momentum-app/momentum/backend/source"
)

// runContributors reads each project's contributors (everyone who
// committed to its default branch, all time, by name and email) and makes
// sure each has a git account, so that people are complete before the
// window reaches their commits. Identity merges them with GitLab users by
// email, including the users' GitLab noreply addresses. One request per
// project.
func runContributors(ctx context.Context, job *source.Job) error {
	c, err := newClient(job.Config, job.HTTP)
	if err != nil {
		return err
	}
	ps, err := projects(ctx, job)
	if err != nil {
		return err
	}
	who := newPeople(job)
	for _, p := range ps {
		opt := &gl.ListContributorsOptions{ListOptions: listOptions()}
		for ct, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.Contributor, *gl.Response, error) {
			return c.Repositories.Contributors(p.id, opt, po, gl.WithContext(ctx))
		}) {
			if err != nil {
				if notFound(err) { // an empty repository has no contributors
					break
				}
				return apiError("list the contributors of "+p.fullPath, err)
			}
			if _, err := who.git.Git(ctx, ct.Name, ct.Email); err != nil {
				return err
			}
			job.AddItems(1)
		}
	}
	return nil
}
