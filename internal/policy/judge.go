package policy

// judge applies the package's one rule (see the package comment) to a name
// whose rule matches are already known. It reports whether an allow rule
// matched, because the CN check must tell an explicit permit from a default.
func judge(t NameType, name string, denied, allowed, typeHasAllow, anyAllow bool) (bool, error) {
	switch {
	case denied:
		return false, refuse(t, name, Denied)
	case allowed:
		return true, nil
	case typeHasAllow:
		return false, refuse(t, name, NotPermitted)
	case anyAllow:
		return false, refuse(t, name, NotExplicitlyPermitted)
	}
	return false, nil
}
