package notify

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"
)

// Status of a delivery job.
type Status string

// Job statuses.
const (
	StatusPending   Status = "pending"
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
)

// Job is a queued message and its delivery state: one row of the portal's queue table.
type Job struct {
	ID          string
	Envelope    Envelope // Body is blanked once the job has ended
	Status      Status
	Attempts    int
	MaxAttempts int
	NextAt      time.Time // when a pending job may be tried (again); pushed back by Claim's lease
	Reason      string    // last error, without any message content
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ErrNoJob means a queue has no job with that id.
var ErrNoJob = errors.New("notify: no such job")

// Queue stores jobs. The portal implements it on its database:
//
//	Enqueue: INSERT.
//	Claim:   UPDATE jobs SET next_at = $now + $lease WHERE id IN (SELECT id FROM jobs
//	         WHERE status = 'pending' AND next_at <= $now ORDER BY next_at LIMIT $n
//	         FOR UPDATE SKIP LOCKED) RETURNING * — so two workers never take one job, and a
//	         worker that dies leaves the job to be retried once the lease runs out.
//	Update:  UPDATE every field by id.
//	Get:     SELECT by id (ErrNoJob when absent).
type Queue interface {
	Enqueue(ctx context.Context, j Job) error
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Job, error)
	Update(ctx context.Context, j Job) error
	Get(ctx context.Context, id string) (Job, error)
}

// MemQueue is an in-memory Queue for a single process (tests, development). Jobs are lost
// when the process ends.
type MemQueue struct {
	mu   sync.Mutex
	jobs map[string]Job
}

// NewMemQueue returns an empty queue.
func NewMemQueue() *MemQueue { return &MemQueue{jobs: map[string]Job{}} }

// Enqueue implements Queue.
func (q *MemQueue) Enqueue(_ context.Context, j Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, dup := q.jobs[j.ID]; dup || j.ID == "" {
		return errors.New("notify: duplicate or empty job id")
	}
	q.jobs[j.ID] = j
	return nil
}

// Claim implements Queue.
func (q *MemQueue) Claim(_ context.Context, now time.Time, lease time.Duration, limit int) ([]Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var due []Job
	for _, j := range q.jobs {
		if j.Status == StatusPending && !j.NextAt.After(now) {
			due = append(due, j)
		}
	}
	sort.Slice(due, func(a, b int) bool { return due[a].NextAt.Before(due[b].NextAt) })
	if len(due) > limit {
		due = due[:limit]
	}
	for i := range due {
		due[i].NextAt = now.Add(lease)
		q.jobs[due[i].ID] = due[i]
	}
	return due, nil
}

// Update implements Queue.
func (q *MemQueue) Update(_ context.Context, j Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.jobs[j.ID]; !ok {
		return ErrNoJob
	}
	q.jobs[j.ID] = j
	return nil
}

// Get implements Queue.
func (q *MemQueue) Get(_ context.Context, id string) (Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, ok := q.jobs[id]
	if !ok {
		return Job{}, ErrNoJob
	}
	return j, nil
}
