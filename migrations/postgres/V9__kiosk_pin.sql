-- A person's PIN for the lab kiosks, as an argon2 hash. As the SQLite schema's 0009.
ALTER TABLE person ADD COLUMN kiosk_pin text;
