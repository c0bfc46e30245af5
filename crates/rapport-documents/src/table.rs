//! A report as a table on A4 pages: a title, a description and a few facts
//! (what it counts, as of when), then the rows, the table's heading
//! repeated on every page, and a bar per row in proportion to its first
//! figure so that the shape reads at a glance on paper too.

use crate::layout::{BAND, BOTTOM, CELL_PADDING, CONTENT_WIDTH, INK, MARGIN, MUTED, Op, Page, RIGHT, RULE, footer};
use crate::text::{Font, fit, wrap};
use crate::{DocumentError, MAX_LINES, MAX_TEXT_CHARS, Rgb, write};

/// A table to print. Every string is shown as given.
#[derive(Debug, Clone, Default)]
pub struct TableDocument {
    /// BCP 47 (`pt-BR`), for screen readers.
    pub language: String,
    pub title: String,
    pub description: String,
    /// "Records: Deals", "As of: 4 Dec 2026, 08:00": label and value pairs.
    pub facts: Vec<(String, String)>,
    pub columns: Vec<TableColumn>,
    /// One string per column.
    pub rows: Vec<Vec<String>>,
    /// Per row, the figure its bar shows (none: no bars). Bars are drawn
    /// for non-negative figures, the largest spanning the bar column.
    pub bars: Vec<Option<f64>>,
    /// Under the table: "Only the first 50 rows are shown."
    pub note: String,
    pub footer: String,
    /// "Page {page} of {pages}".
    pub page_label: String,
    pub author: String,
    pub accent: Rgb,
}

#[derive(Debug, Clone, Default)]
pub struct TableColumn {
    pub heading: String,
    /// Figures are right-aligned and never wrapped.
    pub numeric: bool,
}

const SIZE: f32 = 8.5;
const LEADING: f32 = 11.0;
const HEADING_HEIGHT: f32 = 20.0;
const BAR_WIDTH: f32 = 80.0;
/// The most lines a text cell takes before it is cut with an ellipsis.
const MAX_CELL_LINES: usize = 3;

/// Lays the table out on A4 pages and writes the PDF.
pub fn render_table(document: &TableDocument) -> Result<Vec<u8>, DocumentError> {
    if document.rows.len() > MAX_LINES {
        return Err(DocumentError::TooLong("more than 2,000 lines"));
    }
    let long = |s: &String| s.chars().count() > MAX_TEXT_CHARS;
    if long(&document.description) || document.rows.iter().flatten().any(long) {
        return Err(DocumentError::TooLong("a text of more than 20,000 characters"));
    }
    let pages = Flow::new(document).run();
    let meta = write::Meta {
        language: &document.language,
        title: document.title.clone(),
        author: &document.author,
        page_label: &document.page_label,
    };
    Ok(write::pdf(&meta, &pages, None))
}

struct Flow<'a> {
    document: &'a TableDocument,
    pages: Vec<Page>,
    y: f32,
    /// Each column's width, the bar column's apart.
    widths: Vec<f32>,
    bars: bool,
    largest: f64,
}

impl<'a> Flow<'a> {
    fn new(document: &'a TableDocument) -> Self {
        let largest = document.bars.iter().flatten().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
        let bars = largest > 0.0 && document.columns.len() < 8;
        let room = CONTENT_WIDTH - if bars { BAR_WIDTH } else { 0.0 };
        // Figures get what their widest cell needs (within bounds); texts share the rest.
        let needs: Vec<f32> = document
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let widest = document
                    .rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| Font::Regular.width(c, SIZE))
                    .chain([Font::Bold.width(&column.heading.to_uppercase(), 7.0)])
                    .fold(0.0, f32::max);
                widest + 2.0 * CELL_PADDING
            })
            .collect();
        let mut widths: Vec<f32> = document
            .columns
            .iter()
            .zip(&needs)
            .map(|(c, n)| if c.numeric { n.clamp(48.0, 120.0) } else { 0.0 })
            .collect();
        let numeric: f32 = widths.iter().sum();
        let texts = document.columns.iter().filter(|c| !c.numeric).count();
        if texts == 0 {
            widths.iter_mut().for_each(|w| *w = room / document.columns.len().max(1) as f32);
        } else {
            // Figures take at most 70 % of the width; the texts share the rest.
            let scale = (room * 0.7 / numeric.max(1.0)).min(1.0);
            let text_width = (room - numeric * scale) / texts as f32;
            for (width, column) in widths.iter_mut().zip(&document.columns) {
                *width = if column.numeric { *width * scale } else { text_width };
            }
        }
        Self { document, pages: vec![Page::default()], y: MARGIN, widths, bars, largest }
    }

    fn run(mut self) -> Vec<Page> {
        self.header();
        self.heading();
        for index in 0..self.document.rows.len() {
            self.row(index);
        }
        let note = self.document.note.clone();
        if !note.is_empty() {
            if !self.room_for(LEADING * 2.0) {
                self.new_page();
            }
            self.y += 16.0;
            self.text(MARGIN, self.y, Font::Regular, 8.0, MUTED, &note);
        }
        for page in &mut self.pages {
            footer(page, &self.document.footer);
        }
        self.pages
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a flow always has a page")
    }

    fn text(&mut self, x: f32, y: f32, font: Font, size: f32, color: Rgb, text: &str) {
        if !text.is_empty() {
            self.page().ops.push(Op::Text { x, y, font, size, color, text: text.to_owned() });
        }
    }

    fn room_for(&self, height: f32) -> bool {
        self.y + height <= BOTTOM
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN;
        let title = fit(&self.document.title, Font::Bold, 8.5, CONTENT_WIDTH);
        self.text(MARGIN, self.y + 8.0, Font::Bold, 8.5, MUTED, &title);
        self.y += 22.0;
    }

    fn header(&mut self) {
        let document = self.document;
        self.y += 18.0;
        for line in wrap(&document.title, Font::Bold, 18.0, CONTENT_WIDTH).into_iter().take(2) {
            self.text(MARGIN, self.y, Font::Bold, 18.0, document.accent, &line);
            self.y += 22.0;
        }
        for line in wrap(&document.description, Font::Regular, 9.5, CONTENT_WIDTH).into_iter().take(8) {
            self.text(MARGIN, self.y, Font::Regular, 9.5, INK, &line);
            self.y += 12.5;
        }
        self.y += 4.0;
        for (label, value) in &document.facts {
            let label = fit(label, Font::Bold, 8.5, 130.0);
            self.text(MARGIN, self.y, Font::Bold, 8.5, MUTED, &label);
            let value = fit(value, Font::Regular, 8.5, CONTENT_WIDTH - 140.0);
            self.text(MARGIN + 140.0, self.y, Font::Regular, 8.5, INK, &value);
            self.y += 12.0;
        }
        self.y += 6.0;
        let (y, accent) = (self.y, document.accent);
        self.page().ops.push(Op::Rule { x1: MARGIN, x2: RIGHT, y, width: 1.2, color: accent });
        self.y += 16.0;
    }

    fn heading(&mut self) {
        let y = self.y;
        self.page().ops.push(Op::Band { x: MARGIN, y, width: CONTENT_WIDTH, height: HEADING_HEIGHT, color: BAND });
        let baseline = y + 13.5;
        let mut x = MARGIN;
        let cells: Vec<(String, bool, f32)> = self
            .document
            .columns
            .iter()
            .zip(&self.widths)
            .map(|(c, w)| (c.heading.to_uppercase(), c.numeric, *w))
            .collect();
        for (heading, numeric, width) in cells {
            let heading = fit(&heading, Font::Bold, 7.0, width - 2.0 * CELL_PADDING);
            let left =
                if numeric { x + width - CELL_PADDING - Font::Bold.width(&heading, 7.0) } else { x + CELL_PADDING };
            self.text(left, baseline, Font::Bold, 7.0, MUTED, &heading);
            x += width;
        }
        self.y += HEADING_HEIGHT;
    }

    fn row(&mut self, index: usize) {
        let document = self.document;
        let row = &document.rows[index];
        let cells: Vec<Vec<String>> = document
            .columns
            .iter()
            .zip(&self.widths)
            .enumerate()
            .map(|(i, (column, width))| {
                let text = row.get(i).map(String::as_str).unwrap_or_default();
                let inner = width - 2.0 * CELL_PADDING;
                if column.numeric {
                    return vec![fit(text, Font::Regular, SIZE, inner)];
                }
                let mut lines = wrap(text, Font::Regular, SIZE, inner);
                if lines.len() > MAX_CELL_LINES {
                    lines.truncate(MAX_CELL_LINES);
                    let last = format!("{}…", lines[MAX_CELL_LINES - 1]);
                    lines[MAX_CELL_LINES - 1] = fit(&last, Font::Regular, SIZE, inner);
                }
                lines
            })
            .collect();
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let height = 2.0 * CELL_PADDING + lines as f32 * LEADING;
        if !self.room_for(height) {
            self.new_page();
            self.heading();
        }
        let top = self.y;
        let mut x = MARGIN;
        let widths = self.widths.clone();
        for ((column, width), lines) in document.columns.iter().zip(&widths).zip(&cells) {
            for (n, line) in lines.iter().enumerate() {
                let baseline = top + CELL_PADDING + (n + 1) as f32 * LEADING - 2.5;
                let left = if column.numeric {
                    x + width - CELL_PADDING - Font::Regular.width(line, SIZE)
                } else {
                    x + CELL_PADDING
                };
                self.text(left, baseline, Font::Regular, SIZE, INK, line);
            }
            x += width;
        }
        if self.bars {
            if let Some(value) = document.bars.get(index).copied().flatten().filter(|v| v.is_finite() && *v > 0.0) {
                let length = ((value / self.largest) as f32 * (BAR_WIDTH - CELL_PADDING)).max(1.0);
                let y = top + CELL_PADDING + 2.0;
                let accent = document.accent;
                self.page().ops.push(Op::Band { x: x + CELL_PADDING, y, width: length, height: 7.0, color: accent });
            }
        }
        self.y = top + height;
        let y = self.y;
        self.page().ops.push(Op::Rule { x1: MARGIN, x2: RIGHT, y, width: 0.5, color: RULE });
    }
}
