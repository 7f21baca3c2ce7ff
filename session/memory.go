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
// trainings and are not counted per training.

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

// trainingMemory estimates the peak bytes of one training of c (validated,
// defaults applied) on data of k features with nTest test examples: weights,
// gradients and optimizer state, published snapshots, the activations of a
// batch and of an evaluation chunk, and its own buffers (noisy copies,
// anomaly scores, class rows). The dataset itself is shared and not counted.
func trainingMemory(c Config, k, nTrain, nTest int) int64 {
	sizes := c.Sizes(k)
	p := int64(ParamCount(sizes))
	s := int64(0) // units of every layer after the input
	for _, w := range sizes[1:] {
		s += int64(w)
	}
	opt := int64(2) // Adam: first and second moments
	switch c.Optimizer {
	case "momentum":
		opt = 1
	case "sgd":
		opt = 0
	}
	b := int64(c.BatchSize)
	mem := 4 * p * (2 + opt) // weights, gradients, optimizer state
	mem += 2 * 4 * p         // the published snapshot and the one a view may still hold
	mem += 3 * 4 * b * s     // pre-activations, activations, deltas of a batch
	if b < 256 {
		mem += 2 * 4 * 256 * s // the evaluation chunk
	}
	mem += 4 * b * int64(k) // the batch copied out of the data
	if c.Noise.active() {
		mem += 4 * (b + int64(nTest) + 64) * int64(k)
	}
	if len(c.TrainClasses) > 0 {
		mem += 8*int64(nTrain) + 4*256*int64(k) + 16*int64(nTest)
	}
	return mem + 2<<20 // the trainer's own bookkeeping and messages
}

// Default memory estimates of work that does not state its own.
var defaultWorkMemory = map[WorkKind]int64{
	WorkView:     16 << 20,
	WorkAnalysis: 64 << 20,
	WorkPCAFit:   3 * 8 * baselineMaxValues, // stat.PC's copies of the fitted rows
	WorkBaseline: 3 * 8 * baselineMaxValues,
	WorkUpload:   64 << 20,
}
