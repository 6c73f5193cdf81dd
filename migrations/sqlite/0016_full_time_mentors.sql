-- Whether a mentor is full-time at their makerspace (专职) or part-time (兼职): the yearly
-- figures a makerspace files count both.
ALTER TABLE mentor ADD COLUMN full_time INTEGER NOT NULL DEFAULT 0 CHECK (full_time IN (0, 1));
