-- Repeating bookings. As the SQLite schema's 0008.
ALTER TABLE booking
    ADD COLUMN series_id     text,
    ADD COLUMN series_rule   text,
    ADD COLUMN recurrence_at bigint,
    ADD COLUMN recurrence_end bigint;
CREATE INDEX booking_by_series ON booking(series_id) WHERE series_id IS NOT NULL;
