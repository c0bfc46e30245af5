//! Migration 22: follow-up cadences, their enrollments, the steps already
//! created (the key that makes each step happen once), the WhatsApp outbox
//! and users' WhatsApp numbers. Their settings live in `settings`.

use sea_orm::sea_query::{ColumnDef, Index, Table};

use crate::database::Database;
use crate::migrations::{text, text_null, ts, ts_null, uuid, uuid_null};

pub(crate) fn m0022_cadences_and_whatsapp(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    let table = |t: &sea_orm::sea_query::TableCreateStatement| backend.build(t).to_string();
    let index = |i: &sea_orm::sea_query::IndexCreateStatement| backend.build(i).to_string();
    vec![
        table(
            &Table::create()
                .table("cadences")
                .col(uuid("id").primary_key())
                .col(text("name"))
                .col(ColumnDef::new("active").boolean().not_null())
                .col(ColumnDef::new("steps").json_binary().not_null())
                .col(ts("created_at"))
                .col(uuid_null("created_by"))
                .col(ts("updated_at"))
                .to_owned(),
        ),
        table(
            &Table::create()
                .table("cadence_enrollments")
                .col(uuid("id").primary_key())
                .col(uuid("cadence_id"))
                .col(text("record_type"))
                .col(uuid("record_id"))
                .col(uuid_null("owner_id"))
                // The cadence's steps when it started: a later edit of the
                // cadence does not change a running enrollment.
                .col(ColumnDef::new("steps").json_binary().not_null())
                .col(ts("started_at"))
                .col(uuid_null("started_by"))
                .col(ColumnDef::new("next_step").big_integer().not_null())
                // active, completed or stopped.
                .col(text("status"))
                .col(text_null("stop_reason"))
                .col(uuid_null("stopped_by"))
                .col(ts_null("ended_at"))
                .to_owned(),
        ),
        // A record runs a cadence at most once at a time.
        "CREATE UNIQUE INDEX cadence_enrollments_one_active ON cadence_enrollments (cadence_id, record_id) \
         WHERE status = 'active'"
            .to_owned(),
        index(
            &Index::create()
                .name("cadence_enrollments_record")
                .table("cadence_enrollments")
                .col("record_id")
                .col("started_at")
                .to_owned(),
        ),
        table(
            &Table::create()
                .table("cadence_step_runs")
                .col(uuid("enrollment_id"))
                .col(ColumnDef::new("step").big_integer().not_null())
                .col(uuid_null("activity_id"))
                .col(ts("created_at"))
                .primary_key(Index::create().col("enrollment_id").col("step"))
                .to_owned(),
        ),
        table(
            &Table::create()
                .table("whatsapp_messages")
                .col(uuid("id").primary_key())
                .col(text("dedup_key").unique_key())
                .col(uuid_null("user_id"))
                .col(text("to_phone"))
                .col(ColumnDef::new("body").json_binary().not_null())
                .col(text_null("related_type"))
                .col(uuid_null("related_id"))
                // queued, sending, sent or failed.
                .col(text("status"))
                .col(ColumnDef::new("attempts").big_integer().not_null().default(0))
                .col(text_null("last_error"))
                .col(text_null("provider_message_id"))
                .col(ts("created_at"))
                .col(ts_null("sending_since"))
                .col(ts_null("sent_at"))
                .col(ts_null("failed_at"))
                .to_owned(),
        ),
        index(
            &Index::create().name("whatsapp_messages_created").table("whatsapp_messages").col("created_at").to_owned(),
        ),
        table(
            &Table::create()
                .table("whatsapp_numbers")
                .col(uuid("user_id").primary_key())
                .col(text("phone"))
                .col(ts("updated_at"))
                .to_owned(),
        ),
    ]
}
