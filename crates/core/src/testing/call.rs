use super::*;
use crate::calls::application::{ApplicationBrief, StoredApplication, StoredCall};
use crate::calls::lifecycle::State;
use crate::calls::{NewCall, NewProgramme};

impl CallLedger for MemoryLedger {
    fn programme(&mut self, code: &str) -> Result<Option<NewProgramme>, Infallible> {
        Ok(self.programmes.get(code).cloned())
    }

    fn call(&mut self, id: &str) -> Result<Option<StoredCall>, Infallible> {
        Ok(self.calls.get(id).cloned())
    }

    fn call_in_batch(&mut self, programme_code: &str, year: u16, batch: u8) -> Result<Option<Id>, Infallible> {
        let same = |c: &NewCall| c.programme_code == programme_code && c.year == year && c.batch == batch;
        Ok(self.calls.values().find(|c| same(&c.call)).map(|c| c.id.clone()))
    }

    fn application(&mut self, id: &str) -> Result<Option<StoredApplication>, Infallible> {
        Ok(self.applications.get(id).cloned())
    }

    fn applications_of_call(&mut self, call_id: &str) -> Result<Vec<ApplicationBrief>, Infallible> {
        Ok(self
            .applications
            .values()
            .filter(|a| a.call_id == call_id)
            .map(|a| ApplicationBrief {
                id: a.id.clone(),
                startup_id: a.startup_id.clone(),
                applicant_id: a.applicant_id.clone(),
                state: a.state,
            })
            .collect())
    }

    fn led_ongoing(&mut self, programme_code: &str, person_id: &str, except: &str) -> Result<u32, Infallible> {
        let of_programme = |call_id: &str| self.calls.get(call_id).is_some_and(|c| c.call.programme_code == programme_code);
        let led = self
            .applications
            .values()
            .filter(|a| a.applicant_id == person_id && a.id != except && a.state == State::Accepted && of_programme(&a.call_id))
            .count();
        Ok(u32::try_from(led).unwrap_or(u32::MAX))
    }

    fn take_serial(&mut self, programme_code: &str, year: u16) -> Result<Option<u32>, Infallible> {
        if self.replica_of_a_server {
            return Ok(None);
        }
        let last = self.serials.entry((programme_code.to_string(), year)).or_insert(0);
        *last += 1;
        Ok(Some(*last))
    }

    fn write_call(&mut self, effect: CallEffect<'_>) -> Result<(), Infallible> {
        match effect {
            CallEffect::InsertProgramme { programme, .. } => {
                self.programmes.insert(programme.code.clone(), programme.clone());
            }
            CallEffect::InsertCall { id, call, .. } => {
                self.calls.insert(id.into(), StoredCall { id: id.into(), call: call.clone(), cancelled: false });
            }
            CallEffect::UpdateCall { id, call, .. } => {
                if let Some(c) = self.calls.get_mut(id) {
                    c.call = call.clone();
                }
            }
            CallEffect::CancelCall { id, .. } => {
                if let Some(c) = self.calls.get_mut(id) {
                    c.cancelled = true;
                }
            }
            CallEffect::InsertApplication { id, call_id, startup_id, applicant_id, draft, .. } => {
                let stored = StoredApplication {
                    id: id.into(),
                    call_id: call_id.into(),
                    startup_id: startup_id.into(),
                    applicant_id: applicant_id.into(),
                    state: State::Draft,
                    draft: draft.clone(),
                    code: None,
                    returned_before: false,
                    until: None,
                };
                self.applications.insert(id.into(), stored);
            }
            CallEffect::UpdateDraft { id, draft, .. } => {
                if let Some(a) = self.applications.get_mut(id) {
                    a.draft = draft.clone();
                }
            }
            CallEffect::Transition { event, code, until, .. } => {
                if let Some(a) = self.applications.get_mut(&event.application_id) {
                    a.state = event.to;
                    a.until = until;
                    a.returned_before |= event.to == State::Returned;
                    if let Some(code) = code {
                        a.code = Some(code.into());
                    }
                }
                self.application_events.push(event.clone());
            }
        }
        Ok(())
    }
}
