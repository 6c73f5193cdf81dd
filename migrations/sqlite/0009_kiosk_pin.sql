-- A person's PIN for the lab kiosks, as an argon2 hash (PHC string).
ALTER TABLE person ADD COLUMN kiosk_pin TEXT;
