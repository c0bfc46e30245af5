//! A list as a file, for the API and the list screens alike: CSV with every
//! column the importer reads back, or vCards of contacts; the list's filters
//! and sort, streamed a page at a time so that a million rows take the
//! memory of one page.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rapport_core::access::Actor;
use rapport_core::export::ExportColumns;
use rapport_core::schema::RecordType;
use rapport_core::vcard::Version;
use rapport_db::records::{self, Record};

use crate::state::AppState;

/// Records read per query while streaming.
const PAGE: &str = "200";

use rapport_db::exports::BYTE_ORDER_MARK;

/// The rows of a page, as CSV text.
fn rows(columns: &ExportColumns, records: &[Record], headers: bool) -> Bytes {
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing into memory cannot fail.
    if headers {
        let _ = out.write_record(columns.headers());
    }
    for record in records {
        if let serde_json::Value::Object(fields) = record.to_json() {
            let _ = out.write_record(columns.row(&fields));
        }
    }
    Bytes::from(out.into_inner().unwrap_or_default())
}

/// The list `pairs` select (the API's list query; paging is the export's
/// own), as a CSV download named after the kind and today's date.
pub async fn csv(
    state: &AppState,
    actor: &Actor,
    record_type: RecordType,
    pairs: &[(String, String)],
) -> rapport_db::Result<Response> {
    let snapshot = state.ctx.snapshot().await?;
    let columns = ExportColumns::new(record_type, snapshot.custom_fields_of(record_type));
    let mut head = BYTE_ORDER_MARK.to_vec();
    head.extend_from_slice(&rows(&columns, &[], true));
    let render = move |records: &[Record]| rows(&columns, records, false);
    download(state, actor, record_type, pairs, (head, render), ("text/csv; charset=utf-8", "csv")).await
}

/// The contacts `pairs` select as one vCard file, for address books: 3.0,
/// or 4.0 with `version=4.0` among the pairs.
pub async fn vcards(state: &AppState, actor: &Actor, pairs: &[(String, String)]) -> rapport_db::Result<Response> {
    let version = match pairs.iter().rev().find(|(k, _)| k == "version") {
        None => Version::V3,
        Some((_, v)) => Version::parse(v).ok_or_else(|| {
            rapport_core::DomainError::invalid("version", "invalid_choice", "the vCard version is 3.0 or 4.0")
        })?,
    };
    let pairs: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "version").cloned().collect();
    let render = move |records: &[Record]| {
        let cards: String = records
            .iter()
            .filter_map(|record| match record.to_json() {
                serde_json::Value::Object(fields) => Some(rapport_core::vcard::contact_as(&fields, version)),
                _ => None,
            })
            .collect();
        Bytes::from(cards)
    };
    let format = ("text/vcard; charset=utf-8", "vcf");
    download(state, actor, RecordType::CONTACT, &pairs, (Vec::new(), render), format).await
}

/// Streams `head`, then each page of the list rendered, as a download. The
/// first page is read before answering, so that a bad filter is an error
/// answer, not a broken file.
async fn download<F>(
    state: &AppState,
    actor: &Actor,
    record_type: RecordType,
    pairs: &[(String, String)],
    (head, render): (Vec<u8>, F),
    (content_type, extension): (&'static str, &str),
) -> rapport_db::Result<Response>
where
    F: Fn(&[Record]) -> Bytes + Send + Sync + 'static,
{
    let render = Arc::new(render);
    let mut query: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "cursor" && k != "limit").cloned().collect();
    query.push(("limit".into(), PAGE.into()));
    let first = records::list(&state.ctx, actor, record_type, &query).await?;
    let mut head = head;
    head.extend_from_slice(&render(&first.items));
    let rest = futures::stream::unfold(
        (state.clone(), actor.clone(), query, first.next_cursor),
        move |(state, actor, query, cursor)| {
            let render = Arc::clone(&render);
            async move {
                let cursor = cursor?;
                let mut paged = query.clone();
                paged.push(("cursor".into(), cursor));
                match records::list(&state.ctx, &actor, record_type, &paged).await {
                    Ok(page) => Some((Ok(render(&page.items)), (state, actor, query, page.next_cursor))),
                    Err(error) => {
                        // The answer has started: all that is left is to end it short.
                        tracing::warn!(%error, "an export stopped");
                        Some((Err(std::io::Error::other(error.to_string())), (state, actor, query, None)))
                    }
                }
            }
        },
    );
    let body = futures::StreamExt::chain(futures::stream::once(async move { Ok(Bytes::from(head)) }), rest);
    let name = format!("{}-{}.{extension}", record_type.plural(), state.ctx.now().format("%Y-%m-%d"));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let headers =
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, Body::from_stream(body)).into_response())
}
