use super::*;
use crate::calls::NewProgramme;
use crate::calls::application::{ApplicationBrief, StoredApplication, StoredCall};
use crate::store::calls::{
    APPLICATIONS_OF_CALL_SQL, CALL_IN_BATCH_SQL, LED_ONGOING_SQL, PROGRAMME_SQL, brief_of, load_application, load_call,
    programme_of, take_serial, write_call_effect,
};

impl CallLedger for SqliteLedger<'_> {
    fn programme(&mut self, code: &str) -> Result<Option<NewProgramme>> {
        let row = self
            .tx
            .prepare_cached(PROGRAMME_SQL)?
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .optional()?;
        row.map(programme_of).transpose()
    }

    fn call(&mut self, id: &str) -> Result<Option<StoredCall>> {
        load_call(self.tx, id)
    }

    fn call_in_batch(&mut self, programme_code: &str, year: u16, batch: u8) -> Result<Option<Id>> {
        Ok(self.tx.prepare_cached(CALL_IN_BATCH_SQL)?.query_row(params![programme_code, year, batch], |r| r.get(0)).optional()?)
    }

    fn application(&mut self, id: &str) -> Result<Option<StoredApplication>> {
        load_application(self.tx, id)
    }

    fn applications_of_call(&mut self, call_id: &str) -> Result<Vec<ApplicationBrief>> {
        let rows = self
            .tx
            .prepare_cached(APPLICATIONS_OF_CALL_SQL)?
            .query_map([call_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(brief_of).collect()
    }

    fn led_ongoing(&mut self, programme_code: &str, person_id: &str, except: &str) -> Result<u32> {
        Ok(self.tx.prepare_cached(LED_ONGOING_SQL)?.query_row(params![programme_code, person_id, except], |r| r.get(0))?)
    }

    fn take_serial(&mut self, programme_code: &str, year: u16) -> Result<Option<u32>> {
        take_serial(self.tx, programme_code, year)
    }

    fn write_call(&mut self, effect: CallEffect<'_>) -> Result<()> {
        write_call_effect(self.tx, effect)
    }
}
