//! Deals and activities.

use chrono::{Datelike, Weekday};
use rand::Rng;
use serde_json::Value;

use super::company::CompanyInfo;
use super::geo::{COUNTRIES, EN, country_index};
use super::tables::Tables;
use super::util::{DemoRng, Record, below, date_at, fmt_date, fmt_datetime, pct, put};

/// Stage index of won deals.
pub(super) const STAGE_WON: u64 = 4;
/// Stage index of lost deals.
pub(super) const STAGE_LOST: u64 = 5;

fn contact_country(contact: &Record) -> usize {
    contact.get("country").and_then(Value::as_str).and_then(country_index).unwrap_or(0)
}

/// Amount in minor units: most deals 5,000–50,000, some smaller, a long tail up to 2,000,000 (whole hundreds).
fn amount_minor(rng: &mut DemoRng) -> u64 {
    let (lo, hi) = match rng.gen_range(0..100u32) {
        0..=5 => (500u64, 5_000u64),
        6..=85 => (5_000, 50_000),
        86..=96 => (50_000, 300_000),
        _ => (300_000, 2_000_000),
    };
    // The minimum of two uniforms skews each band towards its low end.
    let span = hi - lo;
    let units = lo + rng.gen_range(0..=span).min(rng.gen_range(0..=span));
    (units / 100 * 100).max(lo) * 100
}

/// Deals: `contacts / 4`. Each picks a random contact and that contact's company, so big companies get more deals.
/// Close dates run from ~2024-05-24 to ~2027-05-24: past deals are mostly won or lost, future ones open.
pub(super) fn deals(t: &Tables, contacts: &[Record], companies: &[CompanyInfo], rng: &mut DemoRng) -> Vec<Record> {
    let count = contacts.len() / 4;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let contact_index = below(rng, contacts.len());
        let contact = &contacts[contact_index];
        let company_index = contact.get("company_index").and_then(Value::as_u64).unwrap_or(0) as usize;
        let company = &companies[company_index];
        let country = &COUNTRIES[company.country];
        let lang = country.lang;

        let offset = rng.gen_range(-914..=181i64);
        let stage = if offset < 0 {
            match rng.gen_range(0..100u32) {
                0..=47 => STAGE_WON,
                48..=87 => STAGE_LOST,
                _ => rng.gen_range(1..4u64),
            }
        } else {
            // Deals closing later are, on average, in earlier stages.
            let cap = if offset > 90 { 2 } else { 4 };
            rng.gen_range(0..cap)
        };

        let mut m = Record::new();
        put(&mut m, "name", format!("{} — {}", company.short_name, t.products[lang].pick(rng)));
        put(&mut m, "amount_minor", amount_minor(rng));
        put(&mut m, "currency", country.currency);
        put(&mut m, "expected_close_date", fmt_date(date_at(offset)));
        put(&mut m, "source_channel", t.channels[usize::from(lang == EN)].pick(rng));
        if pct(rng, if stage == STAGE_LOST { 60 } else { 25 }) {
            put(&mut m, "competitor", t.competitors.pick(rng));
        }
        if stage == STAGE_LOST {
            put(&mut m, "lost_reason", t.lost_reasons[lang].pick(rng));
        }
        put(&mut m, "company_index", company_index);
        put(&mut m, "contact_index", contact_index);
        put(&mut m, "stage_index", stage);
        out.push(m);
    }
    out
}

/// Activities: `5 × contacts`, each for a uniformly random contact, in the contact's language. Due dates span
/// 2023-11-24 to 2027-01-23 on weekdays during local business hours (stored as UTC); past ones are mostly done.
pub(super) fn activities(t: &Tables, contacts: &[Record], rng: &mut DemoRng) -> Vec<Record> {
    let count = contacts.len() * 5;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let contact_index = below(rng, contacts.len());
        let country = &COUNTRIES[contact_country(&contacts[contact_index])];
        let lang = country.lang;
        let kind_index = t.activity_kinds.pick_index(rng);
        let kind = t.activity_kinds.items()[kind_index];

        let mut offset = rng.gen_range(-1096..=60i64);
        match date_at(offset).weekday() {
            Weekday::Sat => offset -= 1,
            Weekday::Sun => offset += 1,
            _ => {}
        }
        let local_hour = rng.gen_range(8..18u32);
        let minute = [0, 15, 30, 45][rng.gen_range(0..4usize)];
        let mut utc_hour = local_hour + country.utc_offset;
        if utc_hour >= 24 {
            utc_hour -= 24;
            offset += 1;
        }
        let past = offset < 0;

        let mut m = Record::new();
        put(&mut m, "kind", kind);
        put(&mut m, "subject", t.subjects[lang][kind_index].pick(rng));
        if pct(rng, if kind == "note" { 80 } else { 30 }) {
            put(&mut m, "body", t.bodies[lang].pick(rng));
        }
        put(&mut m, "due_at", fmt_datetime(date_at(offset), utc_hour, minute));
        put(&mut m, "done", if past { pct(rng, 92) } else { pct(rng, 3) });
        let minutes = match kind {
            "call" => Some(t.call_minutes.pick(rng)),
            "meeting" => Some(t.meeting_minutes.pick(rng)),
            _ => None,
        };
        if let Some(minutes) = minutes.and_then(|m| m.parse::<u32>().ok()) {
            put(&mut m, "duration_minutes", minutes);
        }
        put(&mut m, "contact_index", contact_index);
        out.push(m);
    }
    out
}
