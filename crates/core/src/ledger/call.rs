use super::*;

/// What the calls family writes: programmes, calls, applications and their event log.
#[derive(Debug, Clone, PartialEq)]
pub enum CallEffect<'a> {
    /// A programme checked by `NewProgramme::validate`.
    InsertProgramme {
        programme: &'a NewProgramme,
        at: i64,
    },
    /// A call checked by `NewCall::validate`.
    InsertCall {
        id: &'a str,
        call: &'a NewCall,
        created_by: &'a str,
        at: i64,
    },
    /// A correction before the call opens.
    UpdateCall {
        id: &'a str,
        call: &'a NewCall,
        at: i64,
    },
    CancelCall {
        id: &'a str,
        reason: &'a str,
        at: i64,
    },
    /// A new draft (state `Draft`), checked by `ApplicationDraft::validate`.
    InsertApplication {
        id: &'a str,
        call_id: &'a str,
        startup_id: &'a str,
        applicant_id: &'a str,
        draft: &'a ApplicationDraft,
        at: i64,
    },
    UpdateDraft {
        id: &'a str,
        draft: &'a ApplicationDraft,
        at: i64,
    },
    /// One transition: its event is appended to the log and the application's cached state,
    /// deadline and code follow it.
    Transition {
        event_id: &'a str,
        event: &'a ApplicationEvent,
        code: Option<&'a str>,
        until: Option<i64>,
    },
}

/// Programmes, calls, applications.
pub trait CallLedger: RecordLedger {
    fn programme(&mut self, code: &str) -> Result<Option<NewProgramme>, Self::Error>;
    fn call(&mut self, id: &str) -> Result<Option<StoredCall>, Self::Error>;
    /// The call of a programme's year and batch, if one was published.
    fn call_in_batch(&mut self, programme_code: &str, year: u16, batch: u8) -> Result<Option<Id>, Self::Error>;
    fn application(&mut self, id: &str) -> Result<Option<StoredApplication>, Self::Error>;
    /// Every application of a call, drafts included.
    fn applications_of_call(&mut self, call_id: &str) -> Result<Vec<ApplicationBrief>, Self::Error>;
    /// The next serial of a programme's year, taken in this transaction (gap-free: a rolled
    /// back transaction takes none); `None` where codes are not minted (a desktop connected
    /// to a district server, whose codes come from the server).
    /// How many of the programme's accepted applications (its ongoing projects) the person
    /// leads, but `except`.
    fn led_ongoing(&mut self, programme_code: &str, person_id: &str, except: &str) -> Result<u32, Self::Error>;
    fn take_serial(&mut self, programme_code: &str, year: u16) -> Result<Option<u32>, Self::Error>;
    fn write_call(&mut self, effect: CallEffect<'_>) -> Result<(), Self::Error>;
}
