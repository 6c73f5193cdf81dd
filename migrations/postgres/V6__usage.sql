-- Machine hours: an instrument's rates per user class in integer fen, and its usage
-- sessions (check-in to check-out), which the sharing figures sum. As the SQLite schema's 0006.
ALTER TABLE equipment
    ADD COLUMN rate_internal_fen   bigint NOT NULL DEFAULT 0 CHECK (rate_internal_fen >= 0),
    ADD COLUMN rate_external_fen   bigint NOT NULL DEFAULT 0 CHECK (rate_external_fen >= 0),
    ADD COLUMN rate_enterprise_fen bigint NOT NULL DEFAULT 0 CHECK (rate_enterprise_fen >= 0),
    ADD COLUMN charge_basis        text NOT NULL DEFAULT 'actual' CHECK (charge_basis IN ('actual', 'booked')),
    ADD COLUMN minimum_fen         bigint NOT NULL DEFAULT 0 CHECK (minimum_fen >= 0),
    ADD COLUMN rounding_min        bigint NOT NULL DEFAULT 15 CHECK (rounding_min BETWEEN 1 AND 240),
    ADD COLUMN check_in_opens_min  bigint NOT NULL DEFAULT 10 CHECK (check_in_opens_min BETWEEN 0 AND 120),
    ADD COLUMN no_show_after_min   bigint NOT NULL DEFAULT 15 CHECK (no_show_after_min BETWEEN 0 AND 240),
    ADD COLUMN close_grace_min     bigint NOT NULL DEFAULT 30 CHECK (close_grace_min BETWEEN 0 AND 1440);
-- Instruments of before release nothing until their lab turns it on (nobody could check in
-- to the bookings under way at the upgrade); new ones release after 15 minutes.
UPDATE equipment SET no_show_after_min = 0;
UPDATE equipment SET rate_internal_fen = hourly_fee_cents * (100 - subsidy_pct) / 100,
                     rate_external_fen = hourly_fee_cents,
                     rate_enterprise_fen = hourly_fee_cents;

CREATE TABLE usage_session (
    id           text PRIMARY KEY,
    resource_id  text NOT NULL REFERENCES resource(id),
    booking_id   text NOT NULL UNIQUE REFERENCES booking(id),
    person_id    text NOT NULL REFERENCES person(id),
    started_at   bigint NOT NULL,
    ended_at     bigint CHECK (ended_at IS NULL OR ended_at >= started_at),
    user_class   text NOT NULL CHECK (user_class IN ('internal', 'external', 'enterprise')),
    purpose      text NOT NULL CHECK (purpose IN ('research', 'testing', 'teaching', 'certification', 'commercial_inspection', 'bulk_inspection')),
    samples      bigint NOT NULL DEFAULT 0 CHECK (samples >= 0),
    fee_fen      bigint NOT NULL DEFAULT 0 CHECK (fee_fen >= 0),
    waived_fen   bigint NOT NULL DEFAULT 0 CHECK (waived_fen BETWEEN 0 AND fee_fen),
    flagged      bigint NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    corrected    bigint NOT NULL DEFAULT 0 CHECK (corrected IN (0, 1)),
    version      bigint NOT NULL DEFAULT 0
);
CREATE INDEX usage_session_by_resource ON usage_session(resource_id, started_at);
CREATE INDEX usage_session_by_person ON usage_session(person_id, started_at);
CREATE INDEX usage_session_by_version ON usage_session(version);
CREATE TRIGGER usage_session_mark BEFORE INSERT OR UPDATE ON usage_session FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER usage_session_tombstone AFTER DELETE ON usage_session FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX booking_confirmed_by_start ON booking(start_at) WHERE status = 'confirmed' AND deleted = 0;
