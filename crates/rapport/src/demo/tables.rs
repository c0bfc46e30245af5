//! All word lists parsed once into weighted tables (shared, immutable, built on first use).

use std::collections::HashSet;
use std::sync::OnceLock;

use super::geo::COUNTRIES;
use super::names::{FIRST_NAMES, SURNAMES};
use super::text::*;
use super::util::{Weighted, slug};

pub(super) struct Tables {
    /// Items are ISO country codes, in [`COUNTRIES`] order.
    pub countries: Weighted,
    /// Per country, items are city names in `Country::cities` order.
    pub cities: Vec<Weighted>,
    pub legal: Vec<Weighted>,
    /// `[female, male]` per language.
    pub first_names: [[Weighted; 2]; 3],
    pub surnames: [Weighted; 3],
    /// Brand names and their slugs (slugs are unique and contain no hyphen).
    pub brands: Vec<(String, String)>,
    /// Per language: sector words and their slugs (unique within a language, no hyphen).
    pub sectors: [Vec<(&'static str, String)>; 3],
    /// Industry of each sector (same order as `sectors`).
    pub industries: Vec<&'static str>,
    pub qualifiers: [Vec<(&'static str, String)>; 3],
    /// Items may be `masculine/feminine` pairs; see `people::job_title`.
    pub job_titles: [Weighted; 3],
    pub street_types: [Weighted; 3],
    pub street_names: [Weighted; 3],
    pub personal_domains: [Weighted; 3],
    pub activity_kinds: Weighted,
    pub subjects: [[Weighted; 5]; 3],
    pub bodies: [Weighted; 3],
    pub products: [Weighted; 3],
    pub lost_reasons: [Weighted; 3],
    pub disqualified_reasons: [Weighted; 3],
    pub competitors: Weighted,
    pub campaigns: [Weighted; 3],
    /// `[Latin America, United States]`.
    pub channels: [Weighted; 2],
    /// Per channel (in `CHANNELS` order): `source/medium` pairs.
    pub utm: Vec<Weighted>,
    pub preferred: [Weighted; 2],
    pub lifecycle: Weighted,
    pub call_minutes: Weighted,
    pub meeting_minutes: Weighted,
}

fn with_slugs(items: impl IntoIterator<Item = &'static str>) -> Vec<(&'static str, String)> {
    items.into_iter().map(|item| (item, slug(item))).collect()
}

fn build() -> Tables {
    let parse3 = |src: [&'static str; 3]| src.map(Weighted::parse);
    let sector_rows: Vec<Vec<&'static str>> = SECTORS.split('|').map(|row| row.trim().split('/').collect()).collect();
    let sector_lang = |lang: usize| with_slugs(sector_rows.iter().map(|row| row[lang]));

    // Brands: the word list, then prefix × suffix syllable names; duplicates (by slug) are dropped.
    let mut seen = HashSet::new();
    let mut brands = Vec::new();
    let words = BRAND_WORDS.split('|').map(|w| w.trim().to_owned());
    let syllables = BRAND_PREFIXES.split('|').flat_map(|p| BRAND_SUFFIXES.split('|').map(move |s| format!("{p}{s}")));
    for brand in words.chain(syllables) {
        let brand_slug = slug(&brand);
        if seen.insert(brand_slug.clone()) {
            brands.push((brand, brand_slug));
        }
    }

    Tables {
        countries: Weighted::from_pairs(COUNTRIES.iter().map(|c| (c.code, c.weight))),
        cities: COUNTRIES
            .iter()
            .map(|c| Weighted::from_pairs(c.cities.iter().map(|city| (city.name, city.weight))))
            .collect(),
        legal: COUNTRIES.iter().map(|c| Weighted::parse(c.legal)).collect(),
        first_names: FIRST_NAMES.map(|genders| genders.map(Weighted::parse)),
        surnames: parse3(SURNAMES),
        brands,
        sectors: [sector_lang(0), sector_lang(1), sector_lang(2)],
        industries: sector_rows.iter().map(|row| row[3]).collect(),
        qualifiers: QUALIFIERS.map(|q| with_slugs(q.split('|').map(str::trim))),
        job_titles: parse3(JOB_TITLES),
        street_types: parse3(STREET_TYPES),
        street_names: parse3(STREET_NAMES),
        personal_domains: parse3(PERSONAL_DOMAINS),
        activity_kinds: Weighted::parse(ACTIVITY_KINDS),
        subjects: SUBJECTS.map(|kinds| kinds.map(Weighted::parse)),
        bodies: parse3(BODIES),
        products: parse3(PRODUCTS),
        lost_reasons: parse3(LOST_REASONS),
        disqualified_reasons: parse3(DISQUALIFIED_REASONS),
        competitors: Weighted::parse(COMPETITORS),
        campaigns: parse3(CAMPAIGNS),
        channels: CHANNELS.map(Weighted::parse),
        utm: UTM.iter().map(|u| Weighted::parse(u)).collect(),
        preferred: PREFERRED.map(Weighted::parse),
        lifecycle: Weighted::parse(LIFECYCLE),
        call_minutes: Weighted::parse(CALL_MINUTES),
        meeting_minutes: Weighted::parse(MEETING_MINUTES),
    }
}

/// The shared tables.
pub(super) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}
