-- Office hours and group sessions. A block holds the mentor's calendar through a booking of
-- the mentor's own under the same id; `held` lists the seats taken ("0,2,3") and `taken`
-- counts them, both public so that every replica shows what is free; who sits where is
-- in office_seat, for the founder, the mentor and the space's admins.
CREATE TABLE office_block (
    id            TEXT PRIMARY KEY REFERENCES booking(id),
    resource_id   TEXT NOT NULL REFERENCES resource(id),
    kind          TEXT NOT NULL CHECK (kind IN ('office_hours', 'group')),
    title         TEXT NOT NULL DEFAULT '',
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL CHECK (end_at > start_at),
    seat_minutes  INTEGER NOT NULL CHECK (seat_minutes > 0),
    capacity      INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 50),
    held          TEXT NOT NULL DEFAULT '',
    taken         INTEGER NOT NULL DEFAULT 0 CHECK (taken BETWEEN 0 AND capacity),
    cancelled     INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    created_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX office_block_by_resource ON office_block(resource_id, start_at);
CREATE INDEX office_block_by_start ON office_block(start_at);
CREATE INDEX office_block_by_version ON office_block(version);

CREATE TABLE office_seat (
    block_id   TEXT NOT NULL REFERENCES office_block(id),
    person_id  TEXT NOT NULL REFERENCES person(id),
    seat       INTEGER,
    state      TEXT NOT NULL CHECK (state IN ('held', 'waiting', 'left')),
    at         INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (block_id, person_id)
) STRICT;
CREATE INDEX office_seat_by_person ON office_seat(person_id);
CREATE INDEX office_seat_by_version ON office_seat(version);
