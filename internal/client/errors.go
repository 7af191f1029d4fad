package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Error is an error answer of the CA (reference §1.3): its status and the
// server's own message, which Error() returns unchanged.
type Error struct {
	StatusCode int    `json:"status"`
	Message    string `json:"message"`
	RequestID  string `json:"-"` // the X-Request-Id the CA answered with
}

func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return fmt.Sprintf("the CA answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// parseError reads the CA's {"status","message"} body; other bodies (a
// proxy's HTML page) become a message naming the status.
func parseError(resp *http.Response, data []byte) error {
	e := &Error{}
	if json.Unmarshal(data, e) != nil || e.Message == "" {
		e.Message = ""
		if s := strings.TrimSpace(string(data)); s != "" && len(s) < 200 && !strings.Contains(s, "<") {
			e.Message = fmt.Sprintf("the CA answered %d: %s", resp.StatusCode, s)
		}
	}
	e.StatusCode = resp.StatusCode
	e.RequestID = resp.Header.Get("X-Request-Id")
	return e
}
