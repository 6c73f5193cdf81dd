-- Hour allocations: mentor hours a makerspace gives a startup over dates of its own (both
-- included), and top-ups with their reasons. Each names the startup, for redaction.
CREATE TABLE hour_allocation (
    id             TEXT PRIMARY KEY,
    startup_id     TEXT NOT NULL REFERENCES startup(id),
    makerspace_id  TEXT NOT NULL REFERENCES makerspace(id),
    programme      TEXT NOT NULL,
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    minutes        INTEGER NOT NULL CHECK (minutes > 0),
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 0,
    deleted        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX hour_allocation_by_startup ON hour_allocation(startup_id, starts_on);
CREATE INDEX hour_allocation_by_version ON hour_allocation(version);

CREATE TABLE hour_topup (
    id             TEXT PRIMARY KEY,
    allocation_id  TEXT NOT NULL REFERENCES hour_allocation(id),
    startup_id     TEXT NOT NULL REFERENCES startup(id),
    minutes        INTEGER NOT NULL CHECK (minutes > 0),
    reason         TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX hour_topup_by_allocation ON hour_topup(allocation_id);
CREATE INDEX hour_topup_by_version ON hour_topup(version);
