package validation

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// userAgent identifies validation requests in the logs of the servers the CA
// connects to.
const userAgent = "Stride-ACME-Validator/1 (+https://github.com/stride-pki/stride)"

// maxRedirects is RFC-compatible boulder behaviour: enough for an
// http→https→www chain, few enough to stop loops quickly.
const maxRedirects = 10

// bodySlack is how much more than the key authorization is read, so a
// response with surrounding whitespace still passes while a huge or endless
// body cannot hold memory or the connection.
const bodySlack = 128

// HTTP01 performs the http-01 challenge (RFC 8555 §8.3): GET
// http://<value>/.well-known/acme-challenge/<token> must answer 200 with the
// key authorization (surrounding whitespace ignored).
func (v *Validator) HTTP01(ctx context.Context, identType, value, token, keyAuthorization string) error {
	ip, verr := checkIdent(identType, value)
	if verr != nil {
		return verr
	}
	// The token is server-chosen base64url; anything else would change the
	// request path.
	if token == "" || strings.Trim(token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return newError("malformed", false, "invalid http-01 token %q", token)
	}
	host := value
	if ip.IsValid() {
		host = ip.String() // canonical form; JoinHostPort adds brackets for IPv6
	}
	if v.cfg.HTTPPort != 80 {
		host = net.JoinHostPort(host, strconv.Itoa(v.cfg.HTTPPort))
	} else if ip.Is6() {
		host = "[" + host + "]"
	}
	target := &url.URL{Scheme: "http", Host: host, Path: "/.well-known/acme-challenge/" + token}

	ctx, cancel := v.attempt(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return newError("malformed", false, "invalid challenge URL: %v", err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "*/*")

	client := v.httpClient()
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return httpError(target, err)
	}
	defer resp.Body.Close()
	return checkHTTPBody(resp, keyAuthorization)
}

// httpClient builds a client for one validation: no proxy from the
// environment, no keep-alive, our own resolver and port rules, and no
// certificate verification on https redirects (the challenge proves control
// through the body, not the certificate; RFC 8555 §8.3).
func (v *Validator) httpClient() *http.Client {
	tr := &http.Transport{
		Proxy:                  nil,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 16 << 10,
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // see above
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			host, p, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, newError("connection", false, "invalid address %q", addr)
			}
			port, _ := strconv.Atoi(p)
			if !v.allowedPort(port) {
				return nil, newError("connection", false, "port %d is not allowed", port)
			}
			return v.dial(ctx, host, port)
		},
	}
	return &http.Client{Transport: tr, CheckRedirect: v.checkRedirect}
}

func (v *Validator) allowedPort(port int) bool {
	return port == v.cfg.HTTPPort || port == v.cfg.TLSPort
}

// checkRedirect enforces the redirect rules: at most maxRedirects, http or
// https only, only the validation ports (80/443, or the overrides), no IPv6
// zones. Anything else would let a challenge responder steer the CA at
// arbitrary internal services.
func (v *Validator) checkRedirect(req *http.Request, via []*http.Request) error {
	u := req.URL
	if len(via) > maxRedirects {
		return newError("connection", false, "too many redirects (more than %d), last to %s", maxRedirects, redact(u))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return newError("connection", false, "redirect to %s: only http and https are allowed", redact(u))
	}
	port := 80
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return newError("connection", false, "redirect to %s: invalid port", redact(u))
		}
		port = n
	}
	if !v.allowedPort(port) {
		return newError("connection", false, "redirect to %s: only ports %d and %d are allowed, not %d",
			redact(u), v.cfg.HTTPPort, v.cfg.TLSPort, port)
	}
	host := u.Hostname()
	if host == "" {
		return newError("connection", false, "redirect to %s: no host", redact(u))
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Zone() != "" {
		return newError("connection", false, "redirect to %s: IPv6 zones are not allowed", redact(u))
	}
	req.Header.Set("User-Agent", userAgent)
	return nil
}

// redact shows a redirect target without user info or query, which may carry
// secrets of the responder's site, and cut to a sane length.
func redact(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment = nil, "", ""
	s := c.String()
	if len(s) > 128 {
		s = s[:128] + "…"
	}
	return strconv.Quote(s)
}

// httpError classifies a failed GET (including a refused redirect).
func httpError(target *url.URL, err error) *Error {
	var ve *Error
	if errors.As(err, &ve) {
		return ve
	}
	host, port := target.Hostname(), portOf(target)
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host, port = u.Hostname(), portOf(u)
		}
		err = ue.Err
	}
	return connError(host, port, err)
}

// checkHTTPBody compares the response to the expected key authorization.
func checkHTTPBody(resp *http.Response, keyAuthorization string) error {
	if resp.StatusCode != http.StatusOK {
		return newError("incorrectResponse", resp.StatusCode >= 500,
			"invalid response from %s: HTTP %d", redact(resp.Request.URL), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(len(keyAuthorization)+bodySlack)))
	if err != nil {
		return connError(resp.Request.URL.Hostname(), portOf(resp.Request.URL), err)
	}
	got := bytes.TrimSpace(body)
	if string(got) != keyAuthorization {
		return newError("incorrectResponse", false,
			"the key authorization file from %s does not match: expected %q, got %s",
			redact(resp.Request.URL), keyAuthorization, quoted(got))
	}
	return nil
}

func portOf(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return 443
	}
	return 80
}
