package caerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindAndMessage(t *testing.T) {
	cause := errors.New("db down")
	cases := []struct {
		err  error
		kind Kind
		msg  string
	}{
		{Unauthorizedf("token already used"), Unauthorized, "token already used"},
		{fmt.Errorf("wrapped: %w", Forbiddenf("dns name %q not allowed", "x")), Forbidden, `dns name "x" not allowed`},
		{Wrap(Unavailable, cause, "storage unavailable"), Unavailable, "storage unavailable"},
		{cause, Internal, ""},
		{&Error{Kind: Internal, Msg: "secret detail"}, Internal, ""},
	}
	for _, tc := range cases {
		if got := KindOf(tc.err); got != tc.kind {
			t.Errorf("%v: kind %v, want %v", tc.err, got, tc.kind)
		}
		if got := Message(tc.err); got != tc.msg {
			t.Errorf("%v: message %q, want %q", tc.err, got, tc.msg)
		}
	}
	if !errors.Is(Wrap(Internal, cause, "x"), cause) {
		t.Error("Wrap loses the cause")
	}
}
