-- Incubook desktop database, first version.
-- Instants are INTEGER seconds since the Unix epoch, UTC. Local dates are 'YYYY-MM-DD'.
-- Every synced row carries a server `version` and a `deleted` tombstone flag.

CREATE TABLE makerspace (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    timezone    TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    version     INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE person (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT,
    email         TEXT,
    startup_name  TEXT,
    industry      TEXT,
    stage         TEXT,
    created_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE person_role (
    person_id      TEXT NOT NULL REFERENCES person(id),
    makerspace_id  TEXT NOT NULL REFERENCES makerspace(id),
    role           TEXT NOT NULL CHECK (role IN ('founder', 'mentor', 'lab_manager', 'space_admin')),
    PRIMARY KEY (person_id, makerspace_id, role)
) STRICT, WITHOUT ROWID;
CREATE INDEX person_role_by_makerspace ON person_role(makerspace_id, role);

-- A bookable thing: a mentor or one piece of equipment, with its booking rules.
CREATE TABLE resource (
    id                      TEXT PRIMARY KEY,
    kind                    TEXT NOT NULL CHECK (kind IN ('mentor', 'equipment')),
    makerspace_id           TEXT NOT NULL REFERENCES makerspace(id),
    name                    TEXT NOT NULL,
    timezone                TEXT NOT NULL,
    active                  INTEGER NOT NULL DEFAULT 1,
    capacity                INTEGER NOT NULL CHECK (capacity >= 1),
    granularity_min         INTEGER NOT NULL CHECK (granularity_min BETWEEN 5 AND 1440),
    min_duration_min        INTEGER NOT NULL CHECK (min_duration_min > 0),
    max_duration_min        INTEGER NOT NULL CHECK (max_duration_min >= min_duration_min),
    durations_min           TEXT NOT NULL DEFAULT '[]',
    min_notice_min          INTEGER NOT NULL CHECK (min_notice_min >= 0),
    horizon_days            INTEGER NOT NULL CHECK (horizon_days > 0),
    cancel_cutoff_min       INTEGER NOT NULL CHECK (cancel_cutoff_min >= 0),
    buffer_before_min       INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_min >= 0),
    buffer_after_min        INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_min >= 0),
    max_per_day             INTEGER CHECK (max_per_day > 0),
    max_per_week            INTEGER CHECK (max_per_week > 0),
    approval_required       INTEGER NOT NULL DEFAULT 0,
    qualification_required  INTEGER NOT NULL DEFAULT 0,
    -- The whole week is edited and read at once: [[weekday, start_min, end_min], ...]
    weekly_hours            TEXT NOT NULL DEFAULT '[]',
    version                 INTEGER NOT NULL DEFAULT 0,
    deleted                 INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX resource_by_makerspace ON resource(makerspace_id, kind);

CREATE TABLE mentor (
    resource_id  TEXT PRIMARY KEY REFERENCES resource(id),
    person_id    TEXT NOT NULL UNIQUE REFERENCES person(id),
    title        TEXT NOT NULL DEFAULT '',
    bio          TEXT NOT NULL DEFAULT '',
    formats      TEXT NOT NULL DEFAULT 'in_person,online',
    visibility   TEXT NOT NULL DEFAULT 'district' CHECK (visibility IN ('makerspace', 'district'))
) STRICT;

-- Expertise tags, industries and languages of a mentor.
CREATE TABLE mentor_facet (
    mentor_id  TEXT NOT NULL REFERENCES mentor(resource_id),
    facet      TEXT NOT NULL CHECK (facet IN ('tag', 'industry', 'language')),
    value      TEXT NOT NULL,
    PRIMARY KEY (mentor_id, facet, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX mentor_facet_by_value ON mentor_facet(facet, value, mentor_id);

CREATE TABLE lab (
    id             TEXT PRIMARY KEY,
    makerspace_id  TEXT NOT NULL REFERENCES makerspace(id),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 0,
    deleted        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX lab_by_makerspace ON lab(makerspace_id);

CREATE TABLE lab_manager (
    lab_id     TEXT NOT NULL REFERENCES lab(id),
    person_id  TEXT NOT NULL REFERENCES person(id),
    PRIMARY KEY (lab_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE equipment (
    resource_id       TEXT PRIMARY KEY REFERENCES resource(id),
    lab_id            TEXT NOT NULL REFERENCES lab(id),
    category          TEXT NOT NULL,
    model             TEXT NOT NULL DEFAULT '',
    hourly_fee_cents  INTEGER NOT NULL DEFAULT 0 CHECK (hourly_fee_cents >= 0),
    subsidy_pct       INTEGER NOT NULL DEFAULT 0 CHECK (subsidy_pct BETWEEN 0 AND 100)
) STRICT;
CREATE INDEX equipment_by_lab ON equipment(lab_id);
CREATE INDEX equipment_by_category ON equipment(category);

CREATE TABLE date_override (
    id           TEXT PRIMARY KEY,
    resource_id  TEXT NOT NULL REFERENCES resource(id),
    date         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('off', 'extra')),
    start_min    INTEGER NOT NULL CHECK (start_min >= 0),
    end_min      INTEGER NOT NULL CHECK (end_min > start_min AND end_min <= 1440),
    note         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX date_override_by_resource ON date_override(resource_id, date);

CREATE TABLE blackout (
    id           TEXT PRIMARY KEY,
    resource_id  TEXT NOT NULL REFERENCES resource(id),
    kind         TEXT NOT NULL CHECK (kind IN ('once', 'weekly')),
    start_at     INTEGER,
    end_at       INTEGER,
    weekday      INTEGER CHECK (weekday BETWEEN 0 AND 6),
    start_min    INTEGER,
    end_min      INTEGER,
    valid_from   TEXT,
    valid_until  TEXT,
    reason       TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL REFERENCES person(id),
    created_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'once' AND end_at > start_at) OR (kind = 'weekly' AND end_min > start_min))
) STRICT;
CREATE INDEX blackout_by_resource ON blackout(resource_id);

CREATE TABLE qualification (
    person_id    TEXT NOT NULL REFERENCES person(id),
    resource_id  TEXT NOT NULL REFERENCES resource(id),
    granted_by   TEXT NOT NULL REFERENCES person(id),
    granted_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    PRIMARY KEY (person_id, resource_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE booking (
    id           TEXT PRIMARY KEY,
    resource_id  TEXT NOT NULL REFERENCES resource(id),
    booker_id    TEXT NOT NULL REFERENCES person(id),
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('requested', 'confirmed', 'declined', 'cancelled', 'completed', 'no_show')),
    topic        TEXT NOT NULL DEFAULT '',
    reason       TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0,
    CHECK (end_at > start_at)
) STRICT;
CREATE INDEX booking_by_resource ON booking(resource_id, start_at);
-- Free-time and rule checks read only bookings that hold capacity: a covering partial
-- index answers them without touching the table.
CREATE INDEX booking_holding ON booking(resource_id, start_at, end_at, status, deleted)
    WHERE status IN ('requested', 'confirmed') AND deleted = 0;
CREATE INDEX booking_by_booker ON booking(booker_id, start_at);

CREATE TABLE session_note (
    booking_id  TEXT PRIMARY KEY REFERENCES booking(id),
    author_id   TEXT NOT NULL REFERENCES person(id),
    body        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE feedback (
    booking_id  TEXT PRIMARY KEY REFERENCES booking(id),
    author_id   TEXT NOT NULL REFERENCES person(id),
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE waitlist (
    id           TEXT PRIMARY KEY,
    resource_id  TEXT NOT NULL REFERENCES resource(id),
    person_id    TEXT NOT NULL REFERENCES person(id),
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL CHECK (end_at > start_at),
    created_at   INTEGER NOT NULL,
    notified_at  INTEGER
) STRICT;
CREATE INDEX waitlist_by_resource ON waitlist(resource_id, start_at);

CREATE TABLE notification (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES person(id),
    kind        TEXT NOT NULL,
    booking_id  TEXT,
    resource_id TEXT,
    detail      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
) STRICT;
CREATE INDEX notification_by_person ON notification(person_id, created_at);

CREATE TABLE audit_log (
    -- Rows are never deleted (see the triggers), so the rowid alone is monotonic.
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor_id   TEXT,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
