//! `rapport`: the single binary (web API, worker, command line).

mod archive;
mod bench;
mod config;
mod demo;
mod import;
mod load;
mod load_past;

use std::io::BufRead;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use rapport_core::access::{Role, Scope};
use rapport_core::clock::SystemClock;
use rapport_db::users::{NewUser, OnPasswordChange};
use rapport_db::{Ctx, Database};

use config::{Config, Overrides};

/// mimalloc hands freed memory back to the system; glibc's allocator kept a
/// burst of requests' peak for good (issue 19: 135 MiB idle, 200 MiB after
/// 400 concurrent logins, never less).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "rapport", version, about = "Rapport CRM: contacts, deals, service and marketing in one binary")]
struct Cli {
    /// Configuration file (default: ./rapport.toml if present).
    #[arg(long, global = true)]
    config: Option<std::path::PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [env: RAPPORT_DATABASE_URL].
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Folder for the embedded SQLite database [env: RAPPORT_DATA_DIR].
    #[arg(long, global = true)]
    data_dir: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server, API and background worker.
    Serve {
        /// Address to listen on [env: RAPPORT_BIND] (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import records from a CSV file: each row is checked like an API create; rejected rows
    /// and skipped duplicates are reported by line. `--all FILE.zip` restores a whole export.
    Import(archive::ImportCommand),
    /// Export the whole instance (`--all FILE.zip`), to leave or to move to another server.
    Export(archive::ExportArgs),
    /// Copy the SQLite database, consistent, while the server keeps serving (PostgreSQL: pg_dump).
    Backup {
        /// Where to write it (default: a dated file in a `backups` folder beside the database).
        #[arg(long)]
        to: Option<std::path::PathBuf>,
    },
    /// Put a backup in place of the SQLite database, after checking it; stop the server first.
    /// The database it replaces is kept beside it as `….before-restore`.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
    },
    /// Run the benchmark workloads on a fresh database and print the figures.
    Bench(bench::BenchArgs),
    /// Load a realistic demo data set (Brazil, Spanish-speaking countries, US) with two years of sales history.
    Demo {
        /// Number of contacts; companies, leads, deals and activities scale with it.
        #[arg(long, default_value_t = 2000)]
        scale: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from stdin with --password-stdin, else generated and printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, manager, member or read_only.
        #[arg(long, default_value = "member")]
        role: String,
        /// Shorthand for --role admin.
        #[arg(long)]
        admin: bool,
        #[arg(long, default_value = "en")]
        locale: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Set a new password (ends the user's sessions).
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user: sessions end and tokens stop working.
    Disable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token for a user; the secret is printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// read or read_write.
        #[arg(long, default_value = "read_write")]
        scope: String,
    },
    /// Revoke a token by id.
    Revoke {
        #[arg(long)]
        id: uuid::Uuid,
    },
}

/// Set by the tests that run this binary as built for them.
const TEST_BUILD_VAR: &str = "RAPPORT_TEST_BUILD";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if rapport_core::records::TEST_KIND_BUILT_IN && std::env::var_os(TEST_BUILD_VAR).is_none() {
        anyhow::bail!(
            "this binary was built by the test suite and would add a test-only record kind to the database; \
             build Rapport with `cargo build --release` (or `cargo run --release -- serve`)"
        );
    }
    if let Command::Bench(args) = cli.command {
        tracing_subscriber::fmt().with_env_filter("warn").with_writer(std::io::stderr).init();
        return bench::run(args).await;
    }
    let bind = match &cli.command {
        Command::Serve { bind } => bind.clone(),
        _ => None,
    };
    let config = Config::load(
        cli.config.as_deref(),
        Overrides { database_url: cli.database_url, data_dir: cli.data_dir, bind },
    )?;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).context("invalid log filter")?)
        .with_writer(std::io::stderr)
        .init();
    let url = config.database_url()?;
    if let Command::Restore { file } = &cli.command {
        let checked = rapport_db::backup::restore(file, &url).await?;
        println!(
            "restored {} into {} (schema {}, {} contacts); the database it replaced, if any, is beside it as .before-restore",
            file.display(),
            url.redacted(),
            checked.schema_version,
            checked.contacts
        );
        return Ok(());
    }
    let mut db =
        Database::open(&url).await.with_context(|| format!("cannot open the database at {}", url.redacted()))?;
    if let Some(replica) = config.database_read_url()? {
        db = db
            .with_read_replica(&replica)
            .await
            .with_context(|| format!("cannot open the read replica at {}", replica.redacted()))?;
    }
    let ctx = Ctx::new(db, Arc::new(SystemClock));
    match cli.command {
        Command::Serve { .. } => serve(ctx, &config).await,
        Command::Migrate => {
            println!("database at {} is up to date", url.redacted());
            Ok(())
        }
        Command::User(command) => user(ctx, command).await,
        Command::Token(command) => token(ctx, command).await,
        Command::Demo { scale, seed } => load::demo(&ctx, scale, seed).await,
        Command::Import(command) => archive::import(&ctx, command).await,
        Command::Export(args) => archive::export(&ctx, args).await,
        Command::Backup { to } => {
            let to = match (to, &url) {
                (Some(path), _) => path,
                (None, rapport_db::DatabaseUrl::Sqlite(db_path)) => {
                    // Not the schedule's name: its retention never removes a backup made by hand.
                    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
                    rapport_db::backup::folder_beside(db_path).join(format!("manual-{stamp}.db"))
                }
                (None, _) => "rapport-backup.db".into(),
            };
            let bytes = rapport_db::backup::backup(&ctx.db, &to).await?;
            println!("backup written to {} ({:.1} MB)", to.display(), bytes as f64 / 1_000_000.0);
            Ok(())
        }
        Command::Bench(_) | Command::Restore { .. } => unreachable!("handled before the database is opened"),
    }
}

async fn serve(ctx: Ctx, config: &Config) -> anyhow::Result<()> {
    let backups = match config.database_url()? {
        rapport_db::DatabaseUrl::Sqlite(path) if config.backup_every_hours > 0 => {
            Some(rapport_db::backup::BackupSchedule {
                folder: rapport_db::backup::folder_beside(&path),
                every: chrono::Duration::hours(config.backup_every_hours),
                keep: config.backup_keep,
            })
        }
        _ => None,
    };
    let server_config = rapport_server::ServerConfig {
        backups,
        secret_key: config.secret_key()?,
        smtp: config.smtp()?,
        secure_cookies: config.secure_cookies,
        trust_proxy: config.trust_proxy,
        metrics_token: config.metrics_token.clone(),
        connections: rapport_server::ConnectionLimits {
            header_timeout: std::time::Duration::from_secs(config.header_timeout_secs.max(1)),
            max_connections: config.max_connections.max(1),
        },
        sessions: rapport_core::auth::SessionPolicy {
            lifetime: chrono::Duration::hours(config.session_lifetime_hours.max(1)),
            idle: chrono::Duration::minutes(config.session_idle_minutes.max(1)),
        },
        ..Default::default()
    };
    let app = rapport_server::build(ctx, server_config).await?;
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    println!("Rapport is running at http://{address}  (API docs: http://{address}/api/docs)");
    if let Some(token) = app.setup_token() {
        println!();
        println!("No users yet. Open this one-time address to create the first administrator:");
        println!("  http://{address}/setup?token={token}");
        println!("or from the command line:");
        println!("  rapport user create --admin --email you@example.com --name \"Your Name\"");
        println!("or over HTTP with the same one-time token:");
        println!("  curl -X POST http://{address}/api/v1/auth/setup -H 'content-type: application/json' \\");
        println!(
            "    -d '{{\"token\":\"{token}\",\"email\":\"you@example.com\",\"name\":\"You\",\"password\":\"a long passphrase\"}}'"
        );
    }
    app.run(listener, shutdown_signal()).await.context("server failed")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

fn read_or_generate_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("read the password from stdin")?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false));
    }
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let password = (0..20).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    Ok((password, true))
}

async fn user(ctx: Ctx, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create { email, name, role, admin, locale, password_stdin } => {
            let role = if admin {
                Role::Admin
            } else {
                Role::parse(&role).context("role must be admin, manager, member or read_only")?
            };
            let (password, generated) = read_or_generate_password(password_stdin)?;
            let user = rapport_db::users::create_for_system(
                &ctx,
                &NewUser { email, name, password: password.clone(), role, locale },
            )
            .await?;
            println!("created {} ({}) with id {}", user.email, role.as_str(), user.id);
            if generated {
                println!("password: {password}   (shown once; change it after logging in)");
            }
        }
        UserCommand::List => {
            for user in rapport_db::users::list(&ctx).await? {
                let state = if user.disabled { "disabled" } else { "active" };
                println!("{}  {:<32} {:<10} {:<8} {}", user.id, user.email, user.role.as_str(), state, user.name);
            }
        }
        UserCommand::ResetPassword { email, password_stdin } => {
            let user =
                rapport_db::users::find_by_email(&ctx, &email).await?.with_context(|| format!("no user {email}"))?;
            let (password, generated) = read_or_generate_password(password_stdin)?;
            rapport_db::users::set_password(&ctx, user.id, &password, OnPasswordChange::RevokeTokens).await?;
            println!("password of {} changed; their sessions were ended", user.email);
            if generated {
                println!("new password: {password}");
            }
        }
        UserCommand::Disable { email } => {
            let user =
                rapport_db::users::find_by_email(&ctx, &email).await?.with_context(|| format!("no user {email}"))?;
            rapport_db::users::set_disabled_for_system(&ctx, user.id, true).await?;
            println!("{} is disabled", user.email);
        }
    }
    Ok(())
}

async fn token(ctx: Ctx, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { email, name, scope } => {
            let Some(scope) = Scope::parse(&scope) else { bail!("scope must be read or read_write") };
            let user =
                rapport_db::users::find_by_email(&ctx, &email).await?.with_context(|| format!("no user {email}"))?;
            let (token, secret) = rapport_db::auth::create_token(&ctx, user.id, &name, scope, None).await?;
            println!("token {} created for {}", token.id, user.email);
            println!("{secret}");
        }
        TokenCommand::Revoke { id } => {
            rapport_db::auth::revoke_token(&ctx, None, id.into()).await?;
            println!("token {id} revoked");
        }
    }
    Ok(())
}
