package pgembed

import (
	"io"
	"strings"
	"sync"
)

// tailWriter passes postgres output on and keeps its last bytes, so a failed
// start can say why without the caller opening the log.
type tailWriter struct {
	w   io.Writer
	max int

	mu  sync.Mutex
	buf []byte
}

func newTailWriter(w io.Writer, max int) *tailWriter {
	return &tailWriter{w: w, max: max}
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.mu.Unlock()
	return t.w.Write(p)
}

// section is the tail formatted for an error message, or "" when there is
// none or err already quotes it (embedded-postgres puts the log in some errors).
func (t *tailWriter) section(err error) string {
	t.mu.Lock()
	tail := strings.TrimSpace(string(t.buf))
	t.mu.Unlock()
	if tail == "" || (err != nil && strings.Contains(err.Error(), tail)) {
		return ""
	}
	if i := strings.IndexByte(tail, '\n'); len(t.buf) >= t.max && i >= 0 {
		tail = tail[i+1:] // drop the partial first line
	}
	return "\npostgres log (tail):\n" + tail
}
