-- As the SQLite schema's 0021 (review N7): a move-in asked for and not yet agreed to, and a
-- credit code unverified until a space admin confirms it. The update takes new versions, so
-- every replica receives the codes that stand.
ALTER TABLE residency ADD COLUMN status text NOT NULL DEFAULT 'active'
    CHECK (status IN ('requested', 'active', 'declined'));
ALTER TABLE residency ADD COLUMN requested_by text REFERENCES person(id);
ALTER TABLE startup ADD COLUMN code_verified bigint NOT NULL DEFAULT 0 CHECK (code_verified IN (0, 1));
UPDATE startup SET code_verified = 1 WHERE credit_code IS NOT NULL;
