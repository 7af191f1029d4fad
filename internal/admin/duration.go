package admin

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses a positive duration in Go's syntax ("12h", "90m",
// "1h30m") extended with whole days in front ("30d", "1d12h"), as operators
// write certificate lifetimes. A day is 24 hours.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, fmt.Errorf("duration %q: days must be a whole number, as in 30d", orig)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return positive(days)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q: use e.g. 30d, 12h or 1d12h", orig)
	}
	if days > 0 && d < 0 {
		return 0, fmt.Errorf("duration %q: a negative part after days", orig)
	}
	return positive(days + d)
}

func positive(d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, fmt.Errorf("duration %v: must be positive", d)
	}
	return d, nil
}
