//! Rapport's persistence: one code path over SQLite and PostgreSQL.
//!
//! Queries are built once with sea-query and rendered for the backend the
//! database URL names. Where the engines truly differ (full-text search, job
//! claiming, JSON access, pragmas) the difference lives in [`backend`].

pub mod analytics;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod backend;
pub mod backup;
pub mod branding;
pub mod cadences;
pub mod calendar_feeds;
mod database;
pub mod demo_history;
mod error;
pub mod exports;
pub mod forecast;
pub mod housekeeping;
pub mod idempotency;
pub mod imports;
pub mod jobs;
pub mod mail;
mod migrations;
pub mod notifications;
pub mod passwords;
pub mod pipelines;
mod planner;
pub mod public_links;
pub mod records;
pub mod reports;
pub mod return_rules;
mod row;
pub mod search;
pub mod sequences;
pub mod settings;
mod sqlite_reader;
pub mod users;
pub mod views;
pub mod whatsapp;

pub use database::{Backend, Database, DatabaseUrl, WriteTx};
pub use error::{Error, Result, StorageContext};
pub use sea_orm::{ConnectionTrait, DatabaseTransaction};
pub use settings::Ctx;
