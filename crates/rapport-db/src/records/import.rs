//! Importing records from a CSV file. Every row is held to the rules of an
//! API create; a row that breaks one is reported with its line number and the
//! reason, and never stops the others. Rows whose e-mail (a company's domain)
//! is already stored, or appeared earlier in the file, are skipped and
//! reported unless duplicates are allowed.
//!
//! Parsing and validation run on a blocking thread while the previous batch is
//! being written, so the two halves of the work use both cores.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};

use rapport_core::access::{Actor, Writer};
use rapport_core::descriptor::MatchKey;
use rapport_core::ids::RecordId;
use rapport_core::import::ColumnPlan;
use rapport_core::schema::RecordType;
use rapport_core::{DomainError, FieldError, ValidationErrors};
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc::error::TryRecvError;

use super::service::{build_new, resolve, store_new_overlapped};
use super::{Record, hooks, keys};
use crate::database::WriteTx;
use crate::error::{Error, Result};
use crate::settings::Ctx;

/// Rows validated and written together, in one transaction.
pub const IMPORT_BATCH_ROWS: usize = 10_000;

/// What to do with a row that matches a stored record or an earlier row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Leave it out and report it.
    #[default]
    Skip,
    /// Import it as a new record anyway.
    Create,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub on_duplicate: OnDuplicate,
    /// Skip columns that match no field instead of refusing the file.
    pub ignore_unknown_columns: bool,
    pub encoding: Encoding,
}

/// How a file's bytes are text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Encoding {
    /// UTF-8 when the file's start reads as UTF-8, else Windows-1252.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "utf-8")]
    Utf8,
    /// Also read for Latin-1 (ISO 8859-1), which it extends.
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// Bytes of the file read to guess its encoding.
const ENCODING_SAMPLE: usize = 64 * 1024;

/// A source as UTF-8: as it is, or turned from Windows-1252 byte by byte.
enum Decoded<R> {
    Utf8(std::io::Chain<std::io::Cursor<Vec<u8>>, R>),
    Windows1252 { inner: std::io::Chain<std::io::Cursor<Vec<u8>>, R>, pending: Vec<u8>, at: usize },
}

impl<R: Read> Decoded<R> {
    fn new(mut source: R, encoding: Encoding) -> std::io::Result<Self> {
        let mut sample = Vec::with_capacity(ENCODING_SAMPLE);
        (&mut source).take(ENCODING_SAMPLE as u64).read_to_end(&mut sample)?;
        let utf8 = match encoding {
            Encoding::Auto => rapport_core::text::looks_like_utf8(&sample),
            Encoding::Utf8 => true,
            Encoding::Windows1252 => false,
        };
        let inner = std::io::Cursor::new(sample).chain(source);
        Ok(if utf8 { Self::Utf8(inner) } else { Self::Windows1252 { inner, pending: Vec::new(), at: 0 } })
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Utf8(inner) => inner.read(out),
            Self::Windows1252 { inner, pending, at } => {
                if *at == pending.len() {
                    let mut raw = [0u8; 8192];
                    let n = inner.read(&mut raw)?;
                    pending.clear();
                    *at = 0;
                    for byte in &raw[..n] {
                        let mut buffer = [0u8; 4];
                        pending.extend_from_slice(
                            rapport_core::text::windows_1252_char(*byte).encode_utf8(&mut buffer).as_bytes(),
                        );
                    }
                }
                let n = out.len().min(pending.len() - *at);
                out[..n].copy_from_slice(&pending[*at..*at + n]);
                *at += n;
                Ok(n)
            }
        }
    }
}

/// A row that was not imported because it breaks a rule.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRow {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    pub errors: Vec<FieldError>,
    /// The row as it was read, so that it can be fixed and imported again.
    pub cells: Vec<String>,
}

/// A row left out because it is already there.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateRow {
    pub line: u64,
    /// The matching e-mail (or a company's domain), lower-cased.
    pub key: String,
    /// The stored record it matches, when the importer may see it, or else
    /// the earlier line.
    pub existing_id: Option<RecordId>,
    pub first_line: Option<u64>,
    /// It matches a stored record the importer may not see: neither its id
    /// nor anything of it is told.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_hidden_record: bool,
    /// The row as it was read, for the downloadable report.
    #[serde(skip)]
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// The file's header row.
    pub columns: Vec<String>,
    /// Data rows read.
    pub rows: u64,
    pub created: u64,
    pub duplicates: Vec<DuplicateRow>,
    pub rejected: Vec<RejectedRow>,
}

impl ImportReport {
    /// Every row left out, as it was read, in file order, followed by its
    /// line, what happened to it and why: the file to fix and import again.
    pub fn left_out_csv(&self) -> Result<String> {
        let mut rows: Vec<(u64, &[String], &str, String)> = Vec::new();
        for row in &self.rejected {
            let reasons: Vec<String> = row.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            rows.push((row.line, &row.cells, "rejected", reasons.join("; ")));
        }
        for row in &self.duplicates {
            let reason = match (row.existing_id, row.first_line) {
                (Some(id), _) => format!("{} is already on record {id}", row.key),
                (None, Some(first)) => format!("{} repeats line {first}", row.key),
                (None, None) => format!("{} already exists in a record you cannot see", row.key),
            };
            rows.push((row.line, &row.cells, "skipped", reason));
        }
        rows.sort_by_key(|row| row.0);
        // Rows with more cells than the header keep them all.
        let mut out = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        let write = |e: csv::Error| crate::Error::Config(format!("cannot write the import report: {e}"));
        let mut header: Vec<&str> = self.columns.iter().map(String::as_str).collect();
        header.extend(["line", "outcome", "reason"]);
        out.write_record(&header).map_err(write)?;
        for (line, cells, outcome, reason) in rows {
            // PostgreSQL's text holds no NUL, which a rejected row may have.
            let mut record: Vec<String> = cells.iter().map(|cell| cell.replace('\0', "\u{FFFD}")).collect();
            if record.len() < self.columns.len() {
                record.resize(self.columns.len(), String::new());
            }
            record.extend([line.to_string(), outcome.to_owned(), reason]);
            out.write_record(&record).map_err(write)?;
        }
        let bytes =
            out.into_inner().map_err(|e| crate::Error::Config(format!("cannot write the import report: {e}")))?;
        String::from_utf8(bytes).map_err(|e| crate::Error::Config(format!("the import report is not UTF-8: {e}")))
    }
}

/// One row read and checked, on its way from the parser to storage.
type ParsedRow = std::result::Result<Candidate, RejectedRow>;

/// A valid row: its record and the keys it is recognised by as a duplicate
/// (none when duplicates are imported), found on the parser's thread so that
/// the writer's does not have to.
struct Candidate {
    line: u64,
    cells: Vec<String>,
    record: Record,
    keys: Vec<String>,
}

/// The key duplicates are recognised by.
/// The key an import matches duplicates on: the kind's, or else e-mail.
fn duplicate_kind(record_type: RecordType) -> &'static str {
    record_type.descriptor().duplicate_key.unwrap_or(MatchKey::Email).as_str()
}

fn field_errors(error: Error) -> Result<Vec<FieldError>> {
    match error {
        Error::Domain(DomainError::Validation(errors)) => Ok(errors.0),
        Error::Domain(other) => Ok(vec![FieldError::new("", "invalid", other.to_string())]),
        other => Err(other),
    }
}

/// Excel in Brazil and much of Latin America saves CSV with `;`: the
/// delimiter is whichever of the two the header row uses more.
fn sniff_delimiter(reader: &mut impl BufRead) -> std::io::Result<u8> {
    let head = reader.fill_buf()?;
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first_line.iter().filter(|b| **b == d).count();
    Ok(if count(b';') > count(b',') { b';' } else { b',' })
}

fn bad_file(message: impl Into<String>) -> Error {
    DomainError::invalid("file", "invalid_csv", message).into()
}

/// Reads, maps and validates rows, sending them on in batches. Runs on a
/// blocking thread; returns the header row.
fn parse(
    source: impl Read,
    build: impl Fn(&Value) -> Result<Record>,
    keys_of: impl Fn(&Record) -> Vec<String>,
    plan_for: impl FnOnce(&[&str]) -> std::result::Result<ColumnPlan, ValidationErrors>,
    batches: tokio::sync::mpsc::Sender<Vec<ParsedRow>>,
) -> Result<Vec<String>> {
    let mut source = BufReader::with_capacity(1 << 16, source);
    let delimiter = sniff_delimiter(&mut source).map_err(|e| bad_file(format!("the file cannot be read: {e}")))?;
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(source);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad_file(format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let plan = plan_for(&header_refs).map_err(DomainError::from)?;
    let mut batch = Vec::with_capacity(IMPORT_BATCH_ROWS);
    let mut row = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        let outcome = match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) if row.len() > plan.width() => Err(vec![FieldError::new(
                "",
                "too_many_cells",
                format!("the row has {} cells but the header names {} columns", row.len(), plan.width()),
            )]),
            // PostgreSQL cannot store NUL, and both backends take the same input.
            Ok(true) if row.iter().any(|cell| cell.contains('\0')) => {
                Err(vec![FieldError::new("", "invalid_character", "text must not contain NUL characters")])
            }
            Ok(true) => match build(&Value::Object(plan.input(row.iter()))) {
                Ok(record) => Ok(record),
                Err(error) => Err(field_errors(error)?),
            },
            Err(error) if error.is_io_error() => return Err(bad_file(format!("the file cannot be read: {error}"))),
            Err(error) => Err(vec![FieldError::new("", "invalid_csv", format!("this row is not valid CSV: {error}"))]),
        };
        let cells = row.iter().map(str::to_owned).collect();
        batch.push(match outcome {
            Ok(record) => Ok(Candidate { line, cells, keys: keys_of(&record), record }),
            Err(errors) => Err(RejectedRow { line, errors, cells }),
        });
        if batch.len() == IMPORT_BATCH_ROWS
            && batches.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(IMPORT_BATCH_ROWS))).is_err()
        {
            return Ok(headers);
        }
    }
    if !batch.is_empty() {
        let _ = batches.blocking_send(batch);
    }
    Ok(headers)
}

/// Imports the rows of a CSV file whose header row names the fields.
#[tracing::instrument(skip_all, fields(record_type = %record_type), err(level = "debug"))]
pub async fn import_csv(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    source: impl Read + Send + 'static,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let actor: &Actor = writer;
    let encoding = options.encoding;
    let source = tokio::task::spawn_blocking(move || Decoded::new(source, encoding))
        .await
        .map_err(|e| crate::Error::Config(format!("cannot read the file: {e}")))?
        .map_err(|e| crate::Error::Config(format!("cannot read the file: {e}")))?;
    let snapshot = ctx.snapshot().await?;
    let hook_data = hooks::load(ctx.db.conn(), record_type).await?;
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<ParsedRow>>(2);
    let parser = {
        let (actor, snapshot, now) = (actor.clone(), snapshot.clone(), ctx.now());
        let ignore_unknown = options.ignore_unknown_columns;
        let skip_duplicates = options.on_duplicate == OnDuplicate::Skip;
        tokio::task::spawn_blocking(move || {
            let build = |input: &Value| build_new(&actor, &snapshot, record_type, input, &hook_data, now);
            let keys_of = |record: &Record| {
                if skip_duplicates { keys::matching_values(record, duplicate_kind(record_type)) } else { Vec::new() }
            };
            let plan_for = |headers: &[&str]| {
                ColumnPlan::new(record_type, snapshot.custom_fields_of(record_type), headers, ignore_unknown)
            };
            parse(source, build, keys_of, plan_for, sender)
        })
    };
    crate::backend::bulk_load_settings(&ctx.db, true).await?;
    let stored = store_batches(ctx, actor, record_type, &snapshot, options, &mut batches).await;
    let restored = crate::backend::bulk_load_settings(&ctx.db, false).await;
    let mut report = stored?;
    restored?;
    report.columns = parser.await.map_err(|e| bad_file(format!("the import stopped: {e}")))??;
    if report.created > 0 {
        crate::backend::refresh_table_statistics(&ctx.db, record_type.plural()).await?;
    }
    report.rejected.sort_by_key(|r| r.line);
    report.duplicates.sort_by_key(|r| r.line);
    Ok(report)
}

/// Most rows an import writes in one SQLite transaction.
///
/// A commit copies every page the transaction changed into the WAL, and an
/// import's batches change the same pages of the random-order indexes
/// (e-mails, names, companies) over and over: committing five batches at once
/// copies each such page once instead of up to five times, +10–15 % at 1M
/// contacts; 20 or 100 batches did no better (BENCHMARKS.md). The transaction
/// stays open only while the next batch is already parsed and no other write
/// may be waiting (see `WriteTx::others_may_wait`), so another write waits at
/// most for the batch being stored and the commit. PostgreSQL writes no page
/// twice for this, and commits each batch.
const ROWS_PER_SQLITE_TRANSACTION: usize = 5 * IMPORT_BATCH_ROWS;

/// The import's transaction and the rows it holds so far.
struct OpenWrite {
    tx: WriteTx,
    rows: usize,
}

/// Checks and writes the parsed batches: one transaction each, or a few
/// batches together on SQLite (see [`ROWS_PER_SQLITE_TRANSACTION`]).
async fn store_batches(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    snapshot: &crate::settings::Snapshot,
    options: &ImportOptions,
    batches: &mut tokio::sync::mpsc::Receiver<Vec<ParsedRow>>,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    // First line of each duplicate key seen in the file.
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut open: Option<OpenWrite> = None;
    loop {
        let batch = match batches.try_recv() {
            Ok(batch) => batch,
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {
                // The parser (or the upload) is behind: the writer is not held while waiting for it.
                commit(ctx, record_type, open.take(), &mut report).await?;
                match batches.recv().await {
                    Some(batch) => batch,
                    None => break,
                }
            }
        };
        report.rows += batch.len() as u64;
        let mut rows = Vec::with_capacity(batch.len());
        for row in batch {
            match row {
                Ok(candidate) => rows.push(candidate),
                Err(rejected) => report.rejected.push(rejected),
            }
        }
        let mut write = match open.take() {
            Some(write) => write,
            None => OpenWrite { tx: ctx.db.write().await?, rows: 0 },
        };
        let tx: &DatabaseTransaction = &write.tx;
        crate::backend::plan_for_current_sizes(tx).await?;
        if options.on_duplicate == OnDuplicate::Skip {
            let visible = super::service::scope(actor, snapshot, record_type);
            rows = skip_stored(tx, record_type, &visible, rows, &mut report).await?;
        }
        let mut pending: Vec<(Option<&Record>, &mut Record)> = rows.iter_mut().map(|r| (None, &mut r.record)).collect();
        let failures = resolve(tx, actor, snapshot, &mut pending).await?;
        drop(pending);
        let mut records = Vec::with_capacity(rows.len());
        for (Candidate { line, cells, record, keys }, failure) in rows.into_iter().zip(failures) {
            if let Some(errors) = failure {
                report.rejected.push(RejectedRow { line, errors: errors.0, cells });
                continue;
            }
            if let Some((key, first)) = keys.iter().find_map(|k| seen.get(k).map(|first| (k, *first))) {
                let duplicate = DuplicateRow {
                    line,
                    key: key.clone(),
                    existing_id: None,
                    first_line: Some(first),
                    in_hidden_record: false,
                    cells,
                };
                report.duplicates.push(duplicate);
                continue;
            }
            seen.extend(keys.into_iter().map(|k| (k, line)));
            records.push(record);
        }
        let records = store_new_overlapped(tx, actor, records).await?;
        write.rows += records.len();
        // Freeing 10,000 records took a tenth of this task's time, between
        // the writer's statements: it is done on another thread.
        tokio::task::spawn_blocking(move || drop(records));
        let keep_open = crate::backend::import_spans_batches(ctx.db.backend())
            && write.rows < ROWS_PER_SQLITE_TRANSACTION
            && !write.tx.others_may_wait();
        if keep_open {
            open = Some(write);
        } else {
            commit(ctx, record_type, Some(write), &mut report).await?;
        }
    }
    commit(ctx, record_type, open, &mut report).await?;
    Ok(report)
}

/// Commits the import's open transaction, if any, and counts its rows.
async fn commit(ctx: &Ctx, record_type: RecordType, open: Option<OpenWrite>, report: &mut ImportReport) -> Result<()> {
    let Some(OpenWrite { tx, rows }) = open else {
        return Ok(());
    };
    tx.commit().await?;
    report.created += rows as u64;
    // The next batch's duplicate lookups are planned from these.
    crate::backend::refresh_stale_statistics(&ctx.db, Some(&["record_keys", record_type.plural()]), 1.0).await
}

/// Leaves out rows matching a stored record of the same type. The report
/// names the stored record only if `visible` lets the importer see it.
async fn skip_stored(
    conn: &impl sea_orm::ConnectionTrait,
    record_type: RecordType,
    visible: &rapport_core::access::ReadScope,
    rows: Vec<Candidate>,
    report: &mut ImportReport,
) -> Result<Vec<Candidate>> {
    let wanted: HashSet<&String> = rows.iter().flat_map(|r| &r.keys).collect();
    let wanted: Vec<String> = wanted.into_iter().cloned().collect();
    let stored = keys::find_many(conn, record_type, duplicate_kind(record_type), &wanted).await?;
    if stored.is_empty() {
        return Ok(rows);
    }
    let stored_ids: Vec<uuid::Uuid> = stored.values().copied().collect();
    let seen: HashSet<uuid::Uuid> =
        super::repo::visible_ids(conn, record_type, &stored_ids, visible).await?.into_iter().collect();
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        match row.keys.iter().find_map(|k| stored.get(k).map(|id| (k, *id))) {
            Some((key, id)) => report.duplicates.push(DuplicateRow {
                line: row.line,
                key: key.clone(),
                existing_id: seen.contains(&id).then_some(RecordId(id)),
                first_line: None,
                in_hidden_record: !seen.contains(&id),
                cells: row.cells,
            }),
            None => kept.push(row),
        }
    }
    Ok(kept)
}
