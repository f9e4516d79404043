package dialx_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestExportedNamesAreDocumented keeps the documentation promise of the
// package: every exported name has a doc comment that starts with its name,
// and every exported type says whether it is safe for concurrent use.
func TestExportedNamesAreDocumented(t *testing.T) {
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	//lint:ignore SA1019 ast.Package is what doc.New takes; there is no replacement that keeps this short.
	pkg := doc.New(&ast.Package{Name: "dialx", Files: files}, "github.com/dialx/dialx", 0)

	check := func(name, text string) {
		t.Helper()
		if !strings.HasPrefix(text, name+" ") && !strings.HasPrefix(text, "A "+name+" ") && !strings.HasPrefix(text, "An "+name+" ") {
			t.Errorf("doc comment of %s should start with its name, got %q", name, firstLine(text))
		}
	}
	for _, f := range pkg.Funcs {
		check(f.Name, f.Doc)
	}
	for _, v := range append(pkg.Vars, pkg.Consts...) {
		for _, name := range v.Names {
			if !ast.IsExported(name) {
				continue
			}
			if v.Doc == "" {
				t.Errorf("exported %s has no doc comment", name)
			}
		}
	}
	for _, typ := range pkg.Types {
		check(typ.Name, typ.Doc)
		if !strings.Contains(typ.Doc, "concurrent") && !strings.Contains(typ.Doc, "goroutine") {
			t.Errorf("doc comment of type %s should say whether it is safe for concurrent use", typ.Name)
		}
		for _, f := range append(typ.Funcs, typ.Methods...) {
			check(f.Name, f.Doc)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
