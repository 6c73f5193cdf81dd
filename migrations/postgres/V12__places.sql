-- Session places. As the SQLite schema's 0012.
ALTER TABLE booking
    ADD COLUMN place_format text CHECK (place_format IN ('in_person', 'online', 'phone')),
    ADD COLUMN place text;
ALTER TABLE mentor ADD COLUMN places text NOT NULL DEFAULT '{"places":[]}';
