package cmdutil

import "encoding/json"

// jsonOrString decodes v as JSON when it is a JSON number, boolean, null,
// array or object, and keeps it as a string otherwise.
func jsonOrString(v string) any {
	if v == "" {
		return v
	}
	switch v[0] {
	case '{', '[', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var out any
		if json.Unmarshal([]byte(v), &out) == nil {
			return out
		}
	}
	return v
}
