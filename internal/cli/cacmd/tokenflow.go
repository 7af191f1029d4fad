package cacmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

// provFlags choose the JWK provisioner a token is minted for and how its
// private key is unlocked. `ca token` also has --kid and --key.
type provFlags struct {
	provisioner, kid, key                 string
	passwordFile, provisionerPasswordFile string
	offline                               bool
	caConfig                              string
	x5cCert, x5cKey, x5cChain             string // an X5C provisioner's token instead
	x5cInsecure                           bool   // chain in the x5cInsecure header
}

func (f *provFlags) register(cmd *cobra.Command, tokenOnly bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.provisioner, "provisioner", "", "the provisioner `name` to use (default: the only JWK provisioner)")
	fl.StringVar(&f.provisioner, "issuer", "", "alias of --provisioner")
	fl.StringVar(&f.provisionerPasswordFile, "provisioner-password-file", "", "a `file` holding the password that decrypts the provisioner's key")
	fl.StringVar(&f.caConfig, "ca-config", "", "the CA's ca.json `file`, read with --offline")
	fl.BoolVar(&f.offline, "offline", false, "use --ca-config instead of the CA: read the provisioner from it (ca certificate/sign: also sign with the CA's key)")
	_ = fl.MarkHidden("issuer")
	f.registerX5C(cmd)
	if tokenOnly {
		fl.StringVar(&f.kid, "kid", "", "the `kid` of the provisioner's key, to choose among provisioners")
		fl.StringVar(&f.key, "key", "", "a private key `file` (JWK or PEM) to sign the token with, instead of the provisioner's encrypted key")
		fl.StringVar(&f.passwordFile, "password-file", "", "a `file` holding the password of the provisioner's key or of --key")
	} else {
		fl.StringVar(&f.passwordFile, "password-file", "", "a `file` holding the password of the provisioner's key (when --provisioner-password-file is not given)")
	}
}

// tokenSpec is what a token says beyond the provisioner.
type tokenSpec struct {
	subject   string
	audience  string // client.AudienceSign …
	sans      []string
	notBefore time.Time
	notAfter  time.Time
	extra     map[string]any
}

// tokenSource is where provisioners come from: the CA, or ca.json offline.
type tokenSource struct {
	caURL   string
	rootSHA string
	list    []client.Provisioner
	client  *client.Client // nil offline
}

// mintToken picks the provisioner, unlocks its key and signs the token.
func (f *provFlags) mintToken(cmd *cobra.Command, conn *connFlags, spec tokenSpec) (string, error) {
	if err := f.checkX5C(); err != nil {
		return "", err
	}
	src, err := f.source(cmd, conn)
	if err != nil {
		return "", err
	}
	if f.x5cCert != "" {
		return f.mintX5CToken(cmd, src, spec)
	}
	p, err := f.choose(cmd, src.list)
	if err != nil {
		return "", err
	}
	key, err := f.signingKey(cmd, src, p)
	if err != nil {
		return "", err
	}
	return client.NewJWKToken(spec.subject, client.JWKTokenOptions{
		Provisioner: p.Name, Key: key, Audience: client.Audience(src.caURL, spec.audience),
		RootSHA: src.rootSHA, SANs: spec.sans, NotBefore: spec.notBefore, NotAfter: spec.notAfter, Extra: spec.extra,
	})
}

func (f *provFlags) source(cmd *cobra.Command, conn *connFlags) (*tokenSource, error) {
	if f.offline {
		return f.offlineSource(cmd, conn)
	}
	c, err := conn.client(cmd)
	if err != nil {
		return nil, err
	}
	sha, err := conn.rootFingerprint(cmd)
	if err != nil {
		return nil, err
	}
	list, err := progress(cmd.ErrOrStderr(), "Waiting for the CA …", func() ([]client.Provisioner, error) {
		return c.AllProvisioners(ctxOf(cmd))
	})
	if err != nil {
		return nil, err
	}
	return &tokenSource{caURL: c.URL(), rootSHA: sha, list: list, client: c}, nil
}

// offlineSource reads provisioners, the root and the CA URL from ca.json.
func (f *provFlags) offlineSource(cmd *cobra.Command, conn *connFlags) (*tokenSource, error) {
	path := f.caConfig
	if path == "" {
		paths, err := cmdutil.Paths(cmd)
		if err != nil {
			return nil, err
		}
		path = paths.CAConfig()
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	root, err := pemutil.ReadCertificate(cfg.Root.First())
	if err != nil {
		return nil, fmt.Errorf("the root of %s: %w", path, err)
	}
	src := &tokenSource{caURL: conn.caURL, rootSHA: client.Fingerprint(root)}
	if src.caURL == "" {
		if src.caURL, err = cmdutil.CAURLOf(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.Authority != nil {
		for _, p := range cfg.Authority.Provisioners {
			var cp client.Provisioner
			if err := json.Unmarshal(p.Raw(), &cp); err != nil {
				return nil, fmt.Errorf("%s: provisioner %q: %v", path, p.Name(), err)
			}
			src.list = append(src.list, cp)
		}
	}
	return src, nil
}

// choose picks the JWK provisioner: by --provisioner/--kid, the only one
// without asking, or from a menu on a terminal.
func (f *provFlags) choose(cmd *cobra.Command, list []client.Provisioner) (*client.Provisioner, error) {
	return f.chooseType(cmd, list, "JWK")
}

// chooseType picks a provisioner of type typ (JWK or X5C) the same way;
// --kid only narrows JWK provisioners.
func (f *provFlags) chooseType(cmd *cobra.Command, list []client.Provisioner, typ string) (*client.Provisioner, error) {
	var all, match []client.Provisioner
	for _, p := range list {
		if !strings.EqualFold(p.Type, typ) {
			continue
		}
		all = append(all, p)
		if (f.provisioner == "" || p.Name == f.provisioner) && (f.kid == "" || typ != "JWK" || p.KeyID() == f.kid) {
			match = append(match, p)
		}
	}
	switch {
	case len(all) == 0 && typ == "JWK":
		return nil, fmt.Errorf("the CA has no JWK provisioner (pass --x5c-cert/--x5c-key for an X5C one)")
	case len(all) == 0:
		return nil, fmt.Errorf("the CA has no %s provisioner", typ)
	case len(match) == 0 && typ == "JWK":
		return nil, cmdutil.Usagef("no JWK provisioner matches --provisioner %q --kid %q; choose one of: %s", f.provisioner, f.kid, describe(all))
	case len(match) == 0:
		return nil, cmdutil.Usagef("no %s provisioner is named %q; choose one of: %s", typ, f.provisioner, describe(all))
	case len(match) == 1:
		return &match[0], nil
	}
	p := cmdutil.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr())
	if p == nil {
		if typ != "JWK" {
			return nil, cmdutil.Usagef("several %s provisioners match: pass --provisioner with one of: %s", typ, describe(match))
		}
		return nil, cmdutil.Usagef("several JWK provisioners match: pass --provisioner (or --kid) with one of: %s", describe(match))
	}
	return pickFromMenu(p, cmd, match)
}

func pickFromMenu(p *cmdutil.Prompter, cmd *cobra.Command, list []client.Provisioner) (*client.Provisioner, error) {
	w := cmd.ErrOrStderr()
	fmt.Fprintln(w, "Which provisioner do you want to use?")
	for i, pr := range list {
		if strings.EqualFold(pr.Type, "JWK") {
			fmt.Fprintf(w, "  %d) %s (JWK) [kid: %s]\n", i+1, pr.Name, pr.KeyID())
		} else {
			fmt.Fprintf(w, "  %d) %s (%s)\n", i+1, pr.Name, pr.Type)
		}
	}
	for tries := 0; tries < 3; tries++ {
		a, err := p.Ask("Provisioner number", "1")
		if err != nil {
			return nil, err
		}
		var n int
		if _, err := fmt.Sscanf(a, "%d", &n); err == nil && n >= 1 && n <= len(list) {
			return &list[n-1], nil
		}
		fmt.Fprintf(w, "Answer a number from 1 to %d.\n", len(list))
	}
	return nil, fmt.Errorf("no provisioner chosen")
}

func describe(list []client.Provisioner) string {
	var s []string
	for _, p := range list {
		if strings.EqualFold(p.Type, "JWK") {
			s = append(s, fmt.Sprintf("%s (kid %s)", p.Name, p.KeyID()))
		} else {
			s = append(s, fmt.Sprintf("%s (%s)", p.Name, p.Type))
		}
	}
	return strings.Join(s, ", ")
}

// signingKey unlocks the key to sign with: --key, or the provisioner's
// encryptedKey (listed, or fetched from /provisioners/{kid}/encrypted-key).
func (f *provFlags) signingKey(cmd *cobra.Command, src *tokenSource, p *client.Provisioner) (*jose.JSONWebKey, error) {
	var key *jose.JSONWebKey
	var err error
	if f.key != "" {
		key, err = f.readKeyFile(cmd)
	} else {
		key, err = f.decryptProvisionerKey(cmd, src, p)
	}
	if err != nil {
		return nil, err
	}
	key.KeyID = p.KeyID()
	if pub, err := p.JWK(); err == nil && pub.Algorithm != "" {
		key.Algorithm = pub.Algorithm
	}
	if pub, err := p.JWK(); err == nil && !sameKey(pub, key) {
		return nil, fmt.Errorf("the key does not belong to provisioner %q", p.Name)
	}
	return key, nil
}

func (f *provFlags) decryptProvisionerKey(cmd *cobra.Command, src *tokenSource, p *client.Provisioner) (*jose.JSONWebKey, error) {
	jwe := p.EncryptedKey
	if jwe == "" {
		if src.client == nil {
			return nil, fmt.Errorf("provisioner %q has no encryptedKey in ca.json: pass --key", p.Name)
		}
		var err error
		if jwe, err = src.client.ProvisionerKey(ctxOf(cmd), p.KeyID()); err != nil {
			return nil, fmt.Errorf("fetching the key of provisioner %q: %w", p.Name, err)
		}
	}
	pw, err := f.password(cmd, fmt.Sprintf("the provisioner key %s", p.Name))
	if err != nil {
		return nil, err
	}
	key, err := jose.DecryptJWK(jwe, pw)
	if err != nil {
		return nil, fmt.Errorf("the provisioner password is wrong: it does not decrypt the key of provisioner %q", p.Name)
	}
	return key, nil
}

// password reads --provisioner-password-file, else --password-file, else
// asks on a terminal.
func (f *provFlags) password(cmd *cobra.Command, what string) ([]byte, error) {
	file := f.provisionerPasswordFile
	if file == "" {
		file = f.passwordFile
	}
	return cmdutil.ExistingKeyPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), file, "--provisioner-password-file", what)
}

// readKeyFile reads --key: a JWK (plain or password-encrypted) or a PEM key.
func (f *provFlags) readKeyFile(cmd *cobra.Command) (*jose.JSONWebKey, error) {
	data, err := pemutil.ReadFile(f.key)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	if isJWE(data) {
		pw, err := f.password(cmd, f.key)
		if err != nil {
			return nil, err
		}
		key, err := jose.DecryptJWK(string(data), pw)
		if err != nil {
			return nil, fmt.Errorf("%s: the password is wrong", f.key)
		}
		return key, nil
	}
	if bytes.HasPrefix(data, []byte("{")) {
		return jose.ParseJWK(data)
	}
	var pw []byte
	if pemutil.IsEncrypted(data) {
		if pw, err = f.password(cmd, f.key); err != nil {
			return nil, err
		}
	}
	signer, err := pemutil.ParsePrivateKey(data, pw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.key, err)
	}
	return jose.NewJWK(signer)
}

func isJWE(b []byte) bool {
	if bytes.Count(b, []byte(".")) == 4 && !bytes.ContainsAny(b, "{ \n") {
		return true
	}
	return bytes.HasPrefix(b, []byte("{")) && bytes.Contains(b, []byte(`"ciphertext"`))
}

func sameKey(pub, priv *jose.JSONWebKey) bool {
	a, err1 := jose.Thumbprint(pub)
	p := priv.Public()
	b, err2 := jose.Thumbprint(&p)
	return err1 == nil && err2 == nil && a == b
}
