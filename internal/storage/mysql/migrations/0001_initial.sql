-- Stride schema version 1: certificates, their SANs, revocations and used
-- one-time tokens. Every statement is re-runnable (IF NOT EXISTS) because
-- MySQL commits DDL one statement at a time: a start that died halfway
-- through this file simply runs it again.
--
-- Keys are VARBINARY or BINARY, not VARCHAR: every MariaDB collation (and
-- MySQL's utf8mb4_bin) is PAD SPACE, so "12" and "12 " would collide in a
-- VARCHAR key; bytes compare exactly. Text columns use utf8mb4_bin so what
-- is stored is what comes back and searches are exact.

CREATE TABLE IF NOT EXISTS certificates (
  serial           VARBINARY(64)  NOT NULL,
  der              MEDIUMBLOB     NOT NULL,
  subject          VARCHAR(1024)  NOT NULL DEFAULT '',
  not_before       DATETIME(6)    NULL,
  not_after        DATETIME(6)    NULL,
  provisioner_id   VARCHAR(1024)  NOT NULL DEFAULT '',
  provisioner_name VARCHAR(255)   NOT NULL DEFAULT '',
  provisioner_type VARCHAR(64)    NOT NULL DEFAULT '',
  issued_at        DATETIME(6)    NULL,
  renewed_from     VARBINARY(64)  NOT NULL DEFAULT '',
  PRIMARY KEY (serial),
  KEY certificates_subject (subject(255)),
  KEY certificates_not_after (not_after),
  KEY certificates_provisioner_name (provisioner_name),
  KEY certificates_issued_at (issued_at),
  KEY certificates_renewed_from (renewed_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per SAN, in the certificate's order (position), so a SAN search is
-- an index lookup. No foreign key: certificates are insert-only and both
-- tables are written in one transaction, and a foreign key would add shared
-- locks on certificates to every SAN insert.
CREATE TABLE IF NOT EXISTS certificate_sans (
  serial   VARBINARY(64)     NOT NULL,
  position SMALLINT UNSIGNED NOT NULL,
  san      TEXT              NOT NULL,
  PRIMARY KEY (serial, position),
  KEY certificate_sans_san (san(255))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Revocations are never deleted (invariant I4). expires_at (the
-- certificate's notAfter) is indexed for "revoked and not yet expired", the
-- set a CRL lists.
CREATE TABLE IF NOT EXISTS revocations (
  serial         VARBINARY(64) NOT NULL,
  reason_code    INT           NOT NULL,
  reason         TEXT          NOT NULL,
  revoked_at     DATETIME(6)   NULL,
  expires_at     DATETIME(6)   NULL,
  provisioner_id VARCHAR(1024) NOT NULL DEFAULT '',
  token_id       TEXT          NOT NULL,
  mtls           BOOLEAN       NOT NULL DEFAULT FALSE,
  acme           BOOLEAN       NOT NULL DEFAULT FALSE,
  PRIMARY KEY (serial),
  KEY revocations_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Used one-time tokens, keyed by the SHA-256 of the ID: IDs have no length
-- limit, and a fixed 32-byte key keeps the primary index small. The ID is
-- kept for operators. A NULL expires_at (expiry unknown) is never purged.
CREATE TABLE IF NOT EXISTS used_tokens (
  id_hash    BINARY(32)  NOT NULL,
  id         TEXT        NOT NULL,
  expires_at DATETIME(6) NULL,
  PRIMARY KEY (id_hash),
  KEY used_tokens_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
