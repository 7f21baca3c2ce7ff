package templates

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func sampleUpload() UploadView {
	return UploadView{
		MaxMiB: 32, MaxRows: 1_000_000, MaxColumns: 4096, MaxClasses: 256,
		Headers:        []Choice{{"auto", "detect"}, {"yes", "yes"}, {"no", "no"}},
		Normalizations: []Choice{{"minmax", "min–max"}, {"zscore", "z-score"}},
	}
}

// inside reports whether n lies within ancestor.
func inside(n, ancestor *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == ancestor {
			return true
		}
	}
	return false
}

func TestUploadFormWorksWithoutJavaScript(t *testing.T) {
	v := sampleHome()
	v.Upload = sampleUpload()
	doc := render(t, Home(v))

	form := one(t, doc, "upload-form")
	for k, want := range map[string]string{"method": "post", "action": "/datasets", "enctype": "multipart/form-data"} {
		if got, _ := attr(form, k); got != want {
			t.Errorf("upload form %s = %q, want %q", k, got, want)
		}
	}
	if inside(form, one(t, doc, "config-form")) || inside(one(t, doc, "config-form"), form) {
		t.Fatal("the upload form and the new-session form are nested")
	}
	if mib, _ := attr(form, "data-max-mib"); mib != "32" {
		t.Errorf("upload form data-max-mib = %q, want 32", mib)
	}
	file := one(t, doc, "upload-file")
	if typ, _ := attr(file, "type"); typ != "file" || !inside(file, form) {
		t.Fatalf("upload-file is a %q input inside the form: %v", typ, inside(file, form))
	}
	if name, _ := attr(file, "name"); name != "file" {
		t.Errorf("file input name = %q, want file", name)
	}
	if b := one(t, doc, "upload-button"); !inside(b, form) {
		t.Error("the upload button is outside the upload form")
	} else if typ, _ := attr(b, "type"); typ != "submit" {
		t.Errorf("upload button type %q", typ)
	}
	// Every option is a named control of this form, and has a label.
	for _, name := range []string{"name", "title", "header", "label_column", "normalize", "drop_bad", "test_fraction", "image_width"} {
		els := byName(form, name)
		if len(els) != 1 {
			t.Errorf("upload form has %d controls named %q", len(els), name)
			continue
		}
		if name == "drop_bad" {
			if typ, _ := attr(els[0], "type"); typ != "checkbox" || els[0].Parent.Data != "label" {
				t.Errorf("drop_bad is a %q without a wrapping label", typ)
			}
			continue
		}
		id, _ := attr(els[0], "id")
		if len(findAll(doc, func(n *html.Node) bool { f, _ := attr(n, "for"); return n.Data == "label" && f == id })) != 1 {
			t.Errorf("%s has no label", name)
		}
		if len(byName(one(t, doc, "config-form"), name)) != 0 {
			t.Errorf("%s is also a field of the new-session form", name)
		}
	}
	limits := text(one(t, doc, "upload-limits"))
	for _, want := range []string{"32 MiB", "1,000,000 rows", "4,096 columns"} {
		if !strings.Contains(limits, want) {
			t.Errorf("limits %q lack %q", limits, want)
		}
	}
	if e := one(t, doc, "upload-error"); !hasAttr(e, "hidden") || text(e) != "" {
		t.Error("the upload error shows without an error")
	}
	if n := one(t, doc, "upload-notice"); !hasAttr(n, "hidden") {
		t.Error("the upload notice shows without an upload")
	}
	if l := one(t, doc, "upload-link"); !inside(l, one(t, doc, "config-form")) {
		t.Error("the dataset picker does not point to the upload form")
	}
}

func TestUploadFormShowsTheRefusalAndKeepsTheValues(t *testing.T) {
	v := sampleHome()
	v.Upload = sampleUpload()
	v.Upload.Values = UploadValues{Name: "wine", Title: "Wine <red>", Header: "no", LabelColumn: "quality",
		Normalize: "zscore", DropBad: "true", TestFraction: "0.3", ImageWidth: ""}
	v.Upload.Error = `line 17, column "alcohol": "abc" is not a number`
	v.Upload.ErrorField = "file"
	doc := render(t, Home(v))
	e := one(t, doc, "upload-error")
	if hasAttr(e, "hidden") || text(e) != v.Upload.Error {
		t.Fatalf("upload error = %q (hidden %v)", text(e), hasAttr(e, "hidden"))
	}
	if inv, _ := attr(one(t, doc, "upload-file"), "aria-invalid"); inv != "true" {
		t.Error("the file input is not marked invalid")
	}
	if d, _ := attr(one(t, doc, "upload-file"), "aria-describedby"); !strings.Contains(d, "upload-error") {
		t.Errorf("file input aria-describedby = %q", d)
	}
	form := one(t, doc, "upload-form")
	for name, want := range map[string]string{"name": "wine", "title": "Wine <red>", "label_column": "quality", "test_fraction": "0.3"} {
		if got, _ := attr(byName(form, name)[0], "value"); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]string{"header": "no", "normalize": "zscore"} {
		sel := findAll(byName(form, name)[0], func(n *html.Node) bool { return n.Data == "option" && hasAttr(n, "selected") })
		if len(sel) != 1 {
			t.Errorf("%s: %d selected options", name, len(sel))
		} else if got, _ := attr(sel[0], "value"); got != want {
			t.Errorf("%s selected %q, want %q", name, got, want)
		}
	}
	if !hasAttr(byName(form, "drop_bad")[0], "checked") {
		t.Error("drop_bad is not checked again")
	}
}

func TestUploadNoticeAndThumbnails(t *testing.T) {
	v := sampleHome()
	v.Upload = sampleUpload()
	v.Upload.Notice = "“wine” is ready and selected above."
	doc := render(t, Home(v))
	if n := one(t, doc, "upload-notice"); hasAttr(n, "hidden") || text(n) != v.Upload.Notice {
		t.Errorf("notice = %q", text(n))
	}
	for _, d := range v.Datasets {
		thumbs := byTestID(doc, "thumb-"+d.Name)
		if !d.Available {
			if len(thumbs) != 0 {
				t.Errorf("unavailable %s has a thumbnail", d.Name)
			}
			continue
		}
		if len(thumbs) != 1 || thumbs[0].Data != "canvas" || !inside(thumbs[0], one(t, doc, "dataset-"+d.Name)) {
			t.Fatalf("%s: want one canvas thumbnail in its card", d.Name)
		}
		if ds, _ := attr(thumbs[0], "data-dataset"); ds != d.Name {
			t.Errorf("thumbnail data-dataset = %q, want %q", ds, d.Name)
		}
	}
}
