//! Brazil's 27 states as a tile map: one square per state, placed roughly
//! where the state lies, shaded by its count. A tile grid reads better than
//! true borders at this size (São Paulo and Sergipe get the same room) and
//! needs no map data. Shades are CSS classes, so both themes and print work.

use std::fmt::Write;

/// (UF, column, row) of each state on an 8 × 9 grid.
const TILES: [(&str, u32, u32); 27] = [
    ("RR", 2, 0),
    ("AP", 4, 0),
    ("AM", 1, 1),
    ("PA", 3, 1),
    ("MA", 4, 1),
    ("CE", 5, 1),
    ("RN", 6, 1),
    ("AC", 0, 2),
    ("RO", 1, 2),
    ("MT", 2, 2),
    ("TO", 3, 2),
    ("PI", 4, 2),
    ("PE", 5, 2),
    ("PB", 6, 2),
    ("GO", 3, 3),
    ("BA", 4, 3),
    ("SE", 5, 3),
    ("AL", 6, 3),
    ("MS", 2, 4),
    ("DF", 3, 4),
    ("MG", 4, 4),
    ("ES", 5, 4),
    ("SP", 3, 5),
    ("RJ", 4, 5),
    ("PR", 3, 6),
    ("SC", 3, 7),
    ("RS", 2, 8),
];
const TILE: u32 = 56;
const GAP: u32 = 4;
/// Shades `an-heat-0` (none) to `an-heat-5`.
pub(super) const SHADES: u64 = 5;

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The shade of a count against the largest: 0 for none, then 1..=5 in
/// equal steps of the largest.
fn shade(count: u64, max: u64) -> u64 {
    if count == 0 || max == 0 { 0 } else { (count * SHADES).div_ceil(max).clamp(1, SHADES) }
}

/// The map: `counts` by UF code (others are ignored), each tile linked
/// through `link(uf)` and titled with `label(uf, count)`; `title` and
/// `description` label the SVG for screen readers.
pub fn render(
    counts: &[(String, u64)],
    title: &str,
    description: &str,
    label: impl Fn(&str, u64) -> String,
    link: impl Fn(&str) -> String,
) -> String {
    let count_of = |uf: &str| counts.iter().filter(|(s, _)| s.eq_ignore_ascii_case(uf)).map(|(_, n)| n).sum::<u64>();
    let max = TILES.iter().map(|(uf, _, _)| count_of(uf)).max().unwrap_or(0);
    let (width, height) = (8 * (TILE + GAP), 9 * (TILE + GAP));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="an-map" viewBox="0 0 {width} {height}" role="img" aria-labelledby="an-map-title an-map-desc"><title id="an-map-title">{}</title><desc id="an-map-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    for (uf, col, row) in TILES {
        let count = count_of(uf);
        let (x, y) = (col * (TILE + GAP), row * (TILE + GAP));
        let _ = write!(
            svg,
            r#"<a href="{}"><g class="an-tile an-heat-{}"><title>{}</title><rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="6"/><text x="{}" y="{}" class="an-tile-code">{uf}</text><text x="{}" y="{}" class="an-tile-count">{count}</text></g></a>"#,
            escape(&link(uf)),
            shade(count, max),
            escape(&label(uf, count)),
            x + TILE / 2,
            y + 24,
            x + TILE / 2,
            y + 42,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_once_shaded_against_the_largest_and_escaped() {
        let svg = render(
            &[("SP".into(), 100), ("rj".into(), 20), ("XX".into(), 1_000)],
            "Clientes <por> estado",
            "d",
            |uf, n| format!("{uf}: {n}"),
            |uf| format!("/contacts?filter[state][eq]={uf}&x=1"),
        );
        assert_eq!(svg.matches("<rect").count(), 27);
        assert!(svg.contains(r#"<g class="an-tile an-heat-5"><title>SP: 100</title>"#));
        assert!(svg.contains(r#"<g class="an-tile an-heat-1"><title>RJ: 20</title>"#));
        assert!(svg.contains(r#"<g class="an-tile an-heat-0"><title>AC: 0</title>"#));
        assert!(svg.contains("Clientes &lt;por&gt; estado"));
        assert!(svg.contains("eq]=SP&amp;x=1"));
        assert!(!svg.contains("XX"));
        let mut codes: Vec<&str> = TILES.iter().map(|t| t.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 27);
        let mut places: Vec<(u32, u32)> = TILES.iter().map(|t| (t.1, t.2)).collect();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), 27, "no two states share a tile");
    }

    #[test]
    fn shades_step_up_to_the_largest() {
        assert_eq!((shade(0, 10), shade(1, 10), shade(10, 10), shade(5, 10)), (0, 1, 5, 3));
        assert_eq!(shade(3, 0), 0);
    }
}
