package pipeline_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function under pipeline/ may be, counted from
// its func line to its closing brace: a longer one is a stage that wants
// splitting into named steps (issue 17).
const maxFuncLines = 80

// TestFunctionLength fails when a non-test function under pipeline/ is longer
// than maxFuncLines, listing every one with its length.
func TestFunctionLength(t *testing.T) {
	long, err := longFunctions(".", maxFuncLines)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, f := range long {
		bad = append(bad, f.String())
	}
	if len(bad) > 0 {
		t.Errorf("%d functions longer than %d lines; split them into named steps:\n\t%s",
			len(bad), maxFuncLines, strings.Join(bad, "\n\t"))
	}
}

// longFunc is a function found longer than the limit.
type longFunc struct {
	key   string // file relative to the root, ":", function name
	lines int
}

func (f longFunc) String() string { return fmt.Sprintf("%s (%d lines)", f.key, f.lines) }

// longFunctions parses every non-test Go file under root and returns the
// functions with more than max lines, sorted by key.
func longFunctions(root string, max int) ([]longFunc, error) {
	var long []longFunc
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			// fn.Pos is the func keyword: the doc comment is not counted.
			n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			if n > max {
				long = append(long, longFunc{key: filepath.ToSlash(path) + ":" + funcName(fn), lines: n})
			}
		}
		return nil
	})
	slices.SortFunc(long, func(a, b longFunc) int { return strings.Compare(a.key, b.key) })
	return long, err
}

// funcName is a function's name, methods prefixed by their receiver's type.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		case *ast.Ident:
			return x.Name + "." + fn.Name.Name
		}
		return fn.Name.Name
	}
}
