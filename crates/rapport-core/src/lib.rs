//! Rapport's domain: value types, record schemas, validation and access rules.
//!
//! Nothing here performs I/O. Storage (`rapport-db`) and the HTTP server
//! (`rapport-server`) build on these types; rules live here so that every
//! entry point (API, UI, CLI, import) applies the same ones.

pub mod access;
pub mod audit;
pub mod auth;
pub mod branding;
pub mod cadences;
pub mod clock;
pub mod configurator;
pub mod contract_documents;
pub mod custom_fields;
pub mod descriptor;
pub mod duplicates;
pub mod error;
pub mod export;
pub mod forecast;
pub mod ical;
pub mod ids;
pub mod import;
pub mod jobs;
pub mod line_items;
pub mod mail;
pub mod privacy;
pub mod query;
pub mod records;
pub mod reports;
pub mod returns;
pub mod schema;
pub mod text;
pub mod values;
pub mod vcard;
pub mod views;
pub mod whatsapp;

pub use error::{DomainError, FieldError, ValidationErrors};
