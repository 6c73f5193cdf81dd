-- Machine hours: an instrument's rates per user class in integer fen, and its usage
-- sessions (check-in to check-out), which the sharing figures sum.
ALTER TABLE equipment ADD COLUMN rate_internal_fen   INTEGER NOT NULL DEFAULT 0 CHECK (rate_internal_fen >= 0);
ALTER TABLE equipment ADD COLUMN rate_external_fen   INTEGER NOT NULL DEFAULT 0 CHECK (rate_external_fen >= 0);
ALTER TABLE equipment ADD COLUMN rate_enterprise_fen INTEGER NOT NULL DEFAULT 0 CHECK (rate_enterprise_fen >= 0);
ALTER TABLE equipment ADD COLUMN charge_basis        TEXT NOT NULL DEFAULT 'actual' CHECK (charge_basis IN ('actual', 'booked'));
ALTER TABLE equipment ADD COLUMN minimum_fen         INTEGER NOT NULL DEFAULT 0 CHECK (minimum_fen >= 0);
ALTER TABLE equipment ADD COLUMN rounding_min        INTEGER NOT NULL DEFAULT 15 CHECK (rounding_min BETWEEN 1 AND 240);
-- When check-in opens before the start, and when a booking nobody checked in to is released.
ALTER TABLE equipment ADD COLUMN check_in_opens_min  INTEGER NOT NULL DEFAULT 10 CHECK (check_in_opens_min BETWEEN 0 AND 120);
ALTER TABLE equipment ADD COLUMN no_show_after_min   INTEGER NOT NULL DEFAULT 15 CHECK (no_show_after_min BETWEEN 0 AND 240);
-- A session nobody checked out of is closed this long after its booking ends, and flagged.
ALTER TABLE equipment ADD COLUMN close_grace_min     INTEGER NOT NULL DEFAULT 30 CHECK (close_grace_min BETWEEN 0 AND 1440);
-- Instruments of before release nothing until their lab turns it on (nobody could check in
-- to the bookings under way at the upgrade); new ones release after 15 minutes.
UPDATE equipment SET no_show_after_min = 0;
-- The one fee of before is every class's rate, less the subsidy for the space's own members.
UPDATE equipment SET rate_internal_fen = hourly_fee_cents * (100 - subsidy_pct) / 100,
                     rate_external_fen = hourly_fee_cents,
                     rate_enterprise_fen = hourly_fee_cents;

CREATE TABLE usage_session (
    id           TEXT PRIMARY KEY,
    resource_id  TEXT NOT NULL REFERENCES resource(id),
    booking_id   TEXT NOT NULL UNIQUE REFERENCES booking(id),
    person_id    TEXT NOT NULL REFERENCES person(id),
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at),
    user_class   TEXT NOT NULL CHECK (user_class IN ('internal', 'external', 'enterprise')),
    purpose      TEXT NOT NULL CHECK (purpose IN ('research', 'testing', 'teaching', 'certification', 'commercial_inspection', 'bulk_inspection')),
    samples      INTEGER NOT NULL DEFAULT 0 CHECK (samples >= 0),
    fee_fen      INTEGER NOT NULL DEFAULT 0 CHECK (fee_fen >= 0),
    waived_fen   INTEGER NOT NULL DEFAULT 0 CHECK (waived_fen BETWEEN 0 AND fee_fen),
    -- Closed by the app, not by a check-out: for the lab manager to look at.
    flagged      INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    -- Corrected by a lab manager (the values before are in the audit log).
    corrected    INTEGER NOT NULL DEFAULT 0 CHECK (corrected IN (0, 1)),
    version      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX usage_session_by_resource ON usage_session(resource_id, started_at);
CREATE INDEX usage_session_by_person ON usage_session(person_id, started_at);
CREATE INDEX usage_session_by_version ON usage_session(version);
-- The release of no-shows looks for confirmed bookings under way.
CREATE INDEX booking_confirmed_by_start ON booking(start_at) WHERE status = 'confirmed' AND deleted = 0;
