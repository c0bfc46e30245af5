//! Migration 17: the outbox of e-mails (and their attachments) and the
//! edited texts of e-mail templates. SMTP settings live in `settings`.

use sea_orm::sea_query::{ColumnDef, Index, Table};

use crate::database::Database;
use crate::migrations::{text, text_null, ts, ts_null};

pub(crate) fn m0017_email_outbox(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    vec![
        backend
            .build(
                &Table::create()
                    .table("email_messages")
                    .col(ColumnDef::new("id").uuid().not_null().primary_key())
                    // The Message-ID header, fixed when the message is queued.
                    .col(text("message_id").unique_key())
                    .col(text_null("related_type"))
                    .col(ColumnDef::new("related_id").uuid().null())
                    .col(ColumnDef::new("queued_by").uuid().null())
                    .col(ColumnDef::new("recipients").json_binary().not_null())
                    .col(text("subject"))
                    .col(text("body_text"))
                    .col(text_null("body_html"))
                    .col(text_null("template_key"))
                    .col(text_null("language"))
                    // queued, sending, sent or failed.
                    .col(text("status"))
                    .col(ColumnDef::new("attempts").big_integer().not_null().default(0))
                    .col(ts_null("next_attempt_at"))
                    .col(text_null("last_error"))
                    .col(ts("created_at"))
                    .col(ts_null("sending_since"))
                    .col(ts_null("sent_at"))
                    .col(ts_null("failed_at"))
                    .to_owned(),
            )
            .to_string(),
        backend
            .build(
                &Index::create()
                    .name("email_messages_related")
                    .table("email_messages")
                    .col("related_id")
                    .col("created_at")
                    .to_owned(),
            )
            .to_string(),
        backend
            .build(
                &Table::create()
                    .table("email_attachments")
                    .col(ColumnDef::new("email_id").uuid().not_null())
                    .col(ColumnDef::new("position").big_integer().not_null())
                    .col(text("file_name"))
                    .col(text("content_type"))
                    .col(ColumnDef::new("bytes").blob().not_null())
                    .primary_key(Index::create().col("email_id").col("position"))
                    .to_owned(),
            )
            .to_string(),
        backend
            .build(
                &Table::create()
                    .table("email_templates")
                    .col(text("key"))
                    .col(text("language"))
                    .col(text("subject"))
                    .col(text("body"))
                    .col(ts("updated_at"))
                    .col(ColumnDef::new("updated_by").uuid().null())
                    .primary_key(Index::create().col("key").col("language"))
                    .to_owned(),
            )
            .to_string(),
    ]
}
