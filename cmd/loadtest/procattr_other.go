//go:build !linux

package main

import "syscall"

// sysProcAttr: without Linux's Pdeathsig the server is ended by the
// cleanup on every ordinary exit path only. (The /proc measurements of
// memory and CPU also need Linux; elsewhere they report errors.)
func sysProcAttr() *syscall.SysProcAttr { return nil }
