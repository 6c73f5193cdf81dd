use super::*;

impl MentorLedger for PgLedger<'_, '_, '_> {
    fn mentor(&mut self, resource_id: &str) -> Res<Option<MentorFacts>> {
        let row = self.tx.query_opt("SELECT person_id, visibility FROM mentor WHERE resource_id = $1", &[&resource_id])?;
        Ok(row.map(|r| MentorFacts { person_id: r.get(0), visibility: incubook_core::domain::Visibility::from_stored(r.get(1)) }))
    }

    fn pair_sessions_before(&mut self, booker_id: &str, resource_id: &str, start: i64) -> Res<u32> {
        let row = self.tx.query_one(incubook_sqlite::store::PAIR_SESSIONS_BEFORE_SQL, &[&booker_id, &resource_id, &start])?;
        Ok(u32::try_from(row.get::<_, i64>(0)).unwrap_or(u32::MAX))
    }

    fn mentor_places(&mut self, resource_id: &str) -> Res<Option<MentorPlaces>> {
        let row = self.tx.query_opt(incubook_sqlite::store::MENTOR_PLACES_SQL, &[&resource_id])?;
        Ok(row.map(|r| incubook_sqlite::store::mentor_places(r.get(0), r.get(1))).transpose()?)
    }

    fn mentor_sessions(&mut self, window: Span) -> Res<Vec<MentorSession>> {
        let rows = self.tx.query(incubook_sqlite::store::MENTOR_SESSIONS_SQL, &[&window.start, &window.end])?;
        rows.iter().map(|r| Ok((stored_booking(r)?, r.get(6), r.get(7)))).collect()
    }

    fn write_mentor(&mut self, effect: MentorEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            MentorEffect::SetSessionNote { booking_id, author_id, body, at } => tx.execute(
                "INSERT INTO session_note(booking_id, author_id, body, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (booking_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                &[&booking_id, &author_id, &body, &at],
            ),
            MentorEffect::InsertFeedback { booking_id, author_id, side, rating, comment, pairing_fits, startup_id, at } => tx
                .execute(
                    incubook_sqlite::store::insert_feedback_sql(side),
                    &[&booking_id, &author_id, &i64::from(rating), &comment, &pairing_fits.map(i64::from), &startup_id, &at],
                ),
            MentorEffect::InsertMentor { id, makerspace_id, name, timezone, mentor: m } => {
                tx.execute(
                    INSERT_RESOURCE_SQL,
                    &[&id, &"mentor", &makerspace_id, &name, &timezone, &encode_weekly(&m.weekly_hours)],
                )?;
                write_policy(tx, id, &m.policy)?;
                tx.execute(
                    incubook_sqlite::store::INSERT_MENTOR_SQL,
                    &[&id, &m.person_id, &m.title, &m.bio, &m.formats.join(","), &m.visibility.as_str(), &i64::from(m.full_time)],
                )?;
                return write_facets(tx, id, &m.tags, &m.industries, &m.languages);
            }
            MentorEffect::SetPlace { booking_id, format, place, at } => {
                let place = incubook_sqlite::store::place_json(place)?;
                tx.execute(incubook_sqlite::store::SET_PLACE_SQL, &[&format.as_str(), &place, &at, &booking_id])
            }
            MentorEffect::SetPlaceDefaults { mentor_id, defaults } => {
                let json = incubook_sqlite::store::defaults_json(defaults)?;
                tx.execute(incubook_sqlite::store::SET_PLACE_DEFAULTS_SQL, &[&json, &mentor_id])
            }
            MentorEffect::UpdateMentorProfile { id, profile: p } => {
                tx.execute(
                    incubook_sqlite::store::UPDATE_MENTOR_PROFILE_SQL,
                    &[&p.title, &p.bio, &p.formats.join(","), &p.visibility.as_str(), &i64::from(p.full_time), &id],
                )?;
                if let Some(zone) = &p.timezone {
                    tx.execute(incubook_sqlite::store::SET_RESOURCE_ZONE_SQL, &[zone, &id])?;
                }
                return write_facets(tx, id, &p.tags, &p.industries, &p.languages);
            }
        }?;
        Ok(())
    }
}
