package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// trainConfig is the body of POST /api/sessions (docs/api.md).
type trainConfig struct {
	Encoder    []int `json:"encoder"`
	Bottleneck int   `json:"bottleneck"`
	BatchSize  int   `json:"batch_size"`
	TrainSize  int   `json:"train_size"`
	TestSize   int   `json:"test_size"`
	Epochs     int   `json:"epochs"`
	Seed       int   `json:"seed"`
}

// aeS is the small MNIST autoencoder of the issue (784-256-50-256-784) on a
// subset of n examples for the given epochs.
func aeS(n, epochs, seed int) trainConfig {
	return trainConfig{Encoder: []int{256}, Bottleneck: 50, BatchSize: 64, TrainSize: n, TestSize: 1000, Epochs: epochs, Seed: seed}
}

// created is the answer to POST /api/sessions.
type created struct {
	ID         string `json:"id"`
	OwnerToken string `json:"owner_token"`
}

// sessionInfo is the part of GET /api/sessions/{id} the load test reads.
type sessionInfo struct {
	ID         string     `json:"id"`
	State      string     `json:"state"`
	Error      string     `json:"error"`
	Step       int        `json:"step"`
	TotalSteps int        `json:"total_steps"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Config     struct {
		BatchSize int `json:"batch_size"`
	} `json:"config"`
}

// api talks to one server. Every request has a timeout.
type api struct {
	base string
	c    *http.Client
}

func newAPI(base string) *api {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	return &api{base: base, c: &http.Client{Timeout: 15 * time.Second, Transport: tr}}
}

func (a *api) close() { a.c.CloseIdleConnections() }

// do sends a request and decodes a JSON answer into out (when not nil),
// failing on any status but want.
func (a *api) do(ctx context.Context, method, path, token string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (a *api) create(ctx context.Context, c trainConfig) (created, error) {
	var out created
	err := a.do(ctx, http.MethodPost, "/api/sessions", "", c, &out, http.StatusCreated)
	return out, err
}

func (a *api) session(ctx context.Context, id string) (sessionInfo, error) {
	var out sessionInfo
	err := a.do(ctx, http.MethodGet, "/api/sessions/"+id, "", nil, &out, http.StatusOK)
	return out, err
}

func (a *api) control(ctx context.Context, s created, action string) error {
	return a.do(ctx, http.MethodPost, "/api/sessions/"+s.ID+"/"+action, s.OwnerToken, nil, nil, http.StatusNoContent)
}

// waitState polls a session until its state is one of want (every 100 ms,
// at most until ctx ends).
func (a *api) waitState(ctx context.Context, id string, want ...string) (sessionInfo, error) {
	for {
		in, err := a.session(ctx, id)
		if err == nil {
			for _, w := range want {
				if in.State == w {
					return in, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return in, fmt.Errorf("session %s: waiting for %v (last state %q, err %v): %w", id, want, in.State, err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// classCreated is the answer to POST /api/classes.
type classCreated struct {
	ID           string `json:"id"`
	Code         string `json:"code"`
	TeacherToken string `json:"teacher_token"`
}

// joined is the answer to POST /api/join.
type joined struct {
	StudentToken string `json:"student_token"`
}

// classRun is the body of POST /api/sessions for a run in a class.
type classRun struct {
	trainConfig
	Class string `json:"class"`
}

func (a *api) createClass(ctx context.Context, name string) (classCreated, error) {
	var out classCreated
	err := a.do(ctx, http.MethodPost, "/api/classes", "", map[string]string{"name": name}, &out, http.StatusCreated)
	return out, err
}

func (a *api) join(ctx context.Context, code, name string) (joined, error) {
	var out joined
	err := a.do(ctx, http.MethodPost, "/api/join", "", map[string]string{"code": code, "name": name}, &out, http.StatusCreated)
	return out, err
}

// createIn starts a run in a class with a student's token.
func (a *api) createIn(ctx context.Context, class, studentToken string, c trainConfig) (created, error) {
	var out created
	err := a.do(ctx, http.MethodPost, "/api/sessions", studentToken, classRun{c, class}, &out, http.StatusCreated)
	return out, err
}
