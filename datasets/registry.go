package datasets

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// maxSeedsPerSet bounds how many seeds of one generated set a Registry keeps;
// loading one more forgets the least recently loaded (callers holding it
// keep their copy).
const maxSeedsPerSet = 16

// Registry knows every dataset, loads each at most once and shares the
// result. It is safe for concurrent use. The zero value is a registry with
// the default data directory, like NewRegistry("").
type Registry struct {
	fashionDirs []string
	loaded      cache // Fashion-MNIST and generated sets; MNIST lives in mnistCache

	mu      sync.Mutex
	uploads map[string]*Dataset
	order   []string                                    // upload names in the order they were added
	seeds   map[string]*simplelru.LRU[string, struct{}] // generated set → its cached keys
	up      uploadBook                                  // owners, sizes and uses of the uploads (upload.go)
	onAdd   func(owner, name string, file []byte, opt CSVOptions)
}

// NewRegistry returns a registry of the built-in datasets. dataDir is where
// optional on-disk sets live: Fashion-MNIST is looked for in
// dataDir/fashion-mnist and then dataDir itself; "" means DefaultFashionDir.
// Nothing is read until List, Info or Load asks.
func NewRegistry(dataDir string) *Registry {
	return &Registry{
		fashionDirs: fashionDirs(dataDir),
		uploads:     make(map[string]*Dataset),
		seeds:       make(map[string]*simplelru.LRU[string, struct{}]),
	}
}

// List describes every dataset in a stable order: MNIST, Fashion-MNIST, the
// generated sets, then uploads in the order they were added. It decodes
// nothing; for Fashion-MNIST it reads the file headers to tell whether the
// set is available.
func (r *Registry) List() []Info {
	list := []Info{mnistInfo(), r.fashion()}
	for _, t := range toySpecs {
		list = append(list, t.info())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range r.order {
		list = append(list, r.uploads[name].Info())
	}
	return list
}

// Info describes one dataset. An unavailable dataset is described with
// Available false and a Reason, and no error; an unknown name gives an error
// wrapping ErrNotFound.
func (r *Registry) Info(name string) (Info, error) {
	switch name {
	case "mnist":
		return mnistInfo(), nil
	case FashionName:
		return r.fashion(), nil
	}
	for _, t := range toySpecs {
		if t.name == name {
			return t.info(), nil
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.uploads[name]; ok {
		return d.Info(), nil
	}
	return Info{}, notFound(name)
}

// Load returns the dataset called name, decoding or generating it on first
// use and sharing it afterwards: every caller gets the same *Dataset, which
// must not be modified. seed matters only for generated sets (each seed is
// generated once and cached); other sets ignore it. Errors wrap ErrNotFound
// for an unknown name and ErrUnavailable for a set that cannot be loaded
// here (the message says how to fix it).
func (r *Registry) Load(name string, seed uint64) (*Dataset, error) {
	switch name {
	case "mnist":
		return LoadMNIST()
	case FashionName:
		return r.loaded.get(name, func() (*Dataset, error) { return loadFashion(r.dirs()) })
	}
	for _, t := range toySpecs {
		if t.name == name {
			return r.loadGenerated(t, seed)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.uploads[name]; ok {
		r.touchLocked(name)
		return d, nil
	}
	return nil, notFound(name)
}

// loadGenerated returns the cached set t for seed, generating it if needed,
// and forgets the least recently loaded seeds beyond maxSeedsPerSet.
func (r *Registry) loadGenerated(t *toySpec, seed uint64) (*Dataset, error) {
	key := t.name + "@" + strconv.FormatUint(seed, 10)
	d, err := r.loaded.get(key, func() (*Dataset, error) { return t.generate(seed), nil })
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seeds == nil {
		r.seeds = make(map[string]*simplelru.LRU[string, struct{}])
	}
	keys := r.seeds[t.name]
	if keys == nil {
		keys, _ = simplelru.NewLRU(maxSeedsPerSet, func(k string, _ struct{}) { r.loaded.forget(k) })
		r.seeds[t.name] = keys
	}
	keys.Add(key, struct{}{})
	return d, nil
}

// fashion describes Fashion-MNIST: from memory once loaded, else by probing
// its files.
func (r *Registry) fashion() Info {
	if d, ok := r.loaded.peek(FashionName); ok {
		return d.Info()
	}
	return probeFashion(r.dirs())
}

// dirs returns where Fashion-MNIST is looked for.
func (r *Registry) dirs() []string {
	if r.fashionDirs == nil {
		return fashionDirs("")
	}
	return r.fashionDirs
}

func notFound(name string) error {
	if r := []rune(name); len(r) > 40 { // a name from a URL is echoed shortened
		name = string(r[:40]) + "…"
	}
	return fmt.Errorf("%w: no dataset is called %q", ErrNotFound, name)
}
