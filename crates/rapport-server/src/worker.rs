//! The background worker: runs due jobs (among them the daily scan for
//! likely duplicates and the daily run of the automatic return rules);
//! hourly, marks quotes past their validity expired, purges the trash and
//! what has served its purpose (`rapport_db::housekeeping`), takes the scheduled
//! backup when one is due, and refreshes the query planner's statistics.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::watch;

use crate::state::AppState;

const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3600);

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(state.config.worker_interval);
    let mut last_purge: Option<tokio::time::Instant> = None;
    // Opening the database has just brought the statistics up to date.
    let mut last_statistics = tokio::time::Instant::now();
    // One import at a time per process, beside the loop: reminders must not
    // wait for a million rows.
    let mut import: Option<tokio::task::JoinHandle<()>> = None;
    let mut export: Option<tokio::task::JoinHandle<()>> = None;
    // Dashboards' kept results, recomputed beside the loop for the same reason.
    let mut dashboards: Option<tokio::task::JoinHandle<()>> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        if import.as_ref().is_none_or(tokio::task::JoinHandle::is_finished) {
            import = start_next_import(&state).await;
        }
        if export.as_ref().is_none_or(tokio::task::JoinHandle::is_finished) {
            export = start_next_export(&state).await;
        }
        if dashboards.as_ref().is_none_or(tokio::task::JoinHandle::is_finished) {
            let ctx = state.ctx.clone();
            dashboards = Some(tokio::spawn(async move {
                if let Err(error) = rapport_db::reports::refresh_stale(&ctx).await {
                    tracing::error!(%error, "could not refresh the dashboards' results");
                }
            }));
        }
        // Every pass: a report scheduled for 08:00 leaves at 08:00, not at the next hourly housekeeping.
        if let Err(error) = rapport_db::reports::queue_due(&state.ctx).await {
            tracing::error!(%error, "could not queue the scheduled reports due");
        }
        match rapport_db::notifications::run_due_jobs(&state.ctx, 500).await {
            Ok(ran) => {
                state.metrics.jobs_run.fetch_add(ran as u64, Ordering::Relaxed);
            }
            Err(error) => tracing::error!(%error, "worker could not run jobs"),
        }
        if last_purge.is_none_or(|at| at.elapsed() >= HOUSEKEEPING_EVERY) {
            last_purge = Some(tokio::time::Instant::now());
            if let Err(error) = purge(&state).await {
                tracing::error!(%error, "purge failed");
            }
            if let Err(error) = queue_daily_duplicate_scans(&state).await {
                tracing::error!(%error, "could not queue the daily duplicate scans");
            }
            let day = state.ctx.now().format("%Y-%m-%d").to_string();
            if let Err(error) = rapport_db::return_rules::request_daily_run(&state.ctx, &day).await {
                tracing::error!(%error, "could not queue the daily run of the return rules");
            }
            match rapport_db::records::quotes::expire_due(&state.ctx).await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "quotes past their validity marked expired"),
                Err(error) => tracing::error!(%error, "could not mark the quotes past their validity"),
            }
            if let Err(error) = rapport_db::forecast::request_weekly_snapshot(&state.ctx).await {
                tracing::error!(%error, "could not queue the weekly forecast snapshot");
            }
            if let Err(error) = rapport_db::analytics::customers::request_daily_refresh(&state.ctx).await {
                tracing::error!(%error, "could not queue the daily customer analytics refresh");
            }
            if let Err(error) = rapport_db::analytics::lead_scoring::request_scheduled(&state.ctx).await {
                tracing::error!(%error, "could not queue the lead scoring passes");
            }
            if let Err(error) = rapport_db::records::contracts::request_daily_run(&state.ctx, &day).await {
                tracing::error!(%error, "could not queue the daily run of the contract renewals");
            }
            if let Some(schedule) = state.config.backups.clone() {
                // Beside the loop: copying a big database takes a while, and
                // reminders must not wait for it.
                let (db, now) = (state.ctx.db.clone(), state.ctx.now());
                tokio::spawn(async move {
                    match rapport_db::backup::run_schedule(&db, &schedule, now).await {
                        Ok(Some(path)) => tracing::info!(path = %path.display(), "scheduled backup written"),
                        Ok(None) => {}
                        Err(error) => tracing::error!(%error, "scheduled backup failed"),
                    }
                });
            }
        }
        if last_statistics.elapsed() >= HOUSEKEEPING_EVERY {
            last_statistics = tokio::time::Instant::now();
            if let Err(error) = rapport_db::backend::maintain_statistics(&state.ctx.db).await {
                tracing::error!(%error, "refreshing planner statistics failed");
            }
        }
    }
}

/// Writes the next export due, if any, on its own task.
async fn start_next_export(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let id = match rapport_db::exports::claim_next(&state.ctx).await {
        Ok(id) => id?,
        Err(error) => {
            tracing::error!(%error, "worker could not look for exports");
            return None;
        }
    };
    let ctx = state.ctx.clone();
    Some(tokio::spawn(async move {
        match rapport_db::exports::run(&ctx, id).await {
            Ok(status) => tracing::info!(export = %id, status = status.as_str(), "export finished"),
            Err(error) => tracing::error!(export = %id, %error, "export interrupted"),
        }
    }))
}

/// Runs the next import due, if any, on its own task.
async fn start_next_import(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let id = match rapport_db::imports::claim_next(&state.ctx).await {
        Ok(id) => id?,
        Err(error) => {
            tracing::error!(%error, "worker could not look for imports");
            return None;
        }
    };
    let ctx = state.ctx.clone();
    Some(tokio::spawn(async move {
        match rapport_db::imports::run(&ctx, id).await {
            Ok(status) => tracing::info!(import = %id, status = status.as_str(), "import finished"),
            // Its lease runs out and a worker resumes it where it stopped.
            Err(error) => tracing::error!(import = %id, %error, "import interrupted"),
        }
    }))
}

/// Once a day (the first housekeeping of the day, replicas agreeing through
/// the job's dedup key), a scan for likely duplicates of each kind that has
/// duplicate rules.
async fn queue_daily_duplicate_scans(state: &AppState) -> rapport_db::Result<()> {
    let day = state.ctx.now().format("%Y-%m-%d").to_string();
    for kind in rapport_core::schema::RecordType::all().filter(|k| k.rules().duplicates().is_some()) {
        rapport_db::records::request_duplicate_scan(&state.ctx, kind, &day).await?;
    }
    Ok(())
}

async fn purge(state: &AppState) -> rapport_db::Result<()> {
    let settings = state.ctx.snapshot().await?;
    let before = state.ctx.now() - chrono::Duration::days(settings.settings.trash_retention_days);
    let purged = rapport_db::records::purge_trash(&state.ctx.db, before).await?;
    if purged > 0 {
        tracing::info!(purged, "purged records from the trash");
    }
    let config = &state.config;
    let purged = rapport_db::housekeeping::purge(&state.ctx, &config.sessions, &config.login_throttle).await?;
    rapport_db::exports::purge_finished(&state.ctx, state.ctx.now() - rapport_db::exports::KEEP).await?;
    tracing::debug!(?purged, "purged ended sessions, old login attempts, idempotency keys and import reports");
    Ok(())
}
