use super::*;

impl StartupLedger for SqliteLedger<'_> {
    fn startup(&mut self, id: &str) -> Result<Option<StoredStartup>> {
        load_startup(self.tx, id)
    }

    fn startup_of(&mut self, person_id: &str) -> Result<Option<Id>> {
        startup_of(self.tx, person_id)
    }

    fn startup_by_credit_code(&mut self, code: &str) -> Result<Option<(Id, String)>> {
        startup_by_code(self.tx, code)
    }

    fn write_startup(&mut self, effect: StartupEffect<'_>) -> Result<()> {
        write_startup_effect(self.tx, effect)
    }
}
