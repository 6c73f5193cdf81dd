-- Feedback both ways. As the SQLite schema's 0013.
ALTER TABLE feedback
    ADD COLUMN pairing_fits bigint CHECK (pairing_fits IN (0, 1)),
    ADD COLUMN startup_id text;
UPDATE feedback SET startup_id = (SELECT m.startup_id FROM startup_member m WHERE m.person_id = feedback.author_id);
CREATE INDEX feedback_by_startup ON feedback(startup_id, created_at);

CREATE TABLE mentor_feedback (
    booking_id    text PRIMARY KEY REFERENCES booking(id),
    author_id     text NOT NULL REFERENCES person(id),
    rating        bigint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       text NOT NULL DEFAULT '',
    pairing_fits  bigint CHECK (pairing_fits IN (0, 1)),
    startup_id    text,
    created_at    bigint NOT NULL,
    version       bigint NOT NULL DEFAULT 0
);
CREATE INDEX mentor_feedback_by_version ON mentor_feedback(version);
CREATE INDEX mentor_feedback_by_startup ON mentor_feedback(startup_id, created_at);
CREATE TRIGGER mentor_feedback_mark BEFORE INSERT OR UPDATE ON mentor_feedback FOR EACH ROW EXECUTE FUNCTION sync_mark();
CREATE TRIGGER mentor_feedback_tombstone AFTER DELETE ON mentor_feedback FOR EACH ROW EXECUTE FUNCTION sync_tombstone('booking_id');
