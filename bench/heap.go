package main

import (
	"runtime"
	"sync"
	"time"
)

// heapSampleEvery is how often heapSampler reads runtime.MemStats. Each
// read stops the world for a few microseconds; 100 ms keeps that out of
// the latency percentiles.
const heapSampleEvery = 100 * time.Millisecond

// heapSampler records the largest HeapAlloc seen between start and stop.
type heapSampler struct {
	mu   sync.Mutex
	max  uint64
	quit chan struct{}
	done chan struct{}
}

func (h *heapSampler) start() {
	h.quit, h.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(h.done)
		t := time.NewTicker(heapSampleEvery)
		defer t.Stop()
		for {
			h.sample()
			select {
			case <-t.C:
			case <-h.quit:
				return
			}
		}
	}()
}

// stop takes a last sample and ends the sampling goroutine.
func (h *heapSampler) stop() {
	close(h.quit)
	<-h.done
	h.sample()
}

func (h *heapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.mu.Lock()
	h.max = max(h.max, ms.HeapAlloc)
	h.mu.Unlock()
}

func (h *heapSampler) peak() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.max
}
