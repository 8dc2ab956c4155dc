package github

import "testing"

// For the external tests (cli_test.go): the fake GitHub.

// FakeGitHub is the fake GitHub server of the tests.
type FakeGitHub = fakeGitHub

// NewFakeGitHub starts a fake GitHub that accepts token.
func NewFakeGitHub(t *testing.T, token string) *FakeGitHub { return newFakeGitHub(t, token) }

// Requests is the number of requests served, per "GET /path".
func (f *fakeGitHub) Requests() map[string]int { return f.requests() }
