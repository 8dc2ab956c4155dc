//go:build race

package app

// raceEnabled: the test binary was built with -race, so binaries the tests
// build use it too (and reuse the compiled packages).
const raceEnabled = true
