-- Feedback both ways: the founder's rating of a session stays in `feedback`; the mentor's
-- rating of how the founder's startup is doing is `mentor_feedback`; one each per booking.
-- After a pair's first session each side answers whether the pairing fits. Each row names
-- the founder's startup when it was given (existing rows: the author's startup now).
ALTER TABLE feedback ADD COLUMN pairing_fits INTEGER CHECK (pairing_fits IN (0, 1));
ALTER TABLE feedback ADD COLUMN startup_id TEXT;
UPDATE feedback SET startup_id = (SELECT m.startup_id FROM startup_member m WHERE m.person_id = feedback.author_id);
CREATE INDEX feedback_by_startup ON feedback(startup_id, created_at);

CREATE TABLE mentor_feedback (
    booking_id    TEXT PRIMARY KEY REFERENCES booking(id),
    author_id     TEXT NOT NULL REFERENCES person(id),
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       TEXT NOT NULL DEFAULT '',
    pairing_fits  INTEGER CHECK (pairing_fits IN (0, 1)),
    startup_id    TEXT,
    created_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX mentor_feedback_by_version ON mentor_feedback(version);
CREATE INDEX mentor_feedback_by_startup ON mentor_feedback(startup_id, created_at);
