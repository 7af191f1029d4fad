package provisioner

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// routing is what Lookup reads from a token before anything is verified:
// only enough to pick the provisioner, which then parses the token strictly
// and proves it (security.md rule 2). Reading just these members with plain
// encoding/json costs a fraction of the strict parse, which runs once, in
// the provisioner.
type routing struct {
	kid       string
	issuer    string
	audiences []string
}

func peekToken(token string) (routing, error) {
	if len(token) > maxTokenSize {
		return routing{}, invalidToken("larger than %d bytes", maxTokenSize)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return routing{}, invalidToken("not a compact JWS (want three dot-separated parts)")
	}
	var h struct {
		Kid string `json:"kid"`
	}
	var c struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if err := decodeJSONSegment(parts[0], &h); err != nil {
		return routing{}, invalidToken("the header is not base64url JSON")
	}
	if err := decodeJSONSegment(parts[1], &c); err != nil {
		return routing{}, invalidToken("the payload is not base64url JSON")
	}
	r := routing{kid: h.Kid, issuer: c.Iss}
	if err := parseAudience(c.Aud, &r.audiences); err != nil {
		return routing{}, err
	}
	return r, nil
}

func decodeJSONSegment(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
