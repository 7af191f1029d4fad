package wfe

import (
	"net/http"

	"github.com/stride-pki/stride/internal/acme"
	"net/url"
	"strconv"
	"strings"
)

// links builds a request's absolute URLs: scheme and Host as the client
// used them (so the protected "url" of its next request matches), always
// under /acme/<name>/ as step-ca does, whichever prefix was requested.
type links struct{ base string }

func linksFor(r *http.Request, provisioner string) links {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return links{base: scheme + "://" + r.Host + "/acme/" + url.PathEscape(provisioner)}
}

func (l links) path(parts ...string) string {
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return l.base + "/" + strings.Join(parts, "/")
}

func (l links) Directory() string                 { return l.path("directory") }
func (l links) NewNonce() string                  { return l.path("new-nonce") }
func (l links) NewAccount() string                { return l.path("new-account") }
func (l links) NewOrder() string                  { return l.path("new-order") }
func (l links) RevokeCert() string                { return l.path("revoke-cert") }
func (l links) KeyChange() string                 { return l.path("key-change") }
func (l links) RenewalInfo() string               { return l.path(acme.RenewalInfoPath) }
func (l links) Account(id string) string          { return l.path("account", id) }
func (l links) Orders(accountID string) string    { return l.path("account", accountID, "orders") }
func (l links) Order(id string) string            { return l.path("order", id) }
func (l links) Finalize(orderID string) string    { return l.path("order", orderID, "finalize") }
func (l links) Authz(id string) string            { return l.path("authz", id) }
func (l links) Challenge(authz, id string) string { return l.path("challenge", authz, id) }
func (l links) Certificate(serial string) string  { return l.path("certificate", serial) }

// CertificateChain is the download URL of chain n (0: the default one).
func (l links) CertificateChain(serial string, n int) string {
	if n == 0 {
		return l.Certificate(serial)
	}
	return l.path("certificate", serial, strconv.Itoa(n))
}

// accountID returns the ID a kid names, if the kid is an account URL of
// this provisioner as the client reaches it.
func (l links) accountID(kid string) (string, bool) {
	rest, ok := strings.CutPrefix(kid, l.base+"/account/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	id, err := url.PathUnescape(rest)
	return id, err == nil
}

// requestURL is the URL the client requested, which the JWS "url" must
// equal exactly (RFC 8555 §6.4).
func requestURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	u := scheme + "://" + r.Host + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery // the orders list's next page is a URL with a cursor
	}
	return u
}
