//! The row the locking way keeps for a refused new booking, on PostgreSQL (the fast paths
//! keep theirs through `ahead::Effects`).

/// A refused new booking kept as declined with its reason (`$8`), with its values `$1`–`$7`,
/// only where the row can stand: a known resource and booker, a fresh id, a sane span.
pub(super) const DECLINED_SQL: &str =
    "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at, rejection)
     SELECT $1::text, $2::text, $3::text, $4::bigint, $5::bigint, 'declined', $6::text, $7::bigint, $7::bigint, $8::text
     WHERE EXISTS(SELECT 1 FROM resource WHERE id = $2::text)
       AND EXISTS(SELECT 1 FROM person WHERE id = $3::text) AND NOT EXISTS(SELECT 1 FROM booking WHERE id = $1::text)
       AND $5::bigint > $4::bigint AND length($1::text) BETWEEN 1 AND 64 AND length($6::text) <= 500";
