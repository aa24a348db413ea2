-- Right to deletion: each report records the API client that wrote it, so DELETE /api/v1/clients/:id/data finds
-- every report of a client (authors are token subjects: the client id, or `<client id>-0001`... for minted tokens).

ALTER TABLE reports ADD COLUMN client_id text;
UPDATE reports r SET client_id = a.client_id
  FROM api_clients a
 WHERE r.author = a.client_id OR starts_with(r.author, a.client_id || '-');
CREATE INDEX reports_client_idx ON reports (client_id);
