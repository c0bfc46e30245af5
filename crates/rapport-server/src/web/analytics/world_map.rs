//! The world as a tile map: one square per country, placed by hand about
//! where it lies (a 32 × 20 grid: the Americas on the left, Europe and
//! Africa in the middle, Asia and Oceania on the right), shaded by count.
//! Like `brazil_map`, it needs no map data: tiny island states get the same
//! square as Russia, which is what a count per country wants anyway.

use std::fmt::Write;

use super::brazil_map::{SHADES, escape};

/// (ISO 3166-1 alpha-2 code, column, row): every assigned code, and XK
/// (Kosovo, user-assigned but in common use). The `country` field takes any
/// two letters; codes not here are counted apart (`WorldMap::elsewhere`).
pub(super) const TILES: [(&str, u32, u32); 250] = [
    ("GL", 6, 0),
    ("IS", 11, 0),
    ("SJ", 15, 0),
    ("CA", 2, 1),
    ("PM", 4, 1),
    ("FO", 12, 1),
    ("NO", 14, 1),
    ("SE", 15, 1),
    ("FI", 16, 1),
    ("RU", 19, 1),
    ("US", 2, 2),
    ("BS", 3, 2),
    ("BM", 5, 2),
    ("IE", 11, 2),
    ("GB", 12, 2),
    ("DK", 14, 2),
    ("AX", 15, 2),
    ("EE", 16, 2),
    ("KZ", 20, 2),
    ("MN", 22, 2),
    ("MX", 1, 3),
    ("CU", 3, 3),
    ("TC", 4, 3),
    ("HT", 5, 3),
    ("DO", 6, 3),
    ("PR", 7, 3),
    ("VG", 8, 3),
    ("AI", 9, 3),
    ("IM", 11, 3),
    ("NL", 13, 3),
    ("DE", 14, 3),
    ("PL", 15, 3),
    ("LV", 16, 3),
    ("BY", 17, 3),
    ("UZ", 20, 3),
    ("KG", 21, 3),
    ("CN", 22, 3),
    ("KP", 23, 3),
    ("JP", 25, 3),
    ("GT", 1, 4),
    ("BZ", 2, 4),
    ("KY", 3, 4),
    ("JM", 4, 4),
    ("VI", 7, 4),
    ("MF", 8, 4),
    ("SX", 9, 4),
    ("GG", 11, 4),
    ("BE", 13, 4),
    ("LU", 14, 4),
    ("CZ", 15, 4),
    ("LT", 16, 4),
    ("UA", 17, 4),
    ("TM", 20, 4),
    ("TJ", 21, 4),
    ("KR", 23, 4),
    ("SV", 1, 5),
    ("HN", 2, 5),
    ("BL", 7, 5),
    ("KN", 8, 5),
    ("AG", 9, 5),
    ("JE", 11, 5),
    ("FR", 12, 5),
    ("CH", 13, 5),
    ("LI", 14, 5),
    ("AT", 15, 5),
    ("SK", 16, 5),
    ("MD", 17, 5),
    ("GE", 18, 5),
    ("AZ", 19, 5),
    ("AF", 20, 5),
    ("PK", 21, 5),
    ("NP", 22, 5),
    ("BT", 23, 5),
    ("TW", 25, 5),
    ("NI", 2, 6),
    ("AW", 4, 6),
    ("CW", 5, 6),
    ("BQ", 6, 6),
    ("MS", 8, 6),
    ("GP", 9, 6),
    ("PT", 10, 6),
    ("ES", 11, 6),
    ("AD", 12, 6),
    ("MC", 13, 6),
    ("SM", 14, 6),
    ("SI", 15, 6),
    ("HU", 16, 6),
    ("RO", 17, 6),
    ("AM", 18, 6),
    ("IR", 19, 6),
    ("IN", 21, 6),
    ("BD", 22, 6),
    ("MM", 23, 6),
    ("MO", 24, 6),
    ("HK", 25, 6),
    ("CR", 2, 7),
    ("PA", 3, 7),
    ("TT", 5, 7),
    ("GD", 6, 7),
    ("VC", 7, 7),
    ("DM", 8, 7),
    ("MQ", 9, 7),
    ("GI", 11, 7),
    ("IT", 13, 7),
    ("VA", 14, 7),
    ("HR", 15, 7),
    ("RS", 16, 7),
    ("BG", 17, 7),
    ("TR", 18, 7),
    ("IQ", 19, 7),
    ("LA", 23, 7),
    ("VN", 24, 7),
    ("PH", 25, 7),
    ("CO", 3, 8),
    ("VE", 4, 8),
    ("GY", 5, 8),
    ("SR", 6, 8),
    ("GF", 7, 8),
    ("LC", 8, 8),
    ("BB", 9, 8),
    ("MT", 13, 8),
    ("BA", 15, 8),
    ("ME", 16, 8),
    ("XK", 17, 8),
    ("CY", 18, 8),
    ("SY", 19, 8),
    ("KW", 20, 8),
    ("LK", 21, 8),
    ("TH", 22, 8),
    ("KH", 23, 8),
    ("GU", 26, 8),
    ("MP", 27, 8),
    ("EC", 3, 9),
    ("PE", 4, 9),
    ("BR", 5, 9),
    ("MA", 11, 9),
    ("DZ", 12, 9),
    ("TN", 13, 9),
    ("AL", 15, 9),
    ("MK", 16, 9),
    ("GR", 17, 9),
    ("LB", 18, 9),
    ("JO", 19, 9),
    ("BH", 20, 9),
    ("MV", 21, 9),
    ("MY", 23, 9),
    ("BN", 24, 9),
    ("PW", 25, 9),
    ("FM", 26, 9),
    ("MH", 27, 9),
    ("CL", 3, 10),
    ("BO", 4, 10),
    ("PY", 5, 10),
    ("EH", 10, 10),
    ("MR", 11, 10),
    ("ML", 12, 10),
    ("LY", 13, 10),
    ("EG", 14, 10),
    ("IL", 17, 10),
    ("PS", 18, 10),
    ("SA", 19, 10),
    ("QA", 20, 10),
    ("SG", 23, 10),
    ("ID", 24, 10),
    ("TL", 25, 10),
    ("PG", 26, 10),
    ("NR", 27, 10),
    ("KI", 28, 10),
    ("UM", 29, 10),
    ("AR", 4, 11),
    ("UY", 5, 11),
    ("CV", 9, 11),
    ("SN", 10, 11),
    ("GM", 11, 11),
    ("NE", 13, 11),
    ("TD", 14, 11),
    ("SD", 15, 11),
    ("ER", 16, 11),
    ("YE", 18, 11),
    ("AE", 19, 11),
    ("OM", 20, 11),
    ("IO", 21, 11),
    ("CX", 23, 11),
    ("SB", 27, 11),
    ("TV", 28, 11),
    ("WS", 29, 11),
    ("FK", 5, 12),
    ("GW", 10, 12),
    ("GN", 11, 12),
    ("BF", 12, 12),
    ("NG", 13, 12),
    ("CF", 14, 12),
    ("SS", 15, 12),
    ("ET", 16, 12),
    ("DJ", 17, 12),
    ("SO", 18, 12),
    ("CC", 22, 12),
    ("AU", 24, 12),
    ("VU", 26, 12),
    ("TK", 28, 12),
    ("AS", 29, 12),
    ("SL", 10, 13),
    ("LR", 11, 13),
    ("CI", 12, 13),
    ("GH", 13, 13),
    ("TG", 14, 13),
    ("BJ", 15, 13),
    ("UG", 16, 13),
    ("KE", 17, 13),
    ("SC", 19, 13),
    ("NC", 26, 13),
    ("FJ", 27, 13),
    ("WF", 28, 13),
    ("NU", 29, 13),
    ("GS", 6, 14),
    ("ST", 11, 14),
    ("GQ", 12, 14),
    ("CM", 13, 14),
    ("CG", 14, 14),
    ("CD", 15, 14),
    ("RW", 16, 14),
    ("TZ", 17, 14),
    ("KM", 18, 14),
    ("NF", 26, 14),
    ("TO", 28, 14),
    ("CK", 29, 14),
    ("SH", 9, 15),
    ("GA", 13, 15),
    ("AO", 14, 15),
    ("ZM", 15, 15),
    ("BI", 16, 15),
    ("MW", 17, 15),
    ("YT", 18, 15),
    ("MG", 19, 15),
    ("NZ", 27, 15),
    ("PF", 30, 15),
    ("NA", 14, 16),
    ("ZW", 15, 16),
    ("MZ", 16, 16),
    ("RE", 19, 16),
    ("MU", 20, 16),
    ("PN", 31, 16),
    ("BW", 14, 17),
    ("ZA", 15, 17),
    ("SZ", 16, 17),
    ("HM", 21, 17),
    ("LS", 15, 18),
    ("TF", 19, 18),
    ("BV", 12, 19),
    ("AQ", 17, 19),
];
const COLUMNS: u32 = 32;
const ROWS: u32 = 20;
const TILE: u32 = 36;
const GAP: u32 = 3;

/// The map's SVG, its shades' ranges, and what it could not place.
pub struct WorldMap {
    pub svg: String,
    /// (shade, lowest, highest count) of each shade in use, lightest first.
    pub legend: Vec<(u64, u64, u64)>,
    /// Records whose code is on no tile (a code no country has).
    pub elsewhere: u64,
}

/// Whether `code` has a tile.
pub fn placed(code: &str) -> bool {
    TILES.iter().any(|(c, _, _)| c.eq_ignore_ascii_case(code))
}

/// The shade of a count against the largest, 0 for none, then 1..=5 in
/// equal steps of log(1 + count): a CRM's home country often has most
/// contacts, and equal steps of the count would leave every other pale.
fn shade(count: u64, max: u64) -> u64 {
    if count == 0 || max == 0 {
        return 0;
    }
    let step = (1.0 + count as f64).ln() / (1.0 + max as f64).ln() * SHADES as f64;
    // A hair under each step's edge, so a count exactly at an edge stays below it.
    ((step - 1e-9).ceil() as u64).clamp(1, SHADES)
}

/// The counts each shade stands for when the largest is `max`: (shade,
/// lowest, highest), for the shades some count takes.
fn legend(max: u64) -> Vec<(u64, u64, u64)> {
    // The smallest count of at least shade `k` (shades only grow with the count).
    let first_at_least = |k: u64| {
        let (mut low, mut high) = (1, max);
        while low < high {
            let mid = low + (high - low) / 2;
            if shade(mid, max) >= k { high = mid } else { low = mid + 1 }
        }
        low
    };
    if max == 0 {
        return Vec::new();
    }
    (1..=SHADES)
        .map(|k| {
            let low = first_at_least(k);
            let high = if k == SHADES { max } else { first_at_least(k + 1) - 1 };
            (k, low, high)
        })
        .filter(|(k, low, high)| low <= high && shade(*low, max) == *k)
        .collect()
}

/// The map of `counts` by country code (any case): tiles with a count link
/// through `link(code)` (empty ones are not links, so the keyboard passes
/// only the countries that matter), every tile titled `label(code, count)`.
pub fn render(
    counts: &[(String, u64)],
    title: &str,
    description: &str,
    label: impl Fn(&str, u64) -> String,
    link: impl Fn(&str) -> String,
) -> WorldMap {
    let count_of =
        |code: &str| counts.iter().filter(|(c, _)| c.eq_ignore_ascii_case(code)).map(|(_, n)| n).sum::<u64>();
    let max = TILES.iter().map(|(code, _, _)| count_of(code)).max().unwrap_or(0);
    let elsewhere = counts.iter().filter(|(c, _)| !placed(c)).map(|(_, n)| n).sum();
    let (width, height) = (COLUMNS * (TILE + GAP) - GAP, ROWS * (TILE + GAP) - GAP);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="an-map an-world" viewBox="0 0 {width} {height}" font-size="15" font-weight="700" role="img" aria-labelledby="an-world-title an-world-desc"><title id="an-world-title">{}</title><desc id="an-world-desc">{}</desc><defs><rect id="an-world-tile" width="{TILE}" height="{TILE}" rx="4"/></defs>"#,
        escape(title),
        escape(description)
    );
    for (code, col, row) in TILES {
        let count = count_of(code);
        let (x, y) = (col * (TILE + GAP), row * (TILE + GAP));
        // One shared square (`<use>`) in a moved group: about 150 bytes a
        // tile instead of 170 (the world map is 38 KB of the page's 101 KB).
        let tile = format!(
            r##"<g class="an-tile an-heat-{}" transform="translate({x} {y})"><title>{}</title><use href="#an-world-tile"/><text x="{}" y="{}">{code}</text></g>"##,
            shade(count, max),
            escape(&label(code, count)),
            TILE / 2,
            TILE / 2 + 6,
        );
        if count > 0 {
            let _ = write!(svg, r#"<a href="{}">{tile}</a>"#, escape(&link(code)));
        } else {
            svg.push_str(&tile);
        }
    }
    svg.push_str("</svg>");
    WorldMap { svg, legend: legend(max), elsewhere }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ISO 3166-1's 249 assigned alpha-2 codes.
    const ASSIGNED: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

    #[test]
    fn every_assigned_code_has_one_tile_of_its_own() {
        let assigned: Vec<&str> = ASSIGNED.split(' ').collect();
        assert_eq!(assigned.len(), 249);
        for code in &assigned {
            assert_eq!(TILES.iter().filter(|t| t.0 == *code).count(), 1, "{code}");
        }
        let extra: Vec<&str> = TILES.iter().map(|t| t.0).filter(|c| !assigned.contains(c)).collect();
        assert_eq!(extra, vec!["XK"]);
        let mut places: Vec<(u32, u32)> = TILES.iter().map(|t| (t.1, t.2)).collect();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), TILES.len(), "no two countries share a tile");
        assert!(TILES.iter().all(|t| t.1 < COLUMNS && t.2 < ROWS));
    }

    #[test]
    fn neighbours_sit_roughly_where_they_lie() {
        let at = |code: &str| TILES.iter().find(|t| t.0 == code).map(|t| (t.1, t.2)).expect("a tile");
        // West of, north of: a few pairs anyone would check first.
        for (west, east) in
            [("US", "PT"), ("BR", "AO"), ("ES", "IT"), ("DE", "PL"), ("IN", "CN"), ("CN", "JP"), ("AU", "NZ")]
        {
            assert!(at(west).0 < at(east).0, "{west} west of {east}");
        }
        for (north, south) in [
            ("CA", "US"),
            ("US", "MX"),
            ("CO", "PE"),
            ("NO", "DK"),
            ("FR", "ES"),
            ("EG", "SD"),
            ("ID", "AU"),
            ("ZA", "AQ"),
        ] {
            assert!(at(north).1 < at(south).1, "{north} north of {south}");
        }
    }

    #[test]
    fn tiles_are_shaded_linked_when_counted_and_unknown_codes_counted_apart() {
        let map = render(
            &[("BR".into(), 100), ("pt".into(), 20), ("ZZ".into(), 7), ("US".into(), 1)],
            "Contacts <by> country",
            "d",
            |code, n| format!("{code}: {n}"),
            |code| format!("/contacts?filter[country][eq]={code}&x=1"),
        );
        assert_eq!(map.svg.matches("<use ").count(), TILES.len());
        assert!(
            map.svg.contains(
                r#"<a href="/contacts?filter[country][eq]=BR&amp;x=1"><g class="an-tile an-heat-5" transform="#
            )
        );
        let tile_of = |code: &str| {
            let at = map.svg.find(&format!("<title>{code}: ")).expect("a tile");
            map.svg[..at].rsplit("<g ").next().map(str::to_owned).expect("its group")
        };
        assert!(tile_of("BR").starts_with(r#"class="an-tile an-heat-5""#));
        assert!(tile_of("PT").starts_with(r#"class="an-tile an-heat-4""#));
        assert!(tile_of("AR").starts_with(r#"class="an-tile an-heat-0""#));
        assert_eq!(map.svg.matches("<a ").count(), 3, "only counted countries are links");
        assert!(map.svg.contains("Contacts &lt;by&gt; country"));
        assert!(!map.svg.contains("ZZ"));
        assert_eq!(map.elsewhere, 7);
        assert_eq!(map.legend, vec![(1, 1, 1), (2, 2, 5), (3, 6, 14), (4, 15, 39), (5, 40, 100)]);
    }

    #[test]
    fn shades_grow_with_the_logarithm_so_small_countries_still_show() {
        assert_eq!((shade(0, 1_745), shade(1, 1_745), shade(1_745, 1_745)), (0, 1, 5));
        // A country with a fifth of the largest is mid-dark, not the palest.
        assert_eq!(shade(349, 1_745), 4);
        assert_eq!(shade(20, 1_745), 3);
    }

    #[test]
    fn the_legend_matches_the_shades_and_leaves_out_those_no_count_takes() {
        assert_eq!(legend(2), vec![(4, 1, 1), (5, 2, 2)]);
        assert_eq!(legend(0), vec![]);
        for max in (1..200).chain([999, 1_000, 1_745, 65_536]) {
            let shades = legend(max);
            assert_eq!(shades.first().map(|s| s.1), Some(1), "from one");
            assert_eq!(shades.last().map(|s| s.2), Some(max), "to the largest");
            for pair in shades.windows(2) {
                assert_eq!(pair[0].2 + 1, pair[1].1, "no gap or overlap at {max}");
            }
            for count in (1..=max).step_by(1 + max as usize / 300) {
                let k = shade(count, max);
                let (_, low, high) =
                    legend(max).into_iter().find(|(s, _, _)| *s == k).expect("the shade is in the legend");
                assert!(low <= count && count <= high, "{count} of {max}");
            }
        }
    }
}
