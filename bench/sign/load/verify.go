package load

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/stride-pki/stride/internal/pemutil"
)

// signResponse is the part of step-ca's SignResponse the check reads.
type signResponse struct {
	Crt string `json:"crt"`
}

// check returns nil when o is a 201 carrying a certificate for req: its
// public key is the CSR's and its DNS names include the requested name.
func check(o outcome, req Request) error {
	if o.err != nil {
		return o.err
	}
	if o.status != http.StatusCreated {
		return fmt.Errorf("status %d: %s", o.status, strings.TrimSpace(string(o.body)))
	}
	var sr signResponse
	if err := json.Unmarshal(o.body, &sr); err != nil {
		return fmt.Errorf("the response is not a SignResponse: %w", err)
	}
	certs, err := pemutil.ParseCertificates([]byte(sr.Crt))
	if err != nil || len(certs) == 0 {
		return errors.New("the response's crt is not a PEM certificate")
	}
	pub, ok := certs[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(req.Pub) {
		return errors.New("the certificate's public key is not the CSR's")
	}
	if !slices.Contains(certs[0].DNSNames, req.Name) {
		return fmt.Errorf("the certificate does not name %s", req.Name)
	}
	return nil
}

// checkAll checks every outcome and returns how many failed and the first
// failure.
func checkAll(outs []outcome, reqs []Request) (failed int, first error) {
	for i, o := range outs {
		if err := check(o, reqs[i]); err != nil {
			failed++
			if first == nil {
				first = fmt.Errorf("request %d (%s): %w", i, reqs[i].Name, err)
			}
		}
	}
	return failed, first
}
