package main

import "syscall"

// sysProcAttr makes the kernel kill the server if this program dies
// without cleaning up (Pdeathsig).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
