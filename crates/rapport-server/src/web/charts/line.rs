//! Line and area charts: one point per category at the centre of its band,
//! so they line up with bar charts of the same data.

use super::bar::{PLOT_HEIGHT, Scales, category_label, label_fit};
use super::svg::{Writer, num};
use super::{ChartData, ChartText, colour, legend, legend_height, tooltip};

/// Lines per series; `filled` shades the area between each line and zero.
pub fn draw(data: &ChartData, text: &ChartText, filled: bool) -> (f64, Writer) {
    let scales = Scales::new(data, text, false);
    let left = scales.left_room(text);
    let right = scales.right_edge(text);
    let top = 12.0 + legend_height(data, text, &scales.on_right);
    let count = data.categories.len();
    let band = (right - left) / count as f64;
    let (fits, rotated) = label_fit(data, band);
    let bottom = if rotated { 84.0 } else { 28.0 };
    let mut w = Writer::new();
    legend(&mut w, data, text, &scales.on_right, 18.0);
    scales.grid(&mut w, text, left, right, top, PLOT_HEIGHT);
    let x_of = |c: usize| left + band * (c as f64 + 0.5);
    let y_of = |s: usize, v: f64| top + PLOT_HEIGHT * (1.0 - scales.of(s).fraction(v));
    for s in 0..data.series.len() {
        let baseline = y_of(s, 0.0);
        let points: Vec<String> =
            (0..count).map(|c| format!("{},{}", num(x_of(c)), num(y_of(s, data.value(s, c))))).collect();
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
                    ("cy", &num(y_of(s, data.value(s, c)))),
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
