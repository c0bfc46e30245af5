//! The server under test runs as a child process of the benchmark, so that
//! its memory and start-up are its own.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::http::Connection;

pub struct ServerProcess {
    child: Child,
    /// `127.0.0.1:port`.
    pub host: String,
    pub startup: Duration,
}

/// Memory of a process: resident total, its proportional share, and its
/// anonymous (heap) part. VmRSS counts a file page once per mapping, and every
/// SQLite connection maps the database: PSS counts each page once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub rss_kb: u64,
    pub pss_kb: u64,
    pub anon_kb: u64,
}

impl Memory {
    pub fn max(self, other: Memory) -> Memory {
        Memory {
            rss_kb: self.rss_kb.max(other.rss_kb),
            pss_kb: self.pss_kb.max(other.pss_kb),
            anon_kb: self.anon_kb.max(other.anon_kb),
        }
    }
}

impl ServerProcess {
    /// Starts `rapport serve` on a free port and waits for the first 200 from `/healthz`.
    pub async fn start(database_url: &str) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("find the rapport binary")?;
        let started = Instant::now();
        let mut child = Command::new(exe)
            .args(["--database-url", database_url, "serve", "--bind", "127.0.0.1:0"])
            .env("RAPPORT_LOG", "warn")
            // A scheduled backup of the bench database would be measured with it.
            .env("RAPPORT_BACKUP_EVERY_HOURS", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start the server")?;
        let stdout = child.stdout.take().context("read the server's output")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).context("read the server's address")?;
        let Some(address) = line.split("http://").nth(1).and_then(|rest| rest.split_whitespace().next()) else {
            let _ = child.kill();
            bail!("unexpected server output: {line}");
        };
        let host = address.to_owned();
        loop {
            if let Ok(mut connection) = Connection::open(&host).await {
                if connection.get("/healthz", None).await.is_ok_and(|(status, _)| status.is_success()) {
                    break;
                }
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                bail!("the server did not answer within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Self { child, host, startup: started.elapsed() })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The memory of process `pid`; PSS only `with_pss`, as it costs the kernel
/// a walk over every mapping.
pub fn memory_of(pid: u32, with_pss: bool) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rollup = match with_pss {
        true => std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default(),
        false => String::new(),
    };
    Memory {
        rss_kb: kilobytes(&status, "VmRSS:"),
        pss_kb: kilobytes(&rollup, "Pss:"),
        anon_kb: kilobytes(&status, "RssAnon:"),
    }
}

/// The value of a `Name:   1234 kB` line of a /proc file.
fn kilobytes(proc_file: &str, name: &str) -> u64 {
    proc_file
        .lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
