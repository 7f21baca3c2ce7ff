package datasets

import (
	"fmt"
	"io"
	"regexp"
)

// MaxUploads is the most CSV datasets a Registry keeps; uploads stay until
// the process ends.
const MaxUploads = 64

// validName matches names usable in URLs: lower-case letters, digits, '_'
// and '-', starting with a letter or digit, at most 40 characters.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// AddCSV parses a CSV file (see ParseCSV) and adds it to the registry as
// dataset name, where it stays until the process ends; Load(name, _) then
// returns it. Errors wrap ErrInvalid for a bad name, bad options or a bad
// file, and ErrExists when name is taken.
func (r *Registry) AddCSV(name string, data io.Reader, opt CSVOptions) (Info, error) {
	if !validName.MatchString(name) {
		return Info{}, invalid(fmt.Sprintf("dataset name %q: use 1 to 40 lower-case letters, digits, '_' or '-'", name))
	}
	if err := r.checkNewName(name); err != nil {
		return Info{}, err
	}
	d, err := ParseCSV(data, opt)
	if err != nil {
		return Info{}, err
	}
	d.Name = name
	if d.Title == "" {
		d.Title = name
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkNewNameLocked(name); err != nil { // another upload may have won the race
		return Info{}, err
	}
	if r.uploads == nil {
		r.uploads = make(map[string]*Dataset)
	}
	r.uploads[name] = d
	r.order = append(r.order, name)
	return d.Info(), nil
}

func (r *Registry) checkNewName(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.checkNewNameLocked(name)
}

// checkNewNameLocked fails if name is taken or the registry is full; r.mu is held.
func (r *Registry) checkNewNameLocked(name string) error {
	if _, ok := r.uploads[name]; ok || isBuiltin(name) {
		return fmt.Errorf("%w: the name %q is taken", ErrExists, name)
	}
	if len(r.uploads) >= MaxUploads {
		return invalid(fmt.Sprintf("this server already holds %d uploaded datasets, the most it keeps; "+
			"restart it to remove them", MaxUploads))
	}
	return nil
}

// isBuiltin reports whether name is MNIST, Fashion-MNIST or a generated set.
func isBuiltin(name string) bool {
	if name == "mnist" || name == FashionName {
		return true
	}
	for _, t := range toySpecs {
		if t.name == name {
			return true
		}
	}
	return false
}
