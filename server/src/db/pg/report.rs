//! The district report on PostgreSQL: the same figures as the SQLite backend's, counted by
//! SQL here and put together by the core's pure report functions.

use chrono::NaiveDate;
use incubook_core::interval::Span;
use incubook_sqlite::indicators::{
    BOOKINGS_DUE_SQL, GroupBy, INSTRUMENTS_SQL, IndicatorReport, Instrument, ROLES_SQL, SessionRow, Tallier,
};
use incubook_sqlite::report::{self, DistrictReport, EquipmentCount, MentorHours};

use super::bookings::load_rules;
use super::sql::PgConn;
use crate::error::Result;

fn small(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

pub(super) fn district(conn: &mut PgConn, from: NaiveDate, to: NaiveDate) -> Result<DistrictReport> {
    let range = report::range_of(from, to)?;
    let (by_mentor, counts) = conn.snapshot(|tx| -> Result<_> {
    let mentors = tx.query(
        "SELECT r.id, r.name, ms.code,
                SUM(CASE WHEN b.status = 'completed' THEN 1 ELSE 0 END)::bigint,
                SUM(CASE WHEN b.status = 'completed' THEN b.end_at - b.start_at ELSE 0 END)::bigint,
                SUM(CASE WHEN b.status = 'no_show' THEN 1 ELSE 0 END)::bigint,
                AVG(f.rating)::float8,
                ARRAY(SELECT value FROM mentor_facet WHERE mentor_id = r.id AND facet = 'tag' ORDER BY value)
         FROM resource r JOIN makerspace ms ON ms.id = r.makerspace_id
         JOIN booking b ON b.resource_id = r.id AND b.start_at >= $1 AND b.start_at < $2 AND b.deleted = 0
         LEFT JOIN feedback f ON f.booking_id = b.id
         WHERE r.kind = 'mentor' GROUP BY r.id, r.name, ms.code ORDER BY ms.code, r.name",
        &[&range.start, &range.end],
    )?;
    let by_mentor: Vec<MentorHours> = mentors
        .iter()
        .map(|r| MentorHours {
            mentor_id: r.get(0),
            mentor: r.get(1),
            makerspace_code: r.get(2),
            tags: r.get(7),
            sessions: small(r.get(3)),
            hours: report::hours(r.get(4)),
            no_shows: small(r.get(5)),
            average_rating: r.get::<_, Option<f64>>(6).map(|a| (a * 10.0).round() / 10.0),
        })
        .collect();
    let equipment = tx.query(
        "SELECT r.id, r.name, l.name, ms.code, r.capacity, COUNT(b.id),
                -- LEAST and GREATEST skip NULLs: count only rows that are bookings.
                COALESCE(SUM(LEAST(b.end_at, $2) - GREATEST(b.start_at, $1)) FILTER (WHERE b.id IS NOT NULL), 0)::bigint
         FROM resource r JOIN equipment e ON e.resource_id = r.id JOIN lab l ON l.id = e.lab_id JOIN makerspace ms ON ms.id = r.makerspace_id
         LEFT JOIN booking b ON b.resource_id = r.id AND b.start_at < $2 AND b.end_at > $1 AND b.deleted = 0
              AND b.status IN ('confirmed', 'completed', 'no_show')
         WHERE r.deleted = 0 GROUP BY r.id, r.name, l.name, ms.code, r.capacity ORDER BY ms.code, l.name, r.name",
        &[&range.start, &range.end],
    )?;
    let mut counts = Vec::with_capacity(equipment.len());
    for r in &equipment {
        let id: String = r.get(0);
        let rules = load_rules(tx, &id)?;
        counts.push(EquipmentCount {
            open_s: report::open_seconds(&rules, range),
            id,
            name: r.get(1),
            lab: r.get(2),
            makerspace_code: r.get(3),
            capacity: small(r.get(4)),
            bookings: small(r.get(5)),
            booked_s: r.get(6),
        });
    }
    Ok((by_mentor, counts))
    })?;
    let mentors = report::mentor_report_of(from, to, by_mentor);
    let equipment = report::equipment_report_of(from, to, counts);
    Ok(report::district_report_of(&mentors, &equipment))
}

/// The sharing figures of the whole district: the same statements and the same tally as the
/// desktop's (`incubook_sqlite::indicators::Tallier`), over the district's rows.
pub(super) fn indicators(
    conn: &mut PgConn,
    dates: (NaiveDate, NaiveDate),
    by: GroupBy,
    (now, with_sessions): (i64, bool),
) -> Result<IndicatorReport> {
    conn.snapshot(|tx| -> Result<_> {
        let instruments = tx
            .query(INSTRUMENTS_SQL, &[])?
            .iter()
            .map(|r| Instrument {
                id: r.get(0),
                name: r.get(1),
                lab_id: r.get(2),
                lab: r.get(3),
                makerspace_id: r.get(4),
                makerspace_code: r.get(5),
                makerspace: r.get(6),
                original_value_fen: r.get(7),
                asset_number: r.get(8),
                open_for_sharing: r.get::<_, i64>(9) != 0,
            })
            .collect();
        let mut tally = Tallier::new(instruments, by, dates, with_sessions)?;
        let period = tally.period();
        for r in tx.query(ROLES_SQL, &[])? {
            tally.role(r.get(0), r.get(1));
        }
        let sessions = incubook_sqlite::indicators::sessions_sql(with_sessions);
        tx.for_each_row(sessions, &[&period.start, &period.end], |r| -> Result<()> {
            let row = SessionRow {
                resource_id: r.get(0),
                person_id: r.get(1),
                ran: Span::new(r.get(2), r.get(3)),
                class: r.get(4),
                purpose: r.get(5),
                charged_fen: r.get(6),
                id: r.get(7),
            };
            Ok(tally.session(&row)?)
        })?;
        for r in tx.query(BOOKINGS_DUE_SQL, &[&period.start, &period.end, &now])? {
            tally.bookings(r.get(0), (r.get(1), r.get(2)), (r.get(3), r.get(4)));
        }
        Ok(tally.finish(dates))
    })
}

/// Every makerspace's figures of the year (`incubook_sqlite::year`'s statements, the core's
/// `district_year_figures`), by code, from one snapshot read once.
pub(super) fn year_figures(conn: &mut PgConn, year: i32, now: i64) -> Result<Vec<incubook_core::kpi::YearFigures>> {
    use incubook_core::kpi::{YearFacts, YearSession, district_year_figures};
    use incubook_sqlite::year::{YEAR_ACTIVITIES_SQL, YEAR_MEMBERSHIPS_SQL, YEAR_MENTORS_SQL, YEAR_SESSIONS_SQL, year_range};
    let range = year_range(year)?;
    conn.snapshot(|tx| -> Result<_> {
        let spaces: Vec<(String, String, String)> = tx
            .query("SELECT id, code, name FROM makerspace WHERE deleted = 0 ORDER BY code", &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let mentors: Vec<(String, String, String, bool)> =
            tx.query(YEAR_MENTORS_SQL, &[])?.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get::<_, i64>(3) == 1)).collect();
        let sessions: Vec<YearSession> = tx
            .query(YEAR_SESSIONS_SQL, &[&range.start, &range.end])?
            .iter()
            .map(|r| YearSession {
                mentor_id: r.get(0),
                mentor_makerspace: r.get(1),
                booker_id: r.get(2),
                seconds: r.get(3),
                rating: r.get::<_, Option<i64>>(4).and_then(|v| u8::try_from(v).ok()),
                startup_id: r.get(5),
            })
            .collect();
        let memberships: Vec<(String, String)> =
            tx.query(YEAR_MEMBERSHIPS_SQL, &[])?.iter().map(|r| (r.get(0), r.get(1))).collect();
        let activities = tx
            .query(YEAR_ACTIVITIES_SQL, &[&range.start, &range.end, &now])?
            .iter()
            .map(|r| (r.get::<_, String>(0), u32::try_from(r.get::<_, i64>(1)).unwrap_or(0)))
            .collect();
        let facts = YearFacts {
            year,
            makerspaces: &spaces,
            mentors: &mentors,
            sessions: &sessions,
            memberships: &memberships,
            activities: &activities,
        };
        Ok(district_year_figures(&facts))
    })
}
