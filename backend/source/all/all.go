// Package all registers every data source of this build: one blank import
// per source folder. The app imports it; tests import the sources they use.
package all

import (
	_ "github.com/momentum-app/momentum/backend/source/bitbucket" // Bitbucket Cloud and Pipelines
	_ "github.com/momentum-app/momentum/backend/source/git"       // local git repositories
	_ "github.com/momentum-app/momentum/backend/source/github"    // GitHub and GitHub Actions
	_ "github.com/momentum-app/momentum/backend/source/gitlab"    // GitLab and GitLab CI
)
