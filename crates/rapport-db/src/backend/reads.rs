//! Point reads: on SQLite made on the calling thread (see `sqlite_reader`),
//! on PostgreSQL through the pool.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::SelectStatement;

use crate::database::Database;
use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;

/// Turns a row of either driver into a value.
pub(crate) trait RowDecoder {
    type Output;
    fn decode(&self, row: &impl ColumnRead) -> Result<Self::Output>;
}

/// The one row `query` selects, outside any transaction.
pub(crate) async fn fetch_point<R: RowDecoder>(
    db: &Database,
    query: &SelectStatement,
    context: &'static str,
    decode: &R,
) -> Result<Option<R::Output>> {
    match db.sqlite_reader() {
        Some(reader) => reader.query_one(query, context, |row| decode.decode(row)),
        None => db.conn().query_one(query).await.context(context)?.map(|row| decode.decode(&row)).transpose(),
    }
}
