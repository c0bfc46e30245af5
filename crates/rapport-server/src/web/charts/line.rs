//! Line and area charts: one point per category at the centre of its band,
//! so they line up with bar charts of the same data.

use super::bar::{PLOT_HEIGHT, TICKS, category_label, extent, value_grid};
use super::scale::{self, Axis};
use super::svg::{Writer, num};
use super::{ChartData, ChartText, WIDTH, colour, legend, tooltip};

/// Lines per series; `filled` shades the area between each line and zero.
pub fn draw(data: &ChartData, text: &ChartText, filled: bool) -> (f64, Writer) {
    let (low, high) = extent(data, false);
    let axis = Axis::nice_for(low, high, TICKS, data.whole());
    let widest_tick = axis.ticks.iter().map(|t| scale::text_width(&text.tick(*t))).fold(0.0, f64::max);
    let left = (widest_tick + 14.0).max(36.0);
    let top = if data.series.len() > 1 { 32.0 } else { 12.0 };
    let count = data.categories.len();
    let band = (WIDTH - 8.0 - left) / count as f64;
    let fits = (band / 6.4).floor() as usize;
    let rotated = fits < 6 && data.categories.iter().any(|c| c.chars().count() > fits);
    let bottom = if rotated { 84.0 } else { 28.0 };
    let mut w = Writer::new();
    legend(&mut w, data, 18.0);
    value_grid(&mut w, &axis, text, left, top, PLOT_HEIGHT);
    let x_of = |c: usize| left + band * (c as f64 + 0.5);
    let y_of = |v: f64| top + PLOT_HEIGHT * (1.0 - axis.fraction(v));
    let baseline = y_of(0.0);
    for s in 0..data.series.len() {
        let points: Vec<String> =
            (0..count).map(|c| format!("{},{}", num(x_of(c)), num(y_of(data.value(s, c))))).collect();
        if filled && count > 1 {
            let area = format!(
                "{},{} {} {},{}",
                num(x_of(0)),
                num(baseline),
                points.join(" "),
                num(x_of(count - 1)),
                num(baseline)
            );
            w.empty("polygon", &[("points", &area), ("class", &format!("chart-area {}", colour(s)))]);
        }
        if count > 1 {
            w.empty("polyline", &[("points", &points.join(" ")), ("class", &format!("chart-line {}", colour(s)))]);
        }
    }
    // Points last, so they sit above every line and take the clicks.
    let radius = if count > 24 { "2.5" } else { "4" };
    for c in 0..count {
        let opened = w.link(data.link(c));
        for s in 0..data.series.len() {
            w.shape(
                "circle",
                &[
                    ("cx", &num(x_of(c))),
                    ("cy", &num(y_of(data.value(s, c)))),
                    ("r", radius),
                    ("class", &format!("chart-point {}", colour(s))),
                ],
                &tooltip(data, text, s, c),
            );
        }
        w.end_link(opened);
        category_label(&mut w, data, c, x_of(c), top + PLOT_HEIGHT, band, rotated, fits);
    }
    (top + PLOT_HEIGHT + bottom, w)
}
