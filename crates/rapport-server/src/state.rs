use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rapport_core::auth::{LoginThrottle, SessionPolicy};
use rapport_db::Ctx;

/// Settings of the HTTP server itself.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark session cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Read the client address from `X-Forwarded-For` (behind a trusted proxy).
    pub trust_proxy: bool,
    pub login_throttle: LoginThrottle,
    pub sessions: SessionPolicy,
    /// How often the worker looks for due jobs.
    pub worker_interval: std::time::Duration,
    /// Run the background worker in this process.
    pub run_worker: bool,
    /// Bearer secret that `/metrics` requires; without one, `/metrics`
    /// answers loopback clients only.
    pub metrics_token: Option<String>,
    pub connections: crate::ConnectionLimits,
    /// Backups the worker takes of an SQLite database (none on PostgreSQL).
    pub backups: Option<rapport_db::backup::BackupSchedule>,
    /// Encrypts the SMTP password stored in the settings.
    pub secret_key: Option<rapport_db::mail::SecretKey>,
    /// SMTP settings from the configuration; they win over the administrator's.
    pub smtp: Option<rapport_core::mail::SmtpSettings>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_proxy: false,
            login_throttle: LoginThrottle::default(),
            sessions: SessionPolicy::default(),
            worker_interval: std::time::Duration::from_secs(1),
            run_worker: true,
            metrics_token: None,
            connections: crate::ConnectionLimits::default(),
            backups: None,
            secret_key: None,
            smtp: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub ctx: Ctx,
    pub config: Arc<ServerConfig>,
    pub metrics: Arc<Metrics>,
    /// Token that allows creating the first administrator over HTTP; it
    /// stops working once any user exists (checked atomically in storage).
    pub setup_token: Option<Arc<str>>,
    /// Becomes true when the server begins to shut down: endless responses
    /// (the notification stream) end, so that shutdown does not wait for them.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// Request counters and a latency histogram, rendered at `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    pub by_class: [AtomicU64; 5],
    pub latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    pub latency_sum_micros: AtomicU64,
    pub latency_count: AtomicU64,
    pub jobs_run: AtomicU64,
}

/// Upper bounds in seconds.
pub const LATENCY_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

impl Metrics {
    pub fn observe(&self, status: u16, seconds: f64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_sum_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        self.latency_count.fetch_add(1, Ordering::Relaxed);
    }
}
