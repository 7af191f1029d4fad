# Trust user certificates from this CA and present the host certificate.
Match all
	TrustedUserCAKeys /etc/ssh/ca.pub
	HostCertificate /etc/ssh/{{ .User.Certificate }}
	HostKey /etc/ssh/{{ .User.Key }}
