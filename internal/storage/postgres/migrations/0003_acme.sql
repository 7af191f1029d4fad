-- 0003: the ACME server's state: accounts, orders, authorizations (which are
-- also the validation queue) and external account binding keys.
--
-- Every record carries a version for optimistic updates: an UPDATE names the
-- version it read and bumps it, so its affected-row count says whether it
-- won. Lists that are read and written whole (identifiers, challenges) are
-- jsonb in internal/storage/acmejson's format; everything a query selects
-- or sorts by is a column. Optional times and foreign IDs are NULL when
-- unset; optional documents (problem, policy) are NULL when nil.

CREATE TABLE acme_accounts (
    id          text        PRIMARY KEY,
    provisioner text        NOT NULL,
    key_id      text        NOT NULL,                 -- RFC 7638 thumbprint of jwk
    jwk         bytea       NOT NULL,                 -- the account key, exactly as given
    contact     text[]      NOT NULL DEFAULT '{}',
    status      text        NOT NULL,
    eab_key_id  text        NOT NULL DEFAULT '',
    created_at  timestamptz,
    version     bigint      NOT NULL,
    -- newAccount and every JWS with a jwk look accounts up by key.
    CONSTRAINT acme_accounts_key_uq UNIQUE (provisioner, key_id)
);

-- seq is the creation order: an account's orders list in it, and a page
-- cursor (an order ID) resolves to its seq. An identity column rather than
-- bigserial: inserting needs no grant on its sequence, so a replica's role
-- with row privileges on the tables is enough.
CREATE TABLE acme_orders (
    id                 text        PRIMARY KEY,
    seq                bigint      GENERATED ALWAYS AS IDENTITY,
    account_id         text        NOT NULL,
    provisioner        text        NOT NULL,
    identifiers        jsonb       NOT NULL,
    authz_ids          text[]      NOT NULL DEFAULT '{}',
    status             text        NOT NULL,
    profile            text        NOT NULL DEFAULT '',
    replaces           text        NOT NULL DEFAULT '',
    not_before         timestamptz,
    not_after          timestamptz,
    created_at         timestamptz,
    expires_at         timestamptz,
    certificate_serial text,                            -- NULL until valid
    error              bytea,
    version            bigint      NOT NULL,
    -- Revocation and ARI find an order by its certificate; one certificate
    -- belongs to at most one order.
    CONSTRAINT acme_orders_certificate_serial_uq UNIQUE (certificate_serial)
);

CREATE INDEX acme_orders_account_seq_idx ON acme_orders (account_id, seq);
CREATE INDEX acme_orders_expires_at_idx  ON acme_orders (expires_at);

-- order_id is not part of the record: it ties an authorization to the
-- order it was created with, so PurgeACME removes both together.
CREATE TABLE acme_authzs (
    id               text        PRIMARY KEY,
    order_id         text        NOT NULL,
    account_id       text        NOT NULL,
    provisioner      text        NOT NULL,
    identifier_type  text        NOT NULL,
    identifier_value text        NOT NULL,
    wildcard         boolean     NOT NULL DEFAULT false,
    status           text        NOT NULL,
    token            text        NOT NULL DEFAULT '',
    challenges       jsonb       NOT NULL,
    created_at       timestamptz,
    expires_at       timestamptz,
    validate_at      timestamptz,                       -- NULL: no validation queued
    attempts         integer     NOT NULL DEFAULT 0,
    version          bigint      NOT NULL
);

CREATE INDEX acme_authzs_order_id_idx ON acme_authzs (order_id);
-- The validation queue: only queued authorizations are in the index.
CREATE INDEX acme_authzs_validate_at_idx ON acme_authzs (validate_at, id) WHERE validate_at IS NOT NULL;

-- reference is NULL when empty, so the uniqueness below binds only named keys.
CREATE TABLE acme_eab_keys (
    id          text        PRIMARY KEY,
    provisioner text        NOT NULL,
    reference   text,
    hmac_key    bytea       NOT NULL,
    created_at  timestamptz,
    account_id  text,                                   -- NULL while unbound
    bound_at    timestamptz,
    policy      bytea,
    CONSTRAINT acme_eab_keys_reference_uq UNIQUE (provisioner, reference)
);
