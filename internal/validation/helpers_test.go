package validation

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
)

const (
	testToken   = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
	testKeyAuth = testToken + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
)

// wantErr checks err against the expected type ("" = success), retry flag and
// an optional substring of the detail.
func wantErr(t *testing.T, err error, typ string, retryable bool, detail string) {
	t.Helper()
	if typ == "" {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	var ve *Error
	if !errors.As(err, &ve) {
		t.Fatalf("want *Error of type %q, got %T %v", typ, err, err)
	}
	if ve.Type != typ || ve.Retryable != retryable {
		t.Fatalf("want type %q retryable %v, got type %q retryable %v: %s", typ, retryable, ve.Type, ve.Retryable, ve.Detail)
	}
	if detail != "" && !strings.Contains(ve.Detail, detail) {
		t.Fatalf("detail %q does not contain %q", ve.Detail, detail)
	}
}

// closedPort is a loopback port nothing listens on (connection refused).
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func portOfAddr(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
