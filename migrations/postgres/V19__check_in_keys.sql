-- A person's check-in key, as the SQLite schema's 0020: 128 random bits in hex, under which
-- the six digits of a booking's check-in code are a MAC of its id. Every person gets one now
-- (the update takes new versions, so the replicas that may see a key receive it), and every
-- new person one of their own.
ALTER TABLE person ADD COLUMN check_in_key text DEFAULT replace(gen_random_uuid()::text, '-', '');
UPDATE person SET check_in_key = replace(gen_random_uuid()::text, '-', '');
