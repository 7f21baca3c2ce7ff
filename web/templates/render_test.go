package templates

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// render renders a component and parses the result as an HTML document.
func render(t *testing.T, c templ.Component) *html.Node {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// attr returns the value of an attribute and whether it is present.
func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// findAll returns the element nodes for which match is true, in document order.
func findAll(root *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

// byTestID returns the elements whose data-testid is id.
func byTestID(root *html.Node, id string) []*html.Node {
	return findAll(root, func(n *html.Node) bool {
		v, ok := attr(n, "data-testid")
		return ok && v == id
	})
}

// one returns the single element with data-testid id, failing the test otherwise.
func one(t *testing.T, root *html.Node, id string) *html.Node {
	t.Helper()
	els := byTestID(root, id)
	if len(els) != 1 {
		t.Fatalf("want 1 element with data-testid=%q, found %d", id, len(els))
	}
	return els[0]
}

// byName returns the form controls named name.
func byName(root *html.Node, name string) []*html.Node {
	return findAll(root, func(n *html.Node) bool {
		v, ok := attr(n, "name")
		return ok && v == name && (n.Data == "input" || n.Data == "select" || n.Data == "textarea")
	})
}

// byID returns the element with the given id, or nil.
func byID(root *html.Node, id string) *html.Node {
	els := findAll(root, func(n *html.Node) bool {
		v, ok := attr(n, "id")
		return ok && v == id
	})
	if len(els) == 0 {
		return nil
	}
	return els[0]
}

// text returns the text content of n with runs of white space collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// hasAttr reports whether n carries the attribute key.
func hasAttr(n *html.Node, key string) bool {
	_, ok := attr(n, key)
	return ok
}

// moduleScripts lists the src of every <script type="module"> and fails on any other script that
// is not a JSON data block.
func moduleScripts(t *testing.T, doc *html.Node) []string {
	t.Helper()
	var srcs []string
	for _, s := range findAll(doc, func(n *html.Node) bool { return n.Data == "script" }) {
		typ, _ := attr(s, "type")
		switch typ {
		case "module":
			src, ok := attr(s, "src")
			if !ok || text(s) != "" {
				t.Errorf("module script must have a src and no inline code: %q", text(s))
			}
			srcs = append(srcs, src)
		case "application/json":
		default:
			t.Errorf("unexpected script type %q (inline JS is not allowed)", typ)
		}
	}
	return srcs
}
