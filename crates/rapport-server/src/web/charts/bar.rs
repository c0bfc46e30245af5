//! Bar charts: vertical (grouped or stacked) and horizontal, from a zero
//! baseline so negative values hang below it.

use super::scale::{self, Axis};
use super::svg::{Writer, num};
use super::{ChartData, ChartText, ValueFormat, WIDTH, colour, legend, legend_height, tooltip};

pub(super) const PLOT_HEIGHT: f64 = 220.0;
pub(super) const TICKS: usize = 5;
/// The room a category label's character takes under a column, with some to
/// spare: wide fonts (DejaVu Sans) ran neighbouring labels together at 6.4.
const LABEL_CHAR_WIDTH: f64 = 7.2;
/// Rotated labels are cut to this many characters.
const ROTATED_CHARS: usize = 14;

/// The (lowest, highest) value a bar reaches: per value, or per stack.
pub(super) fn extent(data: &ChartData, stacked: bool) -> (f64, f64) {
    extent_of(data, stacked, |_| true)
}

/// `extent` over the series `include` picks.
fn extent_of(data: &ChartData, stacked: bool, include: impl Fn(usize) -> bool) -> (f64, f64) {
    let mut low = 0.0f64;
    let mut high = 0.0f64;
    for c in 0..data.categories.len() {
        let values = (0..data.series.len()).filter(|s| include(*s)).map(|s| data.value(s, c));
        if stacked {
            let (negative, positive) =
                values.fold((0.0, 0.0), |(n, p), v| if v < 0.0 { (n + v, p) } else { (n, p + v) });
            low = low.min(negative);
            high = high.max(positive);
        } else {
            for v in values {
                low = low.min(v);
                high = high.max(v);
            }
        }
    }
    (low, high)
}

/// The value scales of a column or line chart: the first series' on the
/// left, and one on the right for the series that read another way (a
/// count beside a sum of money), so neither is flattened by the other.
pub(super) struct Scales<'a> {
    pub left: Axis,
    left_format: &'a ValueFormat,
    right: Option<(Axis, &'a ValueFormat)>,
    /// Per series, whether it is read on the right.
    pub on_right: Vec<bool>,
}

impl<'a> Scales<'a> {
    /// Stacked columns share one scale: piling up different units means nothing.
    pub fn new(data: &ChartData, text: &'a ChartText, stacked: bool) -> Self {
        let left_format = text.format_of(0);
        let on_right: Vec<bool> =
            (0..data.series.len()).map(|s| !stacked && text.format_of(s) != left_format).collect();
        let axis_of = |right: bool| {
            let (low, high) = extent_of(data, stacked, |s| on_right[s] == right);
            Axis::nice_for(low, high, TICKS, data.whole())
        };
        let right = on_right.iter().position(|r| *r).map(|first| (axis_of(true), text.format_of(first)));
        Self { left: axis_of(false), left_format, right, on_right }
    }

    /// The scale the `series`th series is read on.
    pub fn of(&self, series: usize) -> &Axis {
        match &self.right {
            Some((axis, _)) if self.on_right[series] => axis,
            _ => &self.left,
        }
    }

    /// The room the left scale's labels take.
    pub fn left_room(&self, text: &ChartText) -> f64 {
        (widest_tick(&self.left, self.left_format, text) + 14.0).max(36.0)
    }

    /// Where the plot ends on the right: before the right scale's labels.
    pub fn right_edge(&self, text: &ChartText) -> f64 {
        match &self.right {
            Some((axis, format)) => WIDTH - widest_tick(axis, format, text) - 14.0,
            None => WIDTH - 8.0,
        }
    }

    /// Horizontal grid lines at the left scale's ticks, labelled on the
    /// left, and the right scale's labels at its own heights.
    pub fn grid(&self, w: &mut Writer, text: &ChartText, left: f64, right: f64, top: f64, height: f64) {
        for tick in &self.left.ticks {
            let y = top + height * (1.0 - self.left.fraction(*tick));
            let class = if *tick == 0.0 { "chart-axis" } else { "chart-grid" };
            w.empty(
                "line",
                &[("x1", &num(left)), ("x2", &num(right)), ("y1", &num(y)), ("y2", &num(y)), ("class", class)],
            );
            w.text(
                "text",
                &[("x", &num(left - 6.0)), ("y", &num(y + 4.0)), ("text-anchor", "end"), ("class", "chart-label")],
                &text.tick_in(self.left_format, *tick),
            );
        }
        if let Some((axis, format)) = &self.right {
            for tick in &axis.ticks {
                let y = top + height * (1.0 - axis.fraction(*tick));
                w.text(
                    "text",
                    &[
                        ("x", &num(right + 6.0)),
                        ("y", &num(y + 4.0)),
                        ("text-anchor", "start"),
                        ("class", "chart-label"),
                    ],
                    &text.tick_in(format, *tick),
                );
            }
        }
    }
}

fn widest_tick(axis: &Axis, format: &ValueFormat, text: &ChartText) -> f64 {
    axis.ticks.iter().map(|t| scale::text_width(&text.tick_in(format, *t))).fold(0.0, f64::max)
}

/// Column charts; `stacked` piles the series instead of setting them side by side.
pub fn vertical(data: &ChartData, text: &ChartText, stacked: bool) -> (f64, Writer) {
    let scales = Scales::new(data, text, stacked);
    let left = scales.left_room(text);
    let right = scales.right_edge(text);
    let top = 12.0 + legend_height(data, text, &scales.on_right);
    let count = data.categories.len();
    let band = (right - left) / count as f64;
    let (fits, rotated) = label_fit(data, band);
    let bottom = if rotated { 84.0 } else { 28.0 };
    let height = top + PLOT_HEIGHT + bottom;
    let mut w = Writer::new();
    legend(&mut w, data, text, &scales.on_right, 18.0);
    scales.grid(&mut w, text, left, right, top, PLOT_HEIGHT);
    let y_of = |s: usize, v: f64| top + PLOT_HEIGHT * (1.0 - scales.of(s).fraction(v));
    let series_count = data.series.len();
    let bar_width = if stacked { band * 0.7 } else { band * 0.8 / series_count as f64 };
    for c in 0..count {
        let band_left = left + band * c as f64;
        let opened = w.link(data.link(c));
        let (mut positive, mut negative) = (0.0, 0.0);
        for s in 0..series_count {
            let value = data.value(s, c);
            let (from, to, x) = if stacked {
                let base = if value < 0.0 { &mut negative } else { &mut positive };
                let from = *base;
                *base += value;
                (from, *base, band_left + band * 0.15)
            } else {
                (0.0, value, band_left + band * 0.1 + bar_width * s as f64)
            };
            let (y1, y2) = (y_of(s, from), y_of(s, to));
            w.shape(
                "rect",
                &[
                    ("x", &num(x)),
                    ("y", &num(y1.min(y2))),
                    ("width", &num(bar_width.max(1.0))),
                    ("height", &num((y1 - y2).abs())),
                    ("class", &colour(s)),
                ],
                &tooltip(data, text, s, c),
            );
        }
        w.end_link(opened);
        category_label(&mut w, data, c, band_left + band / 2.0, top + PLOT_HEIGHT, band, rotated, fits);
    }
    (height, w)
}

/// How many characters of a label fit straight under a column `band`
/// wide, and whether the labels turn instead: when a straight one would be
/// cut ("4º tri 20…" loses the year), they turn and keep up to 14.
pub(super) fn label_fit(data: &ChartData, band: f64) -> (usize, bool) {
    let fits = (band / LABEL_CHAR_WIDTH).floor() as usize;
    (fits, data.categories.iter().any(|c| c.chars().count() > fits.max(6)))
}

/// A column's label under the axis: straight when it fits, else rotated and
/// only every few columns so labels never overlap.
#[allow(clippy::too_many_arguments)]
pub(super) fn category_label(
    w: &mut Writer,
    data: &ChartData,
    c: usize,
    x: f64,
    baseline: f64,
    band: f64,
    rotated: bool,
    fits: usize,
) {
    let label = &data.categories[c];
    if rotated {
        let every = (13.0 / band).ceil().max(1.0) as usize;
        if !c.is_multiple_of(every) {
            return;
        }
        let y = baseline + 14.0;
        w.text(
            "text",
            &[
                ("x", &num(x)),
                ("y", &num(y)),
                ("text-anchor", "end"),
                ("transform", &format!("rotate(-45 {} {})", num(x), num(y))),
                ("class", "chart-label"),
            ],
            &scale::truncate(label, ROTATED_CHARS),
        );
    } else {
        w.text(
            "text",
            &[("x", &num(x)), ("y", &num(baseline + 18.0)), ("text-anchor", "middle"), ("class", "chart-label")],
            &scale::truncate(label, fits.max(6)),
        );
    }
}

/// Bars growing to the right, one row per category, labels on the left and
/// each value at its bar's end; the chart grows taller with the categories.
pub fn horizontal(data: &ChartData, text: &ChartText) -> (f64, Writer) {
    const LABEL_CHARS: usize = 26;
    const VALUE_ROOM: f64 = 96.0;
    let (low, high) = extent(data, false);
    let axis = Axis::nice_for(low, high, TICKS, data.whole());
    let widest_label =
        data.categories.iter().map(|c| scale::text_width(&scale::truncate(c, LABEL_CHARS))).fold(0.0, f64::max);
    let left = (widest_label + 12.0).clamp(48.0, 180.0);
    let series_count = data.series.len();
    let bar_height = if series_count > 1 { 12.0 } else { 18.0 };
    let row = bar_height * series_count as f64 + 10.0;
    let top = 8.0 + legend_height(data, text, &[]);
    let plot_height = row * data.categories.len() as f64;
    let right = WIDTH - VALUE_ROOM;
    let x_of = |v: f64| left + (right - left) * axis.fraction(v);
    let mut w = Writer::new();
    legend(&mut w, data, text, &[], 18.0);
    for tick in &axis.ticks {
        let x = x_of(*tick);
        let class = if *tick == 0.0 { "chart-axis" } else { "chart-grid" };
        w.empty(
            "line",
            &[("x1", &num(x)), ("x2", &num(x)), ("y1", &num(top)), ("y2", &num(top + plot_height)), ("class", class)],
        );
        w.text(
            "text",
            &[
                ("x", &num(x)),
                ("y", &num(top + plot_height + 16.0)),
                ("text-anchor", "middle"),
                ("class", "chart-label"),
            ],
            &text.tick_in(&text.format, *tick),
        );
    }
    for (c, category) in data.categories.iter().enumerate() {
        let row_top = top + row * c as f64;
        w.text(
            "text",
            &[
                ("x", &num(left - 8.0)),
                ("y", &num(row_top + row / 2.0 + 4.0)),
                ("text-anchor", "end"),
                ("class", "chart-label"),
            ],
            &scale::truncate(category, LABEL_CHARS),
        );
        let opened = w.link(data.link(c));
        for s in 0..series_count {
            let value = data.value(s, c);
            let (x0, x1) = (x_of(0.0), x_of(value));
            let y = row_top + 5.0 + bar_height * s as f64;
            w.shape(
                "rect",
                &[
                    ("x", &num(x0.min(x1))),
                    ("y", &num(y)),
                    ("width", &num((x1 - x0).abs())),
                    ("height", &num(bar_height - 2.0)),
                    ("class", &colour(s)),
                ],
                &tooltip(data, text, s, c),
            );
            let (x, anchor) = if value < 0.0 { (x1 - 4.0, "end") } else { (x1 + 4.0, "start") };
            w.text(
                "text",
                &[("x", &num(x)), ("y", &num(y + bar_height - 5.0)), ("text-anchor", anchor), ("class", "chart-value")],
                &text.series_value(s, value),
            );
        }
        w.end_link(opened);
    }
    (top + plot_height + 24.0, w)
}
