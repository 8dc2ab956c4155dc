// Package buildinfo tells which Momentum this is.
package buildinfo

// Version is set at link time (-ldflags "-X .../buildinfo.Version=1.2.3").
var Version = "0.1.0-dev"
