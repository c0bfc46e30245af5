//! Server-side SVG charts: bar (vertical, horizontal, stacked), line, area,
//! donut, funnel and a KPI number with its change. Pure functions from data
//! to markup, for the report builder, dashboards and any other screen.
//!
//! Every chart is a `<figure>` holding an `<svg role="img">` labelled by its
//! `<title>` and `<desc>`, and a visually hidden `<table>` with the same
//! numbers for screen readers. Colours come only from CSS classes
//! (`chart-s0`…`chart-s5`, themed in `app.css`), never inline styles: the CSP
//! forbids them, and the classes follow the light/dark theme and print.

mod bar;
mod kpi;
mod line;
mod round;
mod scale;
mod svg;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::format;
use super::i18n::{Locale, Tr};
use svg::Writer;

/// Width of every chart's view box; CSS scales it to its container.
const WIDTH: f64 = 640.0;
/// Series colours in the stylesheet (`.chart-s0` … `.chart-s5`), reused in turn.
const PALETTE: usize = 6;

/// How a chart draws its data (defined with report definitions, which name one).
pub use rapport_core::reports::ChartKind;

/// One named row of numbers, one value per category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// What a chart shows: categories along one axis, one or more series of
/// values. A series shorter than the categories counts the missing values
/// as 0; non-finite values also count as 0.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChartData {
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Per category, where clicking its bar, slice or point leads (the
    /// records behind it). Empty when nothing is clickable.
    #[serde(default)]
    pub links: Vec<Option<String>>,
}

impl ChartData {
    pub fn new(categories: Vec<String>, series: Vec<Series>) -> Self {
        Self { categories, series, links: Vec::new() }
    }

    pub fn with_links(mut self, links: Vec<Option<String>>) -> Self {
        self.links = links;
        self
    }

    /// The value of `series` at `category`, 0 when missing or not finite.
    fn value(&self, series: usize, category: usize) -> f64 {
        let value = self.series.get(series).and_then(|s| s.values.get(category)).copied().unwrap_or(0.0);
        if value.is_finite() { value } else { 0.0 }
    }

    fn link(&self, category: usize) -> Option<&str> {
        self.links.get(category).and_then(|l| l.as_deref())
    }

    /// Whether every value is a whole number (counts), for whole ticks.
    fn whole(&self) -> bool {
        (0..self.series.len()).all(|s| (0..self.categories.len()).all(|c| self.value(s, c).fract() == 0.0))
    }

    /// Nothing to draw: no categories, no series, or only zeros.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
            || self.series.is_empty()
            || (0..self.series.len()).all(|s| (0..self.categories.len()).all(|c| self.value(s, c) == 0.0))
    }
}

/// How values read: numbers, money or percentages, in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueFormat {
    /// Plain numbers: whole ones grouped, others with up to two decimals.
    Number,
    /// Amounts in minor units (cents) of the currency, as `format::money`.
    Money { currency: String },
    /// Percentages, 12.5 meaning 12.5 %.
    Percent,
}

/// The words around a chart: title and description (the SVG's `<title>` and
/// `<desc>`), how values read, and the fixed words in the user's language.
#[derive(Debug, Clone)]
pub struct ChartText {
    /// Prefix of the element ids `aria-labelledby` points at; unique per page.
    pub id: String,
    pub title: String,
    pub description: String,
    pub format: ValueFormat,
    /// Per series, when series read differently (a sum of money beside a
    /// count); empty: every series reads as `format`.
    series_formats: Vec<ValueFormat>,
    pub locale: Locale,
    no_data: String,
    right_scale: String,
    no_previous: String,
    category: String,
    previous: String,
}

impl ChartText {
    /// Text for a chart titled `title`; its id is derived from the title
    /// (override with `with_id` when a page shows the same title twice).
    pub fn new(tr: &Tr, title: impl Into<String>, description: impl Into<String>, format: ValueFormat) -> Self {
        let title = title.into();
        Self {
            id: format!("chart-{:08x}", fnv(&title)),
            description: description.into(),
            title,
            format,
            series_formats: Vec::new(),
            locale: tr.locale,
            no_data: tr.t("chart.no_data"),
            right_scale: tr.t("chart.right_scale"),
            no_previous: tr.t("chart.no_previous"),
            category: tr.t("chart.category"),
            previous: tr.t("chart.previous"),
        }
    }

    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// How each series reads, in the series' order. Column and line charts
    /// whose series read two ways draw the second way on a scale of its own
    /// on the right; the other kinds read every series as the first.
    pub fn with_series_formats(mut self, formats: Vec<ValueFormat>) -> Self {
        self.series_formats = formats;
        self
    }

    /// How the `series`th series reads.
    fn format_of(&self, series: usize) -> &ValueFormat {
        self.series_formats.get(series).unwrap_or(&self.format)
    }

    /// A value as the user reads it.
    pub fn value(&self, value: f64) -> String {
        self.formatted(&self.format, value)
    }

    /// A value of the `series`th series as the user reads it.
    fn series_value(&self, series: usize, value: f64) -> String {
        self.formatted(self.format_of(series), value)
    }

    fn formatted(&self, format: &ValueFormat, value: f64) -> String {
        let value = if value.is_finite() { value } else { 0.0 };
        match format {
            ValueFormat::Number => number(value, self.locale),
            ValueFormat::Money { currency } => format::money(clamp_i64(value), currency, self.locale),
            ValueFormat::Percent => format::percent_bp(clamp_i64(value * 100.0), self.locale),
        }
    }

    /// A tick label: like `value`, but money without zero cents to keep axes narrow.
    #[cfg(test)]
    fn tick(&self, value: f64) -> String {
        self.tick_in(&self.format, value)
    }

    /// A tick label of a scale reading as `format`.
    fn tick_in(&self, format: &ValueFormat, value: f64) -> String {
        let text = self.formatted(format, value);
        let ValueFormat::Money { .. } = format else { return text };
        let decimal = if self.locale == Locale::En { '.' } else { ',' };
        match text.find(&format!("{decimal}00")) {
            Some(at) if !text[at + 3..].starts_with(|c: char| c.is_ascii_digit()) => {
                format!("{}{}", &text[..at], &text[at + 3..])
            }
            _ => text,
        }
    }

    /// A percentage of a whole, for donut and funnel labels.
    fn percent(&self, part: f64, whole: f64) -> String {
        if whole == 0.0 || !whole.is_finite() || !part.is_finite() {
            return "—".to_owned();
        }
        format::percent_bp(clamp_i64(part / whole * 1000.0) * 10, self.locale)
    }
}

fn number(value: f64, locale: Locale) -> String {
    if value.fract() == 0.0 {
        format::integer(clamp_i64(value), locale)
    } else {
        format::scaled(clamp_i64(value * 100.0), 2, locale)
    }
}

/// `value` rounded into an i64 (saturating; finite input assumed).
fn clamp_i64(value: f64) -> i64 {
    value.round().clamp(i64::MIN as f64, i64::MAX as f64) as i64
}

/// FNV-1a: a stable short hash for element ids.
fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193))
}

/// The chart of `data` drawn as `kind`, with its accessible table.
pub fn render(kind: ChartKind, data: &ChartData, text: &ChartText) -> String {
    let body = if kind == ChartKind::Kpi {
        kpi::draw(data, text)
    } else if data.is_empty() {
        None
    } else {
        match kind {
            ChartKind::Bar => Some(bar::vertical(data, text, false)),
            ChartKind::StackedBar => Some(bar::vertical(data, text, true)),
            ChartKind::HorizontalBar => Some(bar::horizontal(data, text)),
            ChartKind::Line => Some(line::draw(data, text, false)),
            ChartKind::Area => Some(line::draw(data, text, true)),
            ChartKind::Donut => round::donut(data, text),
            ChartKind::Funnel => round::funnel(data, text),
            ChartKind::Kpi => None,
        }
    };
    let (height, body) = body.unwrap_or_else(|| no_data(text));
    let mut out = Writer::new();
    out.open("figure", &[("class", &format!("chart chart-kind-{}", kind.as_str()))]);
    let title_id = format!("{}-title", text.id);
    let desc_id = format!("{}-desc", text.id);
    out.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("viewBox", &view_box(kind, height)),
            ("role", "img"),
            ("aria-labelledby", &format!("{title_id} {desc_id}")),
            ("class", "chart-svg"),
        ],
    );
    out.text("title", &[("id", &title_id)], &text.title);
    out.text("desc", &[("id", &desc_id)], &text.description);
    out.raw(body);
    out.close();
    out.raw(table(kind, data, text));
    out.close();
    out.finish()
}

/// The drawn area: a KPI shows only its centre, so its number reads large in a small widget.
fn view_box(kind: ChartKind, height: f64) -> String {
    if kind == ChartKind::Kpi {
        format!("{} 0 {} {}", svg::num(KPI_INSET), svg::num(WIDTH - 2.0 * KPI_INSET), svg::num(height))
    } else {
        format!("0 0 {} {}", svg::num(WIDTH), svg::num(height))
    }
}

/// How much of each side a KPI leaves out of its view box.
const KPI_INSET: f64 = 120.0;

/// The chart that says there is nothing to show.
fn no_data(text: &ChartText) -> (f64, Writer) {
    let height = 160.0;
    let mut w = Writer::new();
    w.empty(
        "rect",
        &[("x", "1"), ("y", "1"), ("width", "638"), ("height", "158"), ("rx", "8"), ("class", "chart-empty")],
    );
    w.text("text", &[("x", "320"), ("y", "84"), ("text-anchor", "middle"), ("class", "chart-note")], &text.no_data);
    (height, w)
}

/// The same numbers as a table, hidden from sight but read by screen readers.
fn table(kind: ChartKind, data: &ChartData, text: &ChartText) -> Writer {
    let mut w = Writer::new();
    w.open("table", &[("class", "visually-hidden")]);
    w.text("caption", &[], &text.title);
    if data.is_empty() && kind != ChartKind::Kpi {
        w.open("tbody", &[]);
        w.open("tr", &[]);
        w.text("td", &[], &text.no_data);
        w.close();
        w.close();
        w.close();
        return w;
    }
    w.open("thead", &[]);
    w.open("tr", &[]);
    w.text("th", &[("scope", "col")], &text.category);
    for series in &data.series {
        w.text("th", &[("scope", "col")], &series.name);
    }
    w.close();
    w.close();
    w.open("tbody", &[]);
    for (c, category) in data.categories.iter().enumerate() {
        w.open("tr", &[]);
        w.text("th", &[("scope", "row")], category);
        for s in 0..data.series.len() {
            w.text("td", &[], &text.series_value(s, data.value(s, c)));
        }
        w.close();
    }
    w.close();
    w.close();
    w
}

/// The class of the `index`th series or slice colour.
fn colour(index: usize) -> String {
    format!("chart-s{}", index % PALETTE)
}

/// A shape's tooltip: "Category · Series: value" (the series only when there are several).
fn tooltip(data: &ChartData, text: &ChartText, series: usize, category: usize) -> String {
    let label = data.categories.get(category).map_or("", String::as_str);
    let value = text.series_value(series, data.value(series, category));
    match data.series.get(series) {
        Some(s) if data.series.len() > 1 => format!("{label} · {}: {value}", s.name),
        _ => format!("{label}: {value}"),
    }
}

/// Height of one legend row.
const LEGEND_ROW: f64 = 20.0;
/// A legend entry is cut to this many characters.
const LEGEND_CHARS: usize = 28;

/// The legend's entries: (series, words, x, row), wrapped onto as many
/// rows as needed; none when there is only one series.
fn legend_layout(data: &ChartData, text: &ChartText, on_right: &[bool]) -> Vec<(usize, String, f64, usize)> {
    if data.series.len() < 2 {
        return Vec::new();
    }
    let (mut x, mut row) = (8.0, 0);
    let mut entries = Vec::with_capacity(data.series.len());
    for (index, series) in data.series.iter().enumerate() {
        let name = scale::truncate(&series.name, LEGEND_CHARS);
        let name =
            if on_right.get(index).copied().unwrap_or(false) { format!("{name} ({})", text.right_scale) } else { name };
        let width = 14.0 + scale::text_width(&name) + 16.0;
        if x > 8.0 && x + width > WIDTH {
            (x, row) = (8.0, row + 1);
        }
        entries.push((index, name, x, row));
        x += width;
    }
    entries
}

/// How much room the legend takes above the plot (0 for one series).
fn legend_height(data: &ChartData, text: &ChartText, on_right: &[bool]) -> f64 {
    legend_layout(data, text, on_right).last().map_or(0.0, |(_, _, _, row)| (*row + 1) as f64 * LEGEND_ROW)
}

/// The legend of series names, when there is more than one series, each
/// marked with its series' colour; rows start at `y` (the first baseline).
fn legend(w: &mut Writer, data: &ChartData, text: &ChartText, on_right: &[bool], y: f64) {
    for (index, name, x, row) in legend_layout(data, text, on_right) {
        let y = y + row as f64 * LEGEND_ROW;
        w.empty(
            "rect",
            &[
                ("x", &svg::num(x)),
                ("y", &svg::num(y - 9.0)),
                ("width", "10"),
                ("height", "10"),
                ("rx", "2"),
                ("class", &colour(index)),
            ],
        );
        w.text("text", &[("x", &svg::num(x + 14.0)), ("y", &svg::num(y)), ("class", "chart-label")], &name);
    }
}
