//! Connections with their prepared statements: each SQL text is parsed and planned once per
//! connection, not on every call (a booking runs about fifteen statements).

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Row, Statement, Transaction};

pub(super) type Statements = HashMap<String, Statement>;

pub(super) struct PgConn {
    pub client: Client,
    pub statements: Statements,
}

/// Hands out `PgConn`s to the pool.
pub(super) struct Manager(pub postgres::Config);

impl r2d2::ManageConnection for Manager {
    type Connection = PgConn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConn, postgres::Error> {
        Ok(PgConn { client: self.0.connect(NoTls)?, statements: Statements::new() })
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(drop)
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.client.is_closed()
    }
}

/// A client or a transaction, with the connection's statement cache.
pub(super) struct Sql<'a, C: GenericClient> {
    pub c: &'a mut C,
    statements: &'a mut Statements,
}

pub(super) type Tx<'a, 'b> = Sql<'a, Transaction<'b>>;

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<'a, C: GenericClient> Sql<'a, C> {
    pub fn new(c: &'a mut C, statements: &'a mut Statements) -> Sql<'a, C> {
        Sql { c, statements }
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.c.prepare(sql)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    pub fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.query(&s, params)
    }

    /// Hands each row to `f` as it arrives, without holding them all (a district year's
    /// sessions are 10⁶ rows).
    pub fn for_each_row<E: From<postgres::Error>>(
        &mut self,
        sql: &str,
        params: Params,
        mut f: impl FnMut(&Row) -> Result<(), E>,
    ) -> Result<(), E> {
        use postgres::fallible_iterator::FallibleIterator;
        let s = self.statement(sql)?;
        let mut rows = self.c.query_raw(&s, params.iter().copied())?;
        while let Some(row) = rows.next()? {
            f(&row)?;
        }
        Ok(())
    }

    pub fn query_opt(&mut self, sql: &str, params: Params) -> Result<Option<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.query_opt(&s, params)
    }

    pub fn query_one(&mut self, sql: &str, params: Params) -> Result<Row, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.query_one(&s, params)
    }

    pub fn execute(&mut self, sql: &str, params: Params) -> Result<u64, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.execute(&s, params)
    }
}

impl<'b> Sql<'_, Transaction<'b>> {
    /// Runs `f` in a savepoint: kept when `f` returns `Ok`, undone (and the transaction
    /// usable again) when it fails.
    pub fn savepoint<T, E: From<postgres::Error>>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>) -> Result<T, E> {
        let mut sp = self.c.transaction()?;
        match f(&mut Sql::new(&mut sp, self.statements)) {
            Ok(value) => {
                sp.commit()?;
                Ok(value)
            }
            Err(e) => {
                sp.rollback()?;
                Err(e)
            }
        }
    }
}

impl PgConn {
    pub fn sql(&mut self) -> Sql<'_, Client> {
        Sql::new(&mut self.client, &mut self.statements)
    }

    /// Runs `f` in a transaction, committed when `f` returns `Ok`.
    pub fn transaction<T, E: From<postgres::Error>>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>) -> Result<T, E> {
        let mut t = self.client.transaction()?;
        let value = f(&mut Sql::new(&mut t, &mut self.statements))?;
        t.commit()?;
        Ok(value)
    }

    /// Runs `f` in a read-only transaction that sees one snapshot throughout.
    pub fn snapshot<T, E: From<postgres::Error>>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>) -> Result<T, E> {
        let mut t =
            self.client.build_transaction().isolation_level(postgres::IsolationLevel::RepeatableRead).read_only(true).start()?;
        let value = f(&mut Sql::new(&mut t, &mut self.statements))?;
        t.commit()?;
        Ok(value)
    }
}
