//! `rapport export --all FILE.zip` and `rapport import --all FILE.zip`: the
//! whole instance out to a zip of CSV files and into a new, empty one.

use std::path::PathBuf;
use std::time::Instant;

use rapport_db::Ctx;

use crate::import::ImportArgs;

#[derive(clap::Args)]
pub struct ExportArgs {
    /// Write everything (every record kind, trashed records included, custom fields, pipelines,
    /// users without their passwords, teams, contact photos, the audit log) to this new zip of CSV files with a
    /// manifest.json of checksums, for `rapport import --all`.
    #[arg(long, value_name = "FILE.zip")]
    all: PathBuf,
}

/// `rapport import TYPE FILE` (a CSV, spreadsheet or vCard file) or
/// `rapport import --all FILE.zip`.
#[derive(clap::Args)]
pub struct ImportCommand {
    /// Restore a whole instance from an `export --all` zip into this database, which must have no
    /// users and no records. Every user gets a new random password, printed once.
    #[arg(long, value_name = "FILE.zip", conflicts_with = "ImportArgs")]
    all: Option<PathBuf>,
    #[command(flatten)]
    file: Option<ImportArgs>,
}

pub async fn export(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let exported = rapport_db::archive::export_all(&ctx.db, &args.all, ctx.now()).await?;
    for file in &exported.manifest.files {
        println!("{:<24} {:>9} rows", file.name, file.rows);
    }
    println!(
        "exported to {} ({:.1} MB) in {:.1} s; restore it into a new instance with `rapport import --all {}`",
        args.all.display(),
        exported.bytes as f64 / 1_000_000.0,
        started.elapsed().as_secs_f64(),
        args.all.display()
    );
    Ok(())
}

pub async fn import(ctx: &Ctx, command: ImportCommand) -> anyhow::Result<()> {
    let args = match (command.all, command.file) {
        (Some(zip), _) => return import_all(ctx, zip).await,
        (None, Some(args)) => args,
        (None, None) => {
            anyhow::bail!("say what to import: `rapport import TYPE FILE` or `rapport import --all FILE.zip`")
        }
    };
    crate::import::run(ctx, args).await
}

async fn import_all(ctx: &Ctx, zip: PathBuf) -> anyhow::Result<()> {
    let started = Instant::now();
    let restored = rapport_db::archive::import_all(&ctx.db, &zip).await?;
    for (name, rows) in &restored.rows {
        println!("{name:<24} {rows:>9} rows");
    }
    println!(
        "imported {} (exported by Rapport {} from {} at {}) in {:.1} s",
        zip.display(),
        restored.manifest.rapport_version,
        restored.manifest.backend,
        restored.manifest.exported_at.to_rfc3339(),
        started.elapsed().as_secs_f64()
    );
    if restored.dangling_references > 0 {
        println!(
            "note: {} references point to records the export did not have (deleted for good before it); kept as they were",
            restored.dangling_references
        );
    }
    println!("Every user has a new password (the export holds none); hand them over or reset them with");
    println!("`rapport user reset-password --email ...`. Shown once:");
    for user in &restored.users {
        let state = if user.disabled { "  (disabled)" } else { "" };
        println!("  {:<40} {}{state}", user.email, user.password);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use crate::{Cli, Command};

    fn import(args: &[&str]) -> Result<super::ImportCommand, clap::Error> {
        let cli = Cli::try_parse_from([&["rapport", "import"], args].concat())?;
        match cli.command {
            Command::Import(command) => Ok(command),
            _ => panic!("not the import command"),
        }
    }

    #[test]
    fn import_takes_a_file_of_one_kind_or_a_whole_export() {
        Cli::command().debug_assert();
        let whole = import(&["--all", "everything.zip"]).expect("a whole export");
        assert_eq!(whole.all.as_deref(), Some(std::path::Path::new("everything.zip")));
        assert!(whole.file.is_none());
        let csv = import(&["contacts", "contatos.csv", "--dry-run"]).expect("a CSV file");
        assert!(csv.all.is_none() && csv.file.is_some());
        let both = import(&["--all", "everything.zip", "contacts", "contatos.csv"]);
        assert!(both.is_err(), "one or the other");
        assert!(Cli::try_parse_from(["rapport", "export"]).is_err(), "export says what to write");
    }
}
