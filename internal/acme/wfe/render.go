package wfe

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// addLink adds a Link header (RFC 8288), e.g. rel="up" or rel="index".
func addLink(w http.ResponseWriter, url, rel string) {
	w.Header().Add("Link", "<"+url+`>;rel="`+rel+`"`)
}

// setRetryAfter tells a client when to poll a processing object again.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(d.Round(time.Second)/time.Second)))
}
