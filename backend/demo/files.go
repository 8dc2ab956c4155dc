package demo

import (
	"fmt"
	"path"
	"strings"
)

var (
	goPkgs   = []string{"auth", "billing", "config", "httpapi", "storage", "queue", "cache", "ratelimit", "events", "metrics", "tokens", "ledger", "webhook", "router", "session", "worker"}
	goFiles  = []string{"handler", "service", "client", "model", "repository", "middleware", "validate", "errors", "retry", "encode", "server", "options"}
	tsDirs   = []string{"components", "pages", "hooks", "api", "state", "utils", "features/checkout", "features/account", "features/search"}
	tsNames  = []string{"Button", "Cart", "Checkout", "Header", "Modal", "OrderList", "Profile", "Search", "Settings", "Table", "Toast", "Wizard", "useAuth", "useCart", "client", "format", "routes", "store"}
	pyPkgs   = []string{"ingest", "transform", "features", "models", "serving", "utils", "io", "schemas"}
	pyFiles  = []string{"loader", "cleaner", "pipeline", "train", "predict", "config", "metrics", "writer", "reader", "scoring"}
	sqlDirs  = []string{"staging", "marts/finance", "marts/product", "intermediate"}
	sqlNames = []string{"orders", "payments", "customers", "sessions", "revenue_daily", "churn", "refunds", "subscriptions", "events", "funnels"}
	infraMod = []string{"network", "eks", "rds", "s3", "iam", "cdn", "dns", "monitoring", "vpn", "redis"}
	docTopic = []string{"onboarding", "incident-response", "on-call", "code-review", "release-process", "security", "architecture", "testing", "adr-0012-event-bus", "adr-0017-postgres"}
)

// makeFiles lays out n plausible paths for a repository of the given kind.
func makeFiles(r rnd, d repoDef, n int) []file {
	seen := map[string]bool{}
	var out []file
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, newFile(p))
		}
	}
	common := []string{"README.md", ".github/workflows/ci.yml", "CODEOWNERS", "docs/architecture.md", "CHANGELOG.md"}
	var fixed []string
	var gen func() string
	switch d.kind {
	case goService, goLib:
		fixed = []string{"go.mod", "go.sum", "Makefile", "Dockerfile", "cmd/" + d.name + "/main.go", "api/openapi.yaml", "deploy/values.yaml", "migrations/0001_init.sql", "migrations/0002_indexes.sql", "testdata/golden/report.png"}
		gen = func() string {
			pkg, f := pick(r, goPkgs), pick(r, goFiles)
			switch r.IntN(10) {
			case 0:
				return fmt.Sprintf("migrations/%04d_%s_%s.sql", r.IntN(80)+3, pkg, f)
			case 1:
				return fmt.Sprintf("testdata/%s/%s.json", pkg, f)
			case 2, 3, 4:
				return fmt.Sprintf("internal/%s/%s_test.go", pkg, f)
			}
			return fmt.Sprintf("internal/%s/%s.go", pkg, f)
		}
	case tsApp, tsLib:
		fixed = []string{"package.json", "package-lock.json", "tsconfig.json", "vite.config.ts", "src/main.tsx", "src/index.css", "public/favicon.ico", "public/images/hero.png", "public/images/logo.svg", ".eslintrc.json"}
		gen = func() string {
			dir, name := pick(r, tsDirs), pick(r, tsNames)
			ext := ".tsx"
			if strings.HasPrefix(name, "use") || name == "client" || name == "format" || name == "routes" || name == "store" {
				ext = ".ts"
			}
			switch r.IntN(10) {
			case 0:
				return fmt.Sprintf("src/%s/%s.module.css", dir, name)
			case 1:
				return fmt.Sprintf("public/images/%s-%d.png", strings.ToLower(name), r.IntN(9))
			case 2, 3:
				return fmt.Sprintf("src/%s/%s.test%s", dir, name, ext)
			}
			return fmt.Sprintf("src/%s/%s%s", dir, name, ext)
		}
	case pyService:
		fixed = []string{"pyproject.toml", "requirements.txt", "Dockerfile", "Makefile", "notebooks/exploration.ipynb", "data/sample.parquet", "config/settings.yaml"}
		gen = func() string {
			pkg, f := pick(r, pyPkgs), pick(r, pyFiles)
			switch r.IntN(10) {
			case 0:
				return fmt.Sprintf("sql/%s_%s.sql", pkg, f)
			case 1, 2, 3:
				return fmt.Sprintf("tests/%s/test_%s.py", pkg, f)
			}
			return fmt.Sprintf("%s/%s/%s.py", strings.ReplaceAll(d.name, "-", "_"), pkg, f)
		}
	case sqlModels:
		fixed = []string{"dbt_project.yml", "packages.yml", "profiles.yml", "macros/cents_to_dollars.sql", "requirements.txt"}
		gen = func() string {
			dir, name := pick(r, sqlDirs), pick(r, sqlNames)
			if r.IntN(4) == 0 {
				return fmt.Sprintf("models/%s/schema.yml", dir)
			}
			return fmt.Sprintf("models/%s/%s_%s.sql", dir, strings.Split(dir, "/")[0][:3], name)
		}
	case infraRepo:
		fixed = []string{"Makefile", "scripts/bootstrap.sh", "scripts/rotate-keys.sh", ".terraform.lock.hcl"}
		gen = func() string {
			mod := pick(r, infraMod)
			switch r.IntN(6) {
			case 0:
				return fmt.Sprintf("k8s/%s/values.yaml", mod)
			case 1:
				return fmt.Sprintf("terraform/%s/variables.tf", mod)
			case 2:
				return fmt.Sprintf("terraform/%s/outputs.tf", mod)
			case 3:
				return fmt.Sprintf("scripts/%s.sh", mod)
			}
			return fmt.Sprintf("terraform/%s/main.tf", mod)
		}
	default: // docs
		fixed = []string{"mkdocs.yml", "docs/index.md", "docs/img/architecture.png", "docs/img/flow.svg"}
		gen = func() string {
			t := pick(r, docTopic)
			if r.IntN(8) == 0 {
				return fmt.Sprintf("docs/img/%s.png", t)
			}
			return fmt.Sprintf("docs/%s/%s.md", pick(r, []string{"guides", "runbooks", "decisions", "reference"}), t)
		}
	}
	for _, p := range append(fixed, common...) {
		add(p)
	}
	for tries := 0; len(out) < n && tries < n*20; tries++ {
		add(gen())
	}
	return out
}

// languages by extension or file name, as GitHub's linguist names them.
var languages = map[string]string{
	".go": "Go", ".ts": "TypeScript", ".tsx": "TSX", ".py": "Python", ".sql": "SQL", ".yml": "YAML", ".yaml": "YAML",
	".md": "Markdown", ".json": "JSON", ".tf": "HCL", ".hcl": "HCL", ".sh": "Shell", ".css": "CSS", ".ipynb": "Jupyter Notebook",
	".svg": "SVG", ".toml": "TOML", ".txt": "Text", "go.mod": "Go Module", "go.sum": "Go Checksums",
	"Dockerfile": "Dockerfile", "Makefile": "Makefile", "CODEOWNERS": "CODEOWNERS",
}

var binaryExt = map[string]bool{".png": true, ".ico": true, ".parquet": true, ".jpg": true, ".woff2": true}

func newFile(p string) file {
	base, ext := path.Base(p), path.Ext(p)
	if lang, ok := languages[base]; ok {
		return file{path: p, lang: lang}
	}
	if base == "package-lock.json" {
		return file{path: p, lang: "JSON"}
	}
	return file{path: p, lang: languages[ext], binary: binaryExt[ext]}
}
