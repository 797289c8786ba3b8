package main

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestTrimAfterStart: the trim runs once, after the app's loop has started, never before.
func TestTrimAfterStart(t *testing.T) {
	a := test.NewTempApp(t)
	calls := make(chan struct{}, 2)
	trimAfterStart(a, 20*time.Millisecond, func() { calls <- struct{}{} })
	select {
	case <-calls:
		t.Fatal("trim ran before the app started")
	case <-time.After(100 * time.Millisecond):
	}
	started, ok := a.Lifecycle().(interface{ OnStarted() func() })
	if !ok || started.OnStarted() == nil {
		t.Fatal("trimAfterStart set no OnStarted hook")
	}
	started.OnStarted()()
	select {
	case <-calls:
	case <-time.After(2 * time.Second):
		t.Fatal("trim did not run after the app started")
	}
	select {
	case <-calls:
		t.Fatal("trim ran twice")
	case <-time.After(100 * time.Millisecond):
	}
}
