-- Hour allocations. As the SQLite schema's 0015.
CREATE TABLE hour_allocation (
    id             text PRIMARY KEY,
    startup_id     text NOT NULL REFERENCES startup(id),
    makerspace_id  text NOT NULL REFERENCES makerspace(id),
    programme      text NOT NULL,
    starts_on      text NOT NULL,
    ends_on        text NOT NULL,
    minutes        bigint NOT NULL CHECK (minutes > 0),
    created_by     text NOT NULL,
    created_at     bigint NOT NULL,
    version        bigint NOT NULL DEFAULT 0,
    deleted        bigint NOT NULL DEFAULT 0
);
CREATE INDEX hour_allocation_by_startup ON hour_allocation(startup_id, starts_on);
CREATE INDEX hour_allocation_by_version ON hour_allocation(version);

CREATE TABLE hour_topup (
    id             text PRIMARY KEY,
    allocation_id  text NOT NULL REFERENCES hour_allocation(id),
    startup_id     text NOT NULL REFERENCES startup(id),
    minutes        bigint NOT NULL CHECK (minutes > 0),
    reason         text NOT NULL CHECK (length(trim(reason)) > 0),
    created_by     text NOT NULL,
    created_at     bigint NOT NULL,
    version        bigint NOT NULL DEFAULT 0
);
CREATE INDEX hour_topup_by_allocation ON hour_topup(allocation_id);
CREATE INDEX hour_topup_by_version ON hour_topup(version);

CREATE TRIGGER hour_allocation_mark BEFORE INSERT OR UPDATE ON hour_allocation FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER hour_allocation_tombstone AFTER DELETE ON hour_allocation FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE TRIGGER hour_topup_mark BEFORE INSERT OR UPDATE ON hour_topup FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER hour_topup_tombstone AFTER DELETE ON hour_topup FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
