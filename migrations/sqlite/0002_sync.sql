-- Sync with the district server (release 2).
-- One schema serves both sides: the desktop keeps a replica of what the server lets it see
-- plus an outbox of its own changes; the server's SQLite backend runs the same tables and
-- keeps its own sync and account tables, which stay empty on a desktop.

-- Every synced table carries a server version, so pull can page through one counter.
ALTER TABLE person_role   ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mentor        ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mentor_facet  ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lab_manager   ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE equipment     ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE date_override ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qualification ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_note  ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback      ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE waitlist      ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notification  ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- A booking the server refused (it lost a race while its booker was offline) keeps the
-- refusal, as JSON of the core's typed reason, so each client shows it in its language.
ALTER TABLE booking ADD COLUMN rejection TEXT;

-- Other people's bookings reach a replica as "busy": the booker is replaced by this person.
INSERT INTO person(id, name, created_at, deleted) VALUES ('00000000-0000-0000-0000-000000000000', '', 0, 1);

-- Desktop: where it syncs and how far it has read.
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    server_url      TEXT NOT NULL,
    username        TEXT NOT NULL,
    person_id       TEXT NOT NULL,
    token           TEXT,
    client_id       TEXT NOT NULL,
    cursor          INTEGER NOT NULL DEFAULT 0,
    last_sync_at    INTEGER,
    last_error      TEXT
) STRICT;

-- Desktop: changes waiting for the server, written in the same transaction as the change.
CREATE TABLE outbox (
    mutation_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    args         TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_by_entity ON outbox(entity_id);

-- Server: the one version counter, bumped inside each write transaction.
CREATE TABLE sync_clock (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    value  INTEGER NOT NULL
) STRICT;
INSERT INTO sync_clock(id, value) VALUES (1, 0);

-- Server: rows deleted outright, so that replicas delete them too.
CREATE TABLE sync_tombstone (
    version     INTEGER PRIMARY KEY,
    table_name  TEXT NOT NULL,
    row_key     TEXT NOT NULL
) STRICT;

-- Server: the last mutation applied for each client, so a retried push applies nothing twice.
CREATE TABLE sync_client (
    client_id         TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES person(id),
    last_mutation_id  INTEGER NOT NULL
) STRICT;

-- Server: what became of each mutation that did not apply.
CREATE TABLE sync_failure (
    client_id    TEXT NOT NULL,
    mutation_id  INTEGER NOT NULL,
    code         TEXT NOT NULL,
    message      TEXT NOT NULL,
    PRIMARY KEY (client_id, mutation_id)
) STRICT, WITHOUT ROWID;

-- Server: sign-in. An account is a person of the district; only a hash of each token is kept.
CREATE TABLE account (
    person_id      TEXT PRIMARY KEY REFERENCES person(id),
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE account_token (
    token_hash  TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES account(person_id),
    expires_at  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX account_token_by_person ON account_token(person_id);

-- Server: district operators publish notices and read district reports.
CREATE TABLE district_operator (
    person_id  TEXT PRIMARY KEY REFERENCES account(person_id)
) STRICT;

-- Policy notices (政策通知), published by district operators; synced to every replica.
CREATE TABLE notice (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notice_by_time ON notice(published_at);

-- Pull pages through each synced table in version order.
CREATE INDEX makerspace_by_version ON makerspace(version);
CREATE INDEX person_by_version ON person(version);
CREATE INDEX person_role_by_version ON person_role(version);
CREATE INDEX resource_by_version ON resource(version);
CREATE INDEX mentor_by_version ON mentor(version);
CREATE INDEX mentor_facet_by_version ON mentor_facet(version);
CREATE INDEX lab_by_version ON lab(version);
CREATE INDEX lab_manager_by_version ON lab_manager(version);
CREATE INDEX equipment_by_version ON equipment(version);
CREATE INDEX date_override_by_version ON date_override(version);
CREATE INDEX blackout_by_version ON blackout(version);
CREATE INDEX qualification_by_version ON qualification(version);
CREATE INDEX booking_by_version ON booking(version);
CREATE INDEX session_note_by_version ON session_note(version);
CREATE INDEX feedback_by_version ON feedback(version);
CREATE INDEX waitlist_by_version ON waitlist(version);
CREATE INDEX notification_by_version ON notification(version);
CREATE INDEX notice_by_version ON notice(version);
