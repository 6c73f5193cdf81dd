-- An instrument's asset register entry, as the sharing evaluations ask for it; the lab's
-- approval after repeated no-shows; walk-up sessions, charged for what ran.
ALTER TABLE equipment ADD COLUMN original_value_fen INTEGER CHECK (original_value_fen >= 0);
ALTER TABLE equipment ADD COLUMN purchased_on       TEXT;
ALTER TABLE equipment ADD COLUMN accepted_on        TEXT;
ALTER TABLE equipment ADD COLUMN funding            TEXT CHECK (funding IN ('fiscal', 'other'));
ALTER TABLE equipment ADD COLUMN asset_number       TEXT NOT NULL DEFAULT '';
ALTER TABLE equipment ADD COLUMN open_for_sharing   INTEGER NOT NULL DEFAULT 1 CHECK (open_for_sharing IN (0, 1));
ALTER TABLE equipment ADD COLUMN operator_id        TEXT REFERENCES person(id);
ALTER TABLE equipment ADD COLUMN approval_after_no_shows INTEGER NOT NULL DEFAULT 0 CHECK (approval_after_no_shows BETWEEN 0 AND 50);
ALTER TABLE usage_session ADD COLUMN walk_up INTEGER NOT NULL DEFAULT 0 CHECK (walk_up IN (0, 1));
-- A person's no-shows across the district, counted at every instrument booking that asks.
CREATE INDEX booking_no_show_by_booker ON booking(booker_id, start_at) WHERE status = 'no_show' AND deleted = 0;
