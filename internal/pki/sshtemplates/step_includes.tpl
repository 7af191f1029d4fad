Include "{{ .User.StepPath }}/ssh/config"
