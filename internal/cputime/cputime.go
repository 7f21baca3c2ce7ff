// Package cputime reads the CPU time this process has been granted, for
// tests that bound work by the CPU it got rather than by the wall clock (a
// loaded machine stretches wall time many times over, not CPU time).
package cputime
