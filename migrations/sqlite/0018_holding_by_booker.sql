-- How many upcoming bookings one person holds on one resource (the per-person limit) is
-- asked on every booking. Through booking_by_booker it walked every booking the person ever
-- made: a founder of some years, or a server's test account, made each booking slower than
-- the last. This index holds only the live bookings, keyed the way the question is asked.
CREATE INDEX booking_held_by_booker ON booking(booker_id, resource_id, end_at)
 WHERE status IN ('requested', 'confirmed') AND deleted = 0;
