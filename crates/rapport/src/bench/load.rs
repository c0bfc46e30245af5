//! A small closed-loop HTTP load generator: `concurrency` clients share a
//! bounded number of requests (and a time limit) against loopback.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::http::{Connection, Credential};

/// Latency and throughput of one workload.
#[derive(Debug, Clone, Copy)]
pub struct LoadStats {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl LoadStats {
    /// The figures of `times` (one per request or page) taken over `seconds`.
    pub fn from_times(mut times: Vec<Duration>, errors: usize, seconds: f64) -> Self {
        times.sort_unstable();
        Self {
            requests: times.len(),
            errors,
            seconds,
            p50_ms: percentile(&times, 50.0),
            p99_ms: percentile(&times, 99.0),
        }
    }

    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Sends `total` GET requests (at most for `limit`), `concurrency` at a time,
/// each client on its own keep-alive connection to `host`. `url(i)` is the
/// path of the i-th request; a non-2xx answer counts as an error.
pub async fn run(
    host: &str,
    credential: &Credential,
    concurrency: usize,
    total: usize,
    limit: Duration,
    url: Arc<dyn Fn(usize) -> String + Send + Sync>,
) -> LoadStats {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + limit;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (host, next, url, credential) = (host.to_owned(), Arc::clone(&next), Arc::clone(&url), credential.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut connection = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total || Instant::now() >= deadline {
                    break;
                }
                let sent = Instant::now();
                if connection.is_none() {
                    connection = Connection::open(&host).await.ok();
                }
                let ok = match &mut connection {
                    Some(c) => match c.get(&url(i), Some(&credential)).await {
                        Ok((status, _)) => status.is_success(),
                        // A broken connection is replaced for the next request.
                        Err(_) => {
                            connection = None;
                            false
                        }
                    },
                    None => false,
                };
                latencies.push(sent.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut errors = 0;
    for task in tasks {
        if let Ok((mut l, e)) = task.await {
            latencies.append(&mut l);
            errors += e;
        }
    }
    LoadStats::from_times(latencies, errors, started.elapsed().as_secs_f64())
}
