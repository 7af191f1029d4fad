package cacmd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/pemutil"
)

// The provisioner commands make two small HTTPS calls of their own (the
// shared CA client lives elsewhere and is not a dependency of these
// commands): GET /provisioners for `list --ca-url`, and step's probe of
// GET /admin/admins that tells a CA with remote management from one whose
// ca.json is edited directly.

const remoteTimeout = 15 * time.Second

// caHTTPClient trusts only the root certificate(s) in rootFile.
func caHTTPClient(rootFile string) (*http.Client, error) {
	if rootFile == "" {
		return nil, fmt.Errorf("pass --root with the CA's root certificate to reach it over HTTPS")
	}
	certs, err := pemutil.ReadCertificates(rootFile)
	if err != nil {
		return nil, fmt.Errorf("reading --root: %w", err)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return &http.Client{Timeout: remoteTimeout, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}, nil
}

// caGet fetches caURL+path and returns the status and body.
func caGet(ctx context.Context, hc *http.Client, caURL, path string) (int, []byte, error) {
	u := strings.TrimRight(caURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("--ca-url %q: %w", caURL, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("cannot reach the CA at %s: %w", caURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading the answer of GET %s: %w", u, err)
	}
	return resp.StatusCode, body, nil
}

// fetchProvisioners pages through GET /provisioners and returns the
// provisioner objects as the CA sent them.
func fetchProvisioners(ctx context.Context, caURL, rootFile string) ([]json.RawMessage, error) {
	hc, err := caHTTPClient(rootFile)
	if err != nil {
		return nil, err
	}
	var all []json.RawMessage
	cursor := ""
	for page := 0; page < 1000; page++ {
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		status, body, err := caGet(ctx, hc, caURL, "/provisioners?"+q.Encode())
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("GET /provisioners: the CA answered %d: %s", status, strings.TrimSpace(string(body)))
		}
		var resp struct {
			Provisioners []json.RawMessage `json:"provisioners"`
			NextCursor   string            `json:"nextCursor"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			return nil, fmt.Errorf("GET /provisioners: not the expected JSON: %w", err)
		}
		all = append(all, resp.Provisioners...)
		if resp.NextCursor == "" || resp.NextCursor == cursor {
			return all, nil
		}
		cursor = resp.NextCursor
	}
	return nil, fmt.Errorf("GET /provisioners: the CA kept returning more pages")
}

// adminAPIStatus is what the /admin/admins probe found.
type adminAPIStatus int

const (
	adminAPIAbsent      adminAPIStatus = iota // 404 or 501: edit ca.json
	adminAPIEnabled                           // 401: remote management is on
	adminAPIUnreachable                       // no answer: edit ca.json, with a warning
)

// probeAdminAPI asks the CA, without credentials, for /admin/admins, as
// step does before editing provisioners: 401 means the provisioners live in
// the CA's database (authority.enableAdmin) and ca.json is not the place.
func probeAdminAPI(ctx context.Context, caURL, rootFile string) (adminAPIStatus, error) {
	hc, err := caHTTPClient(rootFile)
	if err != nil {
		return adminAPIUnreachable, err
	}
	hc.Timeout = 5 * time.Second
	status, _, err := caGet(ctx, hc, caURL, "/admin/admins")
	if err != nil {
		return adminAPIUnreachable, err
	}
	if status == http.StatusUnauthorized {
		return adminAPIEnabled, nil
	}
	return adminAPIAbsent, nil
}
