// Momentum: developer-productivity metrics from your own tools, on your own
// machine. `momentum` opens the desktop app; `momentum serve` serves a team.
package main

import (
	"embed"
	"io/fs"
	"os"

	"github.com/momentum-app/momentum/app"
)

//go:embed all:frontend/dist
var dist embed.FS

func main() {
	assets, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	os.Exit(app.Main(assets, os.Args[1:]))
}
