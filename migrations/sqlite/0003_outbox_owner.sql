-- Each waiting change belongs to the account that made it and goes out only under that
-- account's client: a second account signing in on this desktop must never send the first
-- one's changes as its own. Rows waiting now belong to the account connected now.
ALTER TABLE outbox ADD COLUMN client_id TEXT;
ALTER TABLE outbox ADD COLUMN person_id TEXT;
UPDATE outbox SET client_id = (SELECT client_id FROM sync_state WHERE id = 1),
                  person_id = (SELECT person_id FROM sync_state WHERE id = 1);
CREATE INDEX outbox_by_client ON outbox(client_id, mutation_id);
