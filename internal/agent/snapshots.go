// Snapshot streams: the state the Run goroutine publishes, read by the UI and the CLI.

package agent

// Notify is the engine's default snapshot stream (latest-value: a slow reader only misses
// intermediate snapshots, it never blocks the engine). Closed when Run returns.
func (e *Engine) Notify() <-chan Snapshot { return e.notify }

// Subscribe opens another latest-value snapshot stream, primed with the current snapshot,
// and a function that closes it.
func (e *Engine) Subscribe() (<-chan Snapshot, func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch := make(chan Snapshot, 1)
	if e.closed {
		close(ch)
		return ch, func() {}
	}
	id := e.nextSub
	e.nextSub++
	e.subs[id] = ch
	ch <- e.last
	return ch, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if c, ok := e.subs[id]; ok {
			delete(e.subs, id)
			close(c)
		}
	}
}

// Current returns the last published snapshot.
func (e *Engine) Current() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

// publish sends the current state to every subscriber, replacing an unread older snapshot.
func (e *Engine) publish() {
	s := e.run.s
	e.mu.Lock()
	e.last = s
	for _, ch := range e.subs {
		offer(ch, s)
	}
	obs := e.observe
	e.mu.Unlock()
	if obs != nil {
		obs(s)
	}
}

// offer is a latest-value send: only the engine goroutine sends, so after one drain the
// send succeeds.
func offer(ch chan Snapshot, s Snapshot) {
	for {
		select {
		case ch <- s:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

func (e *Engine) closeSubs() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	for id, ch := range e.subs {
		delete(e.subs, id)
		close(ch)
	}
}
