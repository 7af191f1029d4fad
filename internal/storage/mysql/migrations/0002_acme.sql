-- Stride schema version 2: the ACME server's state: accounts, orders,
-- authorizations (which are also the validation queue) and external
-- account binding keys. Re-runnable like 0001 (IF NOT EXISTS, indexes
-- inline), as MySQL commits each DDL statement on its own.
--
-- Every record carries a version for optimistic updates: an UPDATE names
-- the version it read and bumps it, so its affected-row count says whether
-- it won (the bump always changes the row, so the count is the same with or
-- without the DSN's clientFoundRows). Lists read and written whole
-- (contacts, identifiers, authorization IDs, challenges) are JSON in
-- internal/storage/acmejson's format; everything a query selects or sorts
-- by is a column. IDs, provisioner names and other keys are VARBINARY for
-- the reason 0001 gives (PAD SPACE collations). Optional times and foreign
-- IDs are NULL when unset; optional documents (problem, policy) are NULL
-- when nil. JSON columns have no DEFAULT: MySQL 8 allows none.

CREATE TABLE IF NOT EXISTS acme_accounts (
  id          VARBINARY(255) NOT NULL,
  provisioner VARBINARY(255) NOT NULL,
  key_id      VARBINARY(255) NOT NULL,
  jwk         BLOB           NOT NULL,
  contact     JSON           NOT NULL,
  status      VARCHAR(32)    NOT NULL,
  eab_key_id  VARBINARY(255) NOT NULL DEFAULT '',
  created_at  DATETIME(6)    NULL,
  version     BIGINT         NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY acme_accounts_key (provisioner, key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- seq is the creation order: an account's orders list in it, and a page
-- cursor (an order ID) resolves to its seq. A NULL certificate_serial
-- (not yet valid) does not meet the unique key.
CREATE TABLE IF NOT EXISTS acme_orders (
  id                 VARBINARY(255)  NOT NULL,
  seq                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id         VARBINARY(255)  NOT NULL,
  provisioner        VARBINARY(255)  NOT NULL,
  identifiers        JSON            NOT NULL,
  authz_ids          JSON            NOT NULL,
  status             VARCHAR(32)     NOT NULL,
  profile            VARCHAR(255)    NOT NULL DEFAULT '',
  replaces           VARCHAR(1024)   NOT NULL DEFAULT '',
  not_before         DATETIME(6)     NULL,
  not_after          DATETIME(6)     NULL,
  created_at         DATETIME(6)     NULL,
  expires_at         DATETIME(6)     NULL,
  certificate_serial VARBINARY(64)   NULL,
  error              BLOB            NULL,
  version            BIGINT          NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY acme_orders_seq (seq),
  KEY acme_orders_account_seq (account_id, seq),
  KEY acme_orders_expires_at (expires_at),
  UNIQUE KEY acme_orders_certificate_serial (certificate_serial)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- order_id is not part of the record: it ties an authorization to the
-- order it was created with, so PurgeACME removes both together. The
-- validation queue is the validate_at index (NULL: nothing queued; NULLs
-- sort first, outside the "due" range scan).
CREATE TABLE IF NOT EXISTS acme_authzs (
  id               VARBINARY(255) NOT NULL,
  order_id         VARBINARY(255) NOT NULL,
  account_id       VARBINARY(255) NOT NULL,
  provisioner      VARBINARY(255) NOT NULL,
  identifier_type  VARCHAR(32)    NOT NULL,
  identifier_value VARCHAR(1024)  NOT NULL,
  wildcard         BOOLEAN        NOT NULL DEFAULT FALSE,
  status           VARCHAR(32)    NOT NULL,
  token            VARCHAR(255)   NOT NULL DEFAULT '',
  challenges       JSON           NOT NULL,
  created_at       DATETIME(6)    NULL,
  expires_at       DATETIME(6)    NULL,
  validate_at      DATETIME(6)    NULL,
  attempts         INT            NOT NULL DEFAULT 0,
  version          BIGINT         NOT NULL,
  PRIMARY KEY (id),
  KEY acme_authzs_order_id (order_id),
  KEY acme_authzs_validate_at (validate_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- reference is NULL when empty, so the unique key binds only named keys.
CREATE TABLE IF NOT EXISTS acme_eab_keys (
  id          VARBINARY(255) NOT NULL,
  provisioner VARBINARY(255) NOT NULL,
  reference   VARBINARY(255) NULL,
  hmac_key    BLOB           NOT NULL,
  created_at  DATETIME(6)    NULL,
  account_id  VARBINARY(255) NULL,
  bound_at    DATETIME(6)    NULL,
  policy      BLOB           NULL,
  PRIMARY KEY (id),
  UNIQUE KEY acme_eab_keys_reference (provisioner, reference)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
