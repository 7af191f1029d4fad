package acme

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestValidationOutcomes: retryable failures are retried with backoff up
// to three attempts; a final failure leaves the challenge, authorization
// and order invalid with the validator's problem.
func TestValidationOutcomes(t *testing.T) {
	retry := &ValidationError{Type: "connection", Detail: "refused", Retryable: true}
	final := &ValidationError{Type: "incorrectResponse", Detail: "wrong key authorization"}
	tests := []struct {
		name     string
		script   []error
		want     Status
		attempts int
		problem  ProblemType
	}{
		{"success", nil, StatusValid, 1, ""},
		{"retry then success", []error{retry, retry, nil}, StatusValid, 3, ""},
		{"retries exhausted", []error{retry}, StatusInvalid, 3, ProbConnection},
		{"not retryable", []error{final}, StatusInvalid, 1, ProbIncorrectResponse},
		{"foreign error counts as connection", []error{errors.New("boom")}, StatusInvalid, 3, ProbConnection},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, nil)
			e.val.script(tc.script...)
			e.runWorker()
			acct, _ := e.account()
			o := e.order(acct, "v.example")
			e.validateAll(acct, o)
			a := e.waitAuthz(acct, o.AuthzIDs[0])
			if Status(a.Status) != tc.want || a.Attempts != tc.attempts {
				t.Fatalf("authz %s after %d attempts, want %s after %d", a.Status, a.Attempts, tc.want, tc.attempts)
			}
			if !a.ValidateAt.IsZero() {
				t.Fatal("authorization still queued")
			}
			ch := a.Challenges[0]
			if tc.problem != "" {
				if p := decodeProblem(ch.Error); Status(ch.Status) != StatusInvalid || p == nil || p.Type != tc.problem {
					t.Fatalf("challenge %s error %s, want invalid %s", ch.Status, ch.Error, tc.problem)
				}
				o, _ = e.svc.Order(context.Background(), acct, o.ID)
				if o.Status != string(StatusInvalid) || decodeProblem(o.Error) == nil {
					t.Fatalf("order %s error %s, want invalid with the problem", o.Status, o.Error)
				}
			} else if ch.ValidatedAt.IsZero() {
				t.Fatal("valid challenge without validated time")
			}
		})
	}
}

// TestKeyAuthorization: the validator gets token "." thumbprint.
func TestKeyAuthorization(t *testing.T) {
	e := newTestEnv(t, nil)
	e.runWorker()
	acct, _ := e.account()
	o := e.order(acct, "ka.example")
	e.validateAll(acct, o)
	a, _ := e.svc.Authz(context.Background(), acct, o.AuthzIDs[0])
	want := "http-01 ka.example " + a.Token + "." + acct.KeyID
	if got := e.val.firstCall(); got != want {
		t.Fatalf("validator call %q, want %q", got, want)
	}
}

// TestRespondChallengeIsAsync: the POST answers processing before any
// validation ran; a second POST does not queue it twice.
func TestRespondChallengeIsAsync(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	o := e.order(acct, "async.example")
	a, _ := e.svc.Authz(ctx, acct, o.AuthzIDs[0])
	_, ch, err := e.svc.RespondChallenge(ctx, acct, a.ID, a.Challenges[0].ID)
	if err != nil || ch.Status != string(StatusProcessing) {
		t.Fatalf("challenge %v, %v; want processing", ch, err)
	}
	_, other, _ := e.svc.RespondChallenge(ctx, acct, a.ID, a.Challenges[1].ID)
	if other.Status != string(StatusPending) {
		t.Fatalf("second challenge %s while the first is processing, want pending", other.Status)
	}
	if e.val.callCount() != 0 {
		t.Fatal("validated synchronously")
	}
	e.runWorker()
	if got := e.waitAuthz(acct, a.ID); got.Status != string(StatusValid) {
		t.Fatalf("authz %s", got.Status)
	}
}

// TestValidationResumesAfterRestart: an attempt whose worker died (its
// claim's lease ran out) is picked up by a new worker from storage.
func TestValidationResumesAfterRestart(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	o := e.order(acct, "resume.example")
	a, _ := e.svc.Authz(ctx, acct, o.AuthzIDs[0])
	if _, _, err := e.svc.RespondChallenge(ctx, acct, a.ID, a.Challenges[0].ID); err != nil {
		t.Fatal(err)
	}
	// A worker claimed it and died: the lease is in the future.
	claimed, err := e.worker.claim(ctx, a.ID)
	if err != nil || claimed.Attempts != 1 {
		t.Fatalf("claim: %v", err)
	}
	if due, _ := e.store.DueACMEValidations(ctx, time.Now(), 10); len(due) != 0 {
		t.Fatal("a claimed authorization is due")
	}
	// The lease ends; a new process starts.
	later := time.Now().Add(e.worker.timeout + claimMargin + time.Second)
	w := NewWorker(WorkerOptions{Store: e.store, Validator: e.val, Now: func() time.Time { return later },
		Poll: 10 * time.Millisecond, Timeout: time.Second})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	if got := e.waitAuthz(acct, a.ID); got.Status != string(StatusValid) || got.Attempts != 2 {
		t.Fatalf("authz %s after %d attempts, want valid after 2", got.Status, got.Attempts)
	}
}

// TestDeactivationWinsOverValidation: a result recorded after the client
// deactivated the authorization changes nothing.
func TestDeactivationWinsOverValidation(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	o := e.order(acct, "race.example")
	a, _ := e.svc.Authz(ctx, acct, o.AuthzIDs[0])
	e.svc.RespondChallenge(ctx, acct, a.ID, a.Challenges[0].ID)
	claimed, _ := e.worker.claim(ctx, a.ID)
	if _, err := e.svc.DeactivateAuthz(ctx, acct, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.worker.record(ctx, claimed, claimed.Challenges[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := e.store.ACMEAuthz(ctx, a.ID)
	if got.Status != string(StatusDeactivated) {
		t.Fatalf("authz %s, want deactivated", got.Status)
	}
}

// TestClassify: validator error types become ACME problem types.
func TestClassify(t *testing.T) {
	p, retry := classify(&ValidationError{Type: "dns", Detail: "NXDOMAIN", Retryable: true}, nil)
	if p.Type != ProbDNS || !retry || !strings.Contains(p.Detail, "NXDOMAIN") {
		t.Fatalf("%+v %v", p, retry)
	}
	p, _ = classify(&ValidationError{Type: string(ProbTLS)}, nil)
	if p.Type != ProbTLS {
		t.Fatalf("%s", p.Type)
	}
	type foreign struct{ error }
	mapper := func(err error) *ValidationError {
		var f foreign
		if errors.As(err, &f) {
			return &ValidationError{Type: "caa", Detail: "forbidden"}
		}
		return nil
	}
	p, retry = classify(foreign{errors.New("x")}, mapper)
	if p.Type != ProbCAA || retry {
		t.Fatalf("%+v %v", p, retry)
	}
}
