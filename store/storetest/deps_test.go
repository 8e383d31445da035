package storetest

import (
	"slices"
	"strings"
	"testing"
)

// TestDeps keeps storetest usable from every package's tests, store's own
// included: it imports only the standard library.
func TestDeps(t *testing.T) {
	CheckDeps(t, Deps{})
}

func TestDepsRefusals(t *testing.T) {
	const out = `fmt true true 0 
net true true 3 
gonum.org/v1/gonum/mat false true 0 gonum.org/v1/gonum
github.com/zoograph/zoograph/store false true 0 github.com/zoograph/zoograph
github.com/zoograph/zoograph/graphlearn false true 0 github.com/zoograph/zoograph
github.com/zoograph/zoograph/graphlearn/gnn false false 0 github.com/zoograph/zoograph
`
	pkgs, err := parseDeps(out)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		deps Deps
		want []string // the refused dependencies, in order
	}{
		{"standard library only", Deps{}, []string{"gonum.org/v1/gonum/mat", "github.com/zoograph/zoograph/store", "github.com/zoograph/zoograph/graphlearn"}},
		{"prefix and exact path", Deps{Allow: []string{"gonum.org/v1/gonum/", "github.com/zoograph/zoograph/graphlearn"}}, []string{"github.com/zoograph/zoograph/store"}},
		{"exact path is not a prefix", Deps{Allow: []string{"gonum.org/v1/gonum", "github.com/zoograph/zoograph/graph"}}, []string{"gonum.org/v1/gonum/mat", "github.com/zoograph/zoograph/store", "github.com/zoograph/zoograph/graphlearn"}},
		{"module only", Deps{ModuleOnly: true, Allow: []string{"github.com/zoograph/zoograph/store"}}, []string{"github.com/zoograph/zoograph/graphlearn"}},
		{"no cgo", Deps{ModuleOnly: true, Allow: []string{"github.com/zoograph/zoograph/", "x"}, NoCgo: true}, []string{"net"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, msg := range tt.deps.refusals(pkgs) {
				if !strings.HasPrefix(msg, "github.com/zoograph/zoograph/graphlearn/gnn depends on ") {
					t.Errorf("message %q does not name the package", msg)
				}
				dep, _, _ := strings.Cut(strings.TrimPrefix(msg, "github.com/zoograph/zoograph/graphlearn/gnn depends on "), "; ")
				dep, _, _ = strings.Cut(dep, ", which")
				got = append(got, dep)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("refused %q, want %q", got, tt.want)
			}
		})
	}
}
