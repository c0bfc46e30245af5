//! Orders (three years of purchases, skewed towards the big customers) and draft quotes on late-stage deals.

use chrono::{Datelike, Duration, Weekday};
use rand::Rng;
use rapport_core::configurator::{self, Configured, PricedProduct};
use rapport_core::line_items::{LineItem, totals};
use serde_json::{Value, json};

use super::catalogue::{Category, ITEMS, choices};
use super::geo::{COUNTRIES, EN, ES, PT};
use super::records::STAGE_LOST;
use super::util::{DemoRng, Record, below, date_at, fmt_date, fmt_datetime, pct, put};

/// Days of order history before the reference date.
pub(super) const HISTORY_DAYS: i64 = 3 * 365;
/// Deals in these stages (Proposal, Negotiation) get a draft quote.
const QUOTED_STAGES: [u64; 2] = [2, 3];

/// Relative order volume per calendar month: slow January–February (summer holidays and Carnival), busier
/// quarter ends and a strong November–December (budgets spent before the year closes).
const SEASON: [u32; 12] = [6, 6, 9, 8, 8, 10, 7, 8, 9, 9, 11, 12];

/// Customer index for an order: 45 % uniform, 55 % log-uniform by octave (≈ Zipf), so the low-index (big)
/// companies buy far more often while most buy a few times. Integer-only, hence portable.
fn customer(rng: &mut DemoRng, companies: usize) -> usize {
    if companies == 1 || pct(rng, 45) {
        return below(rng, companies);
    }
    let octaves = usize::BITS - companies.leading_zeros();
    let octave = rng.gen_range(0..octaves);
    let lo = (1u64 << octave) - 1;
    let hi = ((1u64 << (octave + 1)) - 1).min(companies as u64);
    rng.gen_range(lo..hi) as usize
}

/// A day in the last three years (offset from the reference date, ≤ −1), weighted by [`SEASON`] and by a
/// steady growth (the last year has about twice the orders of the first), moved off weekends.
fn order_day(rng: &mut DemoRng) -> i64 {
    loop {
        let offset = rng.gen_range(-HISTORY_DAYS..=-1);
        let month = date_at(offset).month0() as usize;
        let progress = (offset + HISTORY_DAYS) as u32 * 100 / HISTORY_DAYS as u32;
        let weight = SEASON[month] * (50 + progress);
        if rng.gen_range(0..12 * 150) < weight {
            return match date_at(offset).weekday() {
                Weekday::Sat => offset - 1,
                Weekday::Sun if offset < -1 => offset + 1,
                Weekday::Sun => offset - 2,
                _ => offset,
            };
        }
    }
}

/// A catalogue index: the category by weight (SaaS 40 %, hardware 25 %, services 20 %, training 15 %), then a
/// uniform product of it.
fn product(rng: &mut DemoRng) -> usize {
    let category = match rng.gen_range(0..100u32) {
        0..=39 => Category::Saas,
        40..=64 => Category::Hardware,
        65..=84 => Category::Service,
        _ => Category::Training,
    };
    let of_category: Vec<usize> = (0..ITEMS.len()).filter(|&i| ITEMS[i].category == category).collect();
    of_category[below(rng, of_category.len())]
}

/// `count` distinct catalogue indices.
fn products(rng: &mut DemoRng, count: usize) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::with_capacity(count);
    while picked.len() < count {
        let index = product(rng);
        if !picked.contains(&index) {
            picked.push(index);
        }
    }
    picked
}

/// Whole units of a line; the big companies buy more of what is bought by the unit.
fn quantity(rng: &mut DemoRng, index: usize, company: usize, companies: usize) -> i64 {
    let (lo, hi) = ITEMS[index].quantity;
    let units = rng.gen_range(lo..=hi);
    let factor = if hi == 1 {
        1
    } else if company < (companies / 100).max(3) {
        4
    } else if company < companies / 10 {
        2
    } else {
        1
    };
    i64::from(units * factor)
}

/// The product configured with one of its usual choices, priced in `currency` as the server prices quote lines.
fn configure(priced: &[PricedProduct], index: usize, currency: &str, rng: &mut DemoRng) -> Configured {
    let options = choices(ITEMS[index].sku);
    let chosen: Vec<String> = options[below(rng, options.len())].iter().map(|s| (*s).to_owned()).collect();
    configurator::configure(&priced[index], currency, &chosen).expect("the catalogue prices every demo currency")
}

fn status(rng: &mut DemoRng, days_ago: i64) -> &'static str {
    let roll = rng.gen_range(0..100u32);
    if days_ago > 45 {
        if roll < 93 { "delivered" } else { "cancelled" }
    } else if days_ago > 15 {
        match roll {
            0..=59 => "delivered",
            60..=74 => "shipped",
            75..=89 => "invoiced",
            _ => "cancelled",
        }
    } else {
        match roll {
            0..=24 => "pending",
            25..=49 => "confirmed",
            50..=69 => "invoiced",
            70..=84 => "shipped",
            85..=89 => "delivered",
            _ => "cancelled",
        }
    }
}

/// What was paid of `total`: delivered orders are mostly settled (a few partly or still open), invoiced and shipped
/// ones often, pending and confirmed ones rarely (prepaid), cancelled ones never.
fn paid(rng: &mut DemoRng, status: &str, total: i64) -> i64 {
    let roll = rng.gen_range(0..100u32);
    match status {
        "delivered" if roll < 90 => total,
        "delivered" if roll < 97 => total / 2,
        "invoiced" | "shipped" if roll < 40 => total,
        "pending" | "confirmed" if roll < 10 => total,
        _ => 0,
    }
}

fn invoice_number(country: &str, serial: usize) -> String {
    match country {
        "BR" => format!("NF-e {:03}.{:03}.{:03}", serial / 1_000_000 % 1000, serial / 1000 % 1000, serial % 1000),
        "MX" => format!("CFDI A-{serial:06}"),
        "US" => format!("INV-{serial:06}"),
        _ => format!("F001-{serial:08}"),
    }
}

fn tracking_code(country: &str, rng: &mut DemoRng) -> String {
    let digits = rng.gen_range(10_000_000..100_000_000u64);
    match country {
        "BR" => format!(
            "{}{}{digits}9BR",
            char::from(b'A' + rng.gen_range(0..26u8)),
            char::from(b'A' + rng.gen_range(0..26u8))
        ),
        "US" => format!("1Z{digits}{:08}", rng.gen_range(0..100_000_000u64)),
        _ => format!("{country}{digits}{:04}", rng.gen_range(0..10_000u32)),
    }
}

/// The inputs orders are made from: each contact's company, and each company's country index.
pub(super) struct Customers<'a> {
    pub contact_companies: &'a [usize],
    pub company_countries: &'a [usize],
}

/// Orders: one per contact, so `≈ 10` per company on average (companies = contacts / 10), skewed by [`customer`].
/// Each is from a company (and one of its contacts, when it has any) in the company's currency, sorted by
/// `ordered_at` so that numbers grow with the dates.
pub(super) fn orders(customers: &Customers<'_>, priced: &[PricedProduct], rng: &mut DemoRng) -> Vec<Record> {
    let count = customers.contact_companies.len();
    let companies = customers.company_countries.len();
    let mut contacts_of: Vec<Vec<usize>> = vec![Vec::new(); companies];
    for (contact, &company) in customers.contact_companies.iter().enumerate() {
        contacts_of[company].push(contact);
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let company = customer(rng, companies);
        let country = &COUNTRIES[customers.company_countries[company]];
        let contact = match contacts_of[company].as_slice() {
            [] => None,
            list => Some(list[below(rng, list.len())]),
        };
        let offset = order_day(rng);
        let ordered = date_at(offset);
        let status = status(rng, -offset);

        let line_count = match rng.gen_range(0..100u32) {
            0..=34 => 1,
            35..=64 => 2,
            65..=82 => 3,
            83..=92 => 4,
            _ => 5,
        };
        let mut hardware = false;
        let indices = products(rng, line_count);
        let lines: Vec<Value> = indices
            .iter()
            .map(|&index| {
                hardware |= ITEMS[index].category == Category::Hardware;
                let configured = configure(priced, index, country.currency, rng);
                let mut line = json!({
                    "description": configured.description,
                    "quantity_milli": quantity(rng, index, company, companies) * 1000,
                    "unit_price_minor": configured.unit_price_minor,
                    "tax_rate_bp": configured.tax_rate_bp,
                });
                if !configured.options.is_empty() {
                    line["options"] = json!(configured.options);
                }
                if pct(rng, 12) {
                    line["discount_bp"] = json!(rng.gen_range(1..=3u32) * 500);
                }
                line
            })
            .collect();
        let discount_bp = if pct(rng, 10) { [300, 500, 1000][below(rng, 3)] } else { 0 };
        // Options need a product: the configurator's placeholder id stands in for it while the figures are computed.
        let parsed: Vec<LineItem> = lines
            .iter()
            .zip(&indices)
            .map(|(line, &index)| {
                let mut line = line.clone();
                line["product_id"] = json!(priced[index].id);
                LineItem::parse_json(&line).expect("demo order lines are valid")
            })
            .collect();
        let total = totals(&parsed, discount_bp).expect("demo order figures are in range").total_minor;
        let lines: Vec<Value> = lines
            .into_iter()
            .zip(indices)
            .map(|(mut line, index)| {
                line["product_index"] = json!(index);
                line
            })
            .collect();

        let mut m = Record::new();
        put(&mut m, "status", status);
        put(&mut m, "currency", country.currency);
        put(&mut m, "lines", lines);
        put(&mut m, "discount_bp", discount_bp);
        let hour = rng.gen_range(9..18u32) + country.utc_offset;
        let (day, hour) = if hour >= 24 { (ordered + Duration::days(1), hour - 24) } else { (ordered, hour) };
        put(&mut m, "ordered_at", fmt_datetime(day, hour, [0, 10, 20, 30, 40, 50][below(rng, 6)]));
        if status != "cancelled" {
            put(&mut m, "promised_delivery_date", fmt_date(ordered + Duration::days(rng.gen_range(7..=20))));
        }
        if matches!(status, "invoiced" | "shipped" | "delivered") {
            // Placeholder: numbered in date order below.
            put(&mut m, "invoice_number", "");
            put(&mut m, "invoice_due_date", fmt_date(ordered + Duration::days(30)));
        }
        if matches!(status, "shipped" | "delivered") && hardware {
            put(&mut m, "tracking_code", tracking_code(country.code, rng));
        }
        if status == "delivered" {
            let delivered = (ordered + Duration::days(rng.gen_range(2..=21))).min(date_at(-1));
            put(&mut m, "delivered_on", fmt_date(delivered));
        }
        put(&mut m, "paid_minor", paid(rng, status, total));
        put(&mut m, "company_index", company);
        if let Some(contact) = contact {
            put(&mut m, "contact_index", contact);
        }
        out.push(m);
    }
    out.sort_by(|a, b| a["ordered_at"].as_str().cmp(&b["ordered_at"].as_str()));
    for (serial, order) in out.iter_mut().enumerate() {
        if order.get("invoice_number").is_some() {
            let country =
                &COUNTRIES[customers.company_countries[order["company_index"].as_u64().unwrap_or(0) as usize]];
            put(order, "invoice_number", invoice_number(country.code, serial + 1001));
        }
    }
    out
}

fn proposal_word(lang: usize) -> &'static str {
    match lang {
        PT => "Proposta comercial",
        ES => "Propuesta comercial",
        EN => "Commercial proposal",
        _ => "Proposal",
    }
}

/// Draft quotes (the only status a quote is created in; the others follow the quote's actions): one per open deal
/// in the Proposal or Negotiation stage, in the deal's currency, with 1–4 catalogue lines whose prices the server
/// computes from the product and the options chosen.
pub(super) fn quotes(deals: &[Record], rng: &mut DemoRng) -> Vec<Record> {
    let today = date_at(0);
    let mut out = Vec::new();
    for (deal_index, deal) in deals.iter().enumerate() {
        let stage = deal.get("stage_index").and_then(Value::as_u64).unwrap_or(STAGE_LOST);
        if !QUOTED_STAGES.contains(&stage) {
            continue;
        }
        let currency = deal.get("currency").and_then(Value::as_str).unwrap_or("BRL");
        let lang = COUNTRIES.iter().find(|c| c.currency == currency).map_or(PT, |c| c.lang);
        let company = deal.get("company_index").and_then(Value::as_u64).unwrap_or(0) as usize;
        let line_count = rng.gen_range(1..=4usize);
        let lines: Vec<Value> = products(rng, line_count)
            .into_iter()
            .map(|index| {
                let (lo, hi) = ITEMS[index].quantity;
                let mut line =
                    json!({"product_index": index, "quantity_milli": i64::from(rng.gen_range(lo..=hi)) * 1000});
                let options = choices(ITEMS[index].sku);
                let chosen = options[below(rng, options.len())];
                if !chosen.is_empty() {
                    line["options"] = json!(chosen);
                }
                line
            })
            .collect();
        let name = deal.get("name").and_then(Value::as_str).unwrap_or_default();
        let mut title = format!("{} — {name}", proposal_word(lang));
        if title.chars().count() > 200 {
            title = title.chars().take(200).collect();
        }
        let mut m = Record::new();
        put(&mut m, "title", title);
        put(&mut m, "currency", currency);
        put(&mut m, "lines", lines);
        if pct(rng, 25) {
            put(&mut m, "discount_bp", [500, 1000][below(rng, 2)]);
        }
        put(&mut m, "valid_until", fmt_date(today + Duration::days(rng.gen_range(15..=45))));
        put(&mut m, "deal_index", deal_index);
        put(&mut m, "company_index", company);
        if let Some(contact) = deal.get("contact_index") {
            put(&mut m, "contact_index", contact.clone());
        }
        out.push(m);
    }
    out
}

/// The earliest day an order can be placed on (three years before the reference date, less a weekend shift).
#[cfg(test)]
pub(super) fn first_order_day() -> chrono::NaiveDate {
    date_at(-HISTORY_DAYS - 1)
}
