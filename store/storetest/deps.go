package storetest

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// Deps is the rule a package's dependencies keep, the arrows between the
// project's rooms (see STYLE.md). The standard library and the package
// itself are always allowed.
type Deps struct {
	// Allow lists the import paths the package may depend on besides the
	// standard library; an entry ending in "/" allows every path below it
	// ("gonum.org/v1/gonum/").
	Allow []string
	// ModuleOnly checks only the packages of the package's own module:
	// other modules' packages are allowed whatever Allow says.
	ModuleOnly bool
	// NoCgo refuses every dependency, standard library included, that has
	// cgo files.
	NoCgo bool
}

// CheckDeps runs go list -deps on the package in the working directory (a
// test runs in its package's directory) and reports through tb each
// dependency d refuses. It skips when the go command is not on PATH.
func CheckDeps(tb testing.TB, d Deps) {
	tb.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		tb.Skipf("go command not found: %v", err)
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f",
		"{{.ImportPath}} {{.Standard}} {{.DepOnly}} {{len .CgoFiles}} {{with .Module}}{{.Path}}{{end}}", ".").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		tb.Fatalf("go list -deps: %v", err)
	}
	pkgs, err := parseDeps(string(out))
	if err != nil {
		tb.Fatal(err)
	}
	for _, msg := range d.refusals(pkgs) {
		tb.Error(msg)
	}
}

// dep is one line of go list -deps output.
type dep struct {
	path, module string
	standard     bool
	self         bool // listed, not only a dependency
	cgoFiles     string
}

func parseDeps(out string) ([]dep, error) {
	var pkgs []dep
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil, fmt.Errorf("go list -deps: line %q: want import path, standard, dep-only, cgo files and module", line)
		}
		p := dep{path: f[0], standard: f[1] == "true", self: f[2] == "false", cgoFiles: f[3]}
		if len(f) > 4 {
			p.module = f[4]
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// refusals says, one message each, which of pkgs d refuses.
func (d Deps) refusals(pkgs []dep) []string {
	var self dep
	for _, p := range pkgs {
		if p.self {
			self = p
		}
	}
	var msgs []string
	for _, p := range pkgs {
		if !d.allows(self, p) {
			msgs = append(msgs, fmt.Sprintf("%s depends on %s; %s", self.path, p.path, d))
		}
		if d.NoCgo && p.cgoFiles != "0" {
			msgs = append(msgs, fmt.Sprintf("%s depends on %s, which has %s cgo files; want pure Go", self.path, p.path, p.cgoFiles))
		}
	}
	return msgs
}

func (d Deps) allows(self, p dep) bool {
	if p.self || p.standard || d.ModuleOnly && p.module != self.module {
		return true
	}
	for _, a := range d.Allow {
		if p.path == a || strings.HasSuffix(a, "/") && strings.HasPrefix(p.path, a) {
			return true
		}
	}
	return false
}

// String says what d allows, for the messages of CheckDeps.
func (d Deps) String() string {
	var b strings.Builder
	b.WriteString("want only the standard library")
	if d.ModuleOnly {
		b.WriteString(", other modules")
	}
	for _, a := range d.Allow {
		b.WriteString(", ")
		b.WriteString(a)
	}
	return b.String()
}
