package datasets

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"time"
)

// Uploaded CSV datasets live in memory, within bounds: at most MaxUploads
// of them, at most MaxUploadsPerOwner per uploader, and a byte budget for
// all of them (SetUploadBudget). A new upload that does not fit evicts the
// least recently used ones (its uploader's own first); uploads used in the
// last UploadPinned are not evicted for someone else's, so when they fill
// the budget the new upload is refused with ErrFull. Trainings already
// running on an evicted dataset keep their copy.
const (
	MaxUploads         = 64
	MaxUploadsPerOwner = 8
	// DefaultUploadBudget is the memory all uploads may take together.
	DefaultUploadBudget = 256 << 20
	// UploadPinned is how long after its last use an upload is safe from
	// eviction by other people's uploads.
	UploadPinned = 10 * time.Minute
)

// validName matches names usable in URLs: lower-case letters, digits, '_'
// and '-', starting with a letter or digit, at most 40 characters.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// uploadBook keeps what the registry knows about each upload besides its
// data: who uploaded it, its size and when it was last used.
type uploadBook struct {
	budget int64 // 0: DefaultUploadBudget
	now    func() time.Time
	meta   map[string]*uploadMeta
}

type uploadMeta struct {
	owner string
	bytes int64
	used  time.Time
}

// SetUploadBudget sets the memory, in bytes, that uploads may take
// together; n ≤ 0 restores DefaultUploadBudget.
func (r *Registry) SetUploadBudget(n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.up.budget = max(n, 0)
}

// UploadUsage returns the memory uploads take now and the budget.
func (r *Registry) UploadUsage() (used, budget int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.up.meta {
		used += m.bytes
	}
	return used, r.budgetLocked()
}

func (r *Registry) budgetLocked() int64 {
	if r.up.budget > 0 {
		return r.up.budget
	}
	return DefaultUploadBudget
}

func (r *Registry) nowLocked() time.Time {
	if r.up.now != nil {
		return r.up.now()
	}
	return time.Now()
}

// AddCSV is AddOwnedCSV without an owner: the upload is usable by name
// but listed by ListFor for nobody.
func (r *Registry) AddCSV(name string, data io.Reader, opt CSVOptions) (Info, error) {
	return r.AddOwnedCSV("", name, data, opt)
}

// AddOwnedCSV parses a CSV file (see ParseCSV) and adds it to the registry
// as dataset name, uploaded by owner (an opaque key; "" for none); Load(name,
// _) then returns it, to anyone. Older uploads are evicted to make room (see
// MaxUploads). Errors wrap ErrInvalid for a bad name, bad options or a bad
// file, ErrExists when name is taken, and ErrFull when there is no room.
// The OnAdd function, if set, is then given the file.
func (r *Registry) AddOwnedCSV(owner, name string, data io.Reader, opt CSVOptions) (Info, error) {
	r.mu.Lock()
	hook := r.onAdd
	r.mu.Unlock()
	var file bytes.Buffer
	if hook != nil {
		data = io.TeeReader(data, &file)
	}
	info, err := r.addOwnedCSV(owner, name, data, opt)
	if err == nil && hook != nil {
		hook(owner, name, file.Bytes(), opt)
	}
	return info, err
}

// OnAdd sets a function that AddOwnedCSV calls after each dataset it adds,
// with its owner, the file as read and its options (to keep uploads across
// restarts); RestoreCSV does not call it.
func (r *Registry) OnAdd(f func(owner, name string, file []byte, opt CSVOptions)) {
	r.mu.Lock()
	r.onAdd = f
	r.mu.Unlock()
}

// RestoreCSV is AddOwnedCSV for a file kept from an earlier run, uploaded
// by owner ("" for none): it does not call the OnAdd function.
func (r *Registry) RestoreCSV(owner, name string, file []byte, opt CSVOptions) (Info, error) {
	return r.addOwnedCSV(owner, name, bytes.NewReader(file), opt)
}

func (r *Registry) addOwnedCSV(owner, name string, data io.Reader, opt CSVOptions) (Info, error) {
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
	size := datasetBytes(d)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkNewNameLocked(name); err != nil { // another upload may have won the race
		return Info{}, err
	}
	if err := r.makeRoomLocked(owner, size); err != nil {
		return Info{}, err
	}
	if r.uploads == nil {
		r.uploads = make(map[string]*Dataset)
	}
	if r.up.meta == nil {
		r.up.meta = make(map[string]*uploadMeta)
	}
	r.uploads[name] = d
	r.up.meta[name] = &uploadMeta{owner: owner, bytes: size, used: r.nowLocked()}
	r.order = append(r.order, name)
	return d.Info(), nil
}

// makeRoomLocked evicts uploads until one of size bytes by owner fits, or
// says why it cannot; r.mu is held.
func (r *Registry) makeRoomLocked(owner string, size int64) error {
	budget := r.budgetLocked()
	if size > budget/2 {
		return fmt.Errorf("%w: this dataset takes %s in memory, more than the %s one upload may take on this server: "+
			"upload fewer rows or columns", ErrFull, mib(size), mib(budget/2))
	}
	var total, mine int64
	count := 0
	for _, m := range r.up.meta {
		total += m.bytes
		if owner != "" && m.owner == owner {
			mine += m.bytes
			count++
		}
	}
	// The uploader's own oldest go first: one person holds at most
	// MaxUploadsPerOwner uploads and half the budget.
	for owner != "" && (count >= MaxUploadsPerOwner || mine+size > budget/2) {
		name := r.lruLocked(func(m *uploadMeta) bool { return m.owner == owner })
		if name == "" {
			break
		}
		b := r.up.meta[name].bytes
		r.evictLocked(name)
		total, mine, count = total-b, mine-b, count-1
	}
	pinned := r.nowLocked().Add(-UploadPinned)
	for total+size > budget || len(r.uploads) >= MaxUploads {
		name := r.lruLocked(func(m *uploadMeta) bool { return m.used.Before(pinned) })
		if name == "" {
			return fmt.Errorf("%w: the server's space for uploads is full (%d datasets, %s of %s, all used in the last %d minutes): "+
				"try again in a few minutes, or upload a smaller file", ErrFull, len(r.uploads), mib(total), mib(budget), int(UploadPinned.Minutes()))
		}
		total -= r.up.meta[name].bytes
		r.evictLocked(name)
	}
	return nil
}

// lruLocked names the least recently used upload that ok accepts, or "".
func (r *Registry) lruLocked(ok func(*uploadMeta) bool) string {
	best := ""
	for _, name := range r.order {
		m := r.up.meta[name]
		if m != nil && ok(m) && (best == "" || m.used.Before(r.up.meta[best].used)) {
			best = name
		}
	}
	return best
}

// evictLocked forgets upload name; r.mu is held.
func (r *Registry) evictLocked(name string) {
	delete(r.uploads, name)
	delete(r.up.meta, name)
	for i, n := range r.order {
		if n == name {
			r.order = append(r.order[:i:i], r.order[i+1:]...)
			break
		}
	}
}

// touchLocked records a use of upload name; r.mu is held.
func (r *Registry) touchLocked(name string) {
	if m := r.up.meta[name]; m != nil {
		m.used = r.nowLocked()
	}
}

// ListFor is List with only the uploads of owner ("" sees none besides the
// built-in sets): people see their own uploads, and use others' by name.
func (r *Registry) ListFor(owner string) []Info {
	list := r.List()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := list[:0]
	for _, in := range list {
		if m := r.up.meta[in.Name]; in.Source != SourceUpload || (m != nil && owner != "" && m.owner == owner) {
			out = append(out, in)
		}
	}
	return out
}

// datasetBytes estimates the memory d takes.
func datasetBytes(d *Dataset) int64 {
	n := int64(d.Train.Stored()+d.Test.Stored()) + int64(len(d.Train.Labels)+len(d.Test.Labels))*8
	for _, s := range d.ClassNames {
		n += int64(len(s)) + 16
	}
	for _, s := range d.FeatureNames {
		n += int64(len(s)) + 16
	}
	return n + 1024
}

func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d MiB", (n+1<<19)>>20)
}

func (r *Registry) checkNewName(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.checkNewNameLocked(name)
}

// checkNewNameLocked fails if name is taken; r.mu is held.
func (r *Registry) checkNewNameLocked(name string) error {
	if _, ok := r.uploads[name]; ok || isBuiltin(name) {
		return fmt.Errorf("%w: the name %q is taken", ErrExists, name)
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
