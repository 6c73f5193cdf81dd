-- As the SQLite schema's 0023. District programmes (专项), their calls (指南/批次), applications (申报书) and each
-- application's event log: every transition (who, when, from, to, why) is a row, and an
-- application's `state` is what replaying them gives, kept for lists. The unified code is
-- minted when an application is accepted, from the serial of its programme's year.
CREATE TABLE programme (
    code               text PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('grant', 'voucher', 'service_purchase', 'recommendation')),
    name_zh            text NOT NULL,
    name_en            text NOT NULL,
    funder             text NOT NULL,
    yearly_budget_fen  bigint NOT NULL CHECK (yearly_budget_fen >= 0),
    created_at         bigint NOT NULL,
    version            bigint NOT NULL DEFAULT 0
);
CREATE INDEX programme_by_version ON programme(version);

-- `terms`: the call's attachments, form, eligibility rules and recommendation, as JSON.
CREATE TABLE funding_call (
    id                    text PRIMARY KEY,
    programme_code        text NOT NULL REFERENCES programme(code),
    year                  bigint NOT NULL,
    batch                 bigint NOT NULL CHECK (batch BETWEEN 1 AND 99),
    title_zh              text NOT NULL,
    title_en              text NOT NULL DEFAULT '',
    guide                 text NOT NULL,
    opens_at              bigint NOT NULL,
    closes_at             bigint NOT NULL CHECK (closes_at > opens_at),
    ceiling_fen           bigint NOT NULL,
    budget_fen            bigint NOT NULL,
    public_share_pct      bigint NOT NULL,
    max_per_organisation  bigint NOT NULL,
    max_ongoing_led       bigint,
    terms                 text NOT NULL,
    cancelled             bigint NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    cancel_reason         text,
    created_by            text NOT NULL REFERENCES person(id),
    created_at            bigint NOT NULL,
    updated_at            bigint NOT NULL,
    version               bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX funding_call_by_batch ON funding_call(programme_code, year, batch);
CREATE INDEX funding_call_by_version ON funding_call(version);

-- `answers` and `avoid_experts` are JSON; who the applicant asks to avoid is for the district
-- and the applicant's team only.
CREATE TABLE application (
    id                text PRIMARY KEY,
    call_id           text NOT NULL REFERENCES funding_call(id),
    startup_id        text NOT NULL REFERENCES startup(id),
    applicant_id      text NOT NULL REFERENCES person(id),
    state             text NOT NULL,
    title             text NOT NULL,
    answers           text NOT NULL DEFAULT '{}',
    requested_fen     bigint NOT NULL DEFAULT 0,
    avoid_experts     text NOT NULL DEFAULT '[]',
    pledged           bigint NOT NULL DEFAULT 0 CHECK (pledged IN (0, 1)),
    founded_on        text,
    declared_address  text,
    code              text,
    returned_before   bigint NOT NULL DEFAULT 0 CHECK (returned_before IN (0, 1)),
    until_at          bigint,
    created_at        bigint NOT NULL,
    updated_at        bigint NOT NULL,
    version           bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX application_by_code ON application(code) WHERE code IS NOT NULL;
CREATE INDEX application_by_call ON application(call_id, startup_id);
CREATE INDEX application_by_version ON application(version);

CREATE TABLE application_event (
    id              text PRIMARY KEY,
    application_id  text NOT NULL REFERENCES application(id),
    actor_id        text NOT NULL REFERENCES person(id),
    at              bigint NOT NULL,
    from_state      text NOT NULL,
    to_state        text NOT NULL,
    action          text NOT NULL,
    reason          text NOT NULL DEFAULT '',
    version         bigint NOT NULL DEFAULT 0
);
CREATE INDEX application_event_by_application ON application_event(application_id, at);
CREATE INDEX application_event_by_version ON application_event(version);

-- The authority that mints codes (the server, or a desktop without one): the last serial of
-- each programme's year. Taken in the accepting transaction, so a serial is never skipped.
CREATE TABLE code_serial (
    programme_code  text NOT NULL,
    year            bigint NOT NULL,
    last            bigint NOT NULL,
    PRIMARY KEY (programme_code, year)
);

CREATE TRIGGER programme_mark BEFORE INSERT OR UPDATE ON programme FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER funding_call_mark BEFORE INSERT OR UPDATE ON funding_call FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER application_mark BEFORE INSERT OR UPDATE ON application FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER application_event_mark BEFORE INSERT OR UPDATE ON application_event FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER application_tombstone AFTER DELETE ON application FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
CREATE TRIGGER application_event_tombstone AFTER DELETE ON application_event FOR EACH ROW EXECUTE FUNCTION sync_tombstone('id');
