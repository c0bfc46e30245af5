//! A builder's result as a CSV or XLSX download: the table's groups in
//! words, the currency, and each measure as a number (money in major units).

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use rapport_core::values::Currency;
use rapport_db::reports::ReportResult;

use super::form::BuilderQuery;
use super::view;
use crate::state::AppState;
use crate::web::WebResult;
use crate::web::i18n::Tr;
use crate::web::session::WebUser;

/// A row of plain values: texts for groups (and currency), numbers for measures.
pub(super) type SheetRow = (Vec<String>, Vec<Option<f64>>);

/// Headings and rows of plain values.
pub(super) fn sheet(tr: &Tr, result: &ReportResult, custom: &[(String, String)]) -> (Vec<String>, Vec<SheetRow>) {
    let (headings, _) = view::table(tr, result, custom);
    let rows = result
        .rows
        .iter()
        .map(|row| {
            let mut texts: Vec<String> = result
                .groups
                .iter()
                .zip(&row.keys)
                .map(|(g, k)| view::key_label(tr, result.record_type, g, k))
                .collect();
            let digits = row.currency.as_deref().and_then(|c| Currency::parse(c).ok()).map_or(2, |c| c.minor_digits());
            if result.rows.iter().any(|r| r.currency.is_some()) {
                texts.push(row.currency.clone().unwrap_or_default());
            }
            let values = row
                .values
                .iter()
                .zip(&result.measures)
                .map(|(v, m)| v.map(|v| if m.money { v / 10f64.powi(i32::from(digits)) } else { v }))
                .collect();
            (texts, values)
        })
        .collect();
    (headings, rows)
}

pub(super) fn csv_bytes(headings: &[String], rows: &[SheetRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(headings)?;
    for (texts, values) in rows {
        let mut record = texts.clone();
        record.extend(values.iter().map(|v| v.map(|v| v.to_string()).unwrap_or_default()));
        writer.write_record(&record)?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn xlsx_bytes(headings: &[String], rows: &[SheetRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, heading) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, heading, &bold)?;
    }
    for (i, (texts, values)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (column, text) in texts.iter().enumerate() {
            sheet.write_string(row, column as u16, text)?;
        }
        for (j, value) in values.iter().enumerate() {
            if let Some(value) = value {
                sheet.write_number(row, (texts.len() + j) as u16, *value)?;
            }
        }
    }
    workbook.save_to_buffer()
}

pub async fn export(
    State(state): State<AppState>,
    user: WebUser,
    Path(format): Path<String>,
    Query(query): Query<BuilderQuery>,
) -> WebResult {
    let definition = query.definition();
    let result = rapport_db::reports::run(&state.ctx, &user.actor, &definition).await.map_err(|e| user.fail(e))?;
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let custom: Vec<(String, String)> =
        snapshot.custom_fields_of(result.record_type).iter().map(|d| (d.key.clone(), d.label.clone())).collect();
    let (headings, rows) = sheet(&user.tr, &result, &custom);
    let (bytes, content_type, extension) = match format.as_str() {
        "csv" => (
            csv_bytes(&headings, &rows).map_err(|_| user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal"))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        "xlsx" => (
            xlsx_bytes(&headings, &rows)
                .map_err(|_| user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal"))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => return Err(user.error(StatusCode::NOT_FOUND, "error.not_found")),
    };
    let disposition = format!("attachment; filename=\"report-{}.{extension}\"", result.record_type.plural());
    Ok(([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}
