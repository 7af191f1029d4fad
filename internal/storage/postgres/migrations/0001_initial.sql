-- 0001: certificates, revocations and used one-time tokens.
--
-- Optional text fields are NOT NULL DEFAULT '' so a round trip gives back
-- exactly what was stored; optional times are NULL (the zero time.Time).

CREATE TABLE certificates (
    serial           text        PRIMARY KEY,       -- decimal, as step writes serials
    der              bytea       NOT NULL,
    subject          text        NOT NULL DEFAULT '',
    sans             text[]      NOT NULL DEFAULT '{}', -- in certificate order
    not_before       timestamptz NOT NULL,
    not_after        timestamptz NOT NULL,
    provisioner_id   text        NOT NULL DEFAULT '',
    provisioner_name text        NOT NULL DEFAULT '',
    provisioner_type text        NOT NULL DEFAULT '',
    issued_at        timestamptz NOT NULL,
    renewed_from     text        NOT NULL DEFAULT ''
);

-- Expiry reports and listings walk notAfter; audits look up by subject,
-- by any SAN (sans @> ARRAY['name']) and by provisioner.
CREATE INDEX certificates_not_after_idx        ON certificates (not_after);
CREATE INDEX certificates_subject_idx          ON certificates (subject);
CREATE INDEX certificates_sans_idx             ON certificates USING gin (sans);
CREATE INDEX certificates_provisioner_name_idx ON certificates (provisioner_name);

-- Revocations stand alone (passive revocation needs no stored certificate)
-- and are never deleted; the CRL reads the unexpired ones.
CREATE TABLE revocations (
    serial         text        PRIMARY KEY,
    reason_code    integer     NOT NULL DEFAULT 0,
    reason         text        NOT NULL DEFAULT '',
    revoked_at     timestamptz NOT NULL,
    expires_at     timestamptz,                     -- the certificate's notAfter, when known
    provisioner_id text        NOT NULL DEFAULT '',
    token_id       text        NOT NULL DEFAULT '',
    mtls           boolean     NOT NULL DEFAULT false,
    acme           boolean     NOT NULL DEFAULT false
);

CREATE INDEX revocations_expires_at_idx ON revocations (expires_at);

-- One row per consumed one-time token; the primary key makes a second use
-- fail. A NULL expiry is never purged.
CREATE TABLE used_tokens (
    id         text PRIMARY KEY,
    expires_at timestamptz
);

CREATE INDEX used_tokens_expires_at_idx ON used_tokens (expires_at) WHERE expires_at IS NOT NULL;
