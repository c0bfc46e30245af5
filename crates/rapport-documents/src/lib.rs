//! Business documents — a quote today, an invoice or an order confirmation
//! later — laid out on A4 pages and written as PDF.
//!
//! The caller hands over a [`Document`] whose every text is already in the
//! customer's language and every figure already formatted for their locale;
//! this crate only measures, wraps, paginates and draws. Text is set in the
//! standard Helvetica fonts with the WinAnsi encoding, which covers English,
//! Portuguese and Spanish (and the rest of Western Europe, with `€`); a
//! character outside it prints as `?`. No font is embedded, so a one-page
//! quote is a few kilobytes and the same input always gives the same bytes.

mod image;
mod layout;
mod table;
mod text;
mod write;

pub use image::LogoError;
pub use table::{TableColumn, TableDocument, render_table};

/// A document to render. Every string is shown as given.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The document's language (BCP 47, `pt-BR`), for screen readers.
    pub language: String,
    /// "Quote", "Orçamento", "Cotización".
    pub title: String,
    /// "Q-2026-0007 · rev. 2".
    pub number: String,
    /// Who sends it: the account's name, address, tax id…
    pub seller: Party,
    /// The heading over the customer's block: "Prepared for", "Para".
    pub customer_heading: String,
    pub customer: Party,
    /// Dates, validity, the salesperson…: label and value pairs.
    pub facts: Vec<(String, String)>,
    /// The line table's column headings.
    pub columns: Columns,
    pub lines: Vec<Line>,
    /// Subtotal, discount, tax, total…; the emphasised one is the total.
    pub totals: Vec<Total>,
    /// Terms, notes, payment instructions: a heading and its text.
    pub sections: Vec<(String, String)>,
    /// The small print at the bottom of every page.
    pub footer: String,
    /// "Page {page} of {pages}", with those two placeholders.
    pub page_label: String,
    /// The account's colour for the title and rules.
    pub accent: Rgb,
    /// A PNG or JPEG logo, at most [`image::MAX_LOGO_BYTES`] long.
    pub logo: Option<Vec<u8>>,
}

/// A name and the lines under it.
#[derive(Debug, Clone, Default)]
pub struct Party {
    pub name: String,
    pub lines: Vec<String>,
}

/// Column headings of the line table.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub total: String,
}

/// One row of the line table. A column left empty on every line (no line
/// has a discount, say) is left out and its width goes to the description.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub description: String,
    /// Smaller lines under the description: SKU, chosen options.
    pub details: Vec<String>,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub total: String,
}

#[derive(Debug, Clone, Default)]
pub struct Total {
    pub label: String,
    pub value: String,
    pub emphasis: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Default for Rgb {
    /// A calm blue that prints well in grey too.
    fn default() -> Self {
        Self(0x1d, 0x4e, 0xd8)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error(transparent)]
    Logo(#[from] LogoError),
    /// A bound that keeps one document's work and size in check.
    #[error("the document is too long: {0}")]
    TooLong(&'static str),
}

/// Lines, details or sections beyond these are refused rather than drawn on
/// hundreds of pages.
pub const MAX_LINES: usize = 2_000;
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Whether `bytes` are a logo documents can draw: a PNG or JPEG image
/// within the size bounds that decodes.
pub fn check_logo(bytes: &[u8]) -> Result<(), LogoError> {
    image::Logo::decode(bytes).map(|_| ())
}

/// Lays the document out on A4 pages and writes the PDF.
pub fn render(document: &Document) -> Result<Vec<u8>, DocumentError> {
    if document.lines.len() > MAX_LINES {
        return Err(DocumentError::TooLong("more than 2,000 lines"));
    }
    let long = |s: &String| s.chars().count() > MAX_TEXT_CHARS;
    if document.sections.iter().any(|(h, t)| long(h) || long(t))
        || document.lines.iter().any(|l| long(&l.description) || l.details.iter().any(long))
    {
        return Err(DocumentError::TooLong("a text of more than 20,000 characters"));
    }
    let logo = document.logo.as_deref().map(image::Logo::decode).transpose()?;
    let pages = layout::pages(document, logo.as_ref());
    let meta = write::Meta {
        language: &document.language,
        title: format!("{} {}", document.title, document.number),
        author: &document.seller.name,
        page_label: &document.page_label,
    };
    Ok(write::pdf(&meta, &pages, logo.as_ref()))
}
