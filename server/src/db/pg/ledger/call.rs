use incubook_core::calls::NewProgramme;
use incubook_core::calls::application::{ApplicationBrief, StoredApplication, StoredCall};

use super::super::calls;
use super::*;

impl CallLedger for PgLedger<'_, '_, '_> {
    fn programme(&mut self, code: &str) -> Res<Option<NewProgramme>> {
        calls::programme(self.tx, code)
    }

    fn call(&mut self, id: &str) -> Res<Option<StoredCall>> {
        calls::call(self.tx, id)
    }

    fn call_in_batch(&mut self, programme_code: &str, year: u16, batch: u8) -> Res<Option<Id>> {
        calls::call_in_batch(self.tx, programme_code, year, batch)
    }

    fn application(&mut self, id: &str) -> Res<Option<StoredApplication>> {
        calls::application(self.tx, id)
    }

    fn applications_of_call(&mut self, call_id: &str) -> Res<Vec<ApplicationBrief>> {
        calls::applications_of_call(self.tx, call_id)
    }

    fn led_ongoing(&mut self, programme_code: &str, person_id: &str, except: &str) -> Res<u32> {
        calls::led_ongoing(self.tx, programme_code, person_id, except)
    }

    fn take_serial(&mut self, programme_code: &str, year: u16) -> Res<Option<u32>> {
        calls::take_serial(self.tx, programme_code, year)
    }

    fn write_call(&mut self, effect: CallEffect<'_>) -> Res<()> {
        calls::write_call_effect(self.tx, effect)
    }
}
