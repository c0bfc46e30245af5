//! Quotes as PDF: the account's branding, the customer, the lines and the
//! totals of `rapport_core::line_items` (the one rounding rule), worded and
//! formatted in the customer's language, then drawn by `rapport-documents`.

use chrono::NaiveDate;
use rapport_core::FieldError;
use rapport_core::branding::Branding;
use rapport_core::line_items::{LineItem, totals};
use rapport_documents::{Columns, Document, DocumentError, Line, Party, Rgb, Total};

use crate::web::format;
use crate::web::i18n::{Arg, Tr};

/// What a quote's PDF shows besides the account's branding.
pub struct QuoteSheet {
    /// "Q-2026-0007", with the revision when there is one.
    pub number: String,
    pub issued: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub salesperson: Option<String>,
    pub customer: Party,
    pub currency: String,
    pub lines: Vec<LineItem>,
    /// Lines under each line's description (SKU, chosen options), by line.
    pub details: Vec<Vec<String>>,
    pub discount_bp: i64,
    /// The quote's own terms; the account's when empty.
    pub terms: String,
}

#[derive(Debug, thiserror::Error)]
pub enum QuotePdfError {
    /// The figures do not add up within the money range.
    #[error("{}", .0.message)]
    Figures(FieldError),
    #[error(transparent)]
    Document(#[from] DocumentError),
}

/// The quote's PDF in `tr`'s language.
pub fn quote_pdf(
    sheet: &QuoteSheet,
    branding: &Branding,
    logo: Option<Vec<u8>>,
    tr: &Tr,
) -> Result<Vec<u8>, QuotePdfError> {
    let figures = totals(&sheet.lines, sheet.discount_bp).map_err(QuotePdfError::Figures)?;
    let locale = tr.locale;
    let money = |minor: i64| format::money(minor, &sheet.currency, locale);
    let lines = sheet
        .lines
        .iter()
        .zip(&figures.lines)
        .enumerate()
        .map(|(i, (line, figures))| Line {
            description: line.description().to_owned(),
            details: sheet.details.get(i).cloned().unwrap_or_default(),
            quantity: format::scaled(line.quantity_milli(), 3, locale),
            unit_price: money(line.unit_price_minor()),
            discount: if line.discount_bp() > 0 {
                format::percent_bp(line.discount_bp(), locale)
            } else {
                String::new()
            },
            tax: if line.tax_rate_bp() > 0 { format::percent_bp(line.tax_rate_bp(), locale) } else { String::new() },
            total: money(figures.total_minor),
        })
        .collect();
    let mut summary =
        vec![Total { label: tr.t("document.subtotal"), value: money(figures.subtotal_minor), emphasis: false }];
    if figures.discount_minor != 0 {
        summary.push(Total {
            label: tr.t("document.discount"),
            value: money(-figures.discount_minor),
            emphasis: false,
        });
    }
    if figures.tax_minor != 0 {
        summary.push(Total { label: tr.t("document.tax"), value: money(figures.tax_minor), emphasis: false });
    }
    summary.push(Total { label: tr.t("document.total"), value: money(figures.total_minor), emphasis: true });

    let mut facts = vec![(tr.t("document.date"), format::date(sheet.issued, locale))];
    if let Some(until) = sheet.valid_until {
        facts.push((tr.t("document.valid_until"), format::date(until, locale)));
    }
    if let Some(salesperson) = sheet.salesperson.as_ref().filter(|s| !s.is_empty()) {
        facts.push((tr.t("document.salesperson"), salesperson.clone()));
    }
    let terms = if sheet.terms.trim().is_empty() { branding.quote_terms.as_str() } else { sheet.terms.as_str() };
    let sections = if terms.trim().is_empty() { Vec::new() } else { vec![(tr.t("document.terms"), terms.to_owned())] };
    let document = Document {
        language: locale.tag().to_owned(),
        title: tr.t("document.quote"),
        number: sheet.number.clone(),
        seller: seller(branding),
        customer_heading: tr.t("document.prepared_for"),
        customer: sheet.customer.clone(),
        facts,
        columns: Columns {
            description: tr.t("document.description"),
            quantity: tr.t("document.quantity"),
            unit_price: tr.t("document.unit_price"),
            discount: tr.t("document.discount"),
            tax: tr.t("document.tax"),
            total: tr.t("document.total"),
        },
        lines,
        totals: summary,
        sections,
        footer: footer(branding),
        page_label: tr.t_with(
            "document.page_of",
            &[("page", Arg::Text("{page}".into())), ("pages", Arg::Text("{pages}".into()))],
        ),
        accent: branding.accent_rgb().map(|(r, g, b)| Rgb(r, g, b)).unwrap_or_default(),
        logo,
    };
    Ok(rapport_documents::render(&document)?)
}

fn seller(branding: &Branding) -> Party {
    let mut lines: Vec<String> = branding.address_lines().map(str::to_owned).collect();
    if !branding.tax_id.is_empty() {
        lines.push(branding.tax_id.clone());
    }
    let contact: Vec<&str> =
        [branding.phone.as_str(), branding.email.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
    if !contact.is_empty() {
        lines.push(contact.join(" · "));
    }
    Party { name: branding.name.clone(), lines }
}

fn footer(branding: &Branding) -> String {
    let website = branding.website.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    [branding.name.as_str(), website].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")
}
