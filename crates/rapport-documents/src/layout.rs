//! Where everything goes: the document as pages of drawing operations.
//! Positions are in points from the page's top-left corner; `write` turns
//! them into PDF's bottom-left coordinates.

use crate::image::Logo;
use crate::text::{Font, fit, wrap};
use crate::{Document, Line, Rgb};

pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN: f32 = 48.0;
pub(crate) const RIGHT: f32 = PAGE_WIDTH - MARGIN;
pub(crate) const CONTENT_WIDTH: f32 = RIGHT - MARGIN;
/// Content stops here; the footer is below.
pub(crate) const BOTTOM: f32 = PAGE_HEIGHT - 60.0;

pub const INK: Rgb = Rgb(0x1f, 0x29, 0x37);
pub const MUTED: Rgb = Rgb(0x6b, 0x72, 0x80);
pub(crate) const RULE: Rgb = Rgb(0xe5, 0xe7, 0xeb);
pub(crate) const BAND: Rgb = Rgb(0xf3, 0xf4, 0xf6);

pub(crate) const CELL_PADDING: f32 = 6.0;
const BODY_SIZE: f32 = 9.5;
const BODY_LEADING: f32 = 12.5;
const DETAIL_SIZE: f32 = 8.0;
const DETAIL_LEADING: f32 = 10.5;

pub enum Op {
    /// Text whose baseline is at `y`.
    Text {
        x: f32,
        y: f32,
        font: Font,
        size: f32,
        color: Rgb,
        text: String,
    },
    /// "Page 2 of 3", right-aligned at `right`, once the page count is known.
    PageLabel {
        right: f32,
        y: f32,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        color: Rgb,
    },
    /// A filled rectangle whose top edge is at `y`.
    Band {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Rgb,
    },
    /// The logo, its top edge at `y`.
    Logo {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

#[derive(Default)]
pub struct Page {
    pub ops: Vec<Op>,
}

/// The line table's columns that have something to show, right to left
/// after the description.
struct Column {
    heading: String,
    width: f32,
    cell: Cell,
}

/// Reads one column's value from a line.
type Cell = fn(&Line) -> &str;

pub fn pages(document: &Document, logo: Option<&Logo>) -> Vec<Page> {
    let columns = columns(document);
    let mut flow = Flow { pages: vec![Page::default()], y: MARGIN, document, columns };
    flow.header(logo);
    flow.customer();
    flow.table_heading();
    for line in &document.lines {
        flow.row(line);
    }
    flow.totals();
    for (heading, text) in &document.sections {
        flow.section(heading, text);
    }
    for page in &mut flow.pages {
        footer(page, &document.footer);
    }
    flow.pages
}

fn columns(document: &Document) -> Vec<Column> {
    let c = &document.columns;
    let all: [(&str, f32, Cell); 5] = [
        (&c.quantity, 46.0, |l| &l.quantity),
        (&c.unit_price, 82.0, |l| &l.unit_price),
        (&c.discount, 64.0, |l| &l.discount),
        (&c.tax, 58.0, |l| &l.tax),
        (&c.total, 88.0, |l| &l.total),
    ];
    all.into_iter()
        .filter(|(_, _, cell)| document.lines.iter().any(|l| !cell(l).trim().is_empty()))
        .map(|(heading, width, cell)| Column { heading: heading.to_owned(), width, cell })
        .collect()
}

struct Flow<'a> {
    pages: Vec<Page>,
    /// Where the next thing goes, from the page's top.
    y: f32,
    document: &'a Document,
    columns: Vec<Column>,
}

impl Flow<'_> {
    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a flow always has a page")
    }

    fn text(&mut self, x: f32, y: f32, font: Font, size: f32, color: Rgb, text: &str) {
        if !text.is_empty() {
            self.page().ops.push(Op::Text { x, y, font, size, color, text: text.to_owned() });
        }
    }

    fn text_right(&mut self, right: f32, y: f32, font: Font, size: f32, color: Rgb, text: &str) {
        self.text(right - font.width(text, size), y, font, size, color, text);
    }

    fn room_for(&self, height: f32) -> bool {
        self.y + height <= BOTTOM
    }

    /// A new page, headed by the document's title and number in small type.
    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN;
        let heading = format!("{} {}", self.document.title, self.document.number);
        self.text(MARGIN, self.y + 8.0, Font::Bold, 8.5, MUTED, &heading);
        self.y += 22.0;
    }

    /// Logo and seller on the left; title, number and facts on the right.
    fn header(&mut self, logo: Option<&Logo>) {
        let document = self.document;
        let top = self.y;
        let mut left = top;
        if let Some(logo) = logo {
            let scale = (150.0 / logo.width as f32).min(54.0 / logo.height as f32);
            let (width, height) = (logo.width as f32 * scale, logo.height as f32 * scale);
            self.page().ops.push(Op::Logo { x: MARGIN, y: top, width, height });
            left += height + 10.0;
        }
        let half = CONTENT_WIDTH / 2.0 - 12.0;
        left += 14.0;
        let name = fit(&document.seller.name, Font::Bold, 13.0, half);
        self.text(MARGIN, left, Font::Bold, 13.0, INK, &name);
        for line in &document.seller.lines {
            for piece in wrap(line, Font::Regular, 8.5, half) {
                left += 11.5;
                self.text(MARGIN, left, Font::Regular, 8.5, MUTED, &piece);
            }
        }

        let mut right = top + 20.0;
        let title = fit(&document.title, Font::Bold, 22.0, half);
        self.text_right(RIGHT, right, Font::Bold, 22.0, document.accent, &title);
        right += 17.0;
        let number = fit(&document.number, Font::Bold, 11.0, half);
        self.text_right(RIGHT, right, Font::Bold, 11.0, INK, &number);
        right += 6.0;
        for (label, value) in &document.facts {
            right += 13.0;
            let value = fit(value, Font::Regular, 9.0, 130.0);
            self.text_right(RIGHT, right, Font::Regular, 9.0, INK, &value);
            let label = fit(label, Font::Regular, 8.5, half - 140.0);
            self.text_right(RIGHT - 140.0, right, Font::Regular, 8.5, MUTED, &label);
        }
        self.y = left.max(right) + 22.0;
        let accent = document.accent;
        let y = self.y;
        self.page().ops.push(Op::Rule { x1: MARGIN, x2: RIGHT, y, width: 1.2, color: accent });
        self.y += 20.0;
    }

    fn customer(&mut self) {
        let document = self.document;
        let heading = document.customer_heading.to_uppercase();
        self.text(MARGIN, self.y, Font::Bold, 7.5, MUTED, &heading);
        self.y += 15.0;
        let name = fit(&document.customer.name, Font::Bold, 11.0, CONTENT_WIDTH);
        self.text(MARGIN, self.y, Font::Bold, 11.0, INK, &name);
        for line in &document.customer.lines {
            for piece in wrap(line, Font::Regular, 9.0, CONTENT_WIDTH) {
                self.y += 12.0;
                self.text(MARGIN, self.y, Font::Regular, 9.0, INK, &piece);
            }
        }
        self.y += 26.0;
    }

    fn description_width(&self) -> f32 {
        CONTENT_WIDTH - self.columns.iter().map(|c| c.width).sum::<f32>()
    }

    fn table_heading(&mut self) {
        let y = self.y;
        self.page().ops.push(Op::Band { x: MARGIN, y, width: CONTENT_WIDTH, height: 20.0, color: BAND });
        let baseline = y + 13.5;
        let heading = self.document.columns.description.to_uppercase();
        let width = self.description_width() - 2.0 * CELL_PADDING;
        self.text(MARGIN + CELL_PADDING, baseline, Font::Bold, 7.5, MUTED, &fit(&heading, Font::Bold, 7.5, width));
        let mut right = RIGHT;
        let headings: Vec<(String, f32)> =
            self.columns.iter().rev().map(|c| (c.heading.to_uppercase(), c.width)).collect();
        for (heading, width) in headings {
            let heading = fit(&heading, Font::Bold, 7.5, width - CELL_PADDING * 1.5);
            self.text_right(right - CELL_PADDING, baseline, Font::Bold, 7.5, MUTED, &heading);
            right -= width;
        }
        self.y += 20.0;
    }

    /// One line of the table. A row that fits on a fresh page is never
    /// split; a longer one flows on, its figures on its first line.
    fn row(&mut self, line: &Line) {
        let text_width = self.description_width() - 2.0 * CELL_PADDING;
        let description = wrap(&line.description, Font::Regular, BODY_SIZE, text_width);
        let details: Vec<String> =
            line.details.iter().flat_map(|d| wrap(d, Font::Regular, DETAIL_SIZE, text_width)).collect();
        let height =
            2.0 * CELL_PADDING + description.len() as f32 * BODY_LEADING + details.len() as f32 * DETAIL_LEADING;
        let fresh_page_room = BOTTOM - MARGIN - 42.0;
        if !self.room_for(height) && height <= fresh_page_room {
            self.new_page();
            self.table_heading();
        }
        self.y += CELL_PADDING;
        let mut first = true;
        let texts = description.iter().map(|t| (t, Font::Regular, BODY_SIZE, BODY_LEADING, INK));
        let texts = texts.chain(details.iter().map(|t| (t, Font::Regular, DETAIL_SIZE, DETAIL_LEADING, MUTED)));
        for (text, font, size, leading, color) in texts {
            if !self.room_for(leading + CELL_PADDING) {
                self.new_page();
                self.table_heading();
                self.y += CELL_PADDING;
            }
            self.y += leading;
            let baseline = self.y - 3.0;
            self.text(MARGIN + CELL_PADDING, baseline, font, size, color, text);
            if first {
                self.figures(line, baseline);
                first = false;
            }
        }
        self.y += CELL_PADDING;
        let y = self.y;
        self.page().ops.push(Op::Rule { x1: MARGIN, x2: RIGHT, y, width: 0.5, color: RULE });
    }

    fn figures(&mut self, line: &Line, baseline: f32) {
        let mut right = RIGHT;
        let cells: Vec<(String, f32)> =
            self.columns.iter().rev().map(|c| ((c.cell)(line).to_owned(), c.width)).collect();
        for (value, width) in cells {
            let value = fit(&value, Font::Regular, BODY_SIZE, width - CELL_PADDING * 1.5);
            self.text_right(right - CELL_PADDING, baseline, Font::Regular, BODY_SIZE, INK, &value);
            right -= width;
        }
    }

    /// Subtotal, discount, tax and the total, together at the right.
    fn totals(&mut self) {
        let totals = &self.document.totals;
        let height: f32 = 14.0 + totals.iter().map(|t| if t.emphasis { 26.0 } else { 16.0 }).sum::<f32>();
        if !self.room_for(height) {
            self.new_page();
        }
        self.y += 14.0;
        let label_right = RIGHT - 110.0;
        for total in totals {
            if total.emphasis {
                self.y += 6.0;
                let (y, accent) = (self.y, self.document.accent);
                self.page().ops.push(Op::Rule { x1: RIGHT - 230.0, x2: RIGHT, y, width: 1.0, color: accent });
                self.y += 18.0;
                let label = fit(&total.label, Font::Bold, 11.0, 110.0);
                self.text_right(label_right, self.y, Font::Bold, 11.0, INK, &label);
                self.text_right(RIGHT - CELL_PADDING, self.y, Font::Bold, 12.5, INK, &total.value);
                self.y += 2.0;
            } else {
                self.y += 16.0;
                let label = fit(&total.label, Font::Regular, 9.0, 110.0);
                self.text_right(label_right, self.y, Font::Regular, 9.0, MUTED, &label);
                self.text_right(RIGHT - CELL_PADDING, self.y, Font::Regular, BODY_SIZE, INK, &total.value);
            }
        }
        self.y += 20.0;
    }

    fn section(&mut self, heading: &str, text: &str) {
        let lines = wrap(text, Font::Regular, 9.0, CONTENT_WIDTH);
        // The heading never ends a page alone.
        if !self.room_for(18.0 + BODY_LEADING * lines.len().min(2) as f32) {
            self.new_page();
        }
        self.y += 12.0;
        self.text(MARGIN, self.y, Font::Bold, 9.5, INK, heading);
        self.y += 4.0;
        for line in lines {
            if !self.room_for(BODY_LEADING) {
                self.new_page();
            }
            self.y += BODY_LEADING;
            self.text(MARGIN, self.y, Font::Regular, 9.0, INK, &line);
        }
        self.y += 8.0;
    }
}

/// The small print and the page label at the bottom of a page.
pub(crate) fn footer(page: &mut Page, small_print: &str) {
    let y = PAGE_HEIGHT - 44.0;
    page.ops.push(Op::Rule { x1: MARGIN, x2: RIGHT, y, width: 0.5, color: RULE });
    let text = fit(small_print, Font::Regular, 7.5, CONTENT_WIDTH - 90.0);
    if !text.is_empty() {
        page.ops.push(Op::Text { x: MARGIN, y: y + 14.0, font: Font::Regular, size: 7.5, color: MUTED, text });
    }
    page.ops.push(Op::PageLabel { right: RIGHT, y: y + 14.0 });
}
