package session

import "time"

// Stats is a summary of the manager's load and limits, for /healthz.
type Stats struct {
	Sessions      int       `json:"sessions"`
	Running       int       `json:"running"`
	Queued        int       `json:"queued"`
	Computing     int       `json:"computing"` // trainings running and not paused, and other work admitted
	Cores         int       `json:"cores"`
	CPUInUse      int       `json:"cpu_in_use"`  // CPU slots held now
	CPUWaiting    int       `json:"cpu_waiting"` // computations waiting for a slot
	MaxRunning    int       `json:"max_running"`
	MaxQueued     int       `json:"max_queued"`
	MaxPerAddress int       `json:"max_per_address"`
	MaxFinished   int       `json:"max_finished"`
	MemoryBudget  int64     `json:"memory_budget"` // bytes
	MemoryUsed    int64     `json:"memory_used"`   // bytes reserved by admitted work
	MemoryShared  int64     `json:"memory_shared"` // of MemoryUsed, what trainings hold together (scratch blocks, checkpoints)
	CoreGFLOPS    float64   `json:"core_gflops"`
	MaxStepMillis int       `json:"max_step_ms"`
	MaxCoreMin    int       `json:"max_core_minutes"`
	StartLimit    RateLimit `json:"start_limit"`
	UploadLimit   RateLimit `json:"upload_limit"`
	Limits        Limits    `json:"limits"`
}

// Stats returns the current load and limits.
func (m *Manager) Stats() Stats {
	inUse, waiting := m.cpu.inUse(), m.cpu.waiting()
	m.mu.Lock()
	defer m.mu.Unlock()
	return Stats{Sessions: len(m.sessions), Running: m.running, Queued: len(m.queue),
		Computing: int(m.cpu.active.Load()), Cores: m.cpu.cores, CPUInUse: inUse, CPUWaiting: waiting,
		MaxRunning: m.opt.MaxRunning, MaxQueued: m.opt.MaxQueued, MaxPerAddress: m.opt.MaxPerAddress,
		MaxFinished: m.opt.MaxFinished, MemoryBudget: m.opt.MaxMemory, MemoryUsed: m.memUsed, MemoryShared: m.memShared,
		CoreGFLOPS: m.opt.CoreGFLOPS, MaxStepMillis: int(maxStepTime / time.Millisecond), MaxCoreMin: m.opt.MaxCoreMinutes,
		StartLimit: m.opt.StartLimit, UploadLimit: m.opt.UploadLimit, Limits: m.lim}
}
