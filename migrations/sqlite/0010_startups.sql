-- Startups as records (团队 / 企业): members with one lead, residency at makerspaces (入驻 /
-- 迁出), and the startup a usage session served. The free-text startup names of before
-- become records, one per distinct name, its earliest person the lead: the id comes from the
-- name, so the desktop and the server upgrade to the same records.
CREATE TABLE startup (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('team', 'enterprise')),
    -- 统一社会信用代码 (GB 32100-2015), upper case; one record per code.
    credit_code  TEXT,
    stage        TEXT NOT NULL DEFAULT '',
    industry     TEXT NOT NULL DEFAULT '',
    headcount    INTEGER NOT NULL DEFAULT 0 CHECK (headcount >= 0),
    description  TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX startup_by_credit_code ON startup(credit_code) WHERE credit_code IS NOT NULL AND deleted = 0;
CREATE INDEX startup_by_version ON startup(version);

CREATE TABLE startup_member (
    startup_id  TEXT NOT NULL REFERENCES startup(id),
    person_id   TEXT NOT NULL REFERENCES person(id),
    lead        INTEGER NOT NULL DEFAULT 0 CHECK (lead IN (0, 1)),
    joined_at   INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (startup_id, person_id)
) STRICT;
CREATE INDEX startup_member_by_person ON startup_member(person_id);
CREATE INDEX startup_member_by_version ON startup_member(version);

-- Dates are the makerspace's local dates, 'YYYY-MM-DD'; the move-out day is not resident.
CREATE TABLE residency (
    id             TEXT PRIMARY KEY,
    startup_id     TEXT NOT NULL REFERENCES startup(id),
    makerspace_id  TEXT NOT NULL REFERENCES makerspace(id),
    move_in        TEXT NOT NULL,
    move_out       TEXT CHECK (move_out IS NULL OR move_out > move_in),
    version        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX residency_by_startup ON residency(startup_id);
CREATE INDEX residency_by_makerspace ON residency(makerspace_id, move_in);
CREATE INDEX residency_by_version ON residency(version);

ALTER TABLE usage_session ADD COLUMN startup_id TEXT REFERENCES startup(id);

-- The app's sweep tells a founder once of a mentor's clock change before a session.
CREATE INDEX notification_by_booking ON notification(booking_id, kind) WHERE booking_id IS NOT NULL;

-- The app's sweep looks for requests nobody answered within 72 hours.
CREATE INDEX booking_requested_by_created ON booking(created_at) WHERE status = 'requested' AND deleted = 0;

WITH named AS (
    SELECT id, trim(startup_name) AS name, industry, stage, created_at,
           row_number() OVER (PARTITION BY trim(startup_name) ORDER BY created_at, id) AS nth
    FROM person WHERE deleted = 0 AND startup_name IS NOT NULL AND trim(startup_name) <> ''
)
INSERT INTO startup(id, name, kind, stage, industry, created_at)
SELECT 'startup-' || lower(hex(name)), name, 'team', coalesce(stage, ''), coalesce(industry, ''), created_at
FROM named WHERE nth = 1;

WITH named AS (
    SELECT id, trim(startup_name) AS name, created_at,
           row_number() OVER (PARTITION BY trim(startup_name) ORDER BY created_at, id) AS nth
    FROM person WHERE deleted = 0 AND startup_name IS NOT NULL AND trim(startup_name) <> ''
)
INSERT INTO startup_member(startup_id, person_id, lead, joined_at)
SELECT 'startup-' || lower(hex(name)), id, CASE WHEN nth = 1 THEN 1 ELSE 0 END, created_at FROM named;
