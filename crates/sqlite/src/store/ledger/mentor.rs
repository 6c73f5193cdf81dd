use super::*;

impl MentorLedger for SqliteLedger<'_> {
    fn mentor(&mut self, resource_id: &str) -> Result<Option<MentorFacts>> {
        Ok(self
            .tx
            .prepare_cached("SELECT person_id, visibility FROM mentor WHERE resource_id = ?1")?
            .query_row([resource_id], |r| {
                Ok(MentorFacts {
                    person_id: r.get(0)?,
                    visibility: crate::domain::Visibility::from_stored(r.get_ref(1)?.as_str()?),
                })
            })
            .optional()?)
    }

    fn pair_sessions_before(&mut self, booker_id: &str, resource_id: &str, start: i64) -> Result<u32> {
        Ok(self
            .tx
            .prepare_cached(super::super::PAIR_SESSIONS_BEFORE_SQL)?
            .query_row(params![booker_id, resource_id, start], |r| r.get(0))?)
    }

    fn mentor_places(&mut self, resource_id: &str) -> Result<Option<MentorPlaces>> {
        let row: Option<(String, String)> = self
            .tx
            .prepare_cached(super::super::MENTOR_PLACES_SQL)?
            .query_row([resource_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(formats, places)| super::super::mentor_places(&formats, &places)).transpose()
    }

    fn mentor_sessions(&mut self, window: Span) -> Result<Vec<MentorSession>> {
        let mut stmt = self.tx.prepare_cached(super::super::MENTOR_SESSIONS_SQL)?;
        let rows = stmt
            .query_map([window.start, window.end], |r| {
                Ok((stored_booking(r)?, r.get::<_, String>(6)?, r.get::<_, Option<String>>(7)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(b, m, p)| Ok((to_stored(b)?, m, p))).collect()
    }

    fn write_mentor(&mut self, effect: MentorEffect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            MentorEffect::SetSessionNote { booking_id, author_id, body, at } => {
                tx.prepare_cached(
                    "INSERT INTO session_note(booking_id, author_id, body, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(booking_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                )?
                .execute(params![booking_id, author_id, body, at])?;
            }
            MentorEffect::InsertFeedback { booking_id, author_id, side, rating, comment, pairing_fits, startup_id, at } => {
                tx.prepare_cached(super::super::insert_feedback_sql(side))?.execute(params![
                    booking_id,
                    author_id,
                    rating,
                    comment,
                    pairing_fits,
                    startup_id,
                    at
                ])?;
            }
            MentorEffect::InsertMentor { id, makerspace_id, name, timezone, mentor } => {
                insert_mentor(tx, id, makerspace_id, name, timezone, mentor)?;
            }
            MentorEffect::SetPlace { booking_id, format, place, at } => {
                let place = super::super::place_json(place)?;
                tx.prepare_cached(super::super::SET_PLACE_SQL)?.execute(params![format.as_str(), place, at, booking_id])?;
            }
            MentorEffect::SetPlaceDefaults { mentor_id, defaults } => {
                tx.prepare_cached(super::super::SET_PLACE_DEFAULTS_SQL)?
                    .execute(params![super::super::defaults_json(defaults)?, mentor_id])?;
            }
            MentorEffect::UpdateMentorProfile { id, profile: p } => {
                tx.prepare_cached(super::super::mentors::UPDATE_MENTOR_PROFILE_SQL)?.execute(params![
                    p.title,
                    p.bio,
                    p.formats.join(","),
                    p.visibility.as_str(),
                    i64::from(p.full_time),
                    id
                ])?;
                tx.prepare_cached("DELETE FROM mentor_facet WHERE mentor_id = ?1")?.execute([id])?;
                write_facets(tx, id, &p.tags, &p.industries, &p.languages)?;
                if let Some(zone) = &p.timezone {
                    tx.prepare_cached(super::super::SET_RESOURCE_ZONE_SQL)?.execute(params![zone, id])?;
                }
            }
        }
        Ok(())
    }
}
