//! Deals and activities.

use chrono::{Datelike, Duration, Weekday};
use rand::Rng;
use serde_json::Value;

use super::company::CompanyInfo;
use super::geo::{COUNTRIES, country_index};
use super::history::{DealHistory, NEGOTIATION, contact_seller, deal_history, pick_seller, size_tier};
use super::tables::Tables;
use super::util::{DemoRng, Record, below, date_at, fmt_date, fmt_datetime, pct, put};

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

/// The acquisition fields a deal takes from its contact, so that contact → deal attribution agrees.
pub(super) const SOURCE_FIELDS: [&str; 5] =
    ["source_channel", "source_campaign", "utm_source", "utm_medium", "utm_campaign"];

/// Deals: `contacts / 4`, each with its past ([`DealHistory`], same order). Each picks a random contact and that
/// contact's company, so big companies get more deals, and takes the contact's acquisition fields. The stage is
/// where the deal's history ends; closed deals were expected to close within three weeks of when they did, open
/// ones mostly in the next months (one in seven is overdue).
pub(super) fn deals(
    t: &Tables,
    contacts: &[Record],
    companies: &[CompanyInfo],
    rng: &mut DemoRng,
) -> (Vec<Record>, Vec<DealHistory>) {
    let count = contacts.len() / 4;
    let mut out = Vec::with_capacity(count);
    let mut pasts = Vec::with_capacity(count);
    for _ in 0..count {
        let contact_index = below(rng, contacts.len());
        let contact = &contacts[contact_index];
        let company_index = contact.get("company_index").and_then(Value::as_u64).unwrap_or(0) as usize;
        let company = &companies[company_index];
        let country = &COUNTRIES[company.country];
        let lang = country.lang;
        let channel = contact.get("source_channel").and_then(Value::as_str).unwrap_or("website");
        let tier = size_tier(company_index, companies.len());
        let owner = pick_seller(rng, tier);
        let past = deal_history(rng, owner, channel, tier);
        let stage = past.stage();
        let last_move = past.path[past.path.len() - 1].1.date_naive();
        let today = date_at(0);
        let close = match past.closed_at() {
            Some(closed) => closed.date_naive() + Duration::days(rng.gen_range(-20..=10)),
            None => {
                let planned = last_move + Duration::days(rng.gen_range(10..=90));
                if planned <= today && !pct(rng, 15) { today + Duration::days(rng.gen_range(3..=60)) } else { planned }
            }
        };

        let mut m = Record::new();
        put(&mut m, "name", format!("{} — {}", company.short_name, t.products[lang].pick(rng)));
        put(&mut m, "amount_minor", amount_minor(rng));
        put(&mut m, "currency", country.currency);
        put(&mut m, "expected_close_date", fmt_date(close));
        for key in SOURCE_FIELDS {
            if let Some(value) = contact.get(key) {
                m.insert(key.into(), value.clone());
            }
        }
        if pct(rng, if stage == STAGE_LOST as usize { 60 } else { 25 }) {
            put(&mut m, "competitor", t.competitors.pick(rng));
        }
        if stage == STAGE_LOST as usize {
            put(&mut m, "lost_reason", t.lost_reasons[lang].pick(rng));
        }
        if stage == NEGOTIATION && past.committed {
            put(&mut m, "forecast_category", "commit");
        }
        put(&mut m, "company_index", company_index);
        put(&mut m, "contact_index", contact_index);
        put(&mut m, "stage_index", stage);
        out.push(m);
        pasts.push(past);
    }
    (out, pasts)
}

/// Activities: `5 × contacts`, each for a uniformly random contact, in the contact's language. Due dates span
/// 2023-11-24 to 2027-01-23 on weekdays during local business hours (stored as UTC); past ones are mostly done.
/// Each is owned (helper key `owner_index`, into `history::SELLERS`) by the seller who looks after the contact.
pub(super) fn activities(t: &Tables, contacts: &[Record], companies: usize, rng: &mut DemoRng) -> Vec<Record> {
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
        let company = contacts[contact_index].get("company_index").and_then(Value::as_u64).unwrap_or(0) as usize;
        put(&mut m, "owner_index", contact_seller(company, companies, contact_index));
        out.push(m);
    }
    out
}
