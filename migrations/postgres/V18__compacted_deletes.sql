-- A refused change's tombstone is for its pusher alone (the `for` field of its key), and no
-- tombstone is longer than a key. Before this, a refusal could leave a tombstone keyed by
-- whatever the client sent, for every replica, for ever (review N1).
DELETE FROM sync_tombstone WHERE length(row_key) > 512;
UPDATE sync_tombstone SET row_key = jsonb_set(row_key::jsonb, '{for}', row_key::jsonb -> 'person_id')::text
 WHERE row_key::jsonb ? 'person_id'
   AND table_name NOT IN ('person_role', 'startup_member', 'event_registration', 'lab_manager', 'qualification', 'office_seat');

-- Deletes are kept 90 days. `sync_mark` is the version below which everything had committed
-- on each day (UTC day number); tombstones up to the mark of 90 days ago are dropped, and
-- `sync_horizon` says up to which version, so that a replica behind it starts over.
CREATE TABLE sync_mark (
    day      BIGINT PRIMARY KEY,
    version  BIGINT NOT NULL
);
CREATE TABLE sync_horizon (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    below  BIGINT NOT NULL
);
INSERT INTO sync_horizon(id, below) VALUES (1, 0);
