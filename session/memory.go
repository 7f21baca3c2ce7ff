package session

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// The memory budget: every piece of work states how many bytes it needs at
// peak, and the door admits it only while the sum of what is admitted stays
// within the budget (Options.MaxMemory). Datasets are shared between
// trainings and are not counted per training; nor are the blocks of
// gradients and activations trainings take turns with (see needOf).

// MemoryShare is the share of the machine's (or container's) memory that
// the budget takes by default; the rest is for the datasets, the runtime
// and the garbage collector's headroom.
const MemoryShare = 0.6

// fallbackMemory is the machine's memory when it cannot be read.
const fallbackMemory = 4 << 30

// MachineMemory returns the memory available to this process: the
// container's limit (cgroup v2 memory.max, or v1 limit_in_bytes) when there
// is one, else the machine's total (/proc/meminfo), else 4 GiB.
func MachineMemory() int64 {
	total := int64(0)
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		total = parseMemInfo(string(b))
	}
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(p); err == nil {
			if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 && (total == 0 || v < total) {
				total = v
			}
		}
	}
	if total <= 0 {
		return fallbackMemory
	}
	return total
}

// parseMemInfo returns MemTotal of a /proc/meminfo, in bytes (0 if absent).
func parseMemInfo(s string) int64 {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// DefaultMaxMemory is the default budget: MemoryShare of MachineMemory.
func DefaultMaxMemory() int64 { return int64(float64(MachineMemory()) * MemoryShare) }

// Bytes formats a byte count for people: "710 MB", "4.0 GB".
func Bytes(n int64) string {
	switch {
	case n >= 10<<30:
		return fmt.Sprintf("%.0f GB", float64(n)/(1<<30))
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// What a training asks of the budget has two parts. Its own, held for its
// whole life: the weights and the optimizer's state, the published
// snapshots, a batch copied out of the data and its own buffers. And its
// share of what trainings hold together: a training needs its gradients
// and the activations of a batch (one scratch block) only while it holds a
// CPU turn, and parks them between turns in the manager's ae.ScratchPool,
// so at most one block per CPU slot is in use at once, plus the idle
// blocks the pool keeps (bounded by the manager to as many again); and
// checkpoints on their way to the store are bounded by the store's writer
// (maxPendingWeights, one checkpoint beyond it at most). A block too large
// for the pool stays with its training and is counted as its own.

// trainingNeed is what one training asks of the memory budget.
type trainingNeed struct {
	own   int64 // held for its whole life (its block too, when the pool cannot take it)
	block int64 // the most bytes of the shared block it computes with; 0 when it keeps its own
	ckpt  int64 // one checkpoint of it: the weights and the optimizer's state
}

// needOf estimates what one training of c (validated, defaults applied) on
// data of k features, nTrain training and nTest test examples needs. The
// dataset itself is shared and not counted.
func needOf(c Config, k, nTrain, nTest int) trainingNeed {
	sizes := c.Sizes(k)
	p := int64(ParamCount(sizes))
	opt := int64(2) // Adam: first and second moments
	switch c.Optimizer {
	case "momentum":
		opt = 1
	case "sgd":
		opt = 0
	}
	b := int64(c.BatchSize)
	n := trainingNeed{ckpt: 4 * p * (1 + opt)}
	n.own = 4 * p * (1 + opt) // weights, optimizer state
	n.own += 2 * 4 * p        // the published snapshot and the one a view may still hold
	n.own += 4 * b * int64(k) // the batch copied out of the data
	if c.Noise.active() {
		n.own += 4 * (b + int64(nTest) + 64) * int64(k)
	}
	if len(c.TrainClasses) > 0 {
		n.own += 8*int64(nTrain) + 4*256*int64(k) + 16*int64(nTest)
	}
	n.own += 2 << 20 // the trainer's own bookkeeping and messages
	block, err := aeConfig(c, k).ScratchBytes()
	if err != nil { // not a model the engine makes: count as before it said
		s := int64(0)
		for _, w := range sizes[1:] {
			s += int64(w)
		}
		block = 4*p + 3*4*b*s + 2*4*256*s
	}
	if lent := block + block/8; lent <= maxIdleScratch { // the pool lends a block up to an eighth larger
		n.block = lent
	} else {
		n.own += block
	}
	return n
}

// sharedMemory is what trainings of the needs given hold together on a
// server of cores CPU slots: the blocks of those computing (at most one
// per slot, each at most the largest), the idle blocks the pool may keep
// (as many again, at most maxIdleScratch) and the checkpoints on their
// way to the store. idle is the bound to give the pool.
func sharedMemory(cores int, needs func(yield func(trainingNeed) bool)) (total, idle int64) {
	pooled, some := 0, false
	var largest, ckpt int64
	for n := range needs {
		some = true
		ckpt = max(ckpt, n.ckpt)
		if n.block > 0 {
			pooled++
			largest = max(largest, n.block)
		}
	}
	if !some {
		return 0, 0
	}
	computing := int64(min(cores, pooled)) * largest
	idle = min(maxIdleScratch, computing)
	return computing + idle + maxPendingWeights + ckpt, idle
}

// trainingMemory is what one training of c needs when it is the only one:
// its own bytes and the shared ones for it alone.
func trainingMemory(c Config, k, nTrain, nTest int) int64 {
	n := needOf(c, k, nTrain, nTest)
	shared, _ := sharedMemory(1, func(yield func(trainingNeed) bool) { yield(n) })
	return n.own + shared
}

// Default memory estimates of work that does not state its own.
var defaultWorkMemory = map[WorkKind]int64{
	WorkView:     16 << 20,
	WorkAnalysis: 64 << 20,
	WorkPCAFit:   3 * 8 * baselineMaxValues, // stat.PC's copies of the fitted rows
	WorkBaseline: 3 * 8 * baselineMaxValues,
	WorkUpload:   64 << 20,
}
