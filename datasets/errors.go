package datasets

import (
	"errors"
	"strconv"
)

// Sentinel errors wrapped by the errors of this package; test with errors.Is.
var (
	// ErrNotFound: no dataset has the requested name.
	ErrNotFound = errors.New("dataset not found")
	// ErrUnavailable: the dataset exists but cannot be loaded on this server
	// (for example Fashion-MNIST is not installed). The error text says why.
	ErrUnavailable = errors.New("dataset unavailable")
	// ErrInvalid: user-supplied data or options are malformed (a bad CSV
	// or IDX file, an option out of range, a bad dataset name).
	ErrInvalid = errors.New("invalid data")
	// ErrExists: AddCSV was given a name that is already taken.
	ErrExists = errors.New("dataset already exists")
	// ErrFull: there is no room for another upload on this server now (see
	// MaxUploads); the text says what would fit.
	ErrFull = errors.New("no room for the upload")
)

// invalidError is a message for a user that wraps ErrInvalid without
// repeating its text.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return ErrInvalid }

func invalid(msg string) error { return &invalidError{msg} }

// CSVError reports a bad value or row in a CSV file. It wraps ErrInvalid.
type CSVError struct {
	Line   int    // 1-based line number in the file
	Column string // how the column is named in messages: `column "petal_width"` or `column 3`; "" for whole-row errors
	Msg    string // what is wrong, e.g. `"abc" is not a number`
}

// Error returns e.g. `line 17, column "petal_width": "abc" is not a number`.
func (e *CSVError) Error() string {
	if e.Column == "" {
		return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return "line " + strconv.Itoa(e.Line) + ", " + e.Column + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *CSVError) Unwrap() error { return ErrInvalid }
