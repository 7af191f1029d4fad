package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/caerr"
)

// TestErrorMapping checks every Kind, with and without a message, through a
// real route, body for body.
func TestErrorMapping(t *testing.T) {
	const sfx = " Please see the certificate authority logs for more info."
	cases := []struct {
		name   string
		err    error
		status int
		msg    string
	}{
		{"bad request default", &caerr.Error{Kind: caerr.BadRequest}, 400, "The request could not be completed; malformed or missing data." + sfx},
		{"bad request", caerr.BadRequestf("missing csr"), 400, "The request could not be completed: missing csr."},
		{"unauthorized default", &caerr.Error{Kind: caerr.Unauthorized}, 401, "The request lacked necessary authorization to be completed." + sfx},
		{"unauthorized", caerr.Unauthorizedf("token already used"), 401, "The request lacked necessary authorization to be completed: token already used."},
		{"forbidden default", &caerr.Error{Kind: caerr.Forbidden}, 403, "The request was forbidden by the certificate authority." + sfx},
		{"forbidden", caerr.Forbiddenf(`dns name "x.evil" not allowed`), 403, `The request was forbidden by the certificate authority: dns name "x.evil" not allowed.`},
		{"not found default", &caerr.Error{Kind: caerr.NotFound}, 404, "The requested resource could not be found." + sfx},
		{"not found", caerr.NotFoundf("no such thing"), 404, "The requested resource could not be found: no such thing."},
		{"not implemented default", &caerr.Error{Kind: caerr.NotImplemented}, 501, "The requested method is not implemented by the certificate authority." + sfx},
		{"not implemented", caerr.NotImplementedf("no database"), 501, "The requested method is not implemented by the certificate authority: no database."},
		{"unavailable default", &caerr.Error{Kind: caerr.Unavailable}, 503, "The certificate authority is temporarily unavailable." + sfx},
		{"unavailable", &caerr.Error{Kind: caerr.Unavailable, Msg: "storage is unreachable"}, 503, "The certificate authority is temporarily unavailable: storage is unreachable."},
		{"trailing dot not doubled", caerr.BadRequestf("bad thing."), 400, "The request could not be completed: bad thing."},
		{"internal with message hides it", caerr.Wrap(caerr.Internal, errors.New("secret db dsn"), "shown?"), 500, "The certificate authority encountered an Internal Server Error." + sfx},
		{"plain error", errors.New("disk on fire at /var/lib/secret"), 500, "The certificate authority encountered an Internal Server Error." + sfx},
		{"wrapped kind", fmt.Errorf("ctx: %w", caerr.Forbiddenf("nope")), 403, "The request was forbidden by the certificate authority: nope."},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), 503, "The certificate authority is temporarily unavailable." + sfx},
		{"unknown kind", &caerr.Error{Kind: caerr.Kind(99), Msg: "x"}, 500, "The certificate authority encountered an Internal Server Error." + sfx},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, logs := server(t, &fakeAuthority{err: tc.err}, Options{})
			rec := do(h, "POST", "/renew", "", nil, "Authorization", "Bearer tok", "X-Request-Id", "rid-1")
			want := mustJSON(errorBody{Status: tc.status, Message: tc.msg}) + "\n"
			if rec.Code != tc.status || rec.Body.String() != want {
				t.Fatalf("got %d %q\nwant %d %q", rec.Code, rec.Body, tc.status, want)
			}
			if rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", rec.Header().Get("Content-Type"))
			}
			// The cause reaches the log, with the request id, whatever is sent.
			if !strings.Contains(logs.String(), `"request-id":"rid-1"`) || !strings.Contains(logs.String(), jsonEscape(tc.err.Error())) {
				t.Errorf("log lacks the cause or request id: %s", logs)
			}
		})
	}
}

func jsonEscape(s string) string {
	q := mustJSON(s)
	return q[1 : len(q)-1]
}

// TestKindsCovered fails when caerr grows a Kind: errorFor's switch must
// then be extended (the default would silently make it a 500).
func TestKindsCovered(t *testing.T) {
	if got := caerr.Kind(caerr.Unavailable + 1).String(); got != "internal" {
		t.Fatalf("caerr has a new kind %q: map it in errorFor and in TestErrorMapping", got)
	}
	for k := caerr.Internal; k <= caerr.Unavailable; k++ {
		status, _ := errorFor(&caerr.Error{Kind: k, Msg: "m"})
		if k != caerr.Internal && status == http.StatusInternalServerError {
			t.Errorf("kind %v maps to 500", k)
		}
	}
}
