-- The service role's privileges, granted by `migrate` after the migrations when DATABASE_APP_ROLE names a role:
-- read every table, write only what the routes write, create nothing. :role is replaced by the quoted role name.

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :role;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM :role;
GRANT USAGE ON SCHEMA public TO :role;
GRANT SELECT ON companies, financial_metrics, filings, reports, api_clients TO :role;
GRANT UPDATE (report_count, latest_rating, updated_at) ON companies TO :role;
GRANT INSERT, DELETE ON reports TO :role;
GRANT DELETE ON api_clients TO :role;
GRANT USAGE ON SEQUENCE reports_id_seq TO :role;
