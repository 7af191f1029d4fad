package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A handler's context ends within the budget, well before the write
// timeout, so a core stuck on its database can still answer.
func TestWithDeadlineBoundsTheRequestContext(t *testing.T) {
	if got := handlerBudget(15 * time.Second); got != 10*time.Second {
		t.Fatalf("handlerBudget(15s) = %v, want 10s", got)
	}
	var left time.Duration
	var ok bool
	h := withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var dl time.Time
		dl, ok = r.Context().Deadline()
		left = time.Until(dl)
		<-r.Context().Done()
		w.WriteHeader(http.StatusServiceUnavailable)
	}), 50*time.Millisecond)
	rec := httptest.NewRecorder()
	begin := time.Now()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/sign", nil))
	if !ok || left <= 0 || left > 50*time.Millisecond {
		t.Errorf("request context deadline: set %v, %v left; want within 50ms", ok, left)
	}
	if took := time.Since(begin); took > 2*time.Second || rec.Code != http.StatusServiceUnavailable {
		t.Errorf("handler returned %d after %v", rec.Code, took)
	}
}
