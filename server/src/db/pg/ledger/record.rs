use super::*;

impl RecordLedger for PgLedger<'_, '_, '_> {
    type Error = Failure;

    fn exists(&mut self, entity: Entity, id: &str) -> Res<bool> {
        let sql = match entity {
            // Any id ever used, deleted or not: an id names one booking for good.
            Entity::Booking => "SELECT 1 FROM booking WHERE id = $1",
            Entity::Person => "SELECT 1 FROM person WHERE id = $1",
            Entity::LivePerson => "SELECT 1 FROM person WHERE id = $1 AND deleted = 0",
            Entity::Waitlist => "SELECT 1 FROM waitlist WHERE id = $1",
            Entity::Feedback => "SELECT 1 FROM feedback WHERE booking_id = $1",
            Entity::MentorFeedback => "SELECT 1 FROM mentor_feedback WHERE booking_id = $1",
            Entity::Allocation => "SELECT 1 FROM hour_allocation WHERE id = $1",
            Entity::TopUp => "SELECT 1 FROM hour_topup WHERE id = $1",
            Entity::Resource => "SELECT 1 FROM resource WHERE id = $1",
            Entity::Lab => "SELECT 1 FROM lab WHERE id = $1",
            Entity::DateOverride => "SELECT 1 FROM date_override WHERE id = $1",
            Entity::Blackout => "SELECT 1 FROM blackout WHERE id = $1",
            Entity::MentorPerson => "SELECT 1 FROM mentor WHERE person_id = $1",
            Entity::UsageSession => "SELECT 1 FROM usage_session WHERE id = $1",
            Entity::Startup => "SELECT 1 FROM startup WHERE id = $1",
            Entity::Event => "SELECT 1 FROM event WHERE id = $1",
            Entity::ZoneChangeNotice => "SELECT 1 FROM notification WHERE booking_id = $1 AND kind = 'zone_change'",
            Entity::Residency => "SELECT 1 FROM residency WHERE id = $1",
            Entity::Programme => "SELECT 1 FROM programme WHERE code = $1",
            Entity::Call => "SELECT 1 FROM funding_call WHERE id = $1",
            Entity::Application => "SELECT 1 FROM application WHERE id = $1",
            Entity::ApplicationEvent => "SELECT 1 FROM application_event WHERE id = $1",
        };
        Ok(self.tx.query_opt(sql, &[&id])?.is_some())
    }

    fn write_record(&mut self, effect: RecordEffect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            RecordEffect::Notify { person_id, kind, booking_id, resource_id, detail, at } => tx.execute(
                "INSERT INTO notification(id, person_id, kind, booking_id, resource_id, detail, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&new_id(), &person_id, &kind, &booking_id, &resource_id, &detail.to_string(), &at],
            ),
            RecordEffect::Audit { actor_id, action, entity, entity_id, detail, at } => tx.execute(
                "INSERT INTO audit_log(at, actor_id, action, entity, entity_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&at, &actor_id, &action, &entity, &entity_id, &detail.to_string()],
            ),
        }?;
        Ok(())
    }
}
