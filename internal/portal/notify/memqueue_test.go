package notify_test

import (
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/queuetest"
)

func TestMemQueueConformance(t *testing.T) {
	queuetest.Run(t, func(*testing.T) notify.Queue { return notify.NewMemQueue() })
}
