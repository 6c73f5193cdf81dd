-- Office hours and group sessions. As the SQLite schema's 0014.
CREATE TABLE office_block (
    id            text PRIMARY KEY REFERENCES booking(id),
    resource_id   text NOT NULL REFERENCES resource(id),
    kind          text NOT NULL CHECK (kind IN ('office_hours', 'group')),
    title         text NOT NULL DEFAULT '',
    start_at      bigint NOT NULL,
    end_at        bigint NOT NULL CHECK (end_at > start_at),
    seat_minutes  bigint NOT NULL CHECK (seat_minutes > 0),
    capacity      bigint NOT NULL CHECK (capacity BETWEEN 1 AND 50),
    held          text NOT NULL DEFAULT '',
    taken         bigint NOT NULL DEFAULT 0 CHECK (taken BETWEEN 0 AND capacity),
    cancelled     bigint NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    created_at    bigint NOT NULL,
    version       bigint NOT NULL DEFAULT 0,
    deleted       bigint NOT NULL DEFAULT 0
);
CREATE INDEX office_block_by_resource ON office_block(resource_id, start_at);
CREATE INDEX office_block_by_start ON office_block(start_at);
CREATE INDEX office_block_by_version ON office_block(version);

CREATE TABLE office_seat (
    block_id   text NOT NULL REFERENCES office_block(id),
    person_id  text NOT NULL REFERENCES person(id),
    seat       bigint,
    state      text NOT NULL CHECK (state IN ('held', 'waiting', 'left')),
    at         bigint NOT NULL,
    version    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (block_id, person_id)
);
CREATE INDEX office_seat_by_person ON office_seat(person_id);
CREATE INDEX office_seat_by_version ON office_seat(version);

CREATE TRIGGER office_block_mark BEFORE INSERT OR UPDATE ON office_block FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER office_block_tombstone AFTER DELETE ON office_block FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE TRIGGER office_seat_mark BEFORE INSERT OR UPDATE ON office_seat FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER office_seat_tombstone AFTER DELETE ON office_seat FOR EACH ROW EXECUTE FUNCTION sync_tombstone('block_id', 'person_id');
