-- Versions are the id of the transaction that wrote the row (plus a fixed offset that keeps
-- them above the clock values V1 gave), set as the row is written: no clock row locked from
-- a transaction's commit until its end, so commits no longer wait for one another, and no
-- second write of every row at commit. Pulls read only below the oldest transaction still
-- writing in this database (`pull.rs`), so a transaction that commits late never puts a row
-- behind a client's cursor; transactions in the cluster's other databases do not count.
DROP TRIGGER makerspace_stamp ON makerspace;
DROP TRIGGER person_stamp ON person;
DROP TRIGGER person_role_stamp ON person_role;
DROP TRIGGER resource_stamp ON resource;
DROP TRIGGER mentor_stamp ON mentor;
DROP TRIGGER mentor_facet_stamp ON mentor_facet;
DROP TRIGGER lab_stamp ON lab;
DROP TRIGGER lab_manager_stamp ON lab_manager;
DROP TRIGGER equipment_stamp ON equipment;
DROP TRIGGER date_override_stamp ON date_override;
DROP TRIGGER blackout_stamp ON blackout;
DROP TRIGGER qualification_stamp ON qualification;
DROP TRIGGER booking_stamp ON booking;
DROP TRIGGER session_note_stamp ON session_note;
DROP TRIGGER feedback_stamp ON feedback;
DROP TRIGGER waitlist_stamp ON waitlist;
DROP TRIGGER notification_stamp ON notification;
DROP TRIGGER notice_stamp ON notice;
DROP TRIGGER sync_tombstone_stamp ON sync_tombstone;
DROP FUNCTION sync_stamp();

DO $$
DECLARE
    off bigint;
BEGIN
    SELECT greatest(0, value + 1 - pg_current_xact_id()::text::bigint) INTO off FROM sync_clock;
    EXECUTE format('CREATE FUNCTION sync_version_offset() RETURNS bigint LANGUAGE sql IMMUTABLE AS %L', 'SELECT ' || off || '::bigint');
END $$;

-- The version a write of this transaction takes.
CREATE FUNCTION sync_version() RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT pg_current_xact_id()::text::bigint + sync_version_offset()
$$;

CREATE OR REPLACE FUNCTION sync_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := sync_version();
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION sync_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k text;
    row_key jsonb := '{}';
BEGIN
    FOREACH k IN ARRAY TG_ARGV LOOP
        row_key := row_key || jsonb_build_object(k, to_jsonb(OLD) -> k);
    END LOOP;
    INSERT INTO sync_tombstone(version, table_name, row_key) VALUES (sync_version(), TG_TABLE_NAME, row_key::text);
    RETURN OLD;
END $$;

-- The highest version a pull may read now: below the oldest transaction of this database
-- that is still running (its rows are not visible yet and may commit after younger ones),
-- and below any transaction not started yet. Read before the pull's snapshot is taken, so
-- every transaction below it has ended by then and the snapshot sees it.
CREATE FUNCTION sync_visible_below() RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT least(
        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) x
          WHERE (x::text::bigint % 4294967296) IN (
              SELECT backend_xid::text::bigint FROM pg_stat_activity
               WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid())),
        pg_snapshot_xmax(pg_current_snapshot())::text::bigint
    ) + sync_version_offset()
$$;
