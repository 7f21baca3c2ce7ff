package handlers

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"
)

// An upload's field given twice (a careless script, a form with two inputs
// of one name) is refused with 400 naming it, as a query parameter or a
// JSON key given twice is, instead of the first value being taken and the
// other dropped unseen; so is a second file. An image width of 0, which the
// message calls out of range, is refused too.
func TestUploadRefusesAFieldGivenTwice(t *testing.T) {
	ts := newUploadServer(t, "")
	csv := "a,b,c\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,10,x\n"
	send := func(parts [][2]string, files int) uploadAnswer {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, p := range parts {
			if err := mw.WriteField(p[0], p[1]); err != nil {
				t.Fatal(err)
			}
		}
		for range files {
			fw, err := mw.CreateFormFile("file", "twice.csv")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write([]byte(csv))
		}
		_ = mw.Close()
		res, b := ts.do(t, "POST", "/api/datasets", body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
		a := decodeUpload(t, b)
		if res.StatusCode != 201 && res.StatusCode != 400 {
			t.Fatalf("%v: %d %s", parts, res.StatusCode, b)
		}
		return a
	}
	for _, field := range uploadFieldNames {
		val := map[string]string{"name": "twice", "title": "Twice", "header": "yes", "label_column": "c",
			"normalize": "minmax", "drop_bad": "false", "test_fraction": "0.2", "image_width": "1"}[field]
		a := send([][2]string{{"label_column", "c"}, {field, val}, {field, val}}, 1)
		if field == "label_column" {
			a = send([][2]string{{field, "c"}, {field, "a"}}, 1)
		}
		if a.Field != field || !strings.Contains(a.Error, "twice") {
			t.Errorf("%s given twice: %+v, want a refusal naming %s", field, a, field)
		}
	}
	if a := send([][2]string{{"label_column", "c"}}, 2); a.Field != "file" || !strings.Contains(a.Error, "one file at a time") {
		t.Errorf("two files: %+v, want a refusal naming file", a)
	}
	if a := send([][2]string{{"label_column", "c"}, {"image_width", "0"}}, 1); a.Field != "image_width" {
		t.Errorf("image_width 0: %+v, want a refusal naming image_width", a)
	}
	if a := send([][2]string{{"label_column", "c"}, {"image_width", ""}, {"name", "once"}}, 1); a.Name != "once" {
		t.Errorf("each field once, image_width blank: %+v, want it kept as once", a)
	}
}
