package templates

import "strings"

// UploadValues are the CSV upload form's text fields exactly as sent (the file itself cannot be
// shown again). DropBad is the checkbox's submitted value ("" when unchecked).
type UploadValues struct {
	Name, Title, Header, LabelColumn, Normalize, DropBad, TestFraction, ImageWidth string
}

// UploadView is what the home page's "Use your own data (CSV)" section shows: the form's values,
// the message of a refused upload, a notice after a successful one, and the server's limits.
type UploadView struct {
	Values UploadValues
	// Error is why the last upload was refused ("" for none), e.g.
	// `line 17, column "x": "abc" is not a number`; ErrorField names the field at fault.
	Error, ErrorField string
	// Notice confirms an upload, e.g. "“iris” is ready and selected above: 120 training rows, …".
	Notice string
	// Limits of one file, from the datasets package.
	MaxMiB, MaxRows, MaxColumns, MaxClasses int
	Headers, Normalizations                 []Choice
}

// uploadField builds one text, number or select field of the upload form (drawn by formField;
// none of its names is one of FieldNames, so no id collides with the new-session form's).
func uploadField(name, label, value, help, typ string, choices []Choice) field {
	return field{Name: name, Label: label, Value: value, Type: typ, Help: help, Choices: choices}
}

// uploadFields are the upload form's option fields in display order.
func uploadFields(u UploadView) []field {
	name := uploadField("name", "Dataset name", u.Values.Name,
		"Lower-case letters, digits, '-' and '_'. Blank: made from the file name.", "text", nil)
	name.Placeholder = "from the file name"
	title := uploadField("title", "Title", u.Values.Title, "Shown on the dataset card. Blank: the name.", "text", nil)
	label := uploadField("label_column", "Label column", u.Values.LabelColumn,
		"The column of class names or numbers (its name, or its position counting from 0), used to colour the latent scatter. Blank: no labels.", "text", nil)
	label.Placeholder = "none"
	tf := uploadField("test_fraction", "Test fraction", u.Values.TestFraction,
		"Share of the rows held out to measure test loss, above 0 and at most 0.9.", "number", nil)
	tf.Step, tf.InputMode, tf.Placeholder = "any", "decimal", "0.2"
	iw := uploadField("image_width", "Image width", u.Values.ImageWidth,
		"Rows are pictures this many pixels wide (e.g. 28 for 784 pixel columns). Blank: plain numbers.", "number", nil)
	iw.Step, iw.InputMode, iw.Placeholder = "1", "numeric", "none"
	return []field{
		name, title,
		uploadField("header", "Header row", orDefault(u.Values.Header, "auto"), "Whether the first row names the columns.", "select", u.Headers),
		label,
		uploadField("normalize", "Scaling", orDefault(u.Values.Normalize, "minmax"), "Min–max maps to [0, 1] (fits a sigmoid output); all columns together suits pixels and time series; z-score gives mean 0 and spread 1 (use the linear output).", "select", u.Normalizations),
		tf, iw,
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return strings.ToLower(v)
}

// checkedValue reports whether a submitted checkbox value means "on".
func checkedValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "on", "yes", "1":
		return true
	}
	return false
}

// fileDescribedBy lists the ids describing the file input: its help and, after a refusal that
// concerns the file, the message.
func fileDescribedBy(u UploadView) string {
	if u.Error != "" && (u.ErrorField == "file" || u.ErrorField == "") {
		return "help-u-file upload-error"
	}
	return "help-u-file"
}
