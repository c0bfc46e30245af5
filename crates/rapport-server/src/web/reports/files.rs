//! The files scheduled reports travel as, in the recipient's language: the
//! CSV of the export (plain numbers), or a PDF of the table as the report's
//! page shows it (figures formatted, a bar per row).

use chrono_tz::Tz;
use rapport_core::mail::Attachment;
use rapport_core::reports::schedule::AttachmentFormat;
use rapport_db::reports::{ReportFileRequest, ReportFileWriter, ReportResult};
use rapport_documents::{Rgb, TableColumn, TableDocument, render_table};

use super::{export, view};
use crate::web::format;
use crate::web::i18n::{Arg, Locale, Tr};

/// The server's [`ReportFileWriter`], installed on the context at start.
#[derive(Debug)]
pub struct ReportFiles;

impl ReportFileWriter for ReportFiles {
    fn write(&self, request: &ReportFileRequest<'_>) -> Result<Attachment, String> {
        let tr = Tr::new(Locale::parse(request.locale).unwrap_or(Locale::En));
        let zone: Tz = request.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let day = request.now.with_timezone(&zone).format("%Y-%m-%d");
        let format = request.format;
        let bytes = match format {
            AttachmentFormat::Csv => {
                let (headings, rows) = export::sheet(&tr, request.result, &request.custom_labels);
                export::csv_bytes(&headings, &rows).map_err(|e| e.to_string())?
            }
            AttachmentFormat::Pdf => render_table(&pdf_document(&tr, zone, request)).map_err(|e| e.to_string())?,
        };
        Ok(Attachment {
            file_name: format!("{}-{day}.{}", file_stem(&request.report.name), format.as_str()),
            content_type: format.content_type().to_owned(),
            bytes,
        })
    }
}

/// A report's name as a file name every mail program keeps: ASCII letters
/// and digits (accents folded), words joined by dashes.
fn file_stem(name: &str) -> String {
    let folded = rapport_core::text::fold_for_search(name);
    let plain: String = folded.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let stem = plain.split_whitespace().collect::<Vec<_>>().join("-");
    if stem.is_empty() { "report".to_owned() } else { stem.chars().take(60).collect() }
}

fn pdf_document(tr: &Tr, zone: Tz, request: &ReportFileRequest<'_>) -> TableDocument {
    let result = request.result;
    let definition = &request.report.definition;
    let kind = result.record_type;
    let (headings, rows) = view::table(tr, result, &request.custom_labels);
    let texts = headings.len() - result.measures.len();
    let mut facts = vec![
        (tr.t("report.kind"), tr.t(&format!("kind.{}", kind.plural()))),
        (tr.t("report.as_of"), format::datetime(request.now, zone, tr.locale)),
    ];
    if !definition.filters.is_empty() {
        let filters: Vec<String> = definition
            .filters
            .iter()
            .map(|f| {
                let field = view::field_label(tr, kind, &f.field, &request.custom_labels);
                format!("{field} {} {}", tr.t(&format!("op.{}", f.op)), f.value)
            })
            .collect();
        facts.push((tr.t("report.filters"), filters.join("; ")));
    }
    let branding = request.branding;
    TableDocument {
        language: tr.locale.tag().to_owned(),
        title: request.report.name.clone(),
        description: request.report.description.clone().unwrap_or_default(),
        facts,
        columns: headings
            .iter()
            .enumerate()
            .map(|(i, heading)| TableColumn { heading: heading.clone(), numeric: i >= texts })
            .collect(),
        rows: rows
            .into_iter()
            .map(|row| {
                let currency = (texts > row.keys.len()).then_some(row.currency);
                row.keys.into_iter().chain(currency).chain(row.values).collect()
            })
            .collect(),
        bars: bars(result),
        note: if result.truncated { tr.t("report.truncated") } else { String::new() },
        footer: [branding.name.as_str(), "Rapport"]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        page_label: tr.t_with(
            "document.page_of",
            &[("page", Arg::Text("{page}".into())), ("pages", Arg::Text("{pages}".into()))],
        ),
        author: branding.name.clone(),
        accent: branding.accent_rgb().map(|(r, g, b)| Rgb(r, g, b)).unwrap_or_default(),
    }
}

/// The first measure per row, for the bars; none when rows are in several
/// currencies (their amounts are not comparable).
fn bars(result: &ReportResult) -> Vec<Option<f64>> {
    let mut currencies = result.rows.iter().filter_map(|r| r.currency.as_deref());
    let first = currencies.next();
    if first.is_some() && currencies.any(|c| Some(c) != first) {
        return Vec::new();
    }
    result.rows.iter().map(|r| r.values.first().copied().flatten()).collect()
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn a_report_name_becomes_a_plain_file_name() {
        assert_eq!(file_stem("Negócios ganhos / trimestre"), "negocios-ganhos-trimestre");
        assert_eq!(file_stem("  "), "report");
        assert_eq!(file_stem("Q4: won deals (BRL)"), "q4-won-deals-brl");
    }
}
