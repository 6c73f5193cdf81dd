-- Startups as records, as the SQLite schema's 0010 (the same ids from the same names).
CREATE TABLE startup (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('team', 'enterprise')),
    credit_code  text,
    stage        text NOT NULL DEFAULT '',
    industry     text NOT NULL DEFAULT '',
    headcount    bigint NOT NULL DEFAULT 0 CHECK (headcount >= 0),
    description  text NOT NULL DEFAULT '',
    created_at   bigint NOT NULL,
    version      bigint NOT NULL DEFAULT 0,
    deleted      bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX startup_by_credit_code ON startup(credit_code) WHERE credit_code IS NOT NULL AND deleted = 0;
CREATE INDEX startup_by_version ON startup(version);

CREATE TABLE startup_member (
    startup_id  text NOT NULL REFERENCES startup(id),
    person_id   text NOT NULL REFERENCES person(id),
    lead        bigint NOT NULL DEFAULT 0 CHECK (lead IN (0, 1)),
    joined_at   bigint NOT NULL,
    version     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (startup_id, person_id)
);
CREATE INDEX startup_member_by_person ON startup_member(person_id);
CREATE INDEX startup_member_by_version ON startup_member(version);

CREATE TABLE residency (
    id             text PRIMARY KEY,
    startup_id     text NOT NULL REFERENCES startup(id),
    makerspace_id  text NOT NULL REFERENCES makerspace(id),
    move_in        text NOT NULL,
    move_out       text CHECK (move_out IS NULL OR move_out > move_in),
    version        bigint NOT NULL DEFAULT 0
);
CREATE INDEX residency_by_startup ON residency(startup_id);
CREATE INDEX residency_by_makerspace ON residency(makerspace_id, move_in);
CREATE INDEX residency_by_version ON residency(version);

ALTER TABLE usage_session ADD COLUMN startup_id text REFERENCES startup(id);

CREATE INDEX notification_by_booking ON notification(booking_id, kind) WHERE booking_id IS NOT NULL;
CREATE INDEX booking_requested_by_created ON booking(created_at) WHERE status = 'requested' AND deleted = 0;

CREATE TRIGGER startup_mark BEFORE INSERT OR UPDATE ON startup FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER startup_tombstone AFTER DELETE ON startup FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE TRIGGER startup_member_mark BEFORE INSERT OR UPDATE ON startup_member FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER startup_member_tombstone AFTER DELETE ON startup_member FOR EACH ROW EXECUTE FUNCTION sync_tombstone('startup_id', 'person_id');
CREATE TRIGGER residency_mark BEFORE INSERT OR UPDATE ON residency FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER residency_tombstone AFTER DELETE ON residency FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');

WITH named AS (
    SELECT id, btrim(startup_name) AS name, industry, stage, created_at,
           row_number() OVER (PARTITION BY btrim(startup_name) ORDER BY created_at, id) AS nth
    FROM person WHERE deleted = 0 AND startup_name IS NOT NULL AND btrim(startup_name) <> ''
)
INSERT INTO startup(id, name, kind, stage, industry, created_at)
SELECT 'startup-' || encode(convert_to(name, 'UTF8'), 'hex'), name, 'team', coalesce(stage, ''), coalesce(industry, ''), created_at
FROM named WHERE nth = 1;

WITH named AS (
    SELECT id, btrim(startup_name) AS name, created_at,
           row_number() OVER (PARTITION BY btrim(startup_name) ORDER BY created_at, id) AS nth
    FROM person WHERE deleted = 0 AND startup_name IS NOT NULL AND btrim(startup_name) <> ''
)
INSERT INTO startup_member(startup_id, person_id, lead, joined_at)
SELECT 'startup-' || encode(convert_to(name, 'UTF8'), 'hex'), id, CASE WHEN nth = 1 THEN 1 ELSE 0 END, created_at FROM named;
