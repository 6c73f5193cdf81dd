-- District programmes (专项), their calls (指南/批次), applications (申报书) and each
-- application's event log: every transition (who, when, from, to, why) is a row, and an
-- application's `state` is what replaying them gives, kept for lists. The unified code is
-- minted when an application is accepted, from the serial of its programme's year.
CREATE TABLE programme (
    code               TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('grant', 'voucher', 'service_purchase', 'recommendation')),
    name_zh            TEXT NOT NULL,
    name_en            TEXT NOT NULL,
    funder             TEXT NOT NULL,
    yearly_budget_fen  INTEGER NOT NULL CHECK (yearly_budget_fen >= 0),
    created_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX programme_by_version ON programme(version);

-- `terms`: the call's attachments, form, eligibility rules and recommendation, as JSON.
CREATE TABLE funding_call (
    id                    TEXT PRIMARY KEY,
    programme_code        TEXT NOT NULL REFERENCES programme(code),
    year                  INTEGER NOT NULL,
    batch                 INTEGER NOT NULL CHECK (batch BETWEEN 1 AND 99),
    title_zh              TEXT NOT NULL,
    title_en              TEXT NOT NULL DEFAULT '',
    guide                 TEXT NOT NULL,
    opens_at              INTEGER NOT NULL,
    closes_at             INTEGER NOT NULL CHECK (closes_at > opens_at),
    ceiling_fen           INTEGER NOT NULL,
    budget_fen            INTEGER NOT NULL,
    public_share_pct      INTEGER NOT NULL,
    max_per_organisation  INTEGER NOT NULL,
    max_ongoing_led       INTEGER,
    terms                 TEXT NOT NULL,
    cancelled             INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    cancel_reason         TEXT,
    created_by            TEXT NOT NULL REFERENCES person(id),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    version               INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX funding_call_by_batch ON funding_call(programme_code, year, batch);
CREATE INDEX funding_call_by_version ON funding_call(version);

-- `answers` and `avoid_experts` are JSON; who the applicant asks to avoid is for the district
-- and the applicant's team only.
CREATE TABLE application (
    id                TEXT PRIMARY KEY,
    call_id           TEXT NOT NULL REFERENCES funding_call(id),
    startup_id        TEXT NOT NULL REFERENCES startup(id),
    applicant_id      TEXT NOT NULL REFERENCES person(id),
    state             TEXT NOT NULL,
    title             TEXT NOT NULL,
    answers           TEXT NOT NULL DEFAULT '{}',
    requested_fen     INTEGER NOT NULL DEFAULT 0,
    avoid_experts     TEXT NOT NULL DEFAULT '[]',
    pledged           INTEGER NOT NULL DEFAULT 0 CHECK (pledged IN (0, 1)),
    founded_on        TEXT,
    declared_address  TEXT,
    code              TEXT,
    returned_before   INTEGER NOT NULL DEFAULT 0 CHECK (returned_before IN (0, 1)),
    until_at          INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX application_by_code ON application(code) WHERE code IS NOT NULL;
CREATE INDEX application_by_call ON application(call_id, startup_id);
CREATE INDEX application_by_version ON application(version);

CREATE TABLE application_event (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES application(id),
    actor_id        TEXT NOT NULL REFERENCES person(id),
    at              INTEGER NOT NULL,
    from_state      TEXT NOT NULL,
    to_state        TEXT NOT NULL,
    action          TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX application_event_by_application ON application_event(application_id, at);
CREATE INDEX application_event_by_version ON application_event(version);

-- The authority that mints codes (the server, or a desktop without one): the last serial of
-- each programme's year. Taken in the accepting transaction, so a serial is never skipped.
CREATE TABLE code_serial (
    programme_code  TEXT NOT NULL,
    year            INTEGER NOT NULL,
    last            INTEGER NOT NULL,
    PRIMARY KEY (programme_code, year)
) STRICT;
