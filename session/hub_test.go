package session

import (
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

func testHub() *hub {
	return newHub(func() Info { return Info{ID: "t"} }, slog.Default(), StateMsg{State: Running})
}

func TestHubDropsSlowViewerWithoutBlocking(t *testing.T) {
	h := testHub()
	slow := h.subscribe()
	fast := h.subscribe()
	got := make(chan int)
	var received atomic.Int64
	go func() {
		n := 0
		for range fast.C {
			n++
			received.Add(1)
		}
		got <- n
	}()
	// Far more messages than a viewer's buffer: the publisher must never block.
	start := time.Now()
	published := 0
	for i := 0; i < 10*subscriberBuffer; i++ {
		p := Progress{Step: i}
		for !h.publish(hubEvent{progress: &p}) {
			time.Sleep(time.Microsecond) // the hub is busy: a trainer would skip; here we retry to count
		}
		published++
		if published%(subscriberBuffer/2) == 0 {
			// Pace the publisher so that the fast viewer can keep up.
			for received.Load() < int64(published) {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("publishing took %v", d)
	}
	h.publishWait(hubEvent{state: &StateMsg{State: Completed}})
	<-h.done
	n := 0
	for range slow.C {
		n++
	}
	if !slow.Dropped() {
		t.Fatal("slow viewer was not dropped")
	}
	if n > subscriberBuffer {
		t.Fatalf("slow viewer got %d messages, more than its buffer", n)
	}
	if fn := <-got; fn != published+2 { // snapshot + messages + final state
		t.Fatalf("fast viewer got %d messages, want %d", fn, published+2)
	}
	if fast.Dropped() {
		t.Fatal("fast viewer was dropped")
	}
	slow.Close()
	fast.Close()
}

func TestHubEachMessageIsOneObjectWithType(t *testing.T) {
	h := testHub()
	sub := h.subscribe()
	h.publishWait(hubEvent{loss: &LossBatch{Train: []LossPoint{{Step: 1, Epoch: 0.1, Loss: 0.5}}}})
	h.publishWait(hubEvent{latent: &Latent{Projection: "identity", X: []float32{1}, Y: []float32{2}, Labels: []int{0}}})
	h.publishWait(hubEvent{recon: &Reconstructions{Kind: "vector", Originals: []byte{1, 2}}})
	h.publishWait(hubEvent{state: &StateMsg{State: Failed, Error: "boom"}})
	var types []string
	for b := range sub.C {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("not one JSON object: %s", b)
		}
		types = append(types, m["type"].(string))
		if m["type"] == TypeLoss {
			if _, ok := m["test"].([]any); !ok {
				t.Errorf("loss message must carry an empty test array, got %v", m["test"])
			}
		}
		if m["type"] == TypeReconstructions && m["originals"] != "AQI=" {
			t.Errorf("bytes not base64: %v", m["originals"])
		}
	}
	want := []string{TypeSnapshot, TypeLoss, TypeLatent, TypeReconstructions, TypeState}
	if len(types) != len(want) {
		t.Fatalf("types = %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("types = %v, want %v", types, want)
		}
	}
	sub.Close()
	// Subscribing after the end yields the frozen snapshot alone.
	late := h.subscribe()
	n := 0
	for range late.C {
		n++
	}
	if n != 1 {
		t.Fatalf("late subscriber got %d messages, want 1", n)
	}
	late.Close()
}
