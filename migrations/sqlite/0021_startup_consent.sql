-- Review N7: a stay gives a makerspace's space admins control of a startup's record, so a
-- move-in that its lead (or a makerspace where it lives) did not agree to is only asked for;
-- and a credit code a founder typed is unverified until a space admin confirms it, so that
-- nobody can squat a real company's 统一社会信用代码.
ALTER TABLE residency ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('requested', 'active', 'declined'));
-- The space admin who asked for the move-in (to tell them the answer).
ALTER TABLE residency ADD COLUMN requested_by TEXT REFERENCES person(id);
ALTER TABLE startup ADD COLUMN code_verified INTEGER NOT NULL DEFAULT 0 CHECK (code_verified IN (0, 1));
-- Codes entered before there was a confirmation stand as they were.
UPDATE startup SET code_verified = 1 WHERE credit_code IS NOT NULL;
UPDATE startup SET version = 0 WHERE (SELECT value FROM sync_clock WHERE id = 1) > 0;
