package provisioner

import (
	"encoding/base64"
	"strconv"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
)

// Page sizes of GET /provisioners, as step-ca.
const (
	DefaultListLimit = 20
	MaxListLimit     = 100
)

// List returns one page of provisioners in ca.json order, as their ca.json
// objects, and the cursor of the next page ("" after the last). limit <= 0
// means DefaultListLimit; larger than MaxListLimit is cut to it. The cursor
// is opaque to clients; it encodes a position, so a page fetched across a
// reload may skip or repeat an entry, which a listing tolerates.
func (c *Collection) List(cursor string, limit int) ([]config.Provisioner, string, error) {
	start, err := decodeCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	switch {
	case limit <= 0:
		limit = DefaultListLimit
	case limit > MaxListLimit:
		limit = MaxListLimit
	}
	if start > len(c.all) {
		start = len(c.all)
	}
	end := min(start+limit, len(c.all))
	page := make([]config.Provisioner, 0, end-start)
	for _, p := range c.all[start:end] {
		page = append(page, p.Config())
	}
	next := ""
	if end < len(c.all) {
		next = encodeCursor(end)
	}
	return page, next, nil
}

func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(i)))
}

func decodeCursor(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, caerr.BadRequestf("invalid cursor %q", s)
	}
	i, err := strconv.Atoi(string(b))
	if err != nil || i < 0 {
		return 0, caerr.BadRequestf("invalid cursor %q", s)
	}
	return i, nil
}
