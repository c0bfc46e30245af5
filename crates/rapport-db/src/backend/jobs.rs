//! Claiming jobs: `SKIP LOCKED` on PostgreSQL, the single writer on SQLite.

use crate::database::Backend;

/// Claims up to `limit` due jobs with a lease; concurrent workers never get
/// the same job (PostgreSQL: `SKIP LOCKED`; SQLite: one writer at a time).
pub fn claim_jobs_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "UPDATE jobs SET leased_until = ?, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ? AND (leased_until IS NULL OR leased_until < ?) \
             ORDER BY run_at LIMIT ?) RETURNING id, kind, payload, attempts, max_attempts"
        }
        Backend::Postgres => {
            "UPDATE jobs SET leased_until = $1, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $2 AND (leased_until IS NULL OR leased_until < $3) \
             ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING id, kind, payload, attempts, max_attempts"
        }
    }
}
