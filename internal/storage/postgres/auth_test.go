package postgres

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// TestOpenWrongPassword: a server that refuses the password makes Open
// fail at once with one line naming the address and PostgreSQL's reason.
// The test server trusts every loopback connection, so a small fake plays
// a server that asks for a password and rejects it, as PostgreSQL does.
func TestOpenWrongPassword(t *testing.T) {
	addr := passwordRejecter(t)
	start := time.Now()
	s, err := Open(context.Background(), Options{
		DataSource: "postgres://stride:wrong@" + addr + "/ca?sslmode=disable",
	})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded with a rejected password")
	}
	msg := err.Error()
	t.Logf("error: %s", msg)
	for _, w := range []string{addr, `"stride"`, "password authentication failed", "28P01"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
	if strings.Contains(msg, "wrong") || strings.Contains(msg, "\n") {
		t.Errorf("error %q shows the password or spans several lines", msg)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Open took %v to report a rejected password", took)
	}
}

// passwordRejecter serves the PostgreSQL protocol far enough to ask for a
// cleartext password and reject it with SQLSTATE 28P01; it returns its address.
func passwordRejecter(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go rejectPassword(c)
		}
	}()
	return l.Addr().String()
}

func rejectPassword(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	be := pgproto3.NewBackend(c, c)
	if _, err := be.ReceiveStartupMessage(); err != nil {
		return
	}
	be.Send(&pgproto3.AuthenticationCleartextPassword{})
	if err := be.Flush(); err != nil {
		return
	}
	if err := be.SetAuthType(pgproto3.AuthTypeCleartextPassword); err != nil {
		return
	}
	if _, err := be.Receive(); err != nil {
		return
	}
	be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "28P01",
		Message: `password authentication failed for user "stride"`})
	be.Flush()
}
