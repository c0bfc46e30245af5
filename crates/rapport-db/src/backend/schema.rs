//! Schema work that differs: serialising migrations, reading a table's columns.

use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement};

use crate::database::Backend;
use crate::error::{Result, StorageContext};

/// Serialises migrations across replicas starting at once.
pub async fn lock_migrations(tx: &DatabaseTransaction) -> Result<()> {
    match Backend::of(tx) {
        // The in-process writer lock plus SQLite's file lock already serialise writers.
        Backend::Sqlite => Ok(()),
        Backend::Postgres => tx
            .execute_unprepared("SELECT pg_advisory_xact_lock(7274277)")
            .await
            .map(|_| ())
            .context("take the migration lock"),
    }
}

/// Column names of a table.
pub async fn table_columns(tx: &DatabaseTransaction, table: &str) -> Result<Vec<String>> {
    let (sql, column) = match Backend::of(tx) {
        Backend::Sqlite => ("SELECT name FROM pragma_table_info(?)", "name"),
        Backend::Postgres => (
            "SELECT column_name::text AS column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
            "column_name",
        ),
    };
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(tx.get_database_backend(), sql, [table.into()]))
        .await
        .context("list a table's columns")?;
    rows.iter().map(|r| r.try_get::<String>("", column).context("read a column name")).collect()
}

/// Takes the login attempts of one account, and of one address, one at a
/// time until the transaction ends, so that counting the recent failures and
/// recording this attempt is atomic: PostgreSQL with transaction-level
/// advisory locks on both keys; SQLite has one writer at a time already.
pub async fn serialize_logins(tx: &DatabaseTransaction, account_key: &str, address: &str) -> Result<()> {
    match Backend::of(tx) {
        Backend::Sqlite => Ok(()),
        Backend::Postgres => {
            // Always the account before the address, so that two logins
            // never wait for each other in a cycle.
            let lock = Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(7274278, hashtext($1)), pg_advisory_xact_lock(7274279, hashtext($2))",
                [account_key.into(), address.into()],
            );
            tx.execute_raw(lock).await.map(|_| ()).context("take the login locks")
        }
    }
}
