//! A KPI: one number (the last value of the first series) and its change
//! against the previous one (the value before it), ▲ or ▼ with the percent,
//! or "no previous data" when there is none.

use super::svg::{Writer, num};
use super::{ChartData, ChartText, WIDTH};

/// How the current value compares with the previous period's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// No previous period to compare with.
    NoPrevious,
    /// Same value as before.
    Flat,
    /// Up or down by `delta`; `percent` is `None` when the previous value was 0.
    Up {
        delta: f64,
        percent: Option<f64>,
    },
    Down {
        delta: f64,
        percent: Option<f64>,
    },
}

impl Change {
    pub fn between(current: f64, previous: Option<f64>) -> Self {
        let Some(previous) = previous.filter(|p| p.is_finite()) else { return Self::NoPrevious };
        let current = if current.is_finite() { current } else { 0.0 };
        let delta = current - previous;
        let percent = (previous != 0.0).then(|| delta / previous.abs() * 100.0);
        if delta > 0.0 {
            Self::Up { delta, percent }
        } else if delta < 0.0 {
            Self::Down { delta: -delta, percent: percent.map(f64::abs) }
        } else {
            Self::Flat
        }
    }
}

/// The current value and the previous one, when the data has them.
pub fn figures(data: &ChartData) -> Option<(f64, Option<f64>)> {
    let count = data.series.first()?.values.len();
    if count == 0 {
        return None;
    }
    let current = data.value(0, count - 1);
    let previous = (count >= 2).then(|| data.value(0, count - 2));
    Some((current, previous))
}

pub fn draw(data: &ChartData, text: &ChartText) -> Option<(f64, Writer)> {
    let (current, previous) = figures(data)?;
    let change = Change::between(current, previous);
    let mut w = Writer::new();
    let centre = num(WIDTH / 2.0);
    w.text(
        "text",
        &[("x", &centre), ("y", "78"), ("text-anchor", "middle"), ("class", "chart-kpi")],
        &text.value(current),
    );
    let (class, line) = match change {
        Change::NoPrevious => ("chart-note", text.no_previous.clone()),
        Change::Flat => ("chart-note", format!("= {}", text.percent(0.0, 1.0))),
        Change::Up { delta, percent } => ("chart-up", format!("▲ {}", amount(text, '+', delta, percent))),
        Change::Down { delta, percent } => ("chart-down", format!("▼ {}", amount(text, '-', delta, percent))),
    };
    w.text("text", &[("x", &centre), ("y", "116"), ("text-anchor", "middle"), ("class", class)], &line);
    if let Some(previous) = previous {
        w.text(
            "text",
            &[("x", &centre), ("y", "142"), ("text-anchor", "middle"), ("class", "chart-label")],
            &format!("{}: {}", text.previous, text.value(previous)),
        );
    }
    Some((160.0, w))
}

/// "12.5%" when there is a percentage, else the difference itself.
fn amount(text: &ChartText, sign: char, delta: f64, percent: Option<f64>) -> String {
    match percent {
        Some(percent) => text.percent(percent, 100.0),
        None => format!("{sign}{}", text.value(delta)),
    }
}
