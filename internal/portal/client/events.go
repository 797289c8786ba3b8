package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Events opens the session's event stream. The channel is closed when ctx ends, the stream
// breaks, or after the session's final event (expired, revoked, signed out).
func (c *Client) Events(ctx context.Context, token string) (<-chan api.Event, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+api.Version+"/session/events", nil)
	if err != nil {
		return nil, fmt.Errorf("portal events: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.sse.Do(req)
	if err != nil {
		return nil, transportErr("portal events", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	ch := make(chan api.Event, 8)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		readEvents(ctx, bufio.NewScanner(resp.Body), ch)
	}()
	return ch, nil
}

// readEvents parses "data:" lines of SSE frames into api.Event (other fields are informative:
// the JSON carries the type).
func readEvents(ctx context.Context, sc *bufio.Scanner, ch chan<- api.Event) {
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var data strings.Builder
	for sc.Scan() {
		line := sc.Text()
		if line != "" {
			if v, ok := strings.CutPrefix(line, "data:"); ok {
				data.WriteString(strings.TrimPrefix(v, " "))
			}
			continue
		}
		if data.Len() == 0 {
			continue
		}
		var e api.Event
		err := json.Unmarshal([]byte(data.String()), &e)
		data.Reset()
		if err != nil || e.Type == "" {
			continue
		}
		select {
		case ch <- e:
		case <-ctx.Done():
			return
		}
		switch e.Type {
		case api.EventExpired, api.EventRevoked, api.EventSignedOut:
			return
		}
	}
}
