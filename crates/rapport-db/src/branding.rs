//! The account's branding, kept in the settings table: the profile under
//! `branding`, the logo under `branding_logo` as base64 in JSON. One small
//! image, read only when a document is drawn or the logo is served, does
//! not warrant a table of its own.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rapport_core::DomainError;
use rapport_core::access::Admin;
use rapport_core::branding::{Branding, MAX_LOGO_BYTES, logo_content_type};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result, StorageContext};
use crate::settings::Ctx;

const PROFILE_KEY: &str = "branding";
const LOGO_KEY: &str = "branding_logo";

/// A stored logo and its type (`image/png`, `image/jpeg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct StoredLogo {
    content_type: String,
    base64: String,
}

async fn read(conn: &impl ConnectionTrait, key: &str) -> Result<Option<Value>> {
    let query = Query::select().column("value").from("settings").and_where(Expr::col("key").eq(key)).to_owned();
    let row = conn.query_one(&query).await.context("read the branding")?;
    row.map(|row| row.try_get::<Value>("", "value").context("read the branding")).transpose()
}

async fn write(ctx: &Ctx, key: &str, value: Option<Value>) -> Result<()> {
    let tx = ctx.db.write().await?;
    match value {
        Some(value) => {
            let upsert = Query::insert()
                .into_table("settings")
                .columns(["key", "value"])
                .values_panic([key.into(), value.into()])
                .on_conflict(OnConflict::column("key").update_column("value").to_owned())
                .to_owned();
            tx.execute(&upsert).await.context("save the branding")?;
        }
        None => {
            let delete = Query::delete().from_table("settings").and_where(Expr::col("key").eq(key)).to_owned();
            tx.execute(&delete).await.context("remove the logo")?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The profile; empty until an administrator fills it in.
pub async fn load(conn: &impl ConnectionTrait) -> Result<Branding> {
    match read(conn, PROFILE_KEY).await? {
        None => Ok(Branding::default()),
        Some(value) => {
            serde_json::from_value(value).map_err(|e| Error::Config(format!("the stored branding is unreadable: {e}")))
        }
    }
}

/// Checks and stores the profile; returns it as stored.
pub async fn save(ctx: &Ctx, _by: &Admin, branding: Branding) -> Result<Branding> {
    let branding = branding.normalized().map_err(DomainError::Validation)?;
    let value = serde_json::to_value(&branding).map_err(|e| Error::Config(e.to_string()))?;
    write(ctx, PROFILE_KEY, Some(value)).await?;
    Ok(branding)
}

pub async fn logo(conn: &impl ConnectionTrait) -> Result<Option<Logo>> {
    let Some(value) = read(conn, LOGO_KEY).await? else { return Ok(None) };
    let stored: StoredLogo =
        serde_json::from_value(value).map_err(|e| Error::Config(format!("the stored logo is unreadable: {e}")))?;
    let bytes =
        STANDARD.decode(stored.base64).map_err(|e| Error::Config(format!("the stored logo is unreadable: {e}")))?;
    Ok(Some(Logo { content_type: stored.content_type, bytes }))
}

/// Stores a PNG or JPEG logo of at most 2 MB. `readable` is the caller's
/// check that the image decodes (the document renderer's), so that a logo
/// that would break every quote is refused when it is uploaded.
pub async fn set_logo(
    ctx: &Ctx,
    _by: &Admin,
    bytes: &[u8],
    readable: impl FnOnce(&[u8]) -> std::result::Result<(), String>,
) -> Result<()> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(DomainError::invalid("logo", "logo_too_large", "a logo of at most 2 MB").into());
    }
    let Some(content_type) = logo_content_type(bytes) else {
        return Err(DomainError::invalid("logo", "not_an_image", "a PNG or JPEG image").into());
    };
    if let Err(why) = readable(bytes) {
        return Err(DomainError::invalid("logo", "damaged_image", why).into());
    }
    let stored = StoredLogo { content_type: content_type.to_owned(), base64: STANDARD.encode(bytes) };
    let value = serde_json::to_value(stored).map_err(|e| Error::Config(e.to_string()))?;
    write(ctx, LOGO_KEY, Some(value)).await
}

pub async fn remove_logo(ctx: &Ctx, _by: &Admin) -> Result<()> {
    write(ctx, LOGO_KEY, None).await
}
