//! E-mail templates as an account has them: the built-in texts of
//! `rapport_core::mail::templates`, and the texts an administrator edited
//! (`email_templates`, one row per key and language).

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::Admin;
use rapport_core::mail::templates::{self, BUILT_IN, Rendered, TemplateText};
use rapport_core::mail::{self, LANGUAGES};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// A template in one language, as the account uses it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TemplateVersion {
    pub language: String,
    pub subject: String,
    pub body: String,
    /// Whether an administrator changed the built-in text.
    pub edited: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EmailTemplate {
    pub key: String,
    /// The placeholders its messages fill in, such as `recipient.name`.
    pub placeholders: Vec<String>,
    /// One per language: en, pt-BR, es.
    pub versions: Vec<TemplateVersion>,
}

fn known(key: &str) -> Result<&'static templates::BuiltIn> {
    templates::built_in(key).ok_or_else(|| DomainError::not_found("e-mail template").into())
}

fn known_language(language: &str) -> Result<&'static str> {
    mail::language(language)
        .filter(|l| *l == language)
        .ok_or_else(|| DomainError::invalid("language", "invalid_choice", "en, pt-BR or es").into())
}

async fn edited(conn: &impl ConnectionTrait, key: &str, language: &str) -> Result<Option<TemplateVersion>> {
    let query = Query::select()
        .columns(["subject", "body", "updated_at"])
        .from("email_templates")
        .and_where(Expr::col("key").eq(key))
        .and_where(Expr::col("language").eq(language))
        .to_owned();
    let Some(row) = conn.query_one(&query).await.context("read an e-mail template")? else { return Ok(None) };
    const CTX: &str = "read an e-mail template";
    Ok(Some(TemplateVersion {
        language: language.to_owned(),
        subject: row.try_get("", "subject").context(CTX)?,
        body: row.try_get("", "body").context(CTX)?,
        edited: true,
        updated_at: Some(row.try_get("", "updated_at").context(CTX)?),
    }))
}

async fn version(
    conn: &impl ConnectionTrait,
    built_in: &templates::BuiltIn,
    language: &str,
) -> Result<TemplateVersion> {
    if let Some(version) = edited(conn, built_in.key, language).await? {
        return Ok(version);
    }
    let text = built_in.text(language);
    Ok(TemplateVersion {
        language: language.to_owned(),
        subject: text.subject,
        body: text.body,
        edited: false,
        updated_at: None,
    })
}

/// The texts a message in `language` is written from.
pub async fn effective(conn: &impl ConnectionTrait, key: &str, language: &str) -> Result<TemplateText> {
    let version = version(conn, known(key)?, language).await?;
    Ok(TemplateText { subject: version.subject, body: version.body })
}

pub async fn list(ctx: &Ctx, _by: &Admin) -> Result<Vec<EmailTemplate>> {
    let mut out = Vec::new();
    for built_in in BUILT_IN {
        out.push(get_in(ctx.db.conn(), built_in).await?);
    }
    Ok(out)
}

pub async fn get(ctx: &Ctx, _by: &Admin, key: &str) -> Result<EmailTemplate> {
    get_in(ctx.db.conn(), known(key)?).await
}

async fn get_in(conn: &impl ConnectionTrait, built_in: &templates::BuiltIn) -> Result<EmailTemplate> {
    let mut versions = Vec::new();
    for language in LANGUAGES {
        versions.push(version(conn, built_in, language).await?);
    }
    Ok(EmailTemplate {
        key: built_in.key.to_owned(),
        placeholders: built_in.placeholders.iter().map(|p| (*p).to_owned()).collect(),
        versions,
    })
}

/// Stores an edited text; a template that does not parse is refused with
/// the field and line.
pub async fn save(ctx: &Ctx, by: &Admin, key: &str, language: &str, text: &TemplateText) -> Result<()> {
    known(key)?;
    let language = known_language(language)?;
    templates::check(text).map_err(|e| DomainError::Validation(e.into()))?;
    let tx = ctx.db.write().await?;
    let upsert = Query::insert()
        .into_table("email_templates")
        .columns(["key", "language", "subject", "body", "updated_at", "updated_by"])
        .values_panic([
            key.into(),
            language.into(),
            text.subject.clone().into(),
            text.body.clone().into(),
            ctx.now().into(),
            by.actor().user_id.into(),
        ])
        .on_conflict(
            OnConflict::columns(["key", "language"])
                .update_columns(["subject", "body", "updated_at", "updated_by"])
                .to_owned(),
        )
        .to_owned();
    tx.execute(&upsert).await.context("save an e-mail template")?;
    tx.commit().await
}

/// Goes back to the built-in text.
pub async fn reset(ctx: &Ctx, _by: &Admin, key: &str, language: &str) -> Result<()> {
    known(key)?;
    let language = known_language(language)?;
    let tx = ctx.db.write().await?;
    let delete = Query::delete()
        .from_table("email_templates")
        .and_where(Expr::col("key").eq(key))
        .and_where(Expr::col("language").eq(language))
        .to_owned();
    tx.execute(&delete).await.context("reset an e-mail template")?;
    tx.commit().await
}

/// Renders a text (the stored one, or a draft) with sample values, as the
/// editor's preview.
pub async fn preview(
    ctx: &Ctx,
    by: &Admin,
    key: &str,
    language: &str,
    draft: Option<&TemplateText>,
) -> Result<Rendered> {
    known(key)?;
    let language = known_language(language)?;
    let text = match draft {
        Some(text) => text.clone(),
        None => effective(ctx.db.conn(), key, language).await?,
    };
    let sender = crate::users::get(ctx.db.conn(), by.actor().user()).await?;
    let (name, email) = sender.map(|u| (u.name, u.email)).unwrap_or_default();
    templates::render(&text, &sample_context(&name, &email)).map_err(|e| DomainError::Validation(e.into()).into())
}

fn sample_context(sender_name: &str, sender_email: &str) -> Value {
    json!({
        "recipient": {"name": "Ana Souza", "email": "ana.souza@example.com"},
        "record": {"name": "Acme Ltda"},
        "sender": {"name": sender_name, "email": sender_email},
    })
}
