use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakerspaceKey<'a> {
    Code(&'a str),
    Id(&'a str),
}

/// What the directory family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryEffect<'a> {
    /// A person; `name` is already trimmed.
    InsertPerson {
        id: &'a str,
        name: &'a str,
        person: &'a NewPerson,
        at: i64,
    },
    GrantRole {
        person_id: &'a str,
        makerspace_id: &'a str,
        role: Role,
    },
    RevokeRole {
        person_id: &'a str,
        makerspace_id: &'a str,
        role: Role,
    },
}

/// People, their roles, and makerspaces.
pub trait DirectoryLedger: RecordLedger {
    /// The person with their roles; `None` for nobody (or a deleted person).
    fn actor(&mut self, person_id: &str) -> Result<Option<Actor>, Self::Error>;
    fn lab_managers(&mut self, makerspace_id: &str) -> Result<Vec<Id>, Self::Error>;
    /// Live makerspace by its code, or by its id.
    fn makerspace(&mut self, code_or_id: MakerspaceKey<'_>) -> Result<Option<Makerspace>, Self::Error>;
    /// The name of a live person.
    fn person_name(&mut self, person_id: &str) -> Result<Option<String>, Self::Error>;
    fn write_directory(&mut self, effect: DirectoryEffect<'_>) -> Result<(), Self::Error>;
}
