-- The district server on PostgreSQL. The synced tables have exactly the columns of the
-- desktop's SQLite schema (migrations/0001 and 0002 of the core), with the same meanings:
-- instants are bigint seconds since the Unix epoch, flags are 0/1, local dates 'YYYY-MM-DD'.
-- A pulled row is therefore the same JSON from either backend.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE makerspace (
    id        text PRIMARY KEY,
    code      text NOT NULL UNIQUE,
    name      text NOT NULL,
    address   text NOT NULL DEFAULT '',
    timezone  text NOT NULL DEFAULT 'Asia/Shanghai',
    version   bigint NOT NULL DEFAULT 0,
    deleted   bigint NOT NULL DEFAULT 0
);

CREATE TABLE person (
    id            text PRIMARY KEY,
    name          text NOT NULL,
    phone         text,
    email         text,
    startup_name  text,
    industry      text,
    stage         text,
    created_at    bigint NOT NULL,
    version       bigint NOT NULL DEFAULT 0,
    deleted       bigint NOT NULL DEFAULT 0
);

CREATE TABLE person_role (
    person_id      text NOT NULL REFERENCES person(id),
    makerspace_id  text NOT NULL REFERENCES makerspace(id),
    role           text NOT NULL CHECK (role IN ('founder', 'mentor', 'lab_manager', 'space_admin')),
    version        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, makerspace_id, role)
);
CREATE INDEX person_role_by_makerspace ON person_role(makerspace_id, role);

CREATE TABLE resource (
    id                      text PRIMARY KEY,
    kind                    text NOT NULL CHECK (kind IN ('mentor', 'equipment')),
    makerspace_id           text NOT NULL REFERENCES makerspace(id),
    name                    text NOT NULL,
    timezone                text NOT NULL,
    active                  bigint NOT NULL DEFAULT 1,
    capacity                bigint NOT NULL CHECK (capacity >= 1),
    granularity_min         bigint NOT NULL CHECK (granularity_min BETWEEN 5 AND 1440),
    min_duration_min        bigint NOT NULL CHECK (min_duration_min > 0),
    max_duration_min        bigint NOT NULL CHECK (max_duration_min >= min_duration_min),
    durations_min           text NOT NULL DEFAULT '[]',
    min_notice_min          bigint NOT NULL CHECK (min_notice_min >= 0),
    horizon_days            bigint NOT NULL CHECK (horizon_days > 0),
    cancel_cutoff_min       bigint NOT NULL CHECK (cancel_cutoff_min >= 0),
    buffer_before_min       bigint NOT NULL DEFAULT 0 CHECK (buffer_before_min >= 0),
    buffer_after_min        bigint NOT NULL DEFAULT 0 CHECK (buffer_after_min >= 0),
    max_per_day             bigint CHECK (max_per_day > 0),
    max_per_week            bigint CHECK (max_per_week > 0),
    approval_required       bigint NOT NULL DEFAULT 0,
    qualification_required  bigint NOT NULL DEFAULT 0,
    weekly_hours            text NOT NULL DEFAULT '[]',
    version                 bigint NOT NULL DEFAULT 0,
    deleted                 bigint NOT NULL DEFAULT 0
);
CREATE INDEX resource_by_makerspace ON resource(makerspace_id, kind);

CREATE TABLE mentor (
    resource_id  text PRIMARY KEY REFERENCES resource(id),
    person_id    text NOT NULL UNIQUE REFERENCES person(id),
    title        text NOT NULL DEFAULT '',
    bio          text NOT NULL DEFAULT '',
    formats      text NOT NULL DEFAULT 'in_person,online',
    visibility   text NOT NULL DEFAULT 'district' CHECK (visibility IN ('makerspace', 'district')),
    version      bigint NOT NULL DEFAULT 0
);

CREATE TABLE mentor_facet (
    mentor_id  text NOT NULL REFERENCES mentor(resource_id),
    facet      text NOT NULL CHECK (facet IN ('tag', 'industry', 'language')),
    value      text NOT NULL,
    version    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (mentor_id, facet, value)
);

CREATE TABLE lab (
    id             text PRIMARY KEY,
    makerspace_id  text NOT NULL REFERENCES makerspace(id),
    name           text NOT NULL,
    description    text NOT NULL DEFAULT '',
    version        bigint NOT NULL DEFAULT 0,
    deleted        bigint NOT NULL DEFAULT 0
);

CREATE TABLE lab_manager (
    lab_id     text NOT NULL REFERENCES lab(id),
    person_id  text NOT NULL REFERENCES person(id),
    version    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (lab_id, person_id)
);

CREATE TABLE equipment (
    resource_id       text PRIMARY KEY REFERENCES resource(id),
    lab_id            text NOT NULL REFERENCES lab(id),
    category          text NOT NULL,
    model             text NOT NULL DEFAULT '',
    hourly_fee_cents  bigint NOT NULL DEFAULT 0 CHECK (hourly_fee_cents >= 0),
    subsidy_pct       bigint NOT NULL DEFAULT 0 CHECK (subsidy_pct BETWEEN 0 AND 100),
    version           bigint NOT NULL DEFAULT 0
);

CREATE TABLE date_override (
    id           text PRIMARY KEY,
    resource_id  text NOT NULL REFERENCES resource(id),
    date         text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('off', 'extra')),
    start_min    bigint NOT NULL CHECK (start_min >= 0),
    end_min      bigint NOT NULL CHECK (end_min > start_min AND end_min <= 1440),
    note         text NOT NULL DEFAULT '',
    version      bigint NOT NULL DEFAULT 0
);
CREATE INDEX date_override_by_resource ON date_override(resource_id, date);

CREATE TABLE blackout (
    id           text PRIMARY KEY,
    resource_id  text NOT NULL REFERENCES resource(id),
    kind         text NOT NULL CHECK (kind IN ('once', 'weekly')),
    start_at     bigint,
    end_at       bigint,
    weekday      bigint CHECK (weekday BETWEEN 0 AND 6),
    start_min    bigint,
    end_min      bigint,
    valid_from   text,
    valid_until  text,
    reason       text NOT NULL DEFAULT '',
    created_by   text NOT NULL REFERENCES person(id),
    created_at   bigint NOT NULL,
    version      bigint NOT NULL DEFAULT 0,
    deleted      bigint NOT NULL DEFAULT 0,
    CHECK ((kind = 'once' AND end_at > start_at) OR (kind = 'weekly' AND end_min > start_min))
);
CREATE INDEX blackout_by_resource ON blackout(resource_id);

CREATE TABLE qualification (
    person_id    text NOT NULL REFERENCES person(id),
    resource_id  text NOT NULL REFERENCES resource(id),
    granted_by   text NOT NULL REFERENCES person(id),
    granted_at   bigint NOT NULL,
    expires_at   bigint,
    version      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, resource_id)
);

CREATE TABLE booking (
    id           text PRIMARY KEY,
    resource_id  text NOT NULL REFERENCES resource(id),
    booker_id    text NOT NULL REFERENCES person(id),
    start_at     bigint NOT NULL,
    end_at       bigint NOT NULL,
    status       text NOT NULL CHECK (status IN ('requested', 'confirmed', 'declined', 'cancelled', 'completed', 'no_show')),
    topic        text NOT NULL DEFAULT '',
    reason       text,
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL,
    version      bigint NOT NULL DEFAULT 0,
    deleted      bigint NOT NULL DEFAULT 0,
    rejection    text,
    CHECK (end_at > start_at)
);
CREATE INDEX booking_holding ON booking(resource_id, start_at, end_at) WHERE status IN ('requested', 'confirmed') AND deleted = 0;
CREATE INDEX booking_by_booker ON booking(booker_id, start_at);

-- The bookings that hold a capacity-1 resource: no two may overlap, whatever the code above
-- does. Kept by a trigger on booking; capacity above 1 is counted by the rules, inside the
-- transaction that holds the resource's row lock.
CREATE TABLE booking_hold (
    booking_id   text PRIMARY KEY REFERENCES booking(id) ON DELETE CASCADE,
    resource_id  text NOT NULL,
    span         int8range NOT NULL,
    CONSTRAINT booking_hold_no_overlap EXCLUDE USING gist (resource_id WITH =, span WITH &&)
);

CREATE FUNCTION booking_hold_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM booking_hold WHERE booking_id = NEW.id;
    IF NEW.status IN ('requested', 'confirmed') AND NEW.deleted = 0
       AND (SELECT capacity FROM resource WHERE id = NEW.resource_id) = 1 THEN
        INSERT INTO booking_hold(booking_id, resource_id, span) VALUES (NEW.id, NEW.resource_id, int8range(NEW.start_at, NEW.end_at));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER booking_hold_keep AFTER INSERT OR UPDATE OF status, start_at, end_at, deleted, resource_id ON booking
    FOR EACH ROW EXECUTE FUNCTION booking_hold_keep();

CREATE TABLE session_note (
    booking_id  text PRIMARY KEY REFERENCES booking(id),
    author_id   text NOT NULL REFERENCES person(id),
    body        text NOT NULL,
    updated_at  bigint NOT NULL,
    version     bigint NOT NULL DEFAULT 0
);

CREATE TABLE feedback (
    booking_id  text PRIMARY KEY REFERENCES booking(id),
    author_id   text NOT NULL REFERENCES person(id),
    rating      bigint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     text NOT NULL DEFAULT '',
    created_at  bigint NOT NULL,
    version     bigint NOT NULL DEFAULT 0
);

CREATE TABLE waitlist (
    id           text PRIMARY KEY,
    resource_id  text NOT NULL REFERENCES resource(id),
    person_id    text NOT NULL REFERENCES person(id),
    start_at     bigint NOT NULL,
    end_at       bigint NOT NULL CHECK (end_at > start_at),
    created_at   bigint NOT NULL,
    notified_at  bigint,
    version      bigint NOT NULL DEFAULT 0
);
CREATE INDEX waitlist_by_resource ON waitlist(resource_id, start_at);

CREATE TABLE notification (
    id           text PRIMARY KEY,
    person_id    text NOT NULL REFERENCES person(id),
    kind         text NOT NULL,
    booking_id   text,
    resource_id  text,
    detail       text NOT NULL DEFAULT '{}',
    created_at   bigint NOT NULL,
    read_at      bigint,
    version      bigint NOT NULL DEFAULT 0
);

CREATE TABLE notice (
    id            text PRIMARY KEY,
    title         text NOT NULL,
    body          text NOT NULL,
    published_by  text NOT NULL,
    published_at  bigint NOT NULL,
    version       bigint NOT NULL DEFAULT 0,
    deleted       bigint NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    seq        bigserial PRIMARY KEY,
    at         bigint NOT NULL,
    actor_id   text,
    action     text NOT NULL,
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    detail     text NOT NULL DEFAULT '{}'
);

-- Server bookkeeping, as in the SQLite backend.
CREATE TABLE sync_tombstone (
    seq         bigserial PRIMARY KEY,
    version     bigint NOT NULL,
    table_name  text NOT NULL,
    row_key     text NOT NULL
);
CREATE INDEX sync_tombstone_by_version ON sync_tombstone(version);

CREATE TABLE sync_client (
    client_id         text PRIMARY KEY,
    person_id         text NOT NULL REFERENCES person(id),
    last_mutation_id  bigint NOT NULL
);

CREATE TABLE sync_failure (
    client_id    text NOT NULL,
    mutation_id  bigint NOT NULL,
    code         text NOT NULL,
    message      text NOT NULL,
    PRIMARY KEY (client_id, mutation_id)
);

CREATE TABLE account (
    person_id      text PRIMARY KEY REFERENCES person(id),
    username       text NOT NULL UNIQUE,
    password_hash  text NOT NULL,
    created_at     bigint NOT NULL
);

CREATE TABLE account_token (
    token_hash  text PRIMARY KEY,
    person_id   text NOT NULL REFERENCES account(person_id),
    expires_at  bigint NOT NULL,
    revoked     bigint NOT NULL DEFAULT 0
);
CREATE INDEX account_token_by_person ON account_token(person_id);

CREATE TABLE district_operator (
    person_id  text PRIMARY KEY REFERENCES account(person_id)
);

-- Versions follow commit order. A transaction's rows carry version -1 while it runs; at its
-- commit (deferred triggers) it takes the next value of one clock and stamps every row it
-- wrote with it. The clock's row stays locked until that commit ends, so no transaction can
-- commit a lower version after a higher one became visible: a pull's `version > cursor` never
-- misses a row. (Transaction ids would not do: they commit out of order, and waiting for the
-- oldest one still running would wait on every database of the cluster.)
CREATE TABLE sync_clock (
    id     bigint PRIMARY KEY CHECK (id = 1),
    value  bigint NOT NULL
);
INSERT INTO sync_clock(id, value) VALUES (1, 0);

CREATE FUNCTION sync_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The stamp (one trigger level down) keeps the version it sets.
    IF pg_trigger_depth() = 1 THEN
        NEW.version := -1;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint := nullif(current_setting('incubook.version', true), '')::bigint;
BEGIN
    IF v IS NULL THEN
        UPDATE sync_clock SET value = value + 1 WHERE id = 1 RETURNING value INTO v;
        PERFORM set_config('incubook.version', v::text, true);
    END IF;
    -- A row written again later in the transaction is stamped by that later event.
    EXECUTE format('UPDATE %I SET version = $1 WHERE ctid = $2 AND version = -1', TG_TABLE_NAME) USING v, NEW.ctid;
    RETURN NULL;
END $$;

-- The trigger's arguments are the table's key columns.
CREATE FUNCTION sync_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k text;
    row_key jsonb := '{}';
BEGIN
    FOREACH k IN ARRAY TG_ARGV LOOP
        row_key := row_key || jsonb_build_object(k, to_jsonb(OLD) -> k);
    END LOOP;
    INSERT INTO sync_tombstone(version, table_name, row_key) VALUES (-1, TG_TABLE_NAME, row_key::text);
    RETURN OLD;
END $$;

CREATE CONSTRAINT TRIGGER sync_tombstone_stamp AFTER INSERT ON sync_tombstone DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();

-- Every synced table: marked on write, stamped at commit, tombstoned on delete, read by version.
CREATE TRIGGER makerspace_mark BEFORE INSERT OR UPDATE ON makerspace FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER makerspace_stamp AFTER INSERT OR UPDATE ON makerspace DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER makerspace_tombstone AFTER DELETE ON makerspace FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX makerspace_by_version ON makerspace(version);
CREATE TRIGGER person_mark BEFORE INSERT OR UPDATE ON person FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER person_stamp AFTER INSERT OR UPDATE ON person DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER person_tombstone AFTER DELETE ON person FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX person_by_version ON person(version);
CREATE TRIGGER person_role_mark BEFORE INSERT OR UPDATE ON person_role FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER person_role_stamp AFTER INSERT OR UPDATE ON person_role DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER person_role_tombstone AFTER DELETE ON person_role FOR EACH ROW EXECUTE FUNCTION sync_tombstone('person_id', 'makerspace_id', 'role');
CREATE INDEX person_role_by_version ON person_role(version);
CREATE TRIGGER resource_mark BEFORE INSERT OR UPDATE ON resource FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER resource_stamp AFTER INSERT OR UPDATE ON resource DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER resource_tombstone AFTER DELETE ON resource FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX resource_by_version ON resource(version);
CREATE TRIGGER mentor_mark BEFORE INSERT OR UPDATE ON mentor FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER mentor_stamp AFTER INSERT OR UPDATE ON mentor DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER mentor_tombstone AFTER DELETE ON mentor FOR EACH ROW EXECUTE FUNCTION sync_tombstone('resource_id');
CREATE INDEX mentor_by_version ON mentor(version);
CREATE TRIGGER mentor_facet_mark BEFORE INSERT OR UPDATE ON mentor_facet FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER mentor_facet_stamp AFTER INSERT OR UPDATE ON mentor_facet DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER mentor_facet_tombstone AFTER DELETE ON mentor_facet FOR EACH ROW EXECUTE FUNCTION sync_tombstone('mentor_id', 'facet', 'value');
CREATE INDEX mentor_facet_by_version ON mentor_facet(version);
CREATE TRIGGER lab_mark BEFORE INSERT OR UPDATE ON lab FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER lab_stamp AFTER INSERT OR UPDATE ON lab DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER lab_tombstone AFTER DELETE ON lab FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX lab_by_version ON lab(version);
CREATE TRIGGER lab_manager_mark BEFORE INSERT OR UPDATE ON lab_manager FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER lab_manager_stamp AFTER INSERT OR UPDATE ON lab_manager DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER lab_manager_tombstone AFTER DELETE ON lab_manager FOR EACH ROW EXECUTE FUNCTION sync_tombstone('lab_id', 'person_id');
CREATE INDEX lab_manager_by_version ON lab_manager(version);
CREATE TRIGGER equipment_mark BEFORE INSERT OR UPDATE ON equipment FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER equipment_stamp AFTER INSERT OR UPDATE ON equipment DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER equipment_tombstone AFTER DELETE ON equipment FOR EACH ROW EXECUTE FUNCTION sync_tombstone('resource_id');
CREATE INDEX equipment_by_version ON equipment(version);
CREATE TRIGGER date_override_mark BEFORE INSERT OR UPDATE ON date_override FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER date_override_stamp AFTER INSERT OR UPDATE ON date_override DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER date_override_tombstone AFTER DELETE ON date_override FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX date_override_by_version ON date_override(version);
CREATE TRIGGER blackout_mark BEFORE INSERT OR UPDATE ON blackout FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER blackout_stamp AFTER INSERT OR UPDATE ON blackout DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER blackout_tombstone AFTER DELETE ON blackout FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX blackout_by_version ON blackout(version);
CREATE TRIGGER qualification_mark BEFORE INSERT OR UPDATE ON qualification FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER qualification_stamp AFTER INSERT OR UPDATE ON qualification DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER qualification_tombstone AFTER DELETE ON qualification FOR EACH ROW EXECUTE FUNCTION sync_tombstone('person_id', 'resource_id');
CREATE INDEX qualification_by_version ON qualification(version);
CREATE TRIGGER booking_mark BEFORE INSERT OR UPDATE ON booking FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER booking_stamp AFTER INSERT OR UPDATE ON booking DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER booking_tombstone AFTER DELETE ON booking FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX booking_by_version ON booking(version);
CREATE TRIGGER session_note_mark BEFORE INSERT OR UPDATE ON session_note FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER session_note_stamp AFTER INSERT OR UPDATE ON session_note DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER session_note_tombstone AFTER DELETE ON session_note FOR EACH ROW EXECUTE FUNCTION sync_tombstone('booking_id');
CREATE INDEX session_note_by_version ON session_note(version);
CREATE TRIGGER feedback_mark BEFORE INSERT OR UPDATE ON feedback FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER feedback_stamp AFTER INSERT OR UPDATE ON feedback DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER feedback_tombstone AFTER DELETE ON feedback FOR EACH ROW EXECUTE FUNCTION sync_tombstone('booking_id');
CREATE INDEX feedback_by_version ON feedback(version);
CREATE TRIGGER waitlist_mark BEFORE INSERT OR UPDATE ON waitlist FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER waitlist_stamp AFTER INSERT OR UPDATE ON waitlist DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER waitlist_tombstone AFTER DELETE ON waitlist FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX waitlist_by_version ON waitlist(version);
CREATE TRIGGER notification_mark BEFORE INSERT OR UPDATE ON notification FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER notification_stamp AFTER INSERT OR UPDATE ON notification DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER notification_tombstone AFTER DELETE ON notification FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX notification_by_version ON notification(version);
CREATE TRIGGER notice_mark BEFORE INSERT OR UPDATE ON notice FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE CONSTRAINT TRIGGER notice_stamp AFTER INSERT OR UPDATE ON notice DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version = -1) EXECUTE FUNCTION sync_stamp();
CREATE TRIGGER notice_tombstone AFTER DELETE ON notice FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE INDEX notice_by_version ON notice(version);

-- Other people's bookings reach a replica as "busy": the booker is replaced by this person.
INSERT INTO person(id, name, created_at, deleted) VALUES ('00000000-0000-0000-0000-000000000000', '', 0, 1);
