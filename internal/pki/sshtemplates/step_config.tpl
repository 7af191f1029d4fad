# Hosts this CA knows are reached through the CA's own SSH certificates.
Match exec "stride ssh check-host{{ with .User.Context }} --context {{ . }}{{ end }} %h"
{{- with .User.User }}
	User {{ . }}
{{- end }}
	UserKnownHostsFile "{{ .User.StepPath }}/ssh/known_hosts"
	ProxyCommand stride ssh proxycommand{{ with .User.Context }} --context {{ . }}{{ end }}{{ with .User.Provisioner }} --provisioner {{ . }}{{ end }} %r %h %p
