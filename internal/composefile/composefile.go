// Package composefile reads the part of a Docker Compose file that aelab's
// deployment checks use (deploy/compose.yaml): services with their image or
// build, command, environment, health check, volumes and profiles, after
// interpolating ${VAR} the way docker compose does. It is no full Compose
// implementation: the real `docker compose config` (or its loader,
// compose-go) validates the file against the Compose schema.
package composefile

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// File is a compose file's services.
type File struct {
	Services map[string]Service `yaml:"services"`
}

// Service is one service of a compose file.
type Service struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Hostname    string            `yaml:"hostname"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Profiles []string `yaml:"profiles"`
	Volumes  []string `yaml:"volumes"`
	Ports    []string `yaml:"ports"`
	Networks any      `yaml:"networks"`
}

var varRE = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// Interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// ${VAR?err}, $VAR and $$ the way docker compose does, from env. A required
// variable that is missing (or empty, with ":?") is an error naming it.
func Interpolate(s string, env map[string]string) (string, error) {
	var errs []error
	out := varRE.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		g := varRE.FindStringSubmatch(m)
		name, op, arg := g[1], g[2], g[3]
		if name == "" {
			name = g[4]
		}
		v, set := env[name]
		switch op {
		case ":-":
			if v == "" {
				return arg
			}
		case "-":
			if !set {
				return arg
			}
		case ":?":
			if v == "" {
				errs = append(errs, fmt.Errorf("%s is required: %s", name, arg))
			}
		case "?":
			if !set {
				errs = append(errs, fmt.Errorf("%s is required: %s", name, arg))
			}
		}
		return v
	})
	return out, errors.Join(errs...)
}

// Read reads and interpolates the compose file at path with env.
func Read(path string, env map[string]string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b, env)
}

// Parse interpolates a compose file's text with env and decodes it.
func Parse(b []byte, env map[string]string) (*File, error) {
	s, err := Interpolate(string(b), env)
	if err != nil {
		return nil, err
	}
	var f File
	if err := yaml.Unmarshal([]byte(s), &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Built lists, sorted, the services built from a Dockerfile (aelab's
// replicas in deploy/compose.yaml).
func (f *File) Built() []string {
	var r []string
	for name, s := range f.Services {
		if s.Build != nil {
			r = append(r, name)
		}
	}
	slices.Sort(r)
	return r
}

// Flag returns the value that follows flag (as "-addr") in the command, and
// whether it is there; "-flag=value" counts too.
func (s Service) Flag(flag string) (string, bool) {
	for i, a := range s.Command {
		if a == flag && i+1 < len(s.Command) {
			return s.Command[i+1], true
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v, true
		}
	}
	return "", false
}
