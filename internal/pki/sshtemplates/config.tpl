Host *
	Include "{{ if .User.StepBasePath }}{{ .User.StepBasePath }}{{ else }}{{ .User.StepPath }}{{ end }}/ssh/includes"
