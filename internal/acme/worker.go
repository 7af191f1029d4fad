package acme

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// Worker validates queued challenges. The queue is the authorizations in
// storage (ValidateAt set), so a restart, or another replica, resumes a
// validation in flight: an attempt first claims the authorization by
// moving its ValidateAt past the attempt's lease (an optimistic update, so
// one replica wins), and a replica that dies mid-attempt leaves it due
// again when the lease ends. One Worker serves every configuration
// generation: it needs only the store and the validator.
type Worker struct {
	store     storage.ACME
	validator Validator
	mapErr    ValidationErrorMapper
	caa       func(provisioner string) []string
	now       func() time.Time
	log       *slog.Logger
	poll      time.Duration
	backoff   []time.Duration
	timeout   time.Duration
	wake      chan struct{}
	slots     chan struct{}
	mu        sync.Mutex
	inflight  map[string]bool
}

// WorkerOptions configure a Worker; zero values take the defaults.
type WorkerOptions struct {
	Store     storage.ACME
	Validator Validator
	// MapError reads the validator's error type (see ValidationErrorMapper).
	MapError ValidationErrorMapper
	// CAAIdentities, when it returns names for a provisioner, makes a
	// successful dns validation also check CAA (RFC 8659) for them.
	CAAIdentities func(provisioner string) []string
	Now           func() time.Time
	Log           *slog.Logger
	// Poll is how often storage is asked for due validations (default 2 s);
	// Wake makes a local request's validation start at once.
	Poll time.Duration
	// Backoff are the waits before the 2nd, 3rd, … attempt after a
	// retryable failure; its length + 1 is the number of attempts
	// (default 2 s, 5 s: three attempts over about ten seconds).
	Backoff []time.Duration
	// Timeout bounds one attempt (default 30 s, step-ca's http-01 timeout).
	Timeout time.Duration
	// Concurrency bounds the attempts in flight (default 8).
	Concurrency int
}

// NewWorker builds a Worker; Run starts it.
func NewWorker(o WorkerOptions) *Worker {
	w := &Worker{store: o.Store, validator: o.Validator, mapErr: o.MapError, caa: o.CAAIdentities, now: o.Now,
		log: o.Log, poll: o.Poll, backoff: o.Backoff, timeout: o.Timeout, wake: make(chan struct{}, 1),
		inflight: map[string]bool{}}
	if w.now == nil {
		w.now = time.Now
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.poll <= 0 {
		w.poll = 2 * time.Second
	}
	if w.backoff == nil {
		w.backoff = []time.Duration{2 * time.Second, 5 * time.Second}
	}
	if w.timeout <= 0 {
		w.timeout = 30 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	w.slots = make(chan struct{}, o.Concurrency)
	return w
}

// Wake makes Run look for due validations now; it never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run validates due authorizations until ctx ends, then waits for the
// attempts in flight (they end with ctx too).
func (w *Worker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(w.poll)
	defer t.Stop()
	for {
		w.startDue(ctx, &wg)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// startDue starts an attempt for each due authorization, as free slots allow.
func (w *Worker) startDue(ctx context.Context, wg *sync.WaitGroup) {
	due, err := w.store.DueACMEValidations(ctx, w.now(), cap(w.slots))
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("acme: reading the validation queue", "error", err)
		}
		return
	}
	for _, a := range due {
		if !w.begin(a.ID) {
			continue
		}
		select {
		case w.slots <- struct{}{}:
		default:
			w.end(a.ID)
			return // all slots busy: the rest waits for the next round
		}
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			defer func() { <-w.slots; w.end(id) }()
			w.attempt(ctx, id)
		}(a.ID)
	}
}

func (w *Worker) begin(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inflight[id] {
		return false
	}
	w.inflight[id] = true
	return true
}

func (w *Worker) end(id string) {
	w.mu.Lock()
	delete(w.inflight, id)
	w.mu.Unlock()
}
