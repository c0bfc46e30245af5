//! Quotes as PDF: the account's branding, the customer, the lines and the
//! totals of `rapport_core::line_items` (the one rounding rule), worded and
//! formatted in the customer's language, then drawn by `rapport-documents`.

use chrono::NaiveDate;
use rapport_core::FieldError;
use rapport_core::access::Actor;
use rapport_core::branding::Branding;
use rapport_core::ids::{RecordId, UserId};
use rapport_core::line_items::{LineItem, parse_line_items, totals};
use rapport_core::schema::RecordType;
use rapport_db::records::Record;
use rapport_db::settings::Ctx;
use rapport_documents::{Columns, Document, DocumentError, Line, Party, Rgb, Total};
use serde_json::Value;

use crate::web::format;
use crate::web::i18n::{Arg, Locale, Tr};

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
    /// Reading the quote's customer, owner or the account's branding failed.
    #[error(transparent)]
    Storage(#[from] rapport_db::Error),
}

/// A quote as its customer receives it.
pub struct QuoteDocument {
    pub pdf: Vec<u8>,
    /// "Q-2026-0007.pdf".
    pub file_name: String,
    /// The customer's language: the contact's, else the reader's.
    pub tr: Tr,
    /// The total and the validity as the PDF words them.
    pub total: String,
    pub valid_until: String,
}

/// The PDF of a quote `actor` sees, in its contact's language (else
/// `fallback`), with the account's branding. A contact or company the actor
/// may not see is left off the PDF, not an error.
pub async fn quote_document(
    ctx: &Ctx,
    actor: &Actor,
    quote: &Record,
    fallback: Locale,
) -> Result<QuoteDocument, QuotePdfError> {
    let referenced = |field: &str| quote.uuid(field).map(RecordId);
    let contact = match referenced("contact_id") {
        Some(id) => rapport_db::records::get(ctx, actor, RecordType::CONTACT, id).await.ok(),
        None => None,
    };
    let company = match referenced("company_id") {
        Some(id) => rapport_db::records::get(ctx, actor, RecordType::COMPANY, id).await.ok(),
        None => None,
    };
    let locale = contact.as_ref().and_then(|c| c.text("language")).and_then(Locale::parse).unwrap_or(fallback);
    let tr = Tr::new(locale);
    let salesperson = match quote.owner_id {
        Some(owner) => rapport_db::users::get(ctx.db.conn(), UserId(owner)).await?.map(|u| u.name),
        None => None,
    };
    let conn = ctx.db.conn();
    let branding = rapport_db::branding::load(conn).await?;
    let logo = rapport_db::branding::logo(conn).await?.map(|l| l.bytes);
    let lines = parse_line_items(quote.fields.get("lines").unwrap_or(&Value::Array(Vec::new()))).map_err(|errors| {
        let first = errors.0.into_iter().next();
        QuotePdfError::Figures(first.unwrap_or_else(|| FieldError::new("lines", "invalid", "the lines do not read")))
    })?;
    let number = quote.text("number").unwrap_or_default();
    let file_name = format!("{}.pdf", if number.is_empty() { "quote" } else { number });
    let number = match quote.fields.get("revision").and_then(Value::as_i64) {
        Some(revision) if revision > 1 => format!("{number} · rev. {revision}"),
        _ => number.to_owned(),
    };
    let sent = quote.text("sent_at").and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let valid_until = quote.text("valid_until").and_then(|d| d.parse().ok());
    let currency = quote.text("currency").unwrap_or("BRL").to_owned();
    let sheet = QuoteSheet {
        number,
        issued: sent.map_or(quote.created_at.date_naive(), |at| at.date_naive()),
        valid_until,
        salesperson,
        customer: customer(contact.as_ref(), company.as_ref()),
        currency: currency.clone(),
        details: vec![Vec::new(); lines.len()],
        lines,
        discount_bp: quote.fields.get("discount_bp").and_then(Value::as_i64).unwrap_or_default(),
        terms: String::new(),
    };
    let pdf = quote_pdf(&sheet, &branding, logo, &tr)?;
    let total = quote.fields.get("total_minor").and_then(Value::as_i64).unwrap_or_default();
    Ok(QuoteDocument {
        pdf,
        file_name,
        total: format::money(total, &currency, locale),
        valid_until: valid_until.map(|d| format::date(d, locale)).unwrap_or_default(),
        tr,
    })
}

/// The customer block: the contact, their company and e-mail.
fn customer(contact: Option<&Record>, company: Option<&Record>) -> Party {
    let company_name = company.and_then(|c| c.text("name")).unwrap_or_default().to_owned();
    match contact {
        Some(contact) => {
            let mut lines = Vec::new();
            if !company_name.is_empty() {
                lines.push(company_name);
            }
            let email = contact.fields.get("emails").and_then(Value::as_array).and_then(|e| e.first());
            if let Some(email) = email.and_then(Value::as_str) {
                lines.push(email.to_owned());
            }
            Party { name: contact.display_name(), lines }
        }
        None => Party { name: company_name, lines: Vec::new() },
    }
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
