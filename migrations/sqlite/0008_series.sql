-- Repeating bookings: each occurrence is a booking that names its series, the series' rule
-- (an RFC 5545 RRULE, for ICS) and the time the rule gave it (kept when it moves alone).
ALTER TABLE booking ADD COLUMN series_id     TEXT;
ALTER TABLE booking ADD COLUMN series_rule   TEXT;
ALTER TABLE booking ADD COLUMN recurrence_at INTEGER;
ALTER TABLE booking ADD COLUMN recurrence_end INTEGER;
CREATE INDEX booking_by_series ON booking(series_id) WHERE series_id IS NOT NULL;
