//! `/analytics/customers/segments/{segment}`: the customers of one RFM
//! segment the viewer may see, highest spend first, a page at a time, and
//! the same list as CSV. This list is the saved filter other features
//! (campaigns) take by segment key.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use rapport_analytics::rfm::Segment;
use rapport_db::analytics::customers::{self as store, PAGE_SIZE};
use serde::Deserialize;

use super::customers::{CustomerRow, customer_row, segment_name};
use crate::state::AppState;
use crate::web::session::WebUser;
use crate::web::{Frame, WebResult, format, html};

pub struct SegmentLine {
    pub row: CustomerRow,
    pub scores: String,
}

#[derive(Template)]
#[template(path = "analytics/customer_segment.html")]
struct SegmentPage {
    frame: Frame,
    key: &'static str,
    help: String,
    /// How many customers the segment had at the last refresh (all of them,
    /// visible or not: an aggregate).
    count: Option<String>,
    lines: Vec<SegmentLine>,
    next: Option<String>,
    first_page: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct CursorQuery {
    pub cursor: Option<String>,
}

fn segment_of(user: &WebUser, key: &str) -> Result<Segment, crate::web::WebError> {
    Segment::parse(key).ok_or_else(|| user.error(StatusCode::NOT_FOUND, "error.not_found"))
}

pub async fn segment_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(key): Path<String>,
    Query(query): Query<CursorQuery>,
) -> WebResult {
    let tr = &user.tr;
    let segment = segment_of(&user, &key)?;
    let cursor = query.cursor.as_deref().filter(|c| !c.is_empty());
    let page = store::segment_customers(&state.ctx, &user.actor, segment, cursor, PAGE_SIZE)
        .await
        .map_err(|e| user.fail(e))?;
    let summary = store::stored(&state.ctx).await.map_err(|e| user.fail(e))?;
    let count = summary
        .as_ref()
        .and_then(|a| a.segments.iter().find(|s| s.segment == segment))
        .map(|s| format::integer(i64::try_from(s.customers).unwrap_or(i64::MAX), tr.locale));
    let lines = page
        .items
        .iter()
        .map(|line| SegmentLine {
            row: customer_row(tr, line),
            scores: format!("{} · {} · {}", line.recency, line.frequency, line.monetary),
        })
        .collect();
    let next = page.next_cursor.map(|cursor| {
        format!(
            "/analytics/customers/segments/{}?{}",
            segment.as_str(),
            serde_urlencoded::to_string([("cursor", cursor)]).unwrap_or_default()
        )
    });
    let view = SegmentPage {
        frame: user.frame("analytics", segment_name(tr, segment)),
        key: segment.as_str(),
        help: tr.t(&format!("segment.{}_help", segment.as_str())),
        count,
        lines,
        next,
        first_page: cursor.is_none(),
    };
    Ok(html(StatusCode::OK, &view))
}

/// Rows per read while writing the CSV.
const CSV_BATCH: u64 = 1000;

/// The whole segment list (what the viewer may see) as CSV, with stable
/// machine-readable column names.
pub async fn segment_csv(State(state): State<AppState>, user: WebUser, Path(key): Path<String>) -> WebResult {
    let segment = segment_of(&user, &key)?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "customer_type",
        "customer_id",
        "name",
        "segment",
        "recency_score",
        "frequency_score",
        "monetary_score",
        "purchases",
        "total_minor",
        "currency",
        "first_purchase",
        "last_purchase",
        "clv_12m_minor",
        "p_alive",
    ];
    let csv_failed = |_| user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal");
    out.write_record(header).map_err(csv_failed)?;
    let mut cursor: Option<String> = None;
    loop {
        let page = store::segment_customers(&state.ctx, &user.actor, segment, cursor.as_deref(), CSV_BATCH)
            .await
            .map_err(|e| user.fail(e))?;
        for l in &page.items {
            out.write_record([
                l.customer_type.as_str().to_owned(),
                l.customer_id.to_string(),
                l.name.clone(),
                segment.as_str().to_owned(),
                l.recency.to_string(),
                l.frequency.to_string(),
                l.monetary.to_string(),
                l.purchases.to_string(),
                l.total_minor.to_string(),
                l.currency.clone(),
                l.first_purchase.to_string(),
                l.last_purchase.to_string(),
                l.clv_12m_minor.map(|v| v.to_string()).unwrap_or_default(),
                l.p_alive.map(|p| format!("{p:.4}")).unwrap_or_default(),
            ])
            .map_err(csv_failed)?;
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let body = out.into_inner().map_err(|_| user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal"))?;
    let disposition = format!("attachment; filename=\"customers-{}.csv\"", segment.as_str());
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).unwrap_or_else(|_| HeaderValue::from_static("attachment")),
        ),
    ];
    Ok((headers, body).into_response())
}
