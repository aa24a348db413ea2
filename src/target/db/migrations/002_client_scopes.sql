-- Per-client permissions: the scopes a client's tokens carry (see src/target/auth/scopes.ts); none means read-only.

ALTER TABLE api_clients ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';
