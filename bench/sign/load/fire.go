package load

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// outcome is what one POST /sign returned; bodies are checked after the
// clock stops so that parsing certificates does not compete with the server
// for the CPU.
type outcome struct {
	latency time.Duration
	status  int
	body    []byte
	err     error
}

// poster sends one sign request body on behalf of worker w (0 ≤ w < the
// concurrency) and reads the whole answer.
type poster interface {
	post(ctx context.Context, w int, body []byte) outcome
}

// fire sends every request with conc workers pulling from a shared index and
// returns one outcome per request, in request order.
func fire(ctx context.Context, p poster, reqs []Request, conc int) []outcome {
	out := make([]outcome, len(reqs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				switch {
				case i >= len(reqs):
					return
				case ctx.Err() != nil:
					out[i] = outcome{err: fmt.Errorf("not sent: %w", ctx.Err())}
				default:
					out[i] = p.post(ctx, w, reqs[i].Body)
				}
			}
		}()
	}
	wg.Wait()
	return out
}
