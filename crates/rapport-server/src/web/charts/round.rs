//! Part-of-a-whole charts of the first series: a donut with its legend, and
//! a funnel of stages (each bar's width against the widest, with its share
//! of the first stage). Negative values cannot be a part and are left out.

use std::f64::consts::{FRAC_PI_2, TAU};

use super::scale;
use super::svg::{Writer, num};
use super::{ChartData, ChartText, colour, tooltip};

const CX: f64 = 150.0;
const CY: f64 = 140.0;
const OUTER: f64 = 120.0;
const INNER: f64 = 74.0;
const LEGEND_ROW: f64 = 24.0;

fn point(radius: f64, angle: f64) -> String {
    format!("{},{}", num(CX + radius * angle.cos()), num(CY + radius * angle.sin()))
}

/// The ring's path between two angles (radians, clockwise from 3 o'clock).
fn slice_path(from: f64, to: f64) -> String {
    let large = if to - from > std::f64::consts::PI { 1 } else { 0 };
    format!(
        "M{} A{o},{o} 0 {large} 1 {} L{} A{i},{i} 0 {large} 0 {} Z",
        point(OUTER, from),
        point(OUTER, to),
        point(INNER, to),
        point(INNER, from),
        o = num(OUTER),
        i = num(INNER),
    )
}

/// A whole ring (one category holds everything): two half arcs per circle.
fn ring_path() -> String {
    let (top, bottom) = (-FRAC_PI_2, FRAC_PI_2);
    format!(
        "M{} A{o},{o} 0 1 1 {} A{o},{o} 0 1 1 {} Z M{} A{i},{i} 0 1 0 {} A{i},{i} 0 1 0 {} Z",
        point(OUTER, top),
        point(OUTER, bottom),
        point(OUTER, top),
        point(INNER, top),
        point(INNER, bottom),
        point(INNER, top),
        o = num(OUTER),
        i = num(INNER),
    )
}

pub fn donut(data: &ChartData, text: &ChartText) -> Option<(f64, Writer)> {
    let values: Vec<f64> = (0..data.categories.len()).map(|c| data.value(0, c).max(0.0)).collect();
    let total: f64 = values.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let parts = values.iter().filter(|v| **v > 0.0).count();
    let mut w = Writer::new();
    let mut angle = -FRAC_PI_2;
    for (c, value) in values.iter().enumerate() {
        if *value <= 0.0 {
            continue;
        }
        let sweep = value / total * TAU;
        let path = if parts == 1 { ring_path() } else { slice_path(angle, angle + sweep) };
        let opened = w.link(data.link(c));
        let tip = format!("{} ({})", tooltip(data, text, 0, c), text.percent(*value, total));
        w.shape(
            "path",
            &[("d", &path), ("fill-rule", "evenodd"), ("class", &format!("chart-slice {}", colour(c)))],
            &tip,
        );
        w.end_link(opened);
        angle += sweep;
    }
    w.text(
        "text",
        &[("x", &num(CX)), ("y", &num(CY + 6.0)), ("text-anchor", "middle"), ("class", "chart-total")],
        &text.value(total),
    );
    let mut y = 28.0;
    for (c, value) in values.iter().enumerate() {
        w.empty(
            "rect",
            &[
                ("x", "320"),
                ("y", &num(y - 10.0)),
                ("width", "12"),
                ("height", "12"),
                ("rx", "2"),
                ("class", &colour(c)),
            ],
        );
        let opened = w.link(data.link(c));
        w.text(
            "text",
            &[("x", "338"), ("y", &num(y)), ("class", "chart-label")],
            &scale::truncate(&data.categories[c], 24),
        );
        w.end_link(opened);
        let amount = format!("{} · {}", text.value(*value), text.percent(*value, total));
        w.text("text", &[("x", "632"), ("y", &num(y)), ("text-anchor", "end"), ("class", "chart-value")], &amount);
        y += LEGEND_ROW;
    }
    Some(((CY + OUTER + 16.0).max(y), w))
}

pub fn funnel(data: &ChartData, text: &ChartText) -> Option<(f64, Writer)> {
    const ROW: f64 = 48.0;
    const CENTRE: f64 = 210.0;
    const HALF: f64 = 200.0;
    let values: Vec<f64> = (0..data.categories.len()).map(|c| data.value(0, c).max(0.0)).collect();
    let widest = values.iter().copied().fold(0.0, f64::max);
    if widest <= 0.0 {
        return None;
    }
    let first = values.first().copied().unwrap_or(0.0);
    // A funnel narrows: each stage is shown against the first. Figures that
    // grow somewhere (open deals per stage today, say) are no funnel, and a
    // share above 100 % would mislead: each shows its share of the whole.
    let narrows = values.windows(2).all(|pair| pair[1] <= pair[0]);
    let total: f64 = values.iter().sum();
    let mut w = Writer::new();
    for (c, value) in values.iter().enumerate() {
        let top = 8.0 + ROW * c as f64;
        let half = (HALF * value / widest).max(1.0);
        let opened = w.link(data.link(c));
        w.shape(
            "rect",
            &[
                ("x", &num(CENTRE - half)),
                ("y", &num(top)),
                ("width", &num(half * 2.0)),
                ("height", &num(ROW - 8.0)),
                ("rx", "3"),
                ("class", &colour(c)),
            ],
            &tooltip(data, text, 0, c),
        );
        w.text(
            "text",
            &[("x", "424"), ("y", &num(top + 16.0)), ("class", "chart-label")],
            &scale::truncate(&data.categories[c], 30),
        );
        w.end_link(opened);
        let detail = match (narrows, c) {
            (true, 0) => text.value(*value),
            (true, _) => format!("{} · {}", text.value(*value), text.percent(*value, first)),
            (false, _) => format!("{} · {}", text.value(*value), text.percent(*value, total)),
        };
        w.text("text", &[("x", "424"), ("y", &num(top + 33.0)), ("class", "chart-value")], &detail);
    }
    Some((8.0 + ROW * values.len() as f64, w))
}
