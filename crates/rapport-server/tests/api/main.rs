//! HTTP integration tests: each starts the real server on a random port over
//! a fresh database, on SQLite and (when `RAPPORT_TEST_POSTGRES_URL` is set)
//! on PostgreSQL.

mod admin;
mod analytics;
mod auth;
mod bad_input;
mod branding;
mod browser;
mod browser_cadences;
mod browser_contracts;
mod browser_customers;
mod browser_email;
mod browser_forecast;
mod browser_lead_scoring;
mod browser_orders;
mod browser_quotes;
mod browser_reports;
mod bulk;
mod cadences;
mod contacts;
mod contracts;
mod customers;
mod email;
mod exports;
mod forecast;
mod fuzz;
mod gadgets;
mod health;
mod helpers;
mod idempotency;
mod imports;
mod lead_scoring;
mod leads;
mod merge;
mod openapi;
mod orders;
mod permissions;
mod pipelines;
mod privacy;
mod quotes;
mod reminders;
mod report_schedules;
mod reports;
mod security;
mod web;
