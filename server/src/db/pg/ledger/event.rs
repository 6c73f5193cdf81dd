use super::*;

impl EventLedger for PgLedger<'_, '_, '_> {
    fn event(&mut self, id: &str, lock: bool) -> Res<Option<incubook_core::events::StoredEvent>> {
        use incubook_sqlite::store::EVENT_SQL;
        // Locked, registrations for one event's last places run one after another.
        let row = if lock {
            self.tx.query_opt(&format!("{EVENT_SQL} FOR UPDATE"), &[&id])?
        } else {
            self.tx.query_opt(EVENT_SQL, &[&id])?
        };
        Ok(row.map(|r| incubook_core::events::StoredEvent {
            id: r.get(0),
            makerspace_id: r.get(1),
            start: r.get(2),
            end: r.get(3),
            capacity: u32::try_from(r.get::<_, i64>(4)).unwrap_or(0),
            cancelled: r.get::<_, i64>(5) == 1,
        }))
    }

    fn registrations(&mut self, event_id: &str) -> Res<Vec<incubook_core::events::Registration>> {
        let rows = self.tx.query(incubook_sqlite::store::REGISTRATIONS_SQL, &[&event_id])?;
        Ok(rows
            .iter()
            .map(|r| incubook_core::events::Registration {
                person_id: r.get(0),
                active: r.get::<_, i64>(1) == 1,
                attended: r.get::<_, i64>(2) == 1,
            })
            .collect())
    }

    fn write_event(&mut self, effect: EventEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            EventEffect::InsertEvent { id, event: e, created_by, at } => {
                let kind: &str = e.kind.into();
                let (start, end, capacity) = (e.start.timestamp(), e.end.timestamp(), i64::from(e.capacity));
                tx.execute(
                    incubook_sqlite::store::INSERT_EVENT_SQL,
                    &[&id, &e.makerspace_id, &kind, &e.title, &start, &end, &e.place, &capacity, &created_by, &at],
                )
            }
            EventEffect::CancelEvent { id } => tx.execute(incubook_sqlite::store::CANCEL_EVENT_SQL, &[&id]),
            EventEffect::SetRegistration { event_id, person_id, active, at } => {
                tx.execute(incubook_sqlite::store::SET_REGISTRATION_SQL, &[&event_id, &person_id, &i64::from(active), &at])?;
                tx.execute(incubook_sqlite::store::COUNT_REGISTERED_SQL, &[&event_id])
            }
            EventEffect::SetAttendance { event_id, person_id, attended } => {
                tx.execute(incubook_sqlite::store::SET_ATTENDANCE_SQL, &[&i64::from(attended), &event_id, &person_id])
            }
        }?;
        Ok(())
    }
}
