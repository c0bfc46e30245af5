//! Companies. The identity of company `i` (country, city, brand, sector) is a pure function of the seed and
//! `i`, so contacts can be streamed and still know their company's country and e-mail domain.

use rand::Rng;
use serde_json::Value;

use super::DemoConfig;
use super::geo::{COUNTRIES, landline, postal_code, street};
use super::ids::tax_id;
use super::tables::Tables;
use super::util::{DemoRng, Record, mix, pct, put, stream_rng};

const STREAM_IDENTITY: u64 = 1;
const STREAM_DETAILS: u64 = 2;
const STREAM_CNPJ: u64 = 3;
/// A prime larger than any brand × sector count, so `i ↦ i·P mod M` is a permutation.
const PERMUTATION_PRIME: u64 = 1_000_003;

/// Number of companies for a configuration: contacts / 10, at least 1.
pub(super) fn company_count(config: &DemoConfig) -> usize {
    (config.contacts / 10).max(1)
}

/// The seed-derived identity of one company.
#[derive(Clone, Copy)]
pub(super) struct CompanyCore {
    pub country: usize,
    pub city: usize,
    pub brand: usize,
    pub sector: usize,
    /// How many times all brand × sector combinations were used before this one (0 for most companies).
    pub cycle: usize,
}

impl CompanyCore {
    pub(super) fn new(t: &Tables, seed: u64, index: usize) -> Self {
        let hash = mix(seed, STREAM_IDENTITY, index as u64);
        let country = t.countries.index_for(hash);
        let city = t.cities[country].index_for(hash >> 24);
        let sectors = t.sectors[0].len();
        let combos = (t.brands.len() * sectors) as u64;
        let offset = mix(seed, STREAM_IDENTITY, u64::MAX) % combos;
        let slot = ((index as u64 % combos) * PERMUTATION_PRIME + offset) % combos;
        Self {
            country,
            city,
            brand: (slot / sectors as u64) as usize,
            sector: (slot % sectors as u64) as usize,
            cycle: (index as u64 / combos) as usize,
        }
    }

    /// Name without the legal form, e.g. "Aurora Logística" or "Aurora Logística Nordeste".
    pub(super) fn short_name(&self, t: &Tables) -> String {
        let lang = COUNTRIES[self.country].lang;
        let mut name = format!("{} {}", t.brands[self.brand].0, t.sectors[lang][self.sector].0);
        if self.cycle > 0 {
            let qualifiers = &t.qualifiers[lang];
            name.push(' ');
            name.push_str(qualifiers[(self.cycle - 1) % qualifiers.len()].0);
        }
        name
    }

    /// Appends the unique web domain, e.g. `aurora-logistica.com.br`. Brand and sector slugs contain no hyphen,
    /// and qualifier slugs no digit, so distinct companies always get distinct domains.
    pub(super) fn push_domain(&self, t: &Tables, out: &mut String) {
        let country = &COUNTRIES[self.country];
        out.push_str(&t.brands[self.brand].1);
        out.push('-');
        out.push_str(&t.sectors[country.lang][self.sector].1);
        if self.cycle > 0 {
            let qualifiers = &t.qualifiers[country.lang];
            out.push('-');
            out.push_str(&qualifiers[(self.cycle - 1) % qualifiers.len()].1);
            let round = (self.cycle - 1) / qualifiers.len();
            if round > 0 {
                out.push_str(&round.to_string());
            }
        }
        out.push_str(country.tld);
    }

    pub(super) fn domain(&self, t: &Tables) -> String {
        let mut out = String::with_capacity(40);
        self.push_domain(t, &mut out);
        out
    }
}

/// Size band: the lowest indices receive the most contacts, so they are the biggest companies.
fn size_band(index: usize, count: usize, rng: &mut DemoRng) -> &'static str {
    let roll = rng.gen_range(0..100u32);
    if index < (count / 100).max(3) {
        ["501-1000", "1001-5000", "5001+"][(roll / 34) as usize]
    } else if index < count / 10 {
        ["51-200", "201-500", "501-1000"][(roll / 34) as usize]
    } else {
        match roll {
            0..=34 => "1-10",
            35..=79 => "11-50",
            80..=94 => "51-200",
            _ => "201-500",
        }
    }
}

/// What later stages need to know about a company.
pub(super) struct CompanyInfo {
    pub short_name: String,
    pub full_name: String,
    pub country: usize,
}

/// All companies, in index order, plus their side information when `with_infos` is set (otherwise the second
/// vector is empty). Skipping the infos matters at scale: a hundred thousand freed short strings interleaved
/// with the live company maps fragment glibc's heap and make the following contact stream several times slower.
pub(super) fn build(t: &Tables, config: &DemoConfig, with_infos: bool) -> (Vec<Record>, Vec<CompanyInfo>) {
    let count = company_count(config);
    let mut rng = stream_rng(config.seed, STREAM_DETAILS);
    // Affine permutation of 0..10^8 (multiplier coprime with 10): unique CNPJ roots for every company.
    let cnpj_offset = mix(config.seed, STREAM_CNPJ, 0) % 100_000_000;
    let mut records = Vec::with_capacity(count);
    let mut infos = Vec::with_capacity(if with_infos { count } else { 0 });
    for index in 0..count {
        let core = CompanyCore::new(t, config.seed, index);
        let country = &COUNTRIES[core.country];
        let city = &country.cities[core.city];
        let short_name = core.short_name(t);
        let full_name = format!("{short_name} {}", t.legal[core.country].pick(&mut rng));
        let domain = core.domain(t);

        let mut m = Record::new();
        if with_infos {
            put(&mut m, "name", full_name.as_str());
            infos.push(CompanyInfo { short_name, full_name, country: core.country });
        } else {
            put(&mut m, "name", full_name);
        }
        put(&mut m, "website", format!("https://www.{domain}"));
        put(&mut m, "domain", domain);
        put(&mut m, "industry", t.industries[core.sector]);
        put(&mut m, "size_band", size_band(index, count, &mut rng));
        let phone_count = if pct(&mut rng, 25) { 2 } else { 1 };
        let phones: Vec<Value> = (0..phone_count).map(|_| landline(core.country, city, &mut rng).into()).collect();
        put(&mut m, "phones", phones);
        put(&mut m, "street", street(t, core.country, &mut rng));
        put(&mut m, "city", city.name);
        put(&mut m, "state", city.state);
        put(&mut m, "postal_code", postal_code(core.country, city, &mut rng));
        put(&mut m, "country", country.code);
        let root = ((index as u64 * 7_368_787 + cnpj_offset) % 100_000_000) as u32;
        let name_parts = [t.brands[core.brand].1.as_str(), t.sectors[country.lang][core.sector].1.as_str()];
        put(&mut m, "tax_id", tax_id(country.code, root, name_parts, &mut rng));
        records.push(m);
    }
    (records, infos)
}
