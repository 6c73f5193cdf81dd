-- Full-time and part-time mentors. As the SQLite schema's 0016.
ALTER TABLE mentor ADD COLUMN full_time bigint NOT NULL DEFAULT 0 CHECK (full_time IN (0, 1));
