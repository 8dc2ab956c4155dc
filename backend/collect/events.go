package collect

import (
	"sync"
	"time"
)

// Event types, in the order a collection sends them.
const (
	EventPlanned  = "planned"  // Total says how many scripts
	EventStarted  = "started"  // a script started
	EventProgress = "progress" // Items so far
	EventFinished = "finished" // a script ended; Status says how
	EventDone     = "done"     // the collection ended
)

// Event is live progress of a collection, for progress bars and the UI.
type Event struct {
	Type       string    `json:"type"`
	Collection string    `json:"collection"`
	Source     string    `json:"source,omitempty"`
	Script     string    `json:"script,omitempty"`
	Status     string    `json:"status,omitempty"`
	Items      int64     `json:"items"`
	Requests   int64     `json:"requests"`
	Error      string    `json:"error,omitempty"`
	Total      int       `json:"total,omitempty"`
	Via        string    `json:"via,omitempty"`
	At         time.Time `json:"at"`
}

// Hub fans events out to subscribers (the API's Server-Sent Events). A
// slow subscriber misses events rather than slowing a collection.
type Hub struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

func newHub() *Hub { return &Hub{subs: map[chan Event]struct{}{}} }

// Subscribe returns a channel of events and a function that ends the
// subscription.
func (h *Hub) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 256)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
		h.mu.Unlock()
	}
}

func (h *Hub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
		}
	}
}
