package wfe

import "encoding/json"

// externalBinding is the binding a new account's answer echoes (RFC 8555
// §7.1.2): the one the request carried, when a key was bound with it. It is
// not stored (only the key it bound is), so only the creating answer has it.
func externalBinding(binding json.RawMessage, eabKeyID string) json.RawMessage {
	if eabKeyID == "" || len(binding) == 0 || string(binding) == "null" {
		return nil
	}
	return binding
}
