-- How many upcoming bookings of a resource one person may hold at once (NULL: no limit).
ALTER TABLE resource ADD COLUMN max_per_person INTEGER;
