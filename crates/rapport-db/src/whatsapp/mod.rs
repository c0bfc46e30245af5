//! WhatsApp reminders through the WhatsApp Business Cloud API: the
//! administrator's settings (kept in `settings` under `whatsapp`, the
//! access token encrypted like the SMTP password), users' numbers, and an
//! outbox like e-mail's: a message is written in the transaction that sends
//! it, with its job (`deliver`), and is sent at most once.

mod deliver;

pub(crate) use deliver::run as deliver;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rapport_core::access::{AccountHolder, Admin};
use rapport_core::ids::{RecordId, UserId};
use rapport_core::mail::{choose_language, templates as core_templates};
use rapport_core::schema::RecordType;
use rapport_core::values::{PhoneE164, Region};
use rapport_core::whatsapp::{CloudApi, Content, DEFAULT_API_VERSION, DEFAULT_BASE_URL, request_body};
use rapport_core::{DomainError, FieldError, ValidationErrors};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{Error, Result, StorageContext};
use crate::jobs::{self, JobKind};
use crate::settings::Ctx;
use crate::users::User;

const SETTINGS_KEY: &str = "whatsapp";
/// The associated data of the encrypted token.
const TOKEN_PURPOSE: &str = "whatsapp_access_token";

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Stored {
    #[serde(default)]
    enabled: bool,
    base_url: Option<String>,
    api_version: Option<String>,
    phone_number_id: Option<String>,
    /// Encrypted with the configuration's secret key.
    access_token: Option<String>,
    template_name: Option<String>,
}

/// The settings as an administrator sees them: never the token.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WhatsappSettings {
    pub enabled: bool,
    pub base_url: String,
    pub api_version: String,
    pub phone_number_id: Option<String>,
    pub token_set: bool,
    /// An approved message template to send (name; body parameters: step,
    /// record, cadence); without one, a text message.
    pub template_name: Option<String>,
    /// Whether a token can be stored: the configuration has a `secret_key`.
    pub can_store_token: bool,
    /// Enabled, with a phone number id and a token.
    pub ready: bool,
}

/// A change of the settings; the token is kept unless a new one is given
/// or `clear_token` is set.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatsappSettingsChange {
    #[serde(default)]
    pub enabled: bool,
    pub base_url: Option<String>,
    pub api_version: Option<String>,
    pub phone_number_id: Option<String>,
    pub access_token: Option<String>,
    #[serde(default)]
    pub clear_token: bool,
    pub template_name: Option<String>,
}

async fn load_stored(conn: &impl ConnectionTrait) -> Result<Stored> {
    let query =
        Query::select().column("value").from("settings").and_where(Expr::col("key").eq(SETTINGS_KEY)).to_owned();
    match conn.query_one(&query).await.context("read the WhatsApp settings")? {
        None => Ok(Stored::default()),
        Some(row) => {
            let value: Value = row.try_get("", "value").context("read the WhatsApp settings")?;
            serde_json::from_value(value)
                .map_err(|e| Error::Config(format!("stored WhatsApp settings are unreadable: {e}")))
        }
    }
}

fn view(ctx: &Ctx, stored: &Stored) -> WhatsappSettings {
    WhatsappSettings {
        enabled: stored.enabled,
        base_url: stored.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into()),
        api_version: stored.api_version.clone().unwrap_or_else(|| DEFAULT_API_VERSION.into()),
        phone_number_id: stored.phone_number_id.clone(),
        token_set: stored.access_token.is_some(),
        template_name: stored.template_name.clone(),
        can_store_token: ctx.mail().and_then(|m| m.secret_key.as_ref()).is_some(),
        ready: stored.enabled && stored.phone_number_id.is_some() && stored.access_token.is_some(),
    }
}

pub async fn get_settings(ctx: &Ctx, _by: &Admin) -> Result<WhatsappSettings> {
    Ok(view(ctx, &load_stored(ctx.db.conn()).await?))
}

fn trimmed(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// An https URL, or http to this machine (a test server, a local relay):
/// the token never travels in the clear to another host.
fn check_base_url(url: &str) -> Result<(), FieldError> {
    let bad = || FieldError::new("base_url", "invalid_url", "an https:// address, such as https://graph.facebook.com");
    let rest = match url.split_once("://") {
        Some(("https", rest)) => rest,
        Some(("http", rest)) => {
            let host = rest.split(['/', ':']).next().unwrap_or_default();
            if !["127.0.0.1", "localhost", "[::1]"].contains(&host) {
                return Err(bad());
            }
            rest
        }
        _ => return Err(bad()),
    };
    if rest.is_empty() || rest.contains(char::is_whitespace) { Err(bad()) } else { Ok(()) }
}

/// Saves the settings (administrators); the token is encrypted with the
/// configuration's secret key.
pub async fn save_settings(ctx: &Ctx, _by: &Admin, change: &WhatsappSettingsChange) -> Result<WhatsappSettings> {
    let tx = ctx.db.write().await?;
    let mut stored = load_stored(&*tx).await?;
    let mut errors = ValidationErrors::default();
    stored.base_url = trimmed(&change.base_url).map(|u| u.trim_end_matches('/').to_owned());
    if let Some(url) = &stored.base_url {
        if let Err(e) = check_base_url(url) {
            errors.push(e);
        }
    }
    stored.api_version = trimmed(&change.api_version);
    if let Some(version) = &stored.api_version {
        let ok = version
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'));
        if !ok {
            errors.push(FieldError::new("api_version", "whatsapp_invalid_format", "a Graph API version such as v21.0"));
        }
    }
    stored.phone_number_id = trimmed(&change.phone_number_id);
    if stored.phone_number_id.as_ref().is_some_and(|id| id.len() > 30 || !id.chars().all(|c| c.is_ascii_digit())) {
        errors.push(FieldError::new(
            "phone_number_id",
            "whatsapp_invalid_format",
            "the phone number ID: digits, from Meta's app dashboard",
        ));
    }
    stored.template_name = trimmed(&change.template_name);
    if stored
        .template_name
        .as_ref()
        .is_some_and(|n| n.len() > 512 || !n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        errors.push(FieldError::new(
            "template_name",
            "whatsapp_invalid_format",
            "a template name: lowercase letters, digits and _",
        ));
    }
    let key = ctx.mail().and_then(|m| m.secret_key.clone());
    match (trimmed(&change.access_token), &key) {
        (Some(_), None) => errors.push(FieldError::new(
            "access_token",
            "secret_key_missing",
            "set secret_key in the server's configuration (RAPPORT_SECRET_KEY) to store a token",
        )),
        (Some(token), Some(key)) => stored.access_token = Some(key.encrypt(&token, TOKEN_PURPOSE)),
        (None, _) if change.clear_token => stored.access_token = None,
        (None, _) => {}
    }
    stored.enabled = change.enabled;
    if stored.enabled && (stored.phone_number_id.is_none() || stored.access_token.is_none()) {
        errors.push(FieldError::new(
            "enabled",
            "whatsapp_incomplete",
            "set the phone number ID and the access token first",
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors).into());
    }
    let value = serde_json::to_value(&stored).map_err(|e| Error::Config(e.to_string()))?;
    let upsert = Query::insert()
        .into_table("settings")
        .columns(["key", "value"])
        .values_panic([SETTINGS_KEY.into(), value.into()])
        .on_conflict(OnConflict::column("key").update_column("value").to_owned())
        .to_owned();
    tx.execute(&upsert).await.context("save the WhatsApp settings")?;
    tx.commit().await?;
    Ok(view(ctx, &stored))
}

/// The API to send with, token decrypted; `Err` says what is missing.
pub(crate) async fn for_sending(ctx: &Ctx, conn: &impl ConnectionTrait) -> Result<Result<CloudApi, String>> {
    let stored = load_stored(conn).await?;
    if !stored.enabled {
        return Ok(Err("WhatsApp is turned off in Settings › WhatsApp".into()));
    }
    let (Some(phone_number_id), Some(sealed)) = (stored.phone_number_id.clone(), stored.access_token.clone()) else {
        return Ok(Err("WhatsApp is not set up: a phone number ID and an access token are needed".into()));
    };
    let Some(key) = ctx.mail().and_then(|m| m.secret_key.clone()) else {
        return Ok(Err("the stored WhatsApp token needs the configuration's secret_key".into()));
    };
    let Some(access_token) = key.decrypt(&sealed, TOKEN_PURPOSE) else {
        return Ok(Err("the stored WhatsApp token does not decrypt with this secret_key: enter it again".into()));
    };
    let api = CloudApi {
        base_url: stored.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into()),
        api_version: stored.api_version.clone().unwrap_or_else(|| DEFAULT_API_VERSION.into()),
        phone_number_id,
        access_token,
    };
    Ok(Ok(api))
}

/// A user's WhatsApp number (E.164), if they gave one.
pub async fn number_of(conn: &impl ConnectionTrait, user: UserId) -> Result<Option<String>> {
    let query =
        Query::select().column("phone").from("whatsapp_numbers").and_where(Expr::col("user_id").eq(user.0)).to_owned();
    match conn.query_one(&query).await.context("read a WhatsApp number")? {
        Some(row) => Ok(Some(row.try_get("", "phone").context("read a WhatsApp number")?)),
        None => Ok(None),
    }
}

/// Sets (or, empty, removes) the holder's own WhatsApp number; a national
/// number is read in the account's region.
pub async fn set_own_number(ctx: &Ctx, holder: &AccountHolder, phone: &str) -> Result<Option<String>> {
    let user = holder.actor().user_id;
    let tx = ctx.db.write().await?;
    let phone = phone.trim();
    if phone.is_empty() {
        let delete = Query::delete().from_table("whatsapp_numbers").and_where(Expr::col("user_id").eq(user)).to_owned();
        tx.execute(&delete).await.context("remove a WhatsApp number")?;
        tx.commit().await?;
        return Ok(None);
    }
    let snapshot = ctx.snapshot().await?;
    let region = Region::parse(&snapshot.settings.default_region).unwrap_or_default();
    let phone =
        PhoneE164::parse(phone, region).map_err(|e| DomainError::Validation(e.nested("whatsapp_phone").into()))?;
    let upsert = Query::insert()
        .into_table("whatsapp_numbers")
        .columns(["user_id", "phone", "updated_at"])
        .values_panic([user.into(), phone.as_str().into(), ctx.now().into()])
        .on_conflict(OnConflict::column("user_id").update_columns(["phone", "updated_at"]).to_owned())
        .to_owned();
    tx.execute(&upsert).await.context("save a WhatsApp number")?;
    tx.commit().await?;
    Ok(Some(phone.as_str().to_owned()))
}

/// A reminder to a user, if WhatsApp is set up and they have a number.
pub(crate) struct Reminder<'a> {
    pub user: &'a User,
    /// The e-mail template whose body is the text message.
    pub template_key: &'a str,
    pub context: &'a Value,
    /// The approved template's body parameters, in order.
    pub params: BTreeMap<String, String>,
    pub related: (RecordType, RecordId),
    /// The same key is never queued twice.
    pub dedup_key: String,
}

/// WhatsApp's code of a language of ours.
fn whatsapp_language(language: &str) -> &'static str {
    match language {
        "pt-BR" => "pt_BR",
        "es" => "es",
        _ => "en",
    }
}

/// Queues a reminder in the caller's transaction; nothing when WhatsApp is
/// not set up or the user has no number.
pub(crate) async fn remind(ctx: &Ctx, conn: &impl ConnectionTrait, reminder: Reminder<'_>) -> Result<()> {
    let stored = load_stored(conn).await?;
    if !(stored.enabled && stored.phone_number_id.is_some() && stored.access_token.is_some()) {
        return Ok(());
    }
    let Some(phone) = number_of(conn, UserId(reminder.user.id.0)).await? else { return Ok(()) };
    let language = choose_language(Some(reminder.user.locale.as_str()), None);
    let content = match &stored.template_name {
        Some(name) => Content::Template {
            name: name.clone(),
            language: whatsapp_language(language).into(),
            parameters: ["title", "record", "cadence"]
                .iter()
                .map(|k| reminder.params.get(*k).cloned().unwrap_or_default())
                .collect(),
        },
        None => {
            let text = crate::mail::templates::effective(conn, reminder.template_key, language).await?;
            let body = match core_templates::render(&text, reminder.context) {
                Ok(rendered) => rendered.body,
                // An administrator broke the e-mail text: the facts still go.
                Err(_) => reminder.params.values().cloned().collect::<Vec<_>>().join(" · "),
            };
            Content::Text { body: body.chars().take(4096).collect() }
        }
    };
    enqueue(
        conn,
        reminder.user.id,
        &phone,
        &request_body(&phone, &content),
        reminder.related,
        &reminder.dedup_key,
        ctx.now(),
    )
    .await
}

async fn enqueue(
    conn: &impl ConnectionTrait,
    user: UserId,
    phone: &str,
    body: &Value,
    related: (RecordType, RecordId),
    dedup_key: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = Uuid::now_v7();
    let insert = Query::insert()
        .into_table("whatsapp_messages")
        .columns([
            "id",
            "dedup_key",
            "user_id",
            "to_phone",
            "body",
            "related_type",
            "related_id",
            "status",
            "attempts",
            "created_at",
        ])
        .values_panic([
            id.into(),
            dedup_key.into(),
            user.0.into(),
            phone.into(),
            body.clone().into(),
            related.0.as_str().into(),
            related.1.0.into(),
            Status::Queued.as_str().into(),
            0i64.into(),
            now.into(),
        ])
        .on_conflict(OnConflict::column("dedup_key").do_nothing().to_owned())
        .to_owned();
    if conn.execute(&insert).await.context("queue a WhatsApp message")?.rows_affected() == 1 {
        let key = format!("whatsapp:{id}");
        jobs::enqueue(conn, JobKind::SendWhatsapp, &json!({"message_id": id}), now, Some(&key), now).await?;
    }
    Ok(())
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Sending,
    Sent,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Queued, Self::Sending, Self::Sent, Self::Failed].into_iter().find(|s| s.as_str() == input)
    }
}

/// A message of the WhatsApp outbox.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WhatsappMessage {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub to: String,
    /// The request body sent to the Cloud API.
    #[schema(value_type = Object)]
    pub body: Value,
    pub status: Status,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub provider_message_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

const COLUMNS: [&str; 11] = [
    "id",
    "user_id",
    "to_phone",
    "body",
    "status",
    "attempts",
    "last_error",
    "provider_message_id",
    "created_at",
    "sent_at",
    "failed_at",
];

fn from_row(row: &QueryResult) -> Result<WhatsappMessage> {
    const CTX: &str = "read a WhatsApp message";
    let status: String = row.try_get("", "status").context(CTX)?;
    Ok(WhatsappMessage {
        id: row.try_get("", "id").context(CTX)?,
        user_id: row.try_get("", "user_id").context(CTX)?,
        to: row.try_get("", "to_phone").context(CTX)?,
        body: row.try_get("", "body").context(CTX)?,
        status: Status::parse(&status).unwrap_or(Status::Failed),
        attempts: row.try_get("", "attempts").context(CTX)?,
        last_error: row.try_get("", "last_error").context(CTX)?,
        provider_message_id: row.try_get("", "provider_message_id").context(CTX)?,
        created_at: row.try_get("", "created_at").context(CTX)?,
        sent_at: row.try_get("", "sent_at").context(CTX)?,
        failed_at: row.try_get("", "failed_at").context(CTX)?,
    })
}

pub(crate) async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<WhatsappMessage>> {
    let query = Query::select().columns(COLUMNS).from("whatsapp_messages").and_where(Expr::col("id").eq(id)).to_owned();
    conn.query_one(&query).await.context("read a WhatsApp message")?.as_ref().map(from_row).transpose()
}

/// The newest messages (administrators).
pub async fn recent(ctx: &Ctx, _by: &Admin, limit: u64) -> Result<Vec<WhatsappMessage>> {
    let query =
        Query::select().columns(COLUMNS).from("whatsapp_messages").order_by("id", Order::Desc).limit(limit).to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("read the WhatsApp outbox")?;
    rows.iter().map(from_row).collect()
}

#[cfg(test)]
mod tests {
    use super::check_base_url;

    #[test]
    fn the_token_goes_over_https_or_to_this_machine_only() {
        assert!(check_base_url("https://graph.facebook.com").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://localhost/x").is_ok());
        assert!(check_base_url("http://graph.facebook.com").is_err());
        assert!(check_base_url("ftp://x").is_err());
    }
}
