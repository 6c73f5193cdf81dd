-- A booking names the startup its booker belonged to when they booked: the session is that
-- startup's in its mentor hours and in the yearly figures, whatever the founder joins later.
-- Existing bookings take their booker's startup now, the best that is known of them.
ALTER TABLE booking ADD COLUMN startup_id TEXT;
UPDATE booking SET startup_id = (SELECT m.startup_id FROM startup_member m WHERE m.person_id = booking.booker_id)
 WHERE booker_id IN (SELECT person_id FROM startup_member);
CREATE INDEX booking_by_startup ON booking(startup_id, start_at) WHERE startup_id IS NOT NULL;

-- Whether the account this desktop signed in with is a district operator: the district's
-- side-by-side figures come from the server for them.
ALTER TABLE sync_state ADD COLUMN district_operator INTEGER NOT NULL DEFAULT 0 CHECK (district_operator IN (0, 1));
