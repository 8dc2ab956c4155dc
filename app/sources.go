package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	_ "github.com/momentum-app/momentum/backend/source/all" // registers every data source
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
)

// openVault opens the secret store: the OS keychain, or the encrypted store
// when the operator provides a key (MOMENTUM_SECRET_KEY / _FILE).
func (g *Globals) openVault() (*secret.Vault, error) {
	return secret.Open(secret.Options{Log: g.log, ProbeTimeout: 5 * time.Second})
}

// openConfig opens the store and the configuration service on it.
func (g *Globals) openConfig(ctx context.Context) (*store.Store, *sourceconfig.Service, error) {
	vault, err := g.openVault()
	if err != nil {
		return nil, nil, err
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	return st, sourceconfig.New(st, source.Default, vault), nil
}

type sourcesCmd struct {
	Format string `enum:"table,json" default:"table" help:"Output: table or json."`
}

func (c *sourcesCmd) Run(g *Globals) error {
	return writeSources(os.Stdout, source.Default.All(), c.Format)
}

func writeSources(w io.Writer, all []*source.Source, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if all == nil {
			all = []*source.Source{}
		}
		return enc.Encode(map[string]any{"sources": all})
	}
	if len(all) == 0 {
		fmt.Fprintln(w, "This build has no data sources registered yet.")
		return nil
	}
	for i, s := range all {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s — %s (%s)\n", s.ID, s.Name, s.Category)
		if s.Description != "" {
			fmt.Fprintf(w, "  %s\n", s.Description)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  KEY\tREQUIRED\tSECRET\tDEFAULT\tHELP")
		for _, k := range s.Keys {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", k.Name, yes(k.Required), yes(k.Secret), k.Default, k.Help)
		}
		tw.Flush()
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SCRIPT\tPROVIDES\tDEPENDS ON\tIMPORT WINDOW")
		for _, sc := range s.Scripts {
			win := "unlimited"
			if sc.ImportWindow > 0 {
				win = fmt.Sprintf("%d days", int(sc.ImportWindow/(24*time.Hour)))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", sc.Name, strings.Join(sc.Provides, ", "), dash(strings.Join(sc.DependsOn, ", ")), win)
		}
		tw.Flush()
	}
	return nil
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

type configCmd struct {
	Set   configSetCmd   `cmd:"" help:"Set keys of a source: momentum config set github GITHUB_TOKEN=- GITHUB_ORG=acme (- reads the value from standard input)."`
	Show  configShowCmd  `cmd:"" help:"Show the configuration, secrets masked."`
	Unset configUnsetCmd `cmd:"" help:"Remove a key of a source (and its secret from the keychain)."`
}

type configSetCmd struct {
	Source string   `arg:"" help:"Source ID (see momentum sources)."`
	Values []string `arg:"" name:"KEY=VALUE" help:"Values to set; VALUE - reads it from standard input, keeping it out of the shell history."`
}

func (c *configSetCmd) Run(g *Globals) error {
	values, err := parseAssignments(c.Values, os.Stdin)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	st, svc, err := g.openConfig(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := svc.Set(ctx, c.Source, values, "cli"); err != nil {
		return err
	}
	v, err := svc.Show(ctx, c.Source)
	if err != nil {
		return err
	}
	return writeConfig(os.Stdout, []sourceconfig.View{v})
}

// parseAssignments reads KEY=VALUE pairs; a value "-" is read as one line
// of in.
func parseAssignments(args []string, in io.Reader) (map[string]string, error) {
	values := map[string]string{}
	var r *bufio.Reader
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q: write KEY=VALUE, e.g. GITHUB_ORG=acme", a)
		}
		if v == "-" {
			if r == nil {
				r = bufio.NewReader(in)
			}
			fmt.Fprintf(os.Stderr, "%s: ", k)
			line, err := r.ReadString('\n')
			if err != nil && line == "" {
				return nil, fmt.Errorf("%s: no value on standard input", k)
			}
			v = strings.TrimRight(line, "\r\n")
		}
		values[k] = v
	}
	return values, nil
}

type configShowCmd struct {
	Source string `arg:"" optional:"" help:"Source ID; all sources without it."`
	Format string `enum:"table,json" default:"table" help:"Output: table or json."`
}

func (c *configShowCmd) Run(g *Globals) error {
	ctx, stop := signalContext()
	defer stop()
	st, svc, err := g.openConfig(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var views []sourceconfig.View
	if c.Source != "" {
		v, err := svc.Show(ctx, c.Source)
		if err != nil {
			return err
		}
		views = []sourceconfig.View{v}
	} else if views, err = svc.ShowAll(ctx); err != nil {
		return err
	}
	if c.Format == "json" {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if views == nil {
			views = []sourceconfig.View{}
		}
		return enc.Encode(map[string]any{"configs": views, "secret_store": svc.SecretBackend()})
	}
	if len(views) == 0 {
		fmt.Println("This build has no data sources registered yet.")
		return nil
	}
	return writeConfig(os.Stdout, views)
}

func writeConfig(w io.Writer, views []sourceconfig.View) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKEY\tVALUE\tSTATUS")
	for _, v := range views {
		for _, val := range v.Values {
			shown, status := val.Value, ""
			switch {
			case !val.Set && val.Default != "":
				shown, status = val.Default, "default"
			case !val.Set:
				shown, status = "—", "not set"
			case val.Secret:
				status = "secret"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Source, val.Key, shown, status)
		}
	}
	tw.Flush()
	for _, v := range views {
		for _, p := range v.Problems {
			if v.Configured {
				fmt.Fprintf(w, "%s: %s\n", v.Source, p)
			}
		}
	}
	return nil
}

type configUnsetCmd struct {
	Source string `arg:"" help:"Source ID."`
	Key    string `arg:"" help:"Key to remove."`
}

func (c *configUnsetCmd) Run(g *Globals) error {
	ctx, stop := signalContext()
	defer stop()
	st, svc, err := g.openConfig(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := svc.Unset(ctx, c.Source, c.Key, "cli"); err != nil {
		return err
	}
	fmt.Printf("%s %s removed\n", c.Source, c.Key)
	return nil
}
