// Package all registers every data source of this build: one blank import
// per source folder. The app imports it; tests import the sources they use.
package all

// One line per source, e.g.:
//
//	_ "github.com/momentum-app/momentum/backend/source/git"
//
// Issue 4 and later add the real sources here.
