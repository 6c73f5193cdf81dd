-- Where a mentor session happens: its format and place (JSON of the core's SessionPlace),
-- on the booking row so that each version of it is redacted as its status then allows; and
-- the mentor's default place per format.
ALTER TABLE booking ADD COLUMN place_format TEXT CHECK (place_format IN ('in_person', 'online', 'phone'));
ALTER TABLE booking ADD COLUMN place TEXT;
ALTER TABLE mentor ADD COLUMN places TEXT NOT NULL DEFAULT '{"places":[]}';
