//! Small helpers shared by the demo generator: RNG streams, weighted tables, ASCII folding and dates.

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Map, Value};

/// The RNG used everywhere. `StdRng` is ChaCha12 in rand 0.8 and is seeded through rand_core's portable
/// `seed_from_u64`, so a seed gives the same stream on every platform as long as rand stays on 0.8.
pub(super) type DemoRng = StdRng;
/// One generated record (a JSON field map).
pub(super) type Record = Map<String, Value>;

/// The fixed "today" of the demo data set (2026-11-24); the system clock is never read.
pub(super) const REFERENCE_YMD: (i32, u32, u32) = (2026, 11, 24);

/// SplitMix64 finaliser: a fast, well-mixing bijection on `u64`.
pub(super) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of (seed, stream, index), used to derive per-entity values without an RNG.
pub(super) fn mix(seed: u64, stream: u64, index: u64) -> u64 {
    splitmix64(splitmix64(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)) ^ index)
}

/// An independent RNG stream for one kind of record.
pub(super) fn stream_rng(seed: u64, stream: u64) -> DemoRng {
    DemoRng::seed_from_u64(mix(seed, stream, u64::MAX))
}

/// True with probability `p` percent.
pub(super) fn pct(rng: &mut DemoRng, p: u32) -> bool {
    rng.gen_range(0..100u32) < p
}

/// Uniform index in `0..n` (`n > 0`), sampled through `u64` so it does not depend on the pointer width.
pub(super) fn below(rng: &mut DemoRng, n: usize) -> usize {
    rng.gen_range(0..n as u64) as usize
}

/// Inserts one field.
pub(super) fn put(record: &mut Record, key: &str, value: impl Into<Value>) {
    record.insert(key.to_owned(), value.into());
}

/// A list of items with integer weights, parsed from `"item:weight|item|…"` (weight defaults to 1).
pub(super) struct Weighted {
    items: Vec<&'static str>,
    cum: Vec<u32>,
}

impl Weighted {
    pub(super) fn parse(src: &'static str) -> Self {
        let entries = src.split('|').map(str::trim).filter(|e| !e.is_empty()).map(|entry| {
            match entry.rsplit_once(':').and_then(|(item, w)| Some((item.trim(), w.trim().parse().ok()?))) {
                Some(pair) => pair,
                None => (entry, 1),
            }
        });
        Self::from_pairs(entries)
    }

    pub(super) fn from_pairs(pairs: impl IntoIterator<Item = (&'static str, u32)>) -> Self {
        let (mut items, mut cum, mut total) = (Vec::new(), Vec::new(), 0u32);
        for (item, weight) in pairs {
            total += weight;
            items.push(item);
            cum.push(total);
        }
        assert!(total > 0, "weighted list must not be empty");
        Self { items, cum }
    }

    fn total(&self) -> u32 {
        self.cum[self.cum.len() - 1]
    }

    /// Index chosen by an arbitrary hash value.
    pub(super) fn index_for(&self, hash: u64) -> usize {
        let x = (hash % u64::from(self.total())) as u32;
        self.cum.partition_point(|&c| c <= x)
    }

    pub(super) fn pick_index(&self, rng: &mut DemoRng) -> usize {
        let x = rng.gen_range(0..self.total());
        self.cum.partition_point(|&c| c <= x)
    }

    pub(super) fn pick(&self, rng: &mut DemoRng) -> &'static str {
        self.items[self.pick_index(rng)]
    }

    pub(super) fn items(&self) -> &[&'static str] {
        &self.items
    }
}

/// Appends `s` folded to lower-case ASCII letters and digits (accents removed, `ñ` → `n`, `ç` → `c`).
/// Spaces and hyphens become `sep` when given; every other character is dropped.
pub(super) fn fold_ascii(out: &mut String, s: &str, sep: Option<char>) {
    for c in s.chars() {
        let folded = match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ç' | 'Ç' => 'c',
            'ñ' | 'Ñ' => 'n',
            ' ' | '-' => match sep {
                Some(sep) => sep,
                None => continue,
            },
            _ => continue,
        };
        out.push(folded);
    }
}

/// Folded copy of `s` with spaces turned into hyphens (for domains).
pub(super) fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_ascii(&mut out, s, Some('-'));
    out
}

/// Appends `pattern` with `X` → any digit, `N` → 2..=9, `M` → 6..=9; other characters are copied.
pub(super) fn push_pattern(out: &mut String, rng: &mut DemoRng, pattern: &str) {
    for c in pattern.chars() {
        let digit = match c {
            'X' => rng.gen_range(0..10u8),
            'N' => rng.gen_range(2..10u8),
            'M' => rng.gen_range(6..10u8),
            // Fixed lines in Brazil, Argentina and Peru start with 2–5.
            'L' => rng.gen_range(2..6u8),
            'H' => rng.gen_range(4..10u8),
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push(char::from(b'0' + digit));
    }
}

fn reference_days() -> i32 {
    let (y, m, d) = REFERENCE_YMD;
    NaiveDate::from_ymd_opt(y, m, d).expect("valid reference date").num_days_from_ce()
}

/// The date `offset` days from the reference date (negative = past).
pub(super) fn date_at(offset: i64) -> NaiveDate {
    let days = i64::from(reference_days()) + offset;
    NaiveDate::from_num_days_from_ce_opt(days as i32).expect("date within chrono's range")
}

/// `YYYY-MM-DD`.
pub(super) fn fmt_date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// RFC 3339 in UTC with whole minutes, e.g. `2025-03-04T14:00:00Z`.
pub(super) fn fmt_datetime(date: NaiveDate, hour: u32, minute: u32) -> String {
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:00Z", date.year(), date.month(), date.day(), hour, minute)
}
