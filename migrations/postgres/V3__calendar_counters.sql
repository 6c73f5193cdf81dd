-- One counter per resource calendar, bumped by every change to what a booking's decision
-- reads (policy, hours, overrides, blackouts, qualifications, bookings). A new booking reads
-- the calendar and its counter without locking, decides with the core's rules, and writes in
-- one statement only if the counter is still the one it read; otherwise it reads again. The
-- calendar's lock is then held for that one statement, not for the whole decision. The
-- counter is not synced: clients never see it. A resource without a row has counter 0.
CREATE TABLE resource_calendar (
    resource_id text PRIMARY KEY,
    seq         bigint NOT NULL
);
