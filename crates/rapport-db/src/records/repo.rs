//! SQL for records, built with sea-query and rendered per backend.

use chrono::{DateTime, Utc};
use rapport_core::access::ReadScope;
use rapport_core::ids::RecordId;
use rapport_core::query::{Cursor, Direction, FieldRef, Filter, FilterOp, ListQuery, Operand, SystemField};
use rapport_core::schema::{RecordType, Storage};
use rapport_core::text::escape_like;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{
    Alias, Asterisk, Cond, Condition, Expr, ExprTrait, Func, InsertStatement, Order, Query, SelectStatement, SimpleExpr,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Page, Record};
use crate::backend;
use crate::database::{Backend, Database};
use crate::error::{Result, StorageContext};
use crate::row::{ColumnRead, field_columns, field_to_db, read, read_field, sort_column, to_db};

const SYSTEM_COLUMNS: [&str; 12] = [
    "id",
    "version",
    "owner_id",
    "team_id",
    "tags",
    "custom",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "deleted_at",
    "deleted_by",
];

fn table(record_type: RecordType) -> Alias {
    Alias::new(record_type.plural())
}

pub(super) fn select(record_type: RecordType) -> SelectStatement {
    let mut query = Query::select();
    query.from(table(record_type)).columns(SYSTEM_COLUMNS.map(Alias::new));
    query.columns(record_type.fields().iter().flat_map(field_columns).map(|(column, _)| Alias::new(column)));
    query
}

pub(super) fn from_row(record_type: RecordType, row: &impl ColumnRead) -> Result<Record> {
    let mut fields = Map::new();
    for spec in record_type.fields() {
        fields.insert(spec.name.to_owned(), read_field(row, spec)?);
    }
    let tags = match read(row, "tags", Storage::Json)? {
        Value::Array(items) => items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    let custom = match read(row, "custom", Storage::Json)? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Ok(Record {
        record_type,
        id: RecordId(row.required("id", ColumnRead::uuid)?),
        version: row.required("version", ColumnRead::big_int)?,
        owner_id: row.uuid("owner_id")?,
        team_id: row.uuid("team_id")?,
        tags,
        custom,
        created_at: row.required("created_at", ColumnRead::timestamp)?,
        created_by: row.uuid("created_by")?,
        updated_at: row.required("updated_at", ColumnRead::timestamp)?,
        updated_by: row.uuid("updated_by")?,
        deleted_at: row.timestamp("deleted_at")?,
        fields,
    })
}

/// The visibility filter every read ANDs in.
pub fn scope_condition(scope: &ReadScope) -> Condition {
    match scope {
        ReadScope::All => Cond::all(),
        ReadScope::OwnedOrTeams { user, teams } => {
            let mut any = Cond::any().add(Expr::col("owner_id").eq(*user));
            if !teams.is_empty() {
                any = any.add(Expr::col("team_id").is_in(teams.iter().copied()));
            }
            any
        }
    }
}

fn fetch_query(record_type: RecordType, id: RecordId, scope: &ReadScope, deleted: bool) -> SelectStatement {
    let mut query = select(record_type);
    query.and_where(Expr::col("id").eq(id.0)).cond_where(scope_condition(scope));
    query.and_where(if deleted { Expr::col("deleted_at").is_not_null() } else { Expr::col("deleted_at").is_null() });
    query
}

/// A record the scope allows, deleted or not as asked.
pub async fn fetch(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    id: RecordId,
    scope: &ReadScope,
    deleted: bool,
) -> Result<Option<Record>> {
    let row = conn.query_one(&fetch_query(record_type, id, scope, deleted)).await.context("load a record")?;
    row.map(|r| from_row(record_type, &r)).transpose()
}

/// [`fetch`] outside a transaction: a point read, on SQLite made on the
/// calling thread (see `sqlite_reader`).
pub async fn fetch_committed(
    db: &Database,
    record_type: RecordType,
    id: RecordId,
    scope: &ReadScope,
    deleted: bool,
) -> Result<Option<Record>> {
    let query = fetch_query(record_type, id, scope, deleted);
    backend::fetch_point(db, &query, "load a record", &RecordRow(record_type)).await
}

/// Reads rows of one record type.
struct RecordRow(RecordType);

impl backend::RowDecoder for RecordRow {
    type Output = Record;
    fn decode(&self, row: &impl ColumnRead) -> Result<Record> {
        from_row(self.0, row)
    }
}

/// Ids among `ids` that exist, are not deleted, and the scope allows.
pub async fn visible_ids(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    ids: &[Uuid],
    scope: &ReadScope,
) -> Result<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::select()
        .column("id")
        .from(table(record_type))
        .and_where(Expr::col("id").is_in(ids.iter().copied()))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(scope_condition(scope))
        .to_owned();
    let rows = conn.query_all(&query).await.context("check referenced records")?;
    rows.iter().map(|r| r.try_get::<Uuid>("", "id").context("read a record id")).collect()
}

/// Records among `ids` the scope allows: live ones, or (`trashed`) also
/// those in the trash.
pub async fn fetch_many(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    ids: &[Uuid],
    scope: &ReadScope,
    trashed: bool,
) -> Result<Vec<Record>> {
    let mut records = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut query = select(record_type);
        query.and_where(Expr::col("id").is_in(chunk.iter().copied())).cond_where(scope_condition(scope));
        if !trashed {
            query.and_where(Expr::col("deleted_at").is_null());
        }
        for row in conn.query_all(&query).await.context("load records")? {
            records.push(from_row(record_type, &row)?);
        }
    }
    Ok(records)
}

/// Ids of records (live or trashed) whose column `column` holds `value`.
pub async fn ids_where(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    column: &str,
    value: Uuid,
) -> Result<Vec<Uuid>> {
    let query = Query::select()
        .column("id")
        .from(table(record_type))
        .and_where(Expr::col(Alias::new(column)).eq(value))
        .to_owned();
    let rows = conn.query_all(&query).await.context("find referring records")?;
    rows.iter().map(|r| r.try_get::<Uuid>("", "id").context("read a record id")).collect()
}

fn field_values(record: &Record) -> Vec<(Alias, sea_orm::sea_query::Value)> {
    record
        .record_type
        .fields()
        .iter()
        .flat_map(|spec| field_to_db(spec, record.fields.get(spec.name).unwrap_or(&Value::Null)))
        .map(|(column, value)| (Alias::new(column), value))
        .collect()
}

fn system_values(record: &Record) -> Vec<(Alias, sea_orm::sea_query::Value)> {
    vec![
        (Alias::new("version"), record.version.into()),
        (Alias::new("owner_id"), record.owner_id.into()),
        (Alias::new("team_id"), record.team_id.into()),
        (Alias::new("tags"), serde_json::json!(record.tags).into()),
        (Alias::new("custom"), Value::Object(record.custom.clone()).into()),
        (Alias::new("updated_at"), record.updated_at.into()),
        (Alias::new("updated_by"), record.updated_by.into()),
    ]
}

/// The multi-row inserts of new records.
pub fn inserts(records: &[Record]) -> impl Iterator<Item = InsertStatement> + '_ {
    let mut columns = vec![Alias::new("id"), Alias::new("created_at"), Alias::new("created_by")];
    if let Some(first) = records.first() {
        columns.extend(system_values(first).into_iter().map(|(c, _)| c));
        columns.extend(field_values(first).into_iter().map(|(c, _)| c));
    }
    crate::row::statement_chunks(records, columns.len()).map(move |chunk| {
        let mut insert = Query::insert();
        insert.into_table(table(chunk[0].record_type)).columns(columns.clone());
        for record in chunk {
            let mut values: Vec<SimpleExpr> =
                vec![record.id.0.into(), record.created_at.into(), record.created_by.into()];
            values.extend(system_values(record).into_iter().map(|(_, v)| v.into()));
            values.extend(field_values(record).into_iter().map(|(_, v)| v.into()));
            insert.values_panic(values);
        }
        insert
    })
}

/// Writes a new version if the stored one is still `expected_version`.
pub async fn update(conn: &impl ConnectionTrait, record: &Record, expected_version: i64) -> Result<bool> {
    update_where(conn, record, expected_version, true).await
}

/// [`update`] of a record live or in the trash: a merge moves the
/// references of trashed records too.
pub async fn update_live_or_trashed(
    conn: &impl ConnectionTrait,
    record: &Record,
    expected_version: i64,
) -> Result<bool> {
    update_where(conn, record, expected_version, false).await
}

async fn update_where(conn: &impl ConnectionTrait, record: &Record, expected_version: i64, live: bool) -> Result<bool> {
    let mut update = Query::update();
    update.table(table(record.record_type));
    for (column, value) in system_values(record).into_iter().chain(field_values(record)) {
        update.value(column, value);
    }
    update.and_where(Expr::col("id").eq(record.id.0)).and_where(Expr::col("version").eq(expected_version));
    if live {
        update.and_where(Expr::col("deleted_at").is_null());
    }
    let result = conn.execute(&update).await.context("update a record")?;
    Ok(result.rows_affected() == 1)
}

/// Moves a record to (or, with `None`, out of) the trash.
pub async fn set_deleted(
    conn: &impl ConnectionTrait,
    record: &Record,
    deleted: Option<(DateTime<Utc>, Uuid)>,
) -> Result<bool> {
    let (at, by) = deleted.map_or((None, None), |(at, by)| (Some(at), Some(by)));
    let update = Query::update()
        .table(table(record.record_type))
        .value("deleted_at", at)
        .value("deleted_by", by)
        .value("version", record.version + 1)
        .and_where(Expr::col("id").eq(record.id.0))
        .and_where(Expr::col("version").eq(record.version))
        .to_owned();
    Ok(conn.execute(&update).await.context("move a record to or from the trash")?.rows_affected() == 1)
}

/// Deletes for good what has been in the trash since before `before`.
pub async fn purge_trash(db: &Database, before: DateTime<Utc>) -> Result<u64> {
    let tx = db.write().await?;
    let mut purged = 0;
    for record_type in RecordType::all() {
        let ids: Vec<Uuid> = tx
            .query_all(
                &Query::select()
                    .column("id")
                    .from(table(record_type))
                    .and_where(Expr::col("deleted_at").lt(before))
                    .to_owned(),
            )
            .await
            .context("find purgeable records")?
            .iter()
            .map(|r| r.try_get::<Uuid>("", "id").context("read a record id"))
            .collect::<Result<_>>()?;
        for chunk in ids.chunks(500) {
            let in_chunk = || chunk.iter().copied();
            tx.execute(
                &Query::delete()
                    .from_table("record_links")
                    .and_where(Expr::col("source_id").is_in(in_chunk()))
                    .to_owned(),
            )
            .await
            .context("purge record links")?;
            tx.execute(
                &Query::delete()
                    .from_table("record_links")
                    .and_where(Expr::col("target_id").is_in(in_chunk()))
                    .to_owned(),
            )
            .await
            .context("purge record links")?;
            if record_type == RecordType::CONTACT {
                let photos = Query::delete()
                    .from_table("contact_photos")
                    .and_where(Expr::col("contact_id").is_in(in_chunk()))
                    .to_owned();
                tx.execute(&photos).await.context("purge contact photos")?;
            }
            if record_type == RecordType::CONTRACT {
                let documents = Query::delete()
                    .from_table("contract_documents")
                    .and_where(Expr::col("contract_id").is_in(in_chunk()))
                    .to_owned();
                tx.execute(&documents).await.context("purge contract documents")?;
            }
            tx.execute(
                &Query::delete().from_table(table(record_type)).and_where(Expr::col("id").is_in(in_chunk())).to_owned(),
            )
            .await
            .context("purge records")?;
            for id in chunk {
                crate::audit::record(
                    &*tx,
                    before,
                    None,
                    record_type,
                    *id,
                    rapport_core::audit::AuditAction::Purge,
                    &[],
                )
                .await?;
            }
        }
        purged += ids.len() as u64;
    }
    tx.commit().await?;
    Ok(purged)
}

pub(crate) fn column_expr(backend: Backend, field: &FieldRef) -> SimpleExpr {
    match field {
        FieldRef::System(s) => Expr::col(Alias::new(s.column())),
        FieldRef::Standard { column, storage } => Expr::col(Alias::new(sort_column(column, *storage))),
        FieldRef::Custom { key, .. } => match field.storage() {
            Storage::BigInt => backend::custom_field_number(backend, key),
            Storage::Bool => backend::custom_field_bool(backend, key),
            _ => backend::custom_field_text(backend, key),
        },
    }
}

fn operand_value(operand: &Operand) -> sea_orm::sea_query::Value {
    match operand {
        Operand::Text(s) => s.clone().into(),
        Operand::Int(n) => (*n).into(),
        Operand::Float(f) => (*f).into(),
        Operand::Bool(b) => (*b).into(),
        Operand::Date(d) => (*d).into(),
        Operand::Timestamp(t) => (*t).into(),
        Operand::Uuid(u) => (*u).into(),
        Operand::List(_) => sea_orm::sea_query::Value::String(None),
    }
}

/// `hide_index`: compare `+column`, which SQLite cannot serve from the
/// column's index (see `planner`).
pub(crate) fn filter_condition(backend: Backend, filter: &Filter, hide_index: bool) -> SimpleExpr {
    let column = match &filter.field {
        FieldRef::Standard { column, storage } if hide_index => {
            Expr::cust(format!("+\"{}\"", sort_column(column, *storage)))
        }
        _ => column_expr(backend, &filter.field),
    };
    let storage = filter.field.storage();
    let json_column = match &filter.field {
        FieldRef::System(SystemField::Tags) => Some("tags"),
        FieldRef::Standard { column, storage: Storage::Json } => Some(*column),
        _ => None,
    };
    let text = |operand: &Operand| match operand {
        Operand::Text(s) => s.to_lowercase(),
        _ => String::new(),
    };
    match (filter.op, json_column) {
        (FilterOp::Contains, Some(col)) => {
            backend::json_array_any_like(backend, col, format!("%{}%", escape_like(&text(&filter.operand))))
        }
        (FilterOp::IsEmpty, Some(col)) => {
            let empty = backend::json_array_is_empty(backend, col);
            if filter.operand == Operand::Bool(true) { empty } else { empty.not() }
        }
        (FilterOp::Contains, None) => Expr::expr(Func::lower(column))
            .like(sea_orm::sea_query::LikeExpr::new(format!("%{}%", escape_like(&text(&filter.operand)))).escape('\\')),
        (FilterOp::StartsWith, None) => Expr::expr(Func::lower(column))
            .like(sea_orm::sea_query::LikeExpr::new(format!("{}%", escape_like(&text(&filter.operand)))).escape('\\')),
        (FilterOp::IsEmpty, None) => {
            let empty = if storage == Storage::Text {
                Cond::any().add(column.clone().is_null()).add(column.eq("")).into()
            } else {
                column.is_null()
            };
            if filter.operand == Operand::Bool(true) { empty } else { empty.not() }
        }
        (FilterOp::Eq, _) => column.eq(operand_value(&filter.operand)),
        (FilterOp::Ne, _) => {
            Cond::any().add(column.clone().ne(operand_value(&filter.operand))).add(column.is_null()).into()
        }
        (FilterOp::Gt, _) => column.gt(operand_value(&filter.operand)),
        (FilterOp::Lt, _) => column.lt(operand_value(&filter.operand)),
        (FilterOp::In, _) => match &filter.operand {
            Operand::List(items) => column.is_in(items.iter().map(operand_value)),
            other => column.eq(operand_value(other)),
        },
        (FilterOp::StartsWith, Some(_)) => Expr::value(false),
    }
}

/// The rows after a cursor, in the sort order, as at most two segments to
/// read one after the other: the rest of the cursor's own segment (non-null
/// values, or nulls), then the segment that follows it, if any. Each segment
/// is a plain index range, which an `OR` of the two would not be; where
/// nulls sort follows each engine (see `backend::nulls_sort_first`).
fn cursor_segments(
    backend: Backend,
    sort_column: SimpleExpr,
    ascending: bool,
    cursor: &Cursor,
    value: sea_orm::sea_query::Value,
) -> (Condition, Option<Condition>) {
    let nulls_at_end = ascending != backend::nulls_sort_first(backend);
    if Value::is_null(&cursor.value) {
        let id_after = if ascending { Expr::col("id").gt(cursor.id) } else { Expr::col("id").lt(cursor.id) };
        let rest = Cond::all().add(sort_column.clone().is_null()).add(id_after);
        let next = (!nulls_at_end).then(|| Cond::all().add(sort_column.is_not_null()));
        return (rest, next);
    }
    // A row-value comparison lets both engines seek the (column, id) index;
    // it is never true for a null column.
    let position = Expr::tuple([sort_column.clone(), Expr::col("id")]);
    let at = Expr::tuple([Expr::val(value), Expr::val(cursor.id)]);
    let rest = Cond::all().add(if ascending { position.gt(at) } else { position.lt(at) });
    let next = nulls_at_end.then(|| Cond::all().add(sort_column.is_null()));
    (rest, next)
}

/// Whether a page sorted by `sort` (indexed) is found sooner by walking the
/// sort's index and skipping rows `filter` refuses than through the filter's
/// own index (see `planner`): the filter's value (or values) counted through
/// its index, up to the threshold where the walk pays.
async fn walk_the_sort_order(
    db: &Database,
    record_type: RecordType,
    sort: &FieldRef,
    filter: &Filter,
    stats: &crate::planner::IndexStats,
    wanted: u64,
) -> Result<bool> {
    let FieldRef::Standard { column, .. } = &filter.field else { return Ok(false) };
    if !filter.field.indexed(record_type) || !matches!(filter.op, FilterOp::Eq | FilterOp::In) {
        return Ok(false);
    }
    // An index that orders the filter's rows by the sort serves both.
    let sort_column = match sort {
        FieldRef::Standard { column, .. } => *column,
        FieldRef::System(system) => system.column(),
        FieldRef::Custom { .. } => return Ok(false),
    };
    let paired = record_type.descriptor().rules.paired_indexes().contains(&(*column, sort_column));
    if *column == sort_column || paired {
        return Ok(false);
    }
    let Some(threshold) = stats.walk_threshold(&format!("{}_{column}", record_type.plural()), wanted) else {
        return Ok(false);
    };
    let matches = Query::select()
        .expr(Expr::val(1))
        .from(table(record_type))
        .and_where(filter_condition(db.backend(), filter, false))
        .limit(threshold)
        .to_owned();
    let count = Query::select().expr_as(Expr::col(Asterisk).count(), "n").from_subquery(matches, "probe").to_owned();
    let row = db.conn().query_one(&count).await.context("count a filter's rows")?;
    let n: i64 = row.map(|r| r.try_get("", "n")).transpose().context("count a filter's rows")?.unwrap_or(0);
    Ok(n as u64 >= threshold)
}

pub async fn list(
    db: &Database,
    record_type: RecordType,
    query: &ListQuery,
    scope: &ReadScope,
) -> Result<Page<Record>> {
    let backend = db.backend();
    let mut select = select(record_type);
    select.cond_where(scope_condition(scope));
    select.and_where(if query.include_deleted {
        Expr::col("deleted_at").is_not_null()
    } else {
        Expr::col("deleted_at").is_null()
    });
    let wanted = query.limit + 1;
    let stats = crate::planner::index_stats(db).await?;
    let sorted_by_index = backend::planner_needs_sort_hints(backend) && query.sort.field.indexed(record_type);
    for filter in &query.filters {
        let hide_index =
            sorted_by_index && walk_the_sort_order(db, record_type, &query.sort.field, filter, &stats, wanted).await?;
        select.and_where(filter_condition(backend, filter, hide_index));
    }
    let ascending = query.sort.direction == Direction::Asc;
    let sort_column = column_expr(backend, &query.sort.field);
    let order = if ascending { Order::Asc } else { Order::Desc };
    if query.sort.field != FieldRef::System(SystemField::Id) {
        select.order_by_expr(sort_column.clone(), order.clone());
    }
    select.order_by("id", order);
    let (first, then) = match &query.cursor {
        None => (Cond::all(), None),
        Some(cursor) if query.sort.field == FieldRef::System(SystemField::Id) => (
            Cond::all().add(if ascending { Expr::col("id").gt(cursor.id) } else { Expr::col("id").lt(cursor.id) }),
            None,
        ),
        Some(cursor) => {
            let value = to_db(query.sort.field.storage(), &cursor.value);
            cursor_segments(backend, sort_column, ascending, cursor, value)
        }
    };
    let mut rows = db
        .conn()
        .query_all(&select.clone().cond_where(first).limit(wanted).to_owned())
        .await
        .context("list records")?;
    if let Some(then) = then.filter(|_| (rows.len() as u64) < wanted) {
        let more = select.cond_where(then).limit(wanted - rows.len() as u64).to_owned();
        rows.extend(db.conn().query_all(&more).await.context("list records")?);
    }
    let mut items = rows.iter().map(|r| from_row(record_type, r)).collect::<Result<Vec<_>>>()?;
    let next_cursor = if items.len() as u64 > query.limit {
        items.truncate(query.limit as usize);
        items.last().map(|last| {
            let value = match &query.sort.field {
                FieldRef::System(SystemField::Id) => Value::Null,
                FieldRef::System(SystemField::CreatedAt) => crate::row::timestamp_json(last.created_at),
                FieldRef::System(SystemField::UpdatedAt) => crate::row::timestamp_json(last.updated_at),
                FieldRef::System(SystemField::OwnerId) => {
                    last.owner_id.map_or(Value::Null, |u| Value::String(u.to_string()))
                }
                FieldRef::System(SystemField::CreatedBy) => {
                    last.created_by.map_or(Value::Null, |u| Value::String(u.to_string()))
                }
                FieldRef::System(SystemField::UpdatedBy) => {
                    last.updated_by.map_or(Value::Null, |u| Value::String(u.to_string()))
                }
                FieldRef::System(SystemField::Tags) | FieldRef::Custom { .. } => Value::Null,
                FieldRef::Standard { column, storage: Storage::Money } => {
                    last.fields.get(*column).and_then(|m| m.get("amount_minor")).cloned().unwrap_or(Value::Null)
                }
                FieldRef::Standard { column, .. } => last.fields.get(*column).cloned().unwrap_or(Value::Null),
            };
            Cursor { value, id: last.id.0 }.encode()
        })
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
