-- An instrument's asset register entry, the lab's approval after repeated no-shows, and
-- walk-up sessions. As the SQLite schema's 0007.
ALTER TABLE equipment
    ADD COLUMN original_value_fen bigint CHECK (original_value_fen >= 0),
    ADD COLUMN purchased_on       text,
    ADD COLUMN accepted_on        text,
    ADD COLUMN funding            text CHECK (funding IN ('fiscal', 'other')),
    ADD COLUMN asset_number       text NOT NULL DEFAULT '',
    ADD COLUMN open_for_sharing   bigint NOT NULL DEFAULT 1 CHECK (open_for_sharing IN (0, 1)),
    ADD COLUMN operator_id        text REFERENCES person(id),
    ADD COLUMN approval_after_no_shows bigint NOT NULL DEFAULT 0 CHECK (approval_after_no_shows BETWEEN 0 AND 50);
ALTER TABLE usage_session ADD COLUMN walk_up bigint NOT NULL DEFAULT 0 CHECK (walk_up IN (0, 1));
CREATE INDEX booking_no_show_by_booker ON booking(booker_id, start_at) WHERE status = 'no_show' AND deleted = 0;
