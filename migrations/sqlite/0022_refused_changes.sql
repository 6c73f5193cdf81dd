-- Desktop: changes made here that the server refused for good, kept after the outbox lets
-- them go, so that `sync-status` and Settings still say which change (a kiosk's check-in,
-- and of which booking) was refused and why — not only the sync that met the refusal.
CREATE TABLE refused_change (
    mutation_id  INTEGER NOT NULL,
    name         TEXT NOT NULL,
    booking_id   TEXT,
    code         TEXT NOT NULL,
    message      TEXT NOT NULL,
    at           INTEGER NOT NULL
) STRICT;
CREATE INDEX refused_change_by_at ON refused_change(at);
