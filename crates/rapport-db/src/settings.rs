//! Account settings and custom field definitions, cached per process.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use rapport_core::access::{Admin, Visibility};
use rapport_core::clock::SharedClock;
use rapport_core::custom_fields::{CustomFieldDefinition, CustomFieldType};
use rapport_core::schema::{RecordType, ValidationContext};
use rapport_core::values::Region;
use rapport_core::{DomainError, FieldError};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::database::Database;
use crate::error::{Error, Result, StorageContext};

/// Settings an administrator changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Who sees records of each type.
    pub visibility: HashMap<RecordType, Visibility>,
    /// Region for reading national phone numbers (ISO 3166-1 alpha-2).
    pub default_region: String,
    pub default_currency: String,
    /// Days a deleted record stays in the trash before it is purged.
    pub trash_retention_days: i64,
    /// Whether accepting a quote moves its deal to its pipeline's won stage.
    #[serde(default = "yes")]
    pub quote_acceptance_wins_deal: bool,
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            visibility: RecordType::all().map(|t| (t, Visibility::Everyone)).collect(),
            default_region: "BR".into(),
            default_currency: "BRL".into(),
            trash_retention_days: 30,
            quote_acceptance_wins_deal: true,
        }
    }
}

impl Settings {
    pub fn visibility(&self, record_type: RecordType) -> Visibility {
        self.visibility.get(&record_type).copied().unwrap_or(Visibility::Everyone)
    }

    pub fn validation_context(&self) -> ValidationContext {
        ValidationContext { default_region: Region::parse(&self.default_region).unwrap_or_default() }
    }

    pub fn check(&self) -> Result<(), DomainError> {
        Region::parse(&self.default_region).map_err(|e| DomainError::Validation(e.nested("default_region").into()))?;
        rapport_core::values::Currency::parse(&self.default_currency)
            .map_err(|e| DomainError::Validation(e.nested("default_currency").into()))?;
        if !(1..=3650).contains(&self.trash_retention_days) {
            return Err(DomainError::invalid("trash_retention_days", "out_of_range", "between 1 and 3650 days"));
        }
        Ok(())
    }
}

/// What services read on every request: settings plus custom field definitions.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub settings: Settings,
    /// In creation order.
    pub custom_fields: Vec<CustomFieldDefinition>,
    /// The same, grouped by record type: read for every record written.
    by_type: HashMap<RecordType, Vec<CustomFieldDefinition>>,
}

impl Snapshot {
    pub fn new(settings: Settings, custom_fields: Vec<CustomFieldDefinition>) -> Self {
        let mut by_type: HashMap<RecordType, Vec<CustomFieldDefinition>> = HashMap::new();
        for definition in &custom_fields {
            by_type.entry(definition.record_type).or_default().push(definition.clone());
        }
        Self { settings, custom_fields, by_type }
    }

    pub fn custom_fields_of(&self, record_type: RecordType) -> &[CustomFieldDefinition] {
        self.by_type.get(&record_type).map_or(&[], Vec::as_slice)
    }
}

/// Services' shared state: the database, the clock and cached settings.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub db: Database,
    pub clock: SharedClock,
    cache: Arc<RwLock<Option<CachedSnapshot>>>,
    pub(crate) credentials: Arc<crate::auth::CredentialCache>,
    /// How this process sends e-mail; set once at start, shared by clones.
    mail: Arc<std::sync::OnceLock<crate::mail::MailSetup>>,
    /// How this process sends WhatsApp messages; set once at start.
    whatsapp: Arc<std::sync::OnceLock<Arc<dyn rapport_core::whatsapp::WhatsappTransport>>>,
    /// How this process writes scheduled reports' files; set once at start.
    report_files: Arc<std::sync::OnceLock<Arc<dyn crate::reports::ReportFileWriter>>>,
}

/// A snapshot and when it was loaded.
type CachedSnapshot = (Instant, Arc<Snapshot>);

/// Other replicas' changes become visible within this time.
const CACHE_TTL: Duration = Duration::from_secs(5);

impl Ctx {
    pub fn new(db: Database, clock: SharedClock) -> Self {
        Self {
            db,
            clock,
            cache: Arc::new(RwLock::new(None)),
            credentials: Arc::default(),
            mail: Arc::default(),
            whatsapp: Arc::default(),
            report_files: Arc::default(),
        }
    }

    /// Sets how this process sends e-mail (transport, secret key, SMTP from
    /// the configuration); clones made before see it too. Only the first
    /// call counts: returns whether it was this one.
    pub fn install_mail(&self, setup: crate::mail::MailSetup) -> bool {
        self.mail.set(setup).is_ok()
    }

    pub fn mail(&self) -> Option<&crate::mail::MailSetup> {
        self.mail.get()
    }

    /// Sets how this process sends WhatsApp messages (the first call counts).
    pub fn install_whatsapp(&self, transport: Arc<dyn rapport_core::whatsapp::WhatsappTransport>) -> bool {
        self.whatsapp.set(transport).is_ok()
    }

    pub fn whatsapp_transport(&self) -> Option<&Arc<dyn rapport_core::whatsapp::WhatsappTransport>> {
        self.whatsapp.get()
    }

    /// Sets how this process writes scheduled reports' files (the first call counts).
    pub fn install_report_files(&self, writer: Arc<dyn crate::reports::ReportFileWriter>) -> bool {
        self.report_files.set(writer).is_ok()
    }

    pub fn report_files(&self) -> Option<&Arc<dyn crate::reports::ReportFileWriter>> {
        self.report_files.get()
    }

    /// Forgets the credentials checked in the last seconds, so that the next
    /// request reads them from storage again.
    pub fn forget_checked_credentials(&self) {
        self.credentials.clear();
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        crate::row::now_micros(self.clock.now())
    }

    pub async fn snapshot(&self) -> Result<Arc<Snapshot>> {
        if let Ok(guard) = self.cache.read() {
            if let Some((_, snapshot)) = guard.as_ref().filter(|(at, _)| at.elapsed() < CACHE_TTL) {
                return Ok(Arc::clone(snapshot));
            }
        }
        let snapshot = Arc::new(Snapshot::new(load(self.db.conn()).await?, load_custom_fields(self.db.conn()).await?));
        if let Ok(mut guard) = self.cache.write() {
            *guard = Some((Instant::now(), Arc::clone(&snapshot)));
        }
        Ok(snapshot)
    }

    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.cache.write() {
            *guard = None;
        }
    }
}

const SETTINGS_KEY: &str = "account";

pub async fn load(conn: &impl ConnectionTrait) -> Result<Settings> {
    let row = conn
        .query_one(
            &Query::select().column("value").from("settings").and_where(Expr::col("key").eq(SETTINGS_KEY)).to_owned(),
        )
        .await
        .context("read settings")?;
    match row {
        None => Ok(Settings::default()),
        Some(row) => {
            let value: Value = row.try_get("", "value").context("read settings")?;
            serde_json::from_value(value).map_err(|e| Error::Config(format!("stored settings are unreadable: {e}")))
        }
    }
}

pub async fn save(ctx: &Ctx, _by: &Admin, settings: &Settings) -> Result<()> {
    settings.check()?;
    let value = serde_json::to_value(settings).map_err(|e| Error::Config(e.to_string()))?;
    let tx = ctx.db.write().await?;
    let upsert = Query::insert()
        .into_table("settings")
        .columns(["key", "value"])
        .values_panic([SETTINGS_KEY.into(), value.into()])
        .on_conflict(OnConflict::column("key").update_column("value").to_owned())
        .to_owned();
    tx.execute(&upsert).await.context("save settings")?;
    tx.commit().await?;
    ctx.invalidate();
    Ok(())
}

pub async fn load_custom_fields(conn: &impl ConnectionTrait) -> Result<Vec<CustomFieldDefinition>> {
    let rows = conn
        .query_all(
            &Query::select()
                .columns(["record_type", "key", "label", "field_type", "options", "required"])
                .from("custom_fields")
                .order_by("created_at", Order::Asc)
                .to_owned(),
        )
        .await
        .context("read custom fields")?;
    rows.iter()
        .map(|r| {
            const CTX: &str = "read a custom field";
            let record_type: String = r.try_get("", "record_type").context(CTX)?;
            let field_type: String = r.try_get("", "field_type").context(CTX)?;
            let options: Value = r.try_get("", "options").context(CTX)?;
            Ok(CustomFieldDefinition {
                record_type: RecordType::parse(&record_type)
                    .ok_or_else(|| Error::Config(format!("unknown record type {record_type}")))?,
                key: r.try_get("", "key").context(CTX)?,
                label: r.try_get("", "label").context(CTX)?,
                field_type: CustomFieldType::parse(&field_type)
                    .ok_or_else(|| Error::Config(format!("unknown field type {field_type}")))?,
                options: serde_json::from_value(options).unwrap_or_default(),
                required: r.try_get("", "required").context(CTX)?,
            })
        })
        .collect()
}

pub async fn create_custom_field(ctx: &Ctx, _by: &Admin, definition: &CustomFieldDefinition) -> Result<()> {
    definition.check().map_err(DomainError::from)?;
    let tx = ctx.db.write().await?;
    let insert = Query::insert()
        .into_table("custom_fields")
        .columns(["id", "record_type", "key", "label", "field_type", "options", "required", "created_at"])
        .values_panic([
            Uuid::now_v7().into(),
            definition.record_type.as_str().into(),
            definition.key.clone().into(),
            definition.label.trim().into(),
            definition.field_type.as_str().into(),
            serde_json::json!(definition.options).into(),
            definition.required.into(),
            ctx.now().into(),
        ])
        .to_owned();
    match tx.execute(&insert).await.context("create a custom field") {
        Err(e) if e.is_unique_violation() => {
            return Err(DomainError::Validation(
                FieldError::new("key", "duplicate", "this record type already has a field with that key").into(),
            )
            .into());
        }
        other => other?,
    };
    tx.commit().await?;
    ctx.invalidate();
    Ok(())
}

pub async fn delete_custom_field(ctx: &Ctx, _by: &Admin, record_type: RecordType, key: &str) -> Result<()> {
    let tx = ctx.db.write().await?;
    let delete = Query::delete()
        .from_table("custom_fields")
        .and_where(Expr::col("record_type").eq(record_type.as_str()))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    if tx.execute(&delete).await.context("delete a custom field")?.rows_affected() == 0 {
        return Err(DomainError::not_found("custom field").into());
    }
    tx.commit().await?;
    ctx.invalidate();
    Ok(())
}
