use super::*;

impl RecordLedger for SqliteLedger<'_> {
    type Error = CoreError;

    fn exists(&mut self, entity: Entity, id: &str) -> Result<bool> {
        let sql = match entity {
            // Any id ever used, deleted or not: an id names one booking for good.
            Entity::Booking => "SELECT EXISTS(SELECT 1 FROM booking WHERE id = ?1)",
            Entity::Person => "SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1)",
            Entity::LivePerson => "SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1 AND deleted = 0)",
            Entity::Waitlist => "SELECT EXISTS(SELECT 1 FROM waitlist WHERE id = ?1)",
            Entity::Feedback => "SELECT EXISTS(SELECT 1 FROM feedback WHERE booking_id = ?1)",
            Entity::MentorFeedback => "SELECT EXISTS(SELECT 1 FROM mentor_feedback WHERE booking_id = ?1)",
            Entity::Allocation => "SELECT EXISTS(SELECT 1 FROM hour_allocation WHERE id = ?1)",
            Entity::TopUp => "SELECT EXISTS(SELECT 1 FROM hour_topup WHERE id = ?1)",
            Entity::Resource => "SELECT EXISTS(SELECT 1 FROM resource WHERE id = ?1)",
            Entity::Lab => "SELECT EXISTS(SELECT 1 FROM lab WHERE id = ?1)",
            Entity::DateOverride => "SELECT EXISTS(SELECT 1 FROM date_override WHERE id = ?1)",
            Entity::Blackout => "SELECT EXISTS(SELECT 1 FROM blackout WHERE id = ?1)",
            Entity::MentorPerson => "SELECT EXISTS(SELECT 1 FROM mentor WHERE person_id = ?1)",
            Entity::UsageSession => "SELECT EXISTS(SELECT 1 FROM usage_session WHERE id = ?1)",
            Entity::Startup => "SELECT EXISTS(SELECT 1 FROM startup WHERE id = ?1)",
            Entity::ZoneChangeNotice => super::super::ZONE_NOTICE_EXISTS_SQL,
            Entity::Event => "SELECT EXISTS(SELECT 1 FROM event WHERE id = ?1)",
            Entity::Residency => "SELECT EXISTS(SELECT 1 FROM residency WHERE id = ?1)",
            Entity::Programme => "SELECT EXISTS(SELECT 1 FROM programme WHERE code = ?1)",
            Entity::Call => "SELECT EXISTS(SELECT 1 FROM funding_call WHERE id = ?1)",
            Entity::Application => "SELECT EXISTS(SELECT 1 FROM application WHERE id = ?1)",
            Entity::ApplicationEvent => "SELECT EXISTS(SELECT 1 FROM application_event WHERE id = ?1)",
        };
        Ok(self.tx.prepare_cached(sql)?.query_row([id], |r| r.get(0))?)
    }

    fn write_record(&mut self, effect: RecordEffect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            RecordEffect::Notify { person_id, kind, booking_id, resource_id, detail, at } => {
                tx.prepare_cached(
                    "INSERT INTO notification(id, person_id, kind, booking_id, resource_id, detail, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![new_id(), person_id, kind, booking_id, resource_id, detail.to_string(), at])?;
            }
            RecordEffect::Audit { actor_id, action, entity, entity_id, detail, at } => {
                super::super::audit(tx, at, Some(actor_id), action, entity, entity_id, detail)?;
            }
        }
        Ok(())
    }
}
