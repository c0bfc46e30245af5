//! `rapport import`: a CSV file into records, with a report of what was left out.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use rapport_core::access::{Role, Scope, Writer};
use rapport_core::schema::RecordType;
use rapport_db::Ctx;
use rapport_db::records::{Encoding, ImportOptions, ImportReport, OnDuplicate, import_csv};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// What the rows are: contacts, companies, leads, deals or activities.
    #[arg(value_parser = parse_record_type)]
    record_type: RecordType,
    /// The CSV file; its header row names the fields (`first_name`, `E-mail`, `Telefone`, `custom.region`…).
    file: PathBuf,
    /// The user the records are created by and owned by, unless a row names an `owner_id`
    /// (default: the first active administrator).
    #[arg(long = "as", value_name = "EMAIL")]
    as_user: Option<String>,
    /// Rows whose e-mail (a company's domain) is already stored or repeats an earlier row.
    #[arg(long, value_enum, default_value = "skip")]
    on_duplicate: Duplicates,
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
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FileEncoding {
    Auto,
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "windows-1252", alias = "latin-1")]
    Windows1252,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Duplicates {
    Skip,
    Create,
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
    let file = std::fs::File::open(&args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    let options = ImportOptions {
        on_duplicate: match args.on_duplicate {
            Duplicates::Skip => OnDuplicate::Skip,
            Duplicates::Create => OnDuplicate::Create,
        },
        ignore_unknown_columns: args.ignore_unknown_columns,
        encoding: match args.encoding {
            FileEncoding::Auto => Encoding::Auto,
            FileEncoding::Utf8 => Encoding::Utf8,
            FileEncoding::Windows1252 => Encoding::Windows1252,
        },
    };
    let started = Instant::now();
    let report = import_csv(ctx, &writer, args.record_type, file, &options)
        .await
        .with_context(|| format!("cannot import {}", args.file.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} rows read in {seconds:.1} s ({:.0} rows/s): {} {} created as {}, {} duplicates skipped, {} rejected",
        report.rows,
        report.rows as f64 / seconds.max(1e-9),
        report.created,
        args.record_type.plural(),
        user.email,
        report.duplicates.len(),
        report.rejected.len(),
    );
    print_details(&report);
    if let Some(path) = &args.rejected {
        write_rejected(&report, path).with_context(|| format!("cannot write {}", path.display()))?;
        println!("rows left out written to {}", path.display());
    }
    Ok(())
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
