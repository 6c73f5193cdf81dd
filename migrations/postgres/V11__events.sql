-- Events, as the SQLite schema's 0011.
CREATE TABLE event (
    id             text PRIMARY KEY,
    makerspace_id  text NOT NULL REFERENCES makerspace(id),
    kind           text NOT NULL CHECK (kind IN ('roadshow', 'salon', 'training', 'bootcamp', 'other')),
    title          text NOT NULL,
    start_at       bigint NOT NULL,
    end_at         bigint NOT NULL CHECK (end_at > start_at),
    place          text NOT NULL DEFAULT '',
    capacity       bigint NOT NULL CHECK (capacity BETWEEN 1 AND 5000),
    registered     bigint NOT NULL DEFAULT 0 CHECK (registered >= 0),
    cancelled      bigint NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    created_by     text NOT NULL,
    created_at     bigint NOT NULL,
    version        bigint NOT NULL DEFAULT 0,
    deleted        bigint NOT NULL DEFAULT 0
);
CREATE INDEX event_by_start ON event(start_at);
CREATE INDEX event_by_makerspace ON event(makerspace_id, start_at);
CREATE INDEX event_by_version ON event(version);

CREATE TABLE event_registration (
    event_id       text NOT NULL REFERENCES event(id),
    person_id      text NOT NULL REFERENCES person(id),
    active         bigint NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    attended       bigint NOT NULL DEFAULT 0 CHECK (attended IN (0, 1)),
    registered_at  bigint NOT NULL,
    version        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX event_registration_by_person ON event_registration(person_id);
CREATE INDEX event_registration_by_version ON event_registration(version);

CREATE TRIGGER event_mark BEFORE INSERT OR UPDATE ON event FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER event_tombstone AFTER DELETE ON event FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE TRIGGER event_registration_mark BEFORE INSERT OR UPDATE ON event_registration FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER event_registration_tombstone AFTER DELETE ON event_registration FOR EACH ROW EXECUTE FUNCTION sync_tombstone('event_id', 'person_id');
