//! Liveness, readiness and Prometheus metrics.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use rapport_core::DomainError;

use crate::auth::ClientIp;
use crate::error::{ApiResult, AppError};
use crate::state::{AppState, LATENCY_BUCKETS};

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.ctx.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Who may read `/metrics`: with `metrics_token` configured, a request that
/// sends it as a bearer token; without one, loopback clients only (a
/// Prometheus on the same host, or behind `trust_proxy` the forwarded client).
pub struct MetricsReader;

impl FromRequestParts<AppState> for MetricsReader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match &state.config.metrics_token {
            Some(expected) => {
                let presented = parts
                    .headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .unwrap_or_default();
                if same_secret(presented.trim(), expected) {
                    Ok(Self)
                } else {
                    Err(DomainError::Unauthenticated.into())
                }
            }
            None => {
                let ClientIp(ip) = ClientIp::from_request_parts(parts, state).await?;
                let loopback = ip.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
                if loopback {
                    Ok(Self)
                } else {
                    Err(DomainError::Forbidden("metrics are served to loopback clients, or with the metrics token")
                        .into())
                }
            }
        }
    }
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len()
        && presented.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Prometheus text format.
async fn metrics(State(state): State<AppState>, _reader: MetricsReader) -> ApiResult<impl IntoResponse> {
    let m = &state.metrics;
    let mut out = String::new();
    let _ = writeln!(out, "# TYPE rapport_http_requests_total counter");
    for (i, class) in ["1xx", "2xx", "3xx", "4xx", "5xx"].iter().enumerate() {
        let _ =
            writeln!(out, "rapport_http_requests_total{{class=\"{class}\"}} {}", m.by_class[i].load(Ordering::Relaxed));
    }
    let _ = writeln!(out, "# TYPE rapport_http_request_duration_seconds histogram");
    for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
        let count = m.latency_buckets[i].load(Ordering::Relaxed);
        let _ = writeln!(out, "rapport_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {count}");
    }
    let count = m.latency_count.load(Ordering::Relaxed);
    let _ = writeln!(out, "rapport_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
    let sum = m.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
    let _ = writeln!(out, "rapport_http_request_duration_seconds_sum {sum}");
    let _ = writeln!(out, "rapport_http_request_duration_seconds_count {count}");
    let jobs = rapport_db::jobs::counts(&state.ctx).await?;
    let _ = writeln!(out, "# TYPE rapport_jobs gauge");
    let _ = writeln!(out, "rapport_jobs{{status=\"pending\"}} {}", jobs.pending);
    let _ = writeln!(out, "rapport_jobs{{status=\"failed\"}} {}", jobs.failed);
    let _ = writeln!(out, "# TYPE rapport_jobs_run_total counter");
    let _ = writeln!(out, "rapport_jobs_run_total {}", m.jobs_run.load(Ordering::Relaxed));
    if let Some(rss) = resident_memory_bytes() {
        let _ = writeln!(out, "# TYPE process_resident_memory_bytes gauge");
        let _ = writeln!(out, "process_resident_memory_bytes {rss}");
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}

/// Resident set size from /proc (Linux only).
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
