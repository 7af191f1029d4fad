// Package open opens the store a ca.json names. It is the one place that
// knows every backend (a switch on db.type, no registry): stride-ca's
// composition root opens its store here, and so does the offline
// `stride ca certificates` command, which reads the same database.
package open

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/badger"
	"github.com/stride-pki/stride/internal/storage/bolt"
	"github.com/stride-pki/stride/internal/storage/mysql"
	"github.com/stride-pki/stride/internal/storage/postgres"
)

// connectTimeout bounds connecting to an SQL server and migrating its schema.
const connectTimeout = 30 * time.Second

// FromConfig opens the database cfg.DB names; a relative bbolt or Badger
// path is taken from base (ca.json's directory's parent, $STRIDEPATH).
// step's type names are accepted: badger, badgerv1 and badgerv2 all open
// Stride's Badger v4 store (its on-disk format is Stride's, not step-ca's).
// An embedded database held by a running stride-ca fails with an error
// wrapping storage.ErrLocked.
func FromConfig(cfg *config.CAConfig, base string) (storage.Store, error) {
	if cfg.DB == nil || cfg.DB.Type == "" {
		return nil, errors.New("ca.json has no \"db\": stride-ca needs one to record what it issues (e.g. {\"type\":\"bbolt\",\"dataSource\":\"db/stride.db\"})")
	}
	path := cfg.DB.DataSource
	if path != "" && !filepath.IsAbs(path) {
		path = filepath.Join(base, path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	switch cfg.DB.Type {
	case config.DBTypeBolt:
		return bolt.Open(path, bolt.Options{})
	case config.DBTypeBadger, config.DBTypeBadgerV1, config.DBTypeBadgerV2:
		return badger.Open(path, badger.Options{})
	case config.DBTypePostgreSQL:
		return postgres.Open(ctx, postgres.Options{DataSource: cfg.DB.DataSource, Database: cfg.DB.Database})
	case config.DBTypeMySQL:
		return mysql.Open(ctx, mysql.Options{DataSource: cfg.DB.DataSource, Database: cfg.DB.Database})
	default:
		return nil, fmt.Errorf("%s: db.type %q is not supported: use bbolt, badger, postgresql or mysql", cfg.Path, cfg.DB.Type)
	}
}
