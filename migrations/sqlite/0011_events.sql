-- Events a makerspace holds (路演, 沙龙, 培训, 训练营), visible to the whole district, and who
-- registered and came. `registered` counts the registrations not withdrawn, for lists.
CREATE TABLE event (
    id             TEXT PRIMARY KEY,
    makerspace_id  TEXT NOT NULL REFERENCES makerspace(id),
    kind           TEXT NOT NULL CHECK (kind IN ('roadshow', 'salon', 'training', 'bootcamp', 'other')),
    title          TEXT NOT NULL,
    start_at       INTEGER NOT NULL,
    end_at         INTEGER NOT NULL CHECK (end_at > start_at),
    place          TEXT NOT NULL DEFAULT '',
    capacity       INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 5000),
    registered     INTEGER NOT NULL DEFAULT 0 CHECK (registered >= 0),
    cancelled      INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 0,
    deleted        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX event_by_start ON event(start_at);
CREATE INDEX event_by_makerspace ON event(makerspace_id, start_at);
CREATE INDEX event_by_version ON event(version);

CREATE TABLE event_registration (
    event_id       TEXT NOT NULL REFERENCES event(id),
    person_id      TEXT NOT NULL REFERENCES person(id),
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    attended       INTEGER NOT NULL DEFAULT 0 CHECK (attended IN (0, 1)),
    registered_at  INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, person_id)
) STRICT;
CREATE INDEX event_registration_by_person ON event_registration(person_id);
CREATE INDEX event_registration_by_version ON event_registration(version);
