-- A booking names its booker's startup at the time of booking. As the SQLite schema's 0017.
ALTER TABLE booking ADD COLUMN startup_id text;
UPDATE booking SET startup_id = (SELECT m.startup_id FROM startup_member m WHERE m.person_id = booking.booker_id)
 WHERE booker_id IN (SELECT person_id FROM startup_member);
CREATE INDEX booking_by_startup ON booking(startup_id, start_at) WHERE startup_id IS NOT NULL;
