package cacmd

import (
	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

// registerContext records the new PKI as a context and selects it, as
// `step ca init --context` does.
func registerContext(p config.Paths, f *initFlags) error {
	base := cmdutil.BasePath()
	c := config.Context{Authority: orDefault(f.authority, f.context), Profile: orDefault(f.profile, f.context)}
	ctxs, err := config.LoadContexts(base)
	if err != nil {
		return err
	}
	if _, ok := ctxs[f.context]; !ok {
		if err := config.AddContext(base, f.context, c); err != nil {
			return err
		}
	}
	return config.SelectContext(base, f.context)
}
