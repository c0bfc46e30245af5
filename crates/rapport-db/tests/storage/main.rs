//! Storage integration tests, each run on SQLite and (when
//! `RAPPORT_TEST_POSTGRES_URL` is set) on PostgreSQL.

mod archive;
mod auth;
mod backups;
mod cadences;
mod calendar_feeds;
mod common;
mod contacts;
mod contracts;
mod deals;
mod duplicates;
mod email;
mod exports;
mod forecast;
mod gadgets;
mod idempotency;
mod import_jobs;
mod imports;
mod jobs;
mod leads;
mod lists;
mod migrations;
mod notifications;
mod orders;
mod permissions;
mod pipelines;
mod privacy;
mod quotes;
mod reports;
mod search;
mod spreadsheets;
mod trash;
mod vcards;
mod views;
