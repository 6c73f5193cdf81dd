-- A person's check-in key: 128 random bits in hex. The six digits that check a booking in
-- at a lab's kiosk are a MAC of the booking's id under its booker's key (review N4), where
-- they were a checksum of the id, which every replica receives. Pull sends the key to the
-- person and to the replicas that run a lab's kiosk.
ALTER TABLE person ADD COLUMN check_in_key TEXT;
-- The server and a desktop that has no server make the keys; a desktop that syncs receives
-- its own from the server. On the server (its clock has run) the people are sent again.
UPDATE person SET check_in_key = lower(hex(randomblob(16)))
 WHERE NOT EXISTS (SELECT 1 FROM sync_state);
UPDATE person SET version = 0 WHERE (SELECT value FROM sync_clock WHERE id = 1) > 0;

-- Desktop (a lab's kiosk): wrong codes and PINs typed at it, kept across restarts, so that
-- a restart does not give a guesser new attempts. `subject` is what was guessed at: the
-- lab's codes (`code:<lab>`) or a phone number's PIN (`pin:<phone>`).
CREATE TABLE kiosk_failure (
    subject  TEXT NOT NULL,
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX kiosk_failure_by_subject ON kiosk_failure(subject, at);

-- Every new person gets a key where keys are made (the server, a desktop without one); a
-- replica that syncs keeps the server's, or none where it may not see it.
CREATE TRIGGER person_check_in_key AFTER INSERT ON person
  WHEN NEW.check_in_key IS NULL AND NOT EXISTS (SELECT 1 FROM sync_state)
BEGIN
  UPDATE person SET check_in_key = lower(hex(randomblob(16))) WHERE id = NEW.id;
END;
