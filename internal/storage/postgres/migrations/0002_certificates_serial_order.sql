-- 0002: ListCertificates pages by serial in byte order (the contract's
-- order on every backend). The primary key's index sorts by the database's
-- collation, which need not be byte order, so listings get an index in the
-- "C" collation to walk.
CREATE INDEX certificates_serial_c_idx ON certificates (serial COLLATE "C");
