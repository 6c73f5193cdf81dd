-- Server: a refused change's tombstone is for its pusher alone (the `for` field of its key),
-- and no tombstone is longer than a key. Before this, a refusal could leave a tombstone keyed
-- by whatever the client sent, for every replica, for ever (review N1).
DELETE FROM sync_tombstone WHERE length(row_key) > 512;
UPDATE sync_tombstone SET row_key = json_set(row_key, '$.for', json_extract(row_key, '$.person_id'))
 WHERE json_extract(row_key, '$.person_id') IS NOT NULL
   AND table_name NOT IN ('person_role', 'startup_member', 'event_registration', 'lab_manager', 'qualification', 'office_seat');

-- Server: deletes are kept 90 days. `sync_mark` is the version the server had reached on
-- each day (UTC day number); tombstones up to the mark of 90 days ago are dropped, and
-- `sync_horizon` says up to which version, so that a replica behind it starts over.
CREATE TABLE sync_mark (
    day      INTEGER PRIMARY KEY,
    version  INTEGER NOT NULL
) STRICT;
CREATE TABLE sync_horizon (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    below  INTEGER NOT NULL
) STRICT;
INSERT INTO sync_horizon(id, below) VALUES (1, 0);
