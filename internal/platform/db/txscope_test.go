package db_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTxBodiesUseTheirContext is a vet-style check of the whole tree for
// the mistake Tx's marked context exists to catch. The pools refuse a
// context that carries an open transaction, but only when that context
// reaches them: a transaction body written as a closure that uses the
// context of the function around it passes the pools an unmarked
// context, and a pool query there waits for a second connection unseen.
// So every function literal that is handed a transaction (a *sql.Tx or a
// db.Querier parameter) must take the context too and use only its own:
// naming it ctx shadows the outer one.
func TestTxBodiesUseTheirContext(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var bad []string
	for _, dir := range []string{"internal", "testcloud"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.FuncLit)
				if !ok || !takesTx(lit.Type) {
					return true
				}
				own := declared(lit)
				ast.Inspect(lit.Body, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.FuncLit:
						// A nested literal is checked on its own when
						// it takes a transaction; otherwise what it
						// uses still runs under this one.
						return !takesTx(n.Type)
					case *ast.SelectorExpr:
						if x, ok := n.X.(*ast.Ident); ok && x.Name == "context" && (n.Sel.Name == "Background" || n.Sel.Name == "TODO") {
							bad = append(bad, fset.Position(n.Pos()).String()+": context."+n.Sel.Name+" in a transaction body")
						}
						ast.Inspect(n.X, func(m ast.Node) bool { return checkIdent(m, own, fset, &bad) })
						return false
					}
					return checkIdent(n, own, fset, &bad)
				})
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// checkIdent records an identifier that names a context (ctx, reqCtx, …)
// not declared by the transaction body itself.
func checkIdent(n ast.Node, own map[string]bool, fset *token.FileSet, bad *[]string) bool {
	id, ok := n.(*ast.Ident)
	if !ok {
		return true
	}
	name := strings.ToLower(id.Name)
	if (name == "ctx" || strings.HasSuffix(name, "ctx")) && !own[id.Name] {
		*bad = append(*bad, fset.Position(id.Pos()).String()+": transaction body uses "+id.Name+" of the function around it; take ctx as a parameter")
	}
	return true
}

// takesTx reports whether a function type has a transaction parameter:
// a db.Querier, or a pointer to a type whose name ends in Tx (*sql.Tx, or
// a store's own wrapper of one such as placement's *wtx).
func takesTx(ft *ast.FuncType) bool {
	for _, p := range ft.Params.List {
		switch ty := p.Type.(type) {
		case *ast.StarExpr:
			name := ""
			switch x := ty.X.(type) {
			case *ast.Ident:
				name = x.Name
			case *ast.SelectorExpr:
				name = x.Sel.Name
			}
			if strings.HasSuffix(strings.ToLower(name), "tx") {
				return true
			}
		case *ast.SelectorExpr:
			if ty.Sel.Name == "Querier" {
				return true
			}
		case *ast.Ident:
			if ty.Name == "Querier" {
				return true
			}
		}
	}
	return false
}

// declared lists the names a function literal declares: its parameters
// and what its body defines with := or var.
func declared(lit *ast.FuncLit) map[string]bool {
	own := map[string]bool{}
	for _, p := range lit.Type.Params.List {
		for _, n := range p.Names {
			own[n.Name] = true
		}
	}
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						own[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				own[id.Name] = true
			}
		}
		return true
	})
	return own
}

// moduleRoot is the folder holding go.mod, above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}
