package handlers

import (
	"github.com/go-chi/chi/v5"
)

// addClassPages adds the pages of classes.
func addClassPages(r chi.Router, d Deps, starts, joins *limiter) {}
