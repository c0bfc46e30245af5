//! `rapport import`: a CSV file into records, with a report of what was left out.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use rapport_core::access::{Role, Scope, Writer};
use rapport_core::import::{DateOrder, DecimalMark};
use rapport_core::schema::RecordType;
use rapport_db::Ctx;
use rapport_db::records::{
    Encoding, FileKind, ImportOptions, ImportReport, MatchBy, OnDuplicate, ProgressHook, import_csv,
};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// What the rows are: contacts, companies, leads, deals or activities.
    #[arg(value_parser = parse_record_type)]
    record_type: RecordType,
    /// The CSV file, or an Excel (.xlsx) or OpenDocument (.ods) spreadsheet (its first sheet); the
    /// header row names the fields (`first_name`, `E-mail`, `Telefone`, `custom.region`…).
    /// A `.vcf` file (vCard 2.1, 3.0 or 4.0) imports contacts with their photos.
    file: PathBuf,
    /// The user the records are created by and owned by, unless a row names an `owner_id`
    /// (default: the first active administrator).
    #[arg(long = "as", value_name = "EMAIL")]
    as_user: Option<String>,
    /// Rows whose e-mail (a company's domain, or the key `--match-by` names) is already stored
    /// or repeats an earlier row: skip them, create them anyway, or update the stored record.
    #[arg(long, value_enum, default_value = "skip")]
    on_duplicate: Duplicates,
    /// What rows are matched to stored records by.
    #[arg(long, value_enum, default_value = "default")]
    match_by: MatchKey,
    /// Create the companies (by name or domain) and contacts (by e-mail) that rows name as their
    /// company or contact and that are not stored yet, instead of rejecting those rows.
    #[arg(long)]
    create_missing: bool,
    /// Skip columns that match no field instead of refusing the file.
    #[arg(long)]
    ignore_unknown_columns: bool,
    /// How the file's bytes are text: auto (UTF-8 when it reads as UTF-8, else Windows-1252,
    /// as Excel saves CSV in Brazil and Spain), utf-8, or windows-1252 (also for Latin-1).
    #[arg(long, value_enum, default_value = "auto")]
    encoding: FileEncoding,
    /// Write the rows left out (rejected, or skipped as duplicates), with `line`, `outcome` and
    /// `reason` columns, to this CSV file to fix and import again.
    #[arg(long, value_name = "FILE")]
    rejected: Option<PathBuf>,
    /// Which column fills which field, instead of the header's names: a JSON file with an object
    /// from header to field (`{"Nome": "first_name", "Obs": null}`, null skips the column; columns
    /// it does not name map by their header) or a list with one field (or null) per column.
    /// `--save-mapping` writes one.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Write the mapping used (one field or null per column) to this JSON file, for `--mapping`.
    #[arg(long, value_name = "FILE")]
    save_mapping: Option<PathBuf>,
    /// Check every row against the rules and the stored records, and store nothing.
    #[arg(long)]
    dry_run: bool,
    /// The decimal mark of the file's numbers: point (1,234.56) or comma (1.234,56).
    /// Default: guessed from the first rows.
    #[arg(long, value_enum)]
    decimal: Option<Decimal>,
    /// The order of the file's dates: day-first (31/12/2026), month-first (12/31/2026) or
    /// year-first. ISO dates (2026-12-31) are read either way. Default: guessed from the first rows.
    #[arg(long, value_enum)]
    dates: Option<Dates>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Decimal {
    Point,
    Comma,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Dates {
    #[value(name = "day-first")]
    Day,
    #[value(name = "month-first")]
    Month,
    #[value(name = "year-first")]
    Year,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FileEncoding {
    Auto,
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "windows-1252", alias = "latin-1")]
    Windows1252,
}

impl From<FileEncoding> for Encoding {
    fn from(encoding: FileEncoding) -> Self {
        match encoding {
            FileEncoding::Auto => Encoding::Auto,
            FileEncoding::Utf8 => Encoding::Utf8,
            FileEncoding::Windows1252 => Encoding::Windows1252,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Duplicates {
    Skip,
    Create,
    /// Write the row's filled cells into the stored record it matches.
    Update,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum MatchKey {
    /// E-mail for people, the website's domain for companies.
    Default,
    Email,
    Phone,
    Domain,
    /// Rapport's record id, in the file's `id` column (an edited export).
    Id,
}

fn parse_record_type(text: &str) -> Result<RecordType, String> {
    RecordType::parse(text).ok_or_else(|| {
        let names: Vec<&str> = RecordType::all().map(RecordType::plural).collect();
        format!("expected one of {}", names.join(", "))
    })
}

pub async fn run(ctx: &Ctx, args: ImportArgs) -> anyhow::Result<()> {
    let users = rapport_db::users::list(ctx).await?;
    let user = match &args.as_user {
        Some(email) => users.into_iter().find(|u| u.email.eq_ignore_ascii_case(email)),
        None => users.into_iter().find(|u| u.role == Role::Admin && !u.disabled),
    }
    .context("no such active user: pass --as EMAIL, or create an administrator with `rapport user create --admin`")?;
    let actor = rapport_db::users::actor(ctx.db.conn(), user.id, Scope::ReadWrite)
        .await?
        .with_context(|| format!("{} is disabled", user.email))?;
    let writer = Writer::try_from(actor).with_context(|| format!("{} may not change records", user.email))?;
    if args.file.extension().is_some_and(|e| e.eq_ignore_ascii_case("vcf")) {
        anyhow::ensure!(
            args.record_type == RecordType::CONTACT,
            "a vCard file holds contacts: `rapport import contacts FILE.vcf`"
        );
        return import_vcards(ctx, &writer, &args, &user.email).await;
    }
    let (file, size, encoding) = open(&args)?;
    let mapping = match &args.mapping {
        Some(path) => {
            Some(read_mapping(ctx, &args, path).await.with_context(|| format!("cannot use {}", path.display()))?)
        }
        None => None,
    };
    let bar = indicatif::ProgressBar::new(size).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let options = ImportOptions {
        on_duplicate: match args.on_duplicate {
            Duplicates::Skip => OnDuplicate::Skip,
            Duplicates::Create => OnDuplicate::Create,
            Duplicates::Update => OnDuplicate::Update,
        },
        create_missing: args.create_missing,
        match_by: match args.match_by {
            MatchKey::Default => MatchBy::Default,
            MatchKey::Email => MatchBy::Email,
            MatchKey::Phone => MatchBy::Phone,
            MatchKey::Domain => MatchBy::Domain,
            MatchKey::Id => MatchBy::Id,
        },
        ignore_unknown_columns: args.ignore_unknown_columns,
        encoding,
        mapping,
        decimal: args.decimal.map(|d| match d {
            Decimal::Point => DecimalMark::Point,
            Decimal::Comma => DecimalMark::Comma,
        }),
        dates: args.dates.map(|d| match d {
            Dates::Day => DateOrder::DayFirst,
            Dates::Month => DateOrder::MonthFirst,
            Dates::Year => DateOrder::YearFirst,
        }),
        dry_run: args.dry_run,
        on_progress: Some(ProgressHook(std::sync::Arc::new({
            let bar = bar.clone();
            move |bytes, rows| {
                bar.set_position(bytes);
                bar.set_message(format!("{rows} rows"));
            }
        }))),
        ..ImportOptions::default()
    };
    let started = Instant::now();
    let report = import_csv(ctx, &writer, args.record_type, file, &options)
        .await
        .with_context(|| format!("cannot import {}", args.file.display()))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} rows read in {seconds:.1} s ({:.0} rows/s): {} {} {} as {}, {} {}, {} duplicates skipped, {} rejected",
        report.rows,
        report.rows as f64 / seconds.max(1e-9),
        report.created,
        args.record_type.plural(),
        if args.dry_run { "would be created (dry run: nothing stored)" } else { "created" },
        user.email,
        report.updated,
        if args.dry_run { "would be updated" } else { "updated" },
        report.duplicates.len(),
        report.rejected.len(),
    );
    println!(
        "numbers read with a decimal {}, dates {}",
        match report.formats.decimal {
            DecimalMark::Point => "point",
            DecimalMark::Comma => "comma",
        },
        match report.formats.dates {
            DateOrder::DayFirst => "day first",
            DateOrder::MonthFirst => "month first",
            DateOrder::YearFirst => "year first",
        },
    );
    if let Some(path) = &args.save_mapping {
        let json = serde_json::to_string_pretty(&report.mapping)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
        println!("mapping written to {}", path.display());
    }
    print_details(&report);
    if let Some(path) = &args.rejected {
        write_rejected(&report, path).with_context(|| format!("cannot write {}", path.display()))?;
        println!("rows left out written to {}", path.display());
    }
    Ok(())
}

/// The file to import as CSV text, its size in bytes (what the progress bar
/// counts) and its encoding: a spreadsheet (XLSX, ODS) is read whole and
/// becomes the UTF-8 CSV of its first sheet; a CSV file is streamed.
fn open(args: &ImportArgs) -> anyhow::Result<(Box<dyn std::io::Read + Send>, u64, Encoding)> {
    let cannot_open = || format!("cannot open {}", args.file.display());
    let mut file = std::fs::File::open(&args.file).with_context(cannot_open)?;
    let mut magic = [0u8; 4];
    let read = std::io::Read::read(&mut file, &mut magic).with_context(cannot_open)?;
    std::io::Seek::rewind(&mut file).with_context(cannot_open)?;
    if !(magic[..read].starts_with(b"PK") || magic[..read].starts_with(&[0xD0, 0xCF])) {
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        return Ok((Box::new(file), size, args.encoding.into()));
    }
    let bytes = std::fs::read(&args.file).with_context(cannot_open)?;
    let encoding = match rapport_db::records::file_kind(&bytes) {
        FileKind::Csv => args.encoding.into(),
        _ => Encoding::Utf8,
    };
    let csv = rapport_db::records::spreadsheet_as_csv(bytes)?;
    let size = csv.len() as u64;
    Ok((Box::new(std::io::Cursor::new(csv)), size, encoding))
}

/// Contacts from a vCard file (Google Contacts, Outlook, iPhone, 4.0): a
/// line per card that was not created, and the counts.
async fn import_vcards(ctx: &Ctx, writer: &Writer, args: &ImportArgs, email: &str) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let labels = rapport_core::vcard::NoteLabels { address: "Address", organization: "Organization" };
    let report = rapport_db::records::import_vcards(ctx, writer, &bytes, labels)
        .await
        .with_context(|| format!("cannot import {}", args.file.display()))?;
    for card in report.cards.iter().filter(|c| c.outcome != "created" || !c.warnings.is_empty()) {
        let reasons: Vec<String> = card
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .chain(card.warnings.iter().cloned())
            .collect();
        println!("line {}: {} {} ({})", card.line, card.name, card.outcome, reasons.join("; "));
    }
    println!(
        "{} cards: {} contacts created as {email} ({} photos), {} duplicates skipped, {} rejected",
        report.cards.len(),
        report.created,
        report.photos,
        report.skipped,
        report.rejected,
    );
    Ok(())
}

/// A mapping file as one field (or null) per column of the file: a list as
/// it is, an object by the file's header row (unnamed columns by their names).
async fn read_mapping(ctx: &Ctx, args: &ImportArgs, path: &std::path::Path) -> anyhow::Result<Vec<Option<String>>> {
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    if let Ok(list) = serde_json::from_value::<Vec<Option<String>>>(json.clone()) {
        return Ok(list);
    }
    let by_header: std::collections::HashMap<String, Option<String>> =
        serde_json::from_value(json).context("expected an object from column header to field, or a list of fields")?;
    // The header row is at the start.
    let (file, _, encoding) = open(args)?;
    let mut head = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, 1 << 20), &mut head)?;
    let (columns, _) = rapport_db::records::read_sample(&head, encoding, 0)?;
    let snapshot = ctx.snapshot().await?;
    let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
    let suggested = rapport_core::import::ColumnPlan::suggest(
        args.record_type,
        snapshot.custom_fields_of(args.record_type),
        &headers,
    );
    Ok(columns
        .iter()
        .zip(suggested)
        .map(|(header, suggested)| by_header.get(header).cloned().unwrap_or(suggested))
        .collect())
}

/// The first few problems, by line.
fn print_details(report: &ImportReport) {
    const SHOWN: usize = 20;
    for row in report.rejected.iter().take(SHOWN) {
        let reasons: Vec<String> = row.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        println!("  line {}: rejected, {}", row.line, reasons.join("; "));
    }
    for row in report.duplicates.iter().take(SHOWN) {
        match (row.existing_id, row.first_line) {
            (Some(id), _) => println!("  line {}: skipped, {} is already on record {id}", row.line, row.key),
            (None, Some(first)) => println!("  line {}: skipped, {} repeats line {first}", row.line, row.key),
            (None, None) => println!("  line {}: skipped, {} is a duplicate", row.line, row.key),
        }
    }
    let hidden = report.rejected.len().saturating_sub(SHOWN) + report.duplicates.len().saturating_sub(SHOWN);
    if hidden > 0 {
        println!("  … and {hidden} more (write them with --rejected FILE)");
    }
}

/// The rows left out as they were read, plus their line and what to fix.
fn write_rejected(report: &ImportReport, path: &std::path::Path) -> anyhow::Result<()> {
    std::fs::write(path, report.left_out_csv()?)?;
    Ok(())
}
