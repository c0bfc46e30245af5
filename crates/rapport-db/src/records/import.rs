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
use rapport_core::import::{CellFormats, ColumnPlan, DateOrder, DecimalMark};
use rapport_core::schema::RecordType;
use rapport_core::{DomainError, FieldError, ValidationErrors};
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::mpsc::error::TryRecvError;

use super::service::{build_new, resolve, store_new_overlapped};
use super::{Record, hooks, keys};
use crate::database::WriteTx;
use crate::error::{Error, Result, StorageContext};
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
    /// Write the row's non-empty cells into the stored record it matches
    /// (an upsert); a row that matches none is created.
    Update,
}

/// The key a row is matched to a stored record (or an earlier row) by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchBy {
    /// The kind's own: e-mail for people, domain for companies.
    #[default]
    Default,
    Email,
    Phone,
    Domain,
    /// Rapport's record id, in the file's `id` column (an edited export).
    Id,
}

impl MatchBy {
    /// The `record_keys` kind it looks up, or `None` for the record id.
    fn key_kind(self, record_type: RecordType) -> Option<&'static str> {
        match self {
            Self::Default => Some(duplicate_kind(record_type)),
            Self::Email => Some(MatchKey::Email.as_str()),
            Self::Phone => Some(MatchKey::Phone.as_str()),
            Self::Domain => Some(MatchKey::Domain.as_str()),
            Self::Id => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub on_duplicate: OnDuplicate,
    pub match_by: MatchBy,
    /// Skip columns that match no field instead of refusing the file.
    pub ignore_unknown_columns: bool,
    pub encoding: Encoding,
    /// Per column, the field it fills (as `ColumnPlan::mapping` names them);
    /// `None` maps the columns by their headers.
    pub mapping: Option<Vec<Option<String>>>,
    /// The file's decimal mark and date order, each guessed from its first
    /// rows when `None`, with `fallback_formats` for what they leave open.
    pub decimal: Option<DecimalMark>,
    pub dates: Option<DateOrder>,
    pub fallback_formats: CellFormats,
    /// Checks every row as the import would, against what is stored, and
    /// stores nothing: each batch's transaction is rolled back.
    pub dry_run: bool,
    /// Reads no more than this many data rows (a preview).
    pub row_limit: Option<u64>,
    /// Creates the companies (by name or domain) and contacts (by e-mail)
    /// that rows name as their company or contact and that are not stored
    /// yet; otherwise such a row is rejected.
    pub create_missing: bool,
    /// An import kept in the `imports` table (see [`Tracked`]).
    pub tracked: Option<Tracked>,
    /// Told the bytes of the file read and the rows stored or left out,
    /// after each batch (the CLI's progress bar).
    pub on_progress: Option<ProgressHook>,
}

/// A function told how far an import has come: (bytes read, rows read).
#[derive(Clone)]
pub struct ProgressHook(pub std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

/// An import whose progress and left-out rows are committed with each batch,
/// so that the user can follow it, cancel it between batches, and resume it
/// after a crash from the first line no batch stored.
#[derive(Debug, Clone, Copy)]
pub struct Tracked {
    pub id: uuid::Uuid,
    /// Lines before it were stored (or left out) by an earlier run.
    pub resume_at_line: u64,
    /// The counts stored by that earlier run, which this one adds to.
    pub counts: ImportCounts,
}

/// The outcome of an import's rows so far: `created + updated + skipped +
/// rejected == rows`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportCounts {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub rejected: u64,
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
    /// The field each column filled.
    pub mapping: Vec<Option<String>>,
    /// How numbers and dates were read.
    pub formats: CellFormats,
    /// Data rows read.
    pub rows: u64,
    pub created: u64,
    /// Rows written into the stored record they matched.
    pub updated: u64,
    /// The lines of those rows, in a dry run (what a preview shows).
    #[serde(skip)]
    pub updated_lines: Vec<u64>,
    pub duplicates: Vec<DuplicateRow>,
    pub rejected: Vec<RejectedRow>,
    /// Left-out rows of a tracked import already stored with their batch
    /// (and no longer in `duplicates` or `rejected`).
    #[serde(skip)]
    stored_left_out: ImportCounts,
    /// A tracked import was cancelled: the batches before stay stored.
    pub cancelled: bool,
    /// The first line of the file no batch has reached yet.
    #[serde(skip)]
    next_line: u64,
    #[serde(skip)]
    bytes_read: u64,
}

impl ImportReport {
    /// The rows read so far and what became of them.
    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            rows: self.rows,
            created: self.created,
            updated: self.updated,
            skipped: self.stored_left_out.skipped + self.duplicates.len() as u64,
            rejected: self.stored_left_out.rejected + self.rejected.len() as u64,
        }
    }

    /// Every row left out, with what happened to it and why, in file order.
    pub fn left_out(&self) -> Vec<crate::imports::LeftOut<'_>> {
        let mut rows: Vec<crate::imports::LeftOut<'_>> = self
            .rejected
            .iter()
            .map(|row| {
                let reasons: Vec<String> = row.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                crate::imports::LeftOut {
                    line: row.line,
                    cells: &row.cells,
                    outcome: "rejected",
                    reason: reasons.join("; "),
                }
            })
            .chain(self.duplicates.iter().map(|row| {
                let reason = match (row.existing_id, row.first_line) {
                    (Some(id), _) => format!("{} is already on record {id}", row.key),
                    (None, Some(first)) => format!("{} repeats line {first}", row.key),
                    (None, None) => format!("{} already exists in a record you cannot see", row.key),
                };
                crate::imports::LeftOut { line: row.line, cells: &row.cells, outcome: "skipped", reason }
            }))
            .collect();
        rows.sort_by_key(|row| row.line);
        rows
    }

    /// Every row left out, as it was read, in file order, followed by its
    /// line, what happened to it and why: the file to fix and import again.
    pub fn left_out_csv(&self) -> Result<String> {
        crate::imports::left_out_csv(
            &self.columns,
            self.left_out().iter().map(|row| (row.line, row.cells, row.outcome, row.reason.as_str())),
        )
    }
}

/// One row read and checked, on its way from the parser to storage.
type ParsedRow = std::result::Result<Candidate, RejectedRow>;

/// Rows on their way to storage, and how far into the file they reach.
struct Batch {
    rows: Vec<ParsedRow>,
    /// The line after the batch's last row.
    next_line: u64,
    bytes_read: u64,
}

/// A valid row: its record and the keys it is recognised by as a duplicate
/// (none when duplicates are imported), found on the parser's thread so that
/// the writer's does not have to.
struct Candidate {
    line: u64,
    cells: Vec<String>,
    record: Record,
    keys: Vec<String>,
    /// The row as an update of a stored record (only when updating).
    patch: Map<String, Value>,
    /// References the row gives by name, domain or e-mail instead of an id.
    links: Vec<NamedLink>,
}

/// A reference a row names by text (a company's name or domain, a
/// contact's e-mail), found among stored records while the row is stored.
struct NamedLink {
    field: &'static str,
    target: RecordType,
    text: String,
}

/// Takes out of a row's input the references it gives as text, not ids.
fn split_links(record_type: RecordType, input: &mut Map<String, Value>) -> Vec<NamedLink> {
    let mut links = Vec::new();
    for spec in record_type.fields() {
        let Some(target) = spec.kind.ref_target() else { continue };
        let named = match input.get(spec.name) {
            Some(Value::String(text)) if uuid::Uuid::parse_str(text.trim()).is_err() => text.trim().to_owned(),
            _ => continue,
        };
        input.remove(spec.name);
        links.push(NamedLink { field: spec.name, target, text: named });
    }
    links
}

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

/// A CSV reader of `source` by its delimiter, and the file's header row.
fn csv_reader<R: Read>(source: R) -> Result<(csv::Reader<BufReader<R>>, Vec<String>)> {
    let mut source = BufReader::with_capacity(1 << 16, source);
    let delimiter = sniff_delimiter(&mut source).map_err(|e| bad_file(format!("the file cannot be read: {e}")))?;
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(source);
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| bad_file(format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    if columns.iter().all(|c| c.trim().is_empty()) {
        return Err(bad_file("the file is empty: its first line should name the columns"));
    }
    Ok((reader, columns))
}

/// A file's first rows as they read, each with its line.
pub type SampleRows = Vec<(u64, Vec<String>)>;

/// The header row and first `rows` rows of a file: what the import wizard
/// shows beside each row's outcome.
pub fn read_sample(file: &[u8], encoding: Encoding, rows: usize) -> Result<(Vec<String>, SampleRows)> {
    let decoded = Decoded::new(file, encoding).map_err(|e| bad_file(format!("the file cannot be read: {e}")))?;
    let (mut reader, columns) = csv_reader(decoded)?;
    let mut sample = Vec::new();
    let mut row = csv::StringRecord::new();
    while sample.len() < rows {
        let line = reader.position().line();
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) if is_blank(&row) => {}
            Ok(true) => sample.push((line, row.iter().map(str::to_owned).collect())),
            Err(error) if error.is_io_error() => return Err(bad_file(format!("the file cannot be read: {error}"))),
            Err(_) => sample.push((line, Vec::new())),
        }
    }
    Ok((columns, sample))
}

/// A row of empty cells, as spreadsheets save blank rows (`;;;;`): not a
/// row to import, nor one to report.
fn is_blank(row: &csv::StringRecord) -> bool {
    row.iter().all(|cell| cell.trim().is_empty())
}

/// Rows read to guess how the file writes numbers and dates.
pub const FORMAT_SAMPLE_ROWS: usize = 200;

/// What the parser found out about the file.
struct FileShape {
    columns: Vec<String>,
    mapping: Vec<Option<String>>,
    formats: CellFormats,
}

/// How the parser reads the file's rows.
struct ParseOptions {
    decimal: Option<DecimalMark>,
    dates: Option<DateOrder>,
    fallback_formats: CellFormats,
    row_limit: Option<u64>,
    resume_at_line: u64,
    /// Keeps each row as an update of the record it may match.
    keep_patch: bool,
    record_type: RecordType,
}

/// Reads, maps and validates rows, sending them on in batches. Runs on a
/// blocking thread.
fn parse(
    source: impl Read,
    options: ParseOptions,
    build: impl Fn(&Value) -> Result<Record>,
    keys_of: impl Fn(&Record, Option<&str>) -> Vec<String>,
    plan_for: impl FnOnce(&[&str]) -> std::result::Result<ColumnPlan, ValidationErrors>,
    batches: tokio::sync::mpsc::Sender<Batch>,
) -> Result<FileShape> {
    let (mut reader, columns) = csv_reader(source)?;
    let id_column = columns.iter().position(|c| c.trim().eq_ignore_ascii_case("id"));
    let header_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let plan = plan_for(&header_refs).map_err(DomainError::from)?;
    let next_record = |reader: &mut csv::Reader<_>| loop {
        let line = reader.position().line();
        let mut row = csv::StringRecord::new();
        return match reader.read_record(&mut row) {
            Ok(false) => Ok(None),
            Ok(true) if is_blank(&row) => continue,
            Ok(true) => Ok(Some((line, Ok(row)))),
            Err(error) if error.is_io_error() => Err(bad_file(format!("the file cannot be read: {error}"))),
            Err(error) => Ok(Some((line, Err(error)))),
        };
    };
    let mut sample = Vec::new();
    while sample.len() < FORMAT_SAMPLE_ROWS {
        match next_record(&mut reader)? {
            Some(read) => sample.push(read),
            None => break,
        }
    }
    let rows: Vec<Vec<String>> = sample
        .iter()
        .filter_map(|(_, row)| row.as_ref().ok())
        .map(|row| row.iter().map(str::to_owned).collect())
        .collect();
    let guessed = plan.guess_formats(options.fallback_formats, &rows);
    let formats = CellFormats {
        decimal: options.decimal.unwrap_or(guessed.decimal),
        dates: options.dates.unwrap_or(guessed.dates),
    };
    let plan = plan.with_formats(formats);
    let shape = FileShape { columns: columns.clone(), mapping: plan.mapping(), formats };
    let mut sample = sample.into_iter();
    let mut batch = Vec::with_capacity(IMPORT_BATCH_ROWS);
    let mut read: u64 = 0;
    loop {
        if options.row_limit.is_some_and(|limit| read >= limit) {
            break;
        }
        let (line, row) = match sample.next() {
            Some(read) => read,
            None => match next_record(&mut reader)? {
                Some(read) => read,
                None => break,
            },
        };
        if line < options.resume_at_line {
            continue;
        }
        read += 1;
        let (outcome, cells) = match row {
            Ok(row) => {
                let outcome = if row.len() > plan.width() {
                    Err(vec![FieldError::new(
                        "",
                        "too_many_cells",
                        format!("the row has {} cells but the header names {} columns", row.len(), plan.width()),
                    )])
                } else if row.iter().any(|cell| cell.contains('\0')) {
                    // PostgreSQL cannot store NUL, and both backends take the same input.
                    Err(vec![FieldError::new("", "invalid_character", "text must not contain NUL characters")])
                } else {
                    let mut input = plan.input(row.iter());
                    let links = split_links(options.record_type, &mut input);
                    match build(&Value::Object(input.clone())) {
                        Ok(record) => Ok((record, if options.keep_patch { input } else { Map::new() }, links)),
                        Err(error) => Err(field_errors(error)?),
                    }
                };
                (outcome, row.iter().map(str::to_owned).collect())
            }
            Err(error) => (
                Err(vec![FieldError::new("", "invalid_csv", format!("this row is not valid CSV: {error}"))]),
                Vec::new(),
            ),
        };
        batch.push(match outcome {
            Ok((record, patch, links)) => {
                let keys = keys_of(&record, id_column.and_then(|c| cells.get(c)).map(|c| c.trim()));
                Ok(Candidate { line, cells, keys, record, patch, links })
            }
            Err(errors) => Err(RejectedRow { line, errors, cells }),
        });
        if batch.len() == IMPORT_BATCH_ROWS {
            let rows = std::mem::replace(&mut batch, Vec::with_capacity(IMPORT_BATCH_ROWS));
            let position = reader.position();
            if batches.blocking_send(Batch { rows, next_line: position.line(), bytes_read: position.byte() }).is_err() {
                return Ok(shape);
            }
        }
    }
    if !batch.is_empty() {
        let position = reader.position();
        let _ = batches.blocking_send(Batch { rows: batch, next_line: position.line(), bytes_read: position.byte() });
    }
    Ok(shape)
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
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
    let parser = {
        let (actor, snapshot, now) = (actor.clone(), snapshot.clone(), ctx.now());
        let ignore_unknown = options.ignore_unknown_columns;
        let match_duplicates = options.on_duplicate != OnDuplicate::Create;
        let key_kind = options.match_by.key_kind(record_type);
        let mapping = options.mapping.clone();
        let parse_options = ParseOptions {
            decimal: options.decimal,
            dates: options.dates,
            fallback_formats: options.fallback_formats,
            row_limit: options.row_limit,
            resume_at_line: options.tracked.map_or(0, |t| t.resume_at_line),
            keep_patch: options.on_duplicate == OnDuplicate::Update,
            record_type,
        };
        tokio::task::spawn_blocking(move || {
            let build = |input: &Value| build_new(&actor, &snapshot, record_type, input, &hook_data, now);
            let keys_of = |record: &Record, id_cell: Option<&str>| match (match_duplicates, key_kind) {
                (false, _) => Vec::new(),
                (true, Some(kind)) => keys::matching_values(record, kind),
                (true, None) => {
                    id_cell.filter(|id| !id.is_empty()).map(|id| vec![id.to_lowercase()]).unwrap_or_default()
                }
            };
            let plan_for = |headers: &[&str]| {
                let custom = snapshot.custom_fields_of(record_type);
                match mapping {
                    Some(mut mapping) => {
                        // A mapping is per column: the file decides how many there are.
                        mapping.resize(headers.len(), None);
                        ColumnPlan::from_mapping(record_type, custom, &mapping)
                    }
                    None => ColumnPlan::new(record_type, custom, headers, ignore_unknown),
                }
            };
            parse(source, parse_options, build, keys_of, plan_for, sender)
        })
    };
    if !options.dry_run {
        crate::backend::bulk_load_settings(&ctx.db, true).await?;
    }
    let stored = store_batches(ctx, actor, record_type, &snapshot, options, &mut batches).await;
    if !options.dry_run {
        crate::backend::bulk_load_settings(&ctx.db, false).await?;
    }
    let mut report = stored?;
    // Dropping the receiver stops a parser the import no longer listens to.
    drop(batches);
    let shape = parser.await.map_err(|e| bad_file(format!("the import stopped: {e}")))??;
    report.columns = shape.columns;
    report.mapping = shape.mapping;
    report.formats = shape.formats;
    if report.created > 0 && !options.dry_run {
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
    /// Rows written into stored records.
    updated: usize,
}

/// Checks and writes the parsed batches: one transaction each, or a few
/// batches together on SQLite (see [`ROWS_PER_SQLITE_TRANSACTION`]).
async fn store_batches(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    snapshot: &crate::settings::Snapshot,
    options: &ImportOptions,
    batches: &mut tokio::sync::mpsc::Receiver<Batch>,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    if let Some(tracked) = &options.tracked {
        let counts = tracked.counts;
        report.rows = counts.rows;
        report.created = counts.created;
        report.updated = counts.updated;
        report.stored_left_out = counts;
    }
    // First line of each duplicate key seen in the file.
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut open: Option<OpenWrite> = None;
    let import_id = options.tracked.filter(|_| !options.dry_run).map(|t| t.id);
    loop {
        let batch = match batches.try_recv() {
            Ok(batch) => batch,
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {
                // The parser (or the upload) is behind: the writer is not held while waiting for it.
                commit(ctx, record_type, options, open.take(), &mut report).await?;
                match batches.recv().await {
                    Some(batch) => batch,
                    None => break,
                }
            }
        };
        if let Some(id) = import_id
            && crate::imports::cancel_requested(ctx.db.conn(), id).await?
        {
            report.cancelled = true;
            break;
        }
        report.rows += batch.rows.len() as u64;
        report.next_line = batch.next_line;
        report.bytes_read = batch.bytes_read;
        if let Some(ProgressHook(tell)) = &options.on_progress {
            tell(report.bytes_read, report.rows);
        }
        let mut rows = Vec::with_capacity(batch.rows.len());
        for row in batch.rows {
            match row {
                Ok(candidate) => rows.push(candidate),
                Err(rejected) => report.rejected.push(rejected),
            }
        }
        let mut write = match open.take() {
            Some(write) => write,
            None => OpenWrite { tx: ctx.db.write().await?, rows: 0, updated: 0 },
        };
        let tx: &DatabaseTransaction = &write.tx;
        crate::backend::plan_for_current_sizes(tx).await?;
        if rows.iter().any(|row| !row.links.is_empty()) {
            let into = UpdateTarget { ctx, tx, actor, snapshot, record_type, options, import_id };
            rows = link_named(into, rows, &mut report).await?;
        }
        match options.on_duplicate {
            OnDuplicate::Skip => {
                let visible = super::service::scope(actor, snapshot, record_type);
                rows = skip_stored(tx, record_type, &visible, rows, &mut report).await?;
            }
            OnDuplicate::Update => {
                let into = UpdateTarget { ctx, tx, actor, snapshot, record_type, options, import_id };
                let (unmatched, updated) = update_stored(into, rows, &mut report).await?;
                rows = unmatched;
                write.updated += updated;
            }
            OnDuplicate::Create => {}
        }
        let mut pending: Vec<(Option<&Record>, &mut Record)> = rows.iter_mut().map(|r| (None, &mut r.record)).collect();
        let failures = resolve(tx, actor, snapshot, &mut pending).await?;
        drop(pending);
        let mut records = Vec::with_capacity(rows.len());
        for (Candidate { line, cells, record, keys, .. }, failure) in rows.into_iter().zip(failures) {
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
        let records = store_new_overlapped(tx, actor, import_id, records).await?;
        write.rows += records.len();
        // Freeing 10,000 records took a tenth of this task's time, between
        // the writer's statements: it is done on another thread.
        tokio::task::spawn_blocking(move || drop(records));
        let keep_open = crate::backend::import_spans_batches(ctx.db.backend())
            && write.rows < ROWS_PER_SQLITE_TRANSACTION
            && !write.tx.others_may_wait()
            && !options.dry_run;
        if keep_open {
            open = Some(write);
        } else {
            commit(ctx, record_type, options, Some(write), &mut report).await?;
        }
    }
    commit(ctx, record_type, options, open, &mut report).await?;
    Ok(report)
}

/// Commits the import's open transaction, if any, and counts its rows. A
/// tracked import's progress and left-out rows are committed with them; a
/// dry run's transaction is rolled back.
async fn commit(
    ctx: &Ctx,
    record_type: RecordType,
    options: &ImportOptions,
    open: Option<OpenWrite>,
    report: &mut ImportReport,
) -> Result<()> {
    let Some(OpenWrite { tx, rows, updated }) = open else {
        return Ok(());
    };
    report.created += rows as u64;
    report.updated += updated as u64;
    if options.dry_run {
        return tx.rollback().await;
    }
    if let Some(tracked) = &options.tracked {
        let progress = crate::imports::Progress {
            counts: report.counts(),
            next_line: report.next_line,
            bytes_done: report.bytes_read,
        };
        crate::imports::record_progress(&*tx, ctx.now(), tracked.id, &progress, &report.left_out()).await?;
        report.stored_left_out = ImportCounts { rows: 0, created: 0, ..progress.counts };
        report.rejected.clear();
        report.duplicates.clear();
    }
    tx.commit().await?;
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

/// Where an import's updates are written.
struct UpdateTarget<'a> {
    ctx: &'a Ctx,
    tx: &'a DatabaseTransaction,
    actor: &'a Actor,
    snapshot: &'a crate::settings::Snapshot,
    record_type: RecordType,
    options: &'a ImportOptions,
    import_id: Option<uuid::Uuid>,
}

/// Writes each row that matches a stored record into it, audited as the
/// import's change (which undoing the import reverts); a row the update
/// refuses is rejected with the reasons. Returns the rows that match no
/// stored record, and how many were written.
async fn update_stored(
    into: UpdateTarget<'_>,
    rows: Vec<Candidate>,
    report: &mut ImportReport,
) -> Result<(Vec<Candidate>, usize)> {
    let UpdateTarget { ctx, tx, actor, snapshot, record_type, options, import_id } = into;
    let wanted: HashSet<&String> = rows.iter().flat_map(|r| &r.keys).collect();
    let wanted: Vec<String> = wanted.into_iter().cloned().collect();
    let stored: HashMap<String, uuid::Uuid> = match options.match_by.key_kind(record_type) {
        Some(kind) => keys::find_many(tx, record_type, kind, &wanted).await?,
        None => {
            let ids: Vec<uuid::Uuid> = wanted.iter().filter_map(|k| uuid::Uuid::parse_str(k).ok()).collect();
            let visible = super::service::scope(actor, snapshot, record_type);
            let found = super::repo::visible_ids(tx, record_type, &ids, &visible).await?;
            found.into_iter().map(|id| (id.to_string(), id)).collect()
        }
    };
    let (mut kept, mut updated) = (Vec::with_capacity(rows.len()), 0);
    for row in rows {
        let Some(id) = row.keys.iter().find_map(|k| stored.get(k)).copied() else {
            kept.push(row);
            continue;
        };
        let patch = Value::Object(row.patch);
        let outcome =
            super::service::update_in(ctx, tx, actor, snapshot, record_type, RecordId(id), &patch, None, import_id)
                .await;
        match outcome {
            Ok(_) => {
                updated += 1;
                if options.dry_run {
                    report.updated_lines.push(row.line);
                }
            }
            Err(error @ Error::Domain(_)) => {
                report.rejected.push(RejectedRow { line: row.line, errors: field_errors(error)?, cells: row.cells })
            }
            Err(other) => return Err(other),
        }
    }
    Ok((kept, updated))
}

/// A name, domain or e-mail as it is compared: folded words, legal
/// suffixes left out for companies.
fn link_key(target: RecordType, text: &str) -> String {
    if looks_like_domain(text) || text.contains('@') {
        return text.trim().to_lowercase();
    }
    let words = rapport_core::duplicates::name_words(text);
    let words =
        if target == RecordType::COMPANY { rapport_core::duplicates::strip_legal_suffixes(words) } else { words };
    words.join(" ")
}

fn looks_like_domain(text: &str) -> bool {
    let text = text.trim();
    text.contains('.') && !text.contains(char::is_whitespace) && !text.contains('@')
}

/// A domain as companies store it: no scheme, `www.` or path.
fn bare_domain(text: &str) -> String {
    let text = text.trim().to_lowercase();
    let text = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")).unwrap_or(&text);
    let text = text.strip_prefix("www.").unwrap_or(text);
    text.split('/').next().unwrap_or_default().to_owned()
}

/// Stored records of `target` that `texts` name: companies by domain or by
/// name (through the name blocks, then compared whole), contacts by e-mail.
async fn find_named(
    tx: &DatabaseTransaction,
    actor: &Actor,
    snapshot: &crate::settings::Snapshot,
    target: RecordType,
    texts: &[&str],
) -> Result<HashMap<String, uuid::Uuid>> {
    let mut found = HashMap::new();
    let by_key = |kind: &'static str, values: Vec<(String, String)>| async move {
        let wanted: Vec<String> = values.iter().map(|(_, v)| v.clone()).collect();
        let stored = keys::find_many(tx, target, kind, &wanted).await?;
        Ok::<_, Error>(
            values.into_iter().filter_map(|(key, v)| stored.get(&v).map(|id| (key, *id))).collect::<Vec<_>>(),
        )
    };
    let emails: Vec<(String, String)> =
        texts.iter().filter(|t| t.contains('@')).map(|t| (link_key(target, t), t.trim().to_lowercase())).collect();
    found.extend(by_key(MatchKey::Email.as_str(), emails).await?);
    if target != RecordType::COMPANY {
        return Ok(found);
    }
    let domains: Vec<(String, String)> =
        texts.iter().filter(|t| looks_like_domain(t)).map(|t| (link_key(target, t), bare_domain(t))).collect();
    found.extend(by_key(MatchKey::Domain.as_str(), domains).await?);
    let names: Vec<String> =
        texts.iter().filter(|t| !looks_like_domain(t) && !t.contains('@')).map(|t| link_key(target, t)).collect();
    let blocks: Vec<String> = names.iter().filter_map(|n| n.split(' ').next()).map(str::to_owned).collect();
    if blocks.is_empty() {
        return Ok(found);
    }
    let mut ids = Vec::new();
    for chunk in blocks.chunks(500) {
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let query = Query::select()
            .column("record_id")
            .from("record_keys")
            .and_where(Expr::col("kind").eq(rapport_core::duplicates::NAME_BLOCK_KEY))
            .and_where(Expr::col("record_type").eq(target.as_str()))
            .and_where(Expr::col("value").is_in(chunk.iter().cloned()))
            .to_owned();
        let rows = sea_orm::ConnectionTrait::query_all(tx, &query).await.context("find companies by name")?;
        for row in rows {
            ids.push(row.try_get::<uuid::Uuid>("", "record_id").context("read a company id")?);
        }
    }
    let visible = super::service::scope(actor, snapshot, target);
    for company in super::repo::fetch_many(tx, target, &ids, &visible, false).await? {
        let key = link_key(target, company.text("name").unwrap_or_default());
        if names.contains(&key) {
            found.entry(key).or_insert(company.id.0);
        }
    }
    Ok(found)
}

/// Gives each row's named references their stored records' ids; with
/// `create_missing`, creates the companies and contacts not stored yet (in
/// the batch's transaction, audited as the import's, undone with it);
/// otherwise the row is rejected with what to do.
async fn link_named(into: UpdateTarget<'_>, rows: Vec<Candidate>, report: &mut ImportReport) -> Result<Vec<Candidate>> {
    let UpdateTarget { ctx, tx, actor, snapshot, options, import_id, .. } = into;
    let mut found: HashMap<(RecordType, String), uuid::Uuid> = HashMap::new();
    for target in RecordType::all() {
        let texts: Vec<&str> =
            rows.iter().flat_map(|r| &r.links).filter(|l| l.target == target).map(|l| l.text.as_str()).collect();
        if texts.is_empty() {
            continue;
        }
        for (key, id) in find_named(tx, actor, snapshot, target, &texts).await? {
            found.insert((target, key), id);
        }
        if !options.create_missing || (target != RecordType::COMPANY && target != RecordType::CONTACT) {
            continue;
        }
        let hook_data = hooks::load(tx, target).await?;
        let mut new = Vec::new();
        let mut seen = HashSet::new();
        for text in texts {
            let key = link_key(target, text);
            if found.contains_key(&(target, key.clone())) || key.is_empty() || !seen.insert(key.clone()) {
                continue;
            }
            let company = target == RecordType::COMPANY;
            let input = if text.contains('@') {
                if company {
                    continue;
                }
                serde_json::json!({"emails": [text]})
            } else if !company {
                continue;
            } else if looks_like_domain(text) {
                serde_json::json!({"name": bare_domain(text), "domain": bare_domain(text)})
            } else {
                serde_json::json!({"name": text})
            };
            if let Ok(record) = build_new(actor, snapshot, target, &input, &hook_data, ctx.now()) {
                found.insert((target, key), record.id.0);
                new.push(record);
            }
        }
        // Also in a dry run, whose transaction is rolled back: its rows are checked against them.
        if !new.is_empty() {
            store_new_overlapped(tx, actor, import_id, new).await?;
        }
    }
    let mut kept = Vec::with_capacity(rows.len());
    for mut row in rows {
        let mut errors = Vec::new();
        for link in std::mem::take(&mut row.links) {
            match found.get(&(link.target, link_key(link.target, &link.text))) {
                Some(id) => {
                    row.record.fields.insert(link.field.into(), Value::String(id.to_string()));
                    if options.on_duplicate == OnDuplicate::Update {
                        row.patch.insert(link.field.into(), Value::String(id.to_string()));
                    }
                }
                None => errors.push(FieldError::new(
                    link.field,
                    "unknown_reference",
                    format!(
                        "no {} named '{}' is stored: add it first, or let the import create what is missing",
                        link.target, link.text
                    ),
                )),
            }
        }
        if errors.is_empty() {
            kept.push(row);
        } else {
            report.rejected.push(RejectedRow { line: row.line, errors, cells: row.cells });
        }
    }
    Ok(kept)
}

/// Records an import created per transaction when it is undone.
const UNDO_CHUNK: usize = 500;

/// What undoing an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UndoCounts {
    /// Records it created, moved to the trash.
    pub removed: u64,
    /// Records it changed, given their earlier values back.
    pub reverted: u64,
    /// Records left as they are: deleted since, or no longer the user's to change.
    pub left: u64,
}

/// Undoes an import: the fields it overwrote get their earlier values back
/// where they still hold what the import wrote (a field edited since keeps
/// its edit), and every record it created that is still live goes to the
/// trash; each change audited as the user's (and restorable from there).
pub async fn undo_import(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    import_id: uuid::Uuid,
) -> Result<UndoCounts> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let mut counts = UndoCounts::default();
    let updated = crate::audit::updated_by_import(ctx.db.conn(), import_id).await?;
    for chunk in updated.chunks(UNDO_CHUNK) {
        let tx = ctx.db.write().await?;
        for (id, changes) in chunk {
            let id = RecordId(*id);
            let current = match super::service::fetch_visible(&*tx, actor, &snapshot, record_type, id, false).await {
                Ok(record) => record.audited(),
                Err(Error::Domain(_)) => {
                    counts.left += 1;
                    continue;
                }
                Err(other) => return Err(other),
            };
            let patch = rapport_core::audit::reverting_patch(changes, &current);
            if patch.is_empty() {
                counts.left += 1;
                continue;
            }
            let patch = Value::Object(patch);
            match super::service::update_in(ctx, &*tx, actor, &snapshot, record_type, id, &patch, None, None).await {
                Ok(_) => counts.reverted += 1,
                Err(Error::Domain(_)) => counts.left += 1,
                Err(other) => return Err(other),
            }
        }
        tx.commit().await?;
    }
    let created = crate::audit::created_by_import(ctx.db.conn(), import_id).await?;
    for chunk in created.chunks(UNDO_CHUNK) {
        let tx = ctx.db.write().await?;
        for (kind, id) in chunk {
            let kind = RecordType::all().find(|t| t.as_str() == kind).unwrap_or(record_type);
            match super::service::delete_in(ctx, &*tx, actor, &snapshot, kind, RecordId(*id), None).await {
                Ok(()) => counts.removed += 1,
                Err(Error::Domain(_)) => counts.left += 1,
                Err(other) => return Err(other),
            }
        }
        tx.commit().await?;
    }
    Ok(counts)
}
