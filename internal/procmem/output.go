package procmem

import (
	"bytes"
	"sync"
	"time"
)

// Output collects a child process's output (cmd.Stderr = &out); safe for the child's writer
// and a concurrent reader, such as WaitGoMem.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// WaitGoMem polls out every 10 ms for the child's GoMemPrefix line (see GoMemEnv) and parses
// it; past limit it returns ParseGoMem's error.
func WaitGoMem(out *Output, limit time.Duration) (GoMem, error) {
	deadline := time.Now().Add(limit)
	for {
		g, err := ParseGoMem(out.String())
		if err == nil || time.Now().After(deadline) {
			return g, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
