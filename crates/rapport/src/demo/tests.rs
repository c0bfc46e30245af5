use std::collections::{HashMap, HashSet};

use chrono::Datelike;

use serde_json::Value;

use super::company::CompanyCore;
use super::{DemoConfig, DemoData, companies, contact_batches, generate, tables::tables};

const COMPANY_FIELDS: &[&str] = &[
    "name",
    "domain",
    "industry",
    "size_band",
    "phones",
    "website",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "tax_id",
];
const CONTACT_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "emails",
    "phones",
    "job_title",
    "birth_date",
    "preferred_channel",
    "lifecycle_stage",
    "city",
    "state",
    "country",
    "source_channel",
    "source_campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "company_index",
];
const LEAD_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "job_title",
    "status",
    "disqualified_reason",
    "score",
    "source_channel",
    "source_campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "converted_contact_index",
    "converted_company_index",
    "converted_deal_index",
];
const DEAL_FIELDS: &[&str] = &[
    "name",
    "amount_minor",
    "currency",
    "expected_close_date",
    "source_channel",
    "source_campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "forecast_category",
    "competitor",
    "lost_reason",
    "company_index",
    "contact_index",
    "stage_index",
];
const ACTIVITY_FIELDS: &[&str] =
    &["kind", "subject", "body", "due_at", "done", "duration_minutes", "contact_index", "owner_index"];

fn data(contacts: usize, seed: u64) -> DemoData {
    generate(&DemoConfig { contacts, seed })
}

fn str_of<'a>(record: &'a serde_json::Map<String, Value>, key: &str) -> &'a str {
    record.get(key).and_then(Value::as_str).unwrap_or_else(|| panic!("missing string {key} in {record:?}"))
}

fn cnpj_is_valid(formatted: &str) -> bool {
    let d: Vec<u32> = formatted.chars().filter_map(|c| c.to_digit(10)).collect();
    let check = |n: usize, weights: &[u32]| {
        let r = d[..n].iter().zip(weights).map(|(a, b)| a * b).sum::<u32>() % 11;
        if r < 2 { 0 } else { 11 - r }
    };
    d.len() == 14
        && formatted.len() == 18
        && check(12, &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]) == d[12]
        && check(13, &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]) == d[13]
}

#[test]
fn same_seed_gives_identical_output() {
    let a = data(3_000, 42);
    let b = data(3_000, 42);
    let c = data(3_000, 43);
    let json = |d: &DemoData| {
        serde_json::to_string(&(&d.companies, &d.contacts, &d.leads, &d.deals, &d.activities, &d.orders, &d.quotes))
            .unwrap()
    };
    assert_eq!(json(&a), json(&b));
    assert_ne!(json(&a), json(&c));
}

#[test]
fn streaming_matches_generate() {
    let config = DemoConfig { contacts: 2_345, seed: 7 };
    let all = generate(&config);
    let batches: Vec<_> = contact_batches(&config, 100).collect();
    assert_eq!(batches.len(), 24);
    assert!(batches.iter().all(|b| b.len() <= 100));
    assert_eq!(batches.concat(), all.contacts);
    assert_eq!(companies(&config), all.companies);
    assert_eq!(contact_batches(&config, 0).next().map(|b| b.len()), Some(1));
}

#[test]
fn counts_are_proportional() {
    for contacts in [0, 1, 9, 10, 101, 1_000] {
        let d = data(contacts, 1);
        assert_eq!(d.companies.len(), (contacts / 10).max(1));
        assert_eq!(d.contacts.len(), contacts);
        assert_eq!(d.leads.len(), contacts / 5);
        assert_eq!(d.deals.len(), contacts / 4);
        assert_eq!(d.activities.len(), contacts * 5);
        assert_eq!(d.orders.len(), contacts);
        assert_eq!(d.products.len(), 46);
        let quoted = d.deals.iter().filter(|deal| [2, 3].contains(&deal["stage_index"].as_u64().unwrap())).count();
        assert_eq!(d.quotes.len(), quoted);
    }
}

#[test]
fn contact_emails_are_unique_and_leads_only_collide_on_purpose() {
    let d = data(20_000, 3);
    let mut contact_emails = HashSet::new();
    for c in &d.contacts {
        let emails = c["emails"].as_array().unwrap();
        assert!((1..=2).contains(&emails.len()));
        for e in emails {
            let e = e.as_str().unwrap();
            assert!(e.is_ascii() && !e.chars().any(|c| c.is_ascii_uppercase()), "{e}");
            assert!(contact_emails.insert(e.to_owned()), "duplicate contact email {e}");
        }
    }
    let reused = d.leads.iter().filter(|l| contact_emails.contains(str_of(l, "email"))).count();
    let share = reused as f64 / d.leads.len() as f64;
    assert!((0.07..0.13).contains(&share), "reused share {share}");
    let lead_emails: HashSet<_> = d.leads.iter().map(|l| str_of(l, "email")).collect();
    assert_eq!(lead_emails.len(), d.leads.len());
}

#[test]
fn brazilian_cnpjs_are_valid_and_unique() {
    assert!(cnpj_is_valid("11.222.333/0001-81"));
    assert!(!cnpj_is_valid("11.222.333/0001-82"));
    let all = companies(&DemoConfig { contacts: 50_000, seed: 9 });
    let mut seen = HashSet::new();
    let mut brazilian = 0;
    for c in all.iter().filter(|c| str_of(c, "country") == "BR") {
        let cnpj = str_of(c, "tax_id");
        assert!(cnpj_is_valid(cnpj), "invalid CNPJ {cnpj}");
        assert!(seen.insert(&cnpj[..10]), "duplicate CNPJ root {cnpj}");
        brazilian += 1;
    }
    assert!(brazilian > 2_000);
}

#[test]
fn surnames_are_skewed_like_real_data() {
    let contacts = contact_batches(&DemoConfig { contacts: 20_000, seed: 5 }, 1_000).flatten().collect::<Vec<_>>();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for c in &contacts {
        *counts.entry(str_of(c, "last_name")).or_default() += 1;
    }
    let (top, n) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    let share = *n as f64 / contacts.len() as f64;
    assert_eq!(*top, "Silva");
    assert!((0.05..=0.15).contains(&share), "Silva share {share}");
}

#[test]
fn country_mix_and_company_skew() {
    let config = DemoConfig { contacts: 20_000, seed: 11 };
    let contacts = contact_batches(&config, 20_000).flatten().collect::<Vec<_>>();
    let share =
        |code: &str| contacts.iter().filter(|c| str_of(c, "country") == code).count() as f64 / contacts.len() as f64;
    assert!((0.45..0.65).contains(&share("BR")), "BR {}", share("BR"));
    assert!((0.08..0.22).contains(&share("US")), "US {}", share("US"));
    let mut per_company = vec![0usize; companies(&config).len()];
    for c in &contacts {
        per_company[c["company_index"].as_u64().unwrap() as usize] += 1;
    }
    let max = *per_company.iter().max().unwrap();
    let median = {
        let mut sorted = per_company.clone();
        sorted.sort_unstable();
        sorted[sorted.len() / 2]
    };
    assert!(max > 20 * median.max(1), "max {max}, median {median}");
}

#[test]
fn company_domains_are_unique_at_scale() {
    let t = tables();
    for lang in 0..3 {
        let slugs: HashSet<_> = t.sectors[lang].iter().map(|s| s.1.as_str()).collect();
        assert_eq!(slugs.len(), t.sectors[lang].len());
        assert!(t.sectors[lang].iter().all(|s| !s.1.contains('-')));
        assert_eq!(t.sectors[lang].len(), t.industries.len());
    }
    let mut seen = HashSet::new();
    for i in 0..300_000 {
        assert!(seen.insert(CompanyCore::new(t, 17, i).domain(t)), "duplicate domain at {i}");
    }
}

#[test]
fn field_names_and_values_follow_the_rules() {
    let d = data(4_000, 21);
    let check_keys = |records: &[serde_json::Map<String, Value>], allowed: &[&str]| {
        for r in records {
            for key in r.keys() {
                assert!(allowed.contains(&key.as_str()), "unexpected field {key}");
            }
            for (key, value) in r {
                if let Some(s) = value.as_str() {
                    let limit = match key.as_str() {
                        "first_name" | "last_name" | "city" | "state" => 100,
                        "job_title" | "subject" => 150,
                        _ => 200,
                    };
                    assert!(!s.is_empty() && s.chars().count() <= limit, "{key} = {s:?}");
                }
            }
        }
    };
    check_keys(&d.companies, COMPANY_FIELDS);
    check_keys(&d.contacts, CONTACT_FIELDS);
    check_keys(&d.leads, LEAD_FIELDS);
    check_keys(&d.deals, DEAL_FIELDS);
    check_keys(&d.activities, ACTIVITY_FIELDS);

    let bands = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"];
    for c in &d.companies {
        assert!(bands.contains(&str_of(c, "size_band")));
        assert_eq!(str_of(c, "website"), format!("https://www.{}", str_of(c, "domain")));
        assert!(c["phones"].as_array().unwrap().iter().all(|p| p.as_str().unwrap().starts_with('+')));
    }
    for c in &d.contacts {
        assert!(["email", "phone", "whatsapp", "sms"].contains(&str_of(c, "preferred_channel")));
        let stages = ["subscriber", "lead", "qualified", "opportunity", "customer", "evangelist", "other"];
        assert!(stages.contains(&str_of(c, "lifecycle_stage")));
        assert!((c["company_index"].as_u64().unwrap() as usize) < d.companies.len());
        let phones = c["phones"].as_array().unwrap();
        assert!(phones.len() <= 2);
        for p in phones {
            check_phone(str_of(c, "country"), p.as_str().unwrap());
        }
        if let Some(b) = c.get("birth_date") {
            assert!(chrono::NaiveDate::parse_from_str(b.as_str().unwrap(), "%Y-%m-%d").is_ok());
        }
    }
    for l in &d.leads {
        let status = str_of(l, "status");
        assert!(["new", "contacted", "qualified", "disqualified", "converted"].contains(&status));
        assert_eq!(status == "disqualified", l.contains_key("disqualified_reason"));
        assert!(l["score"].as_u64().unwrap() <= 100);
    }
    let earliest = chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    let latest = chrono::NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
    for deal in &d.deals {
        let stage = deal["stage_index"].as_u64().unwrap();
        assert!(stage <= 5);
        assert_eq!(stage == 5, deal.contains_key("lost_reason"));
        let amount = deal["amount_minor"].as_u64().unwrap();
        assert!((50_000..=200_000_000).contains(&amount), "{amount}");
        let company = &d.companies[deal["company_index"].as_u64().unwrap() as usize];
        let contact = &d.contacts[deal["contact_index"].as_u64().unwrap() as usize];
        assert_eq!(contact["company_index"], deal["company_index"]);
        let expected = match str_of(company, "country") {
            "BR" => "BRL",
            "US" => "USD",
            "MX" => "MXN",
            "AR" => "ARS",
            "CO" => "COP",
            "CL" => "CLP",
            "ES" => "EUR",
            _ => "PEN",
        };
        assert_eq!(str_of(deal, "currency"), expected);
        let close = chrono::NaiveDate::parse_from_str(str_of(deal, "expected_close_date"), "%Y-%m-%d").unwrap();
        assert!(earliest <= close && close <= latest);
    }
    for a in &d.activities {
        let kind = str_of(a, "kind");
        assert!(["task", "call", "meeting", "email", "note"].contains(&kind));
        assert_eq!(["call", "meeting"].contains(&kind), a.contains_key("duration_minutes"));
        let due = chrono::DateTime::parse_from_rfc3339(str_of(a, "due_at")).unwrap();
        assert!(str_of(a, "due_at").ends_with(":00Z"));
        assert!(due.timestamp() > 1_700_438_400 && due.timestamp() < 1_801_008_000);
        assert!(a["done"].is_boolean());
    }
    let most_in_band =
        d.deals.iter().filter(|deal| (500_000..=5_000_000).contains(&deal["amount_minor"].as_u64().unwrap()));
    assert!(most_in_band.count() * 10 > d.deals.len() * 7);
}

fn check_phone(country: &str, phone: &str) {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let (prefix, len) = match country {
        "BR" => ("+55 ", 12..=13),
        "MX" => ("+52 ", 12..=12),
        "AR" => ("+54 ", 12..=13),
        "CO" => ("+57 ", 12..=12),
        "CL" => ("+56 ", 11..=11),
        "ES" => ("+34 ", 11..=11),
        "PE" => ("+51 ", 10..=11),
        _ => ("+1 (", 11..=11),
    };
    assert!(phone.starts_with(prefix) && len.contains(&digits), "{country} {phone}");
    if country == "US" {
        assert!(!phone.contains(") 555-") && !phone.contains(") 0") && !phone.contains(") 1"), "{phone}");
    }
    if country == "BR" && digits == 13 {
        assert_eq!(phone.as_bytes()[7], b'9', "{phone}");
    }
}

/// Every generated phone number must pass the same validation the API applies.
#[test]
fn every_phone_number_is_accepted_by_the_validator() {
    let region = rapport_core::values::Region::default();
    let d = data(20_000, 11);
    let phones = d
        .companies
        .iter()
        .chain(&d.contacts)
        .flat_map(|r| r.get("phones").and_then(Value::as_array).into_iter().flatten())
        .chain(d.leads.iter().filter_map(|l| l.get("phone")))
        .filter_map(Value::as_str);
    let rejected: Vec<&str> = phones.filter(|p| rapport_core::values::PhoneE164::parse(p, region).is_err()).collect();
    assert!(rejected.is_empty(), "{} rejected, e.g. {:?}", rejected.len(), &rejected[..rejected.len().min(40)]);
}

/// Stage index of the deal's pipeline stage for quotes: Proposal or Negotiation, never closed.
fn quote_stage(d: &DemoData, quote: &serde_json::Map<String, Value>) -> u64 {
    d.deals[quote["deal_index"].as_u64().unwrap() as usize]["stage_index"].as_u64().unwrap()
}

#[test]
fn orders_and_quotes_are_deterministic_and_streaming_matches_generate() {
    let config = DemoConfig { contacts: 2_000, seed: 31 };
    let all = generate(&config);
    assert_eq!(super::orders(&config), all.orders);
    assert_eq!(super::products(), all.products);
    assert_eq!(generate(&config).quotes, all.quotes);
    assert_ne!(super::orders(&DemoConfig { contacts: 2_000, seed: 32 }), all.orders);
}

#[test]
fn a_tenth_of_the_customers_place_a_large_share_of_the_orders() {
    let d = data(20_000, 13);
    let mut per_company = vec![0usize; d.companies.len()];
    for order in &d.orders {
        per_company[order["company_index"].as_u64().unwrap() as usize] += 1;
    }
    let average = d.orders.len() as f64 / d.companies.len() as f64;
    assert!((9.5..=10.5).contains(&average), "average {average}");
    let mut sorted = per_company.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let top: usize = sorted[..sorted.len() / 10].iter().sum();
    let share = top as f64 / d.orders.len() as f64;
    assert!(share > 0.35, "top 10 % hold {share}");
    let median = sorted[sorted.len() / 2];
    assert!((2..=8).contains(&median), "median {median}");
    // The biggest companies are the low indices.
    let low: usize = per_company[..per_company.len() / 10].iter().sum();
    assert!(low as f64 / d.orders.len() as f64 > 0.35);
    // An order's contact works at the order's company.
    for order in &d.orders {
        if let Some(contact) = order.get("contact_index") {
            let contact = &d.contacts[contact.as_u64().unwrap() as usize];
            assert_eq!(contact["company_index"], order["company_index"]);
        }
    }
    assert!(d.orders.iter().filter(|o| o.contains_key("contact_index")).count() * 100 > d.orders.len() * 98);
}

#[test]
fn orders_span_three_years_before_today_with_seasons_and_consistent_statuses() {
    let d = data(20_000, 17);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let first = super::sales::first_order_day();
    assert_eq!(first, chrono::NaiveDate::from_ymd_opt(2023, 11, 24).unwrap());
    let mut by_month = [0usize; 12];
    let mut by_year = std::collections::BTreeMap::new();
    let mut previous = String::new();
    let mut statuses: HashMap<&str, usize> = HashMap::new();
    for order in &d.orders {
        let at = str_of(order, "ordered_at");
        assert!(previous.as_str() <= at, "orders are sorted by date");
        previous = at.to_owned();
        let at = chrono::DateTime::parse_from_rfc3339(at).unwrap().date_naive();
        assert!(first <= at && at < today, "{at}");
        by_month[at.month0() as usize] += 1;
        *by_year.entry((today - at).num_days() / 365).or_insert(0usize) += 1;
        let status = str_of(order, "status");
        *statuses.entry(status).or_default() += 1;
        let days_ago = (today - at).num_days();
        if days_ago > 46 {
            assert!(["delivered", "cancelled"].contains(&status), "{status} {days_ago} days ago");
        }
        assert_eq!(matches!(status, "invoiced" | "shipped" | "delivered"), order.contains_key("invoice_number"));
        assert_eq!(status == "delivered", order.contains_key("delivered_on"));
        if let Some(on) = order.get("delivered_on") {
            let on = chrono::NaiveDate::parse_from_str(on.as_str().unwrap(), "%Y-%m-%d").unwrap();
            assert!(at <= on && on < today);
        }
        let total = rapport_core::records::order::order_totals(&without_product_index(order)).unwrap().total_minor;
        let paid = order["paid_minor"].as_i64().unwrap();
        assert!((0..=total).contains(&paid));
        if status == "cancelled" {
            assert_eq!(paid, 0);
        }
    }
    // November–December busier than January–February; the last year busier than the first.
    assert!(by_month[10] + by_month[11] > (by_month[0] + by_month[1]) * 3 / 2, "{by_month:?}");
    assert!(by_year[&0] > by_year[&2] * 3 / 2, "{by_year:?}");
    assert!(statuses["delivered"] * 100 > d.orders.len() * 80, "{statuses:?}");
    for status in ["pending", "confirmed", "invoiced", "shipped", "cancelled"] {
        assert!(statuses.get(status).copied().unwrap_or(0) > 0, "no {status} order");
    }
}

#[test]
fn every_product_is_priced_in_every_demo_currency_and_lines_price_as_the_server_does() {
    let d = data(4_000, 19);
    let currencies = ["BRL", "MXN", "ARS", "COP", "CLP", "EUR", "PEN", "USD"];
    let mut skus = HashSet::new();
    let mut configurable = 0;
    for product in &d.products {
        assert!(skus.insert(str_of(product, "sku")));
        let prices = product["prices"].as_object().unwrap();
        assert_eq!(prices.len(), currencies.len());
        for currency in currencies {
            assert!(prices[currency].as_i64().unwrap() > 0, "{} in {currency}", str_of(product, "name"));
        }
        if let Some(options) = product.get("options") {
            configurable += 1;
            for group in options["groups"].as_array().unwrap() {
                for option in group["options"].as_array().unwrap() {
                    assert_eq!(option["prices"].as_object().unwrap().len(), currencies.len());
                }
            }
            assert!(!options["rules"].as_array().unwrap().is_empty());
            // What the product field accepts.
            rapport_core::configurator::normalize_options(options).unwrap();
        }
        rapport_core::configurator::normalize_prices(&product["prices"]).unwrap();
    }
    assert_eq!(configurable, 4);
    // Fixed rates: a US$ 25 plan is R$ 135, CLP 23,500 and COP 103,000 (three significant digits).
    assert_eq!(
        d.products[0]["prices"],
        serde_json::json!({
            "ARS": 2_880_000, "BRL": 13_500, "CLP": 23_500, "COP": 10_300_000, "EUR": 2_300, "MXN": 46_300,
            "PEN": 9_380, "USD": 2_500
        })
    );
    let catalogue = super::catalogue::priced(&d.products);
    let configure = |line: &Value, currency: &str| {
        let index = line["product_index"].as_u64().unwrap() as usize;
        let options: Vec<String> = line
            .get("options")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|o| o.as_str().unwrap().to_owned())
            .collect();
        rapport_core::configurator::configure(&catalogue[index], currency, &options)
    };
    for order in &d.orders {
        let lines = order["lines"].as_array().unwrap();
        assert!((1..=5).contains(&lines.len()));
        for line in lines {
            let configured = configure(line, str_of(order, "currency")).unwrap();
            assert_eq!(line["unit_price_minor"], serde_json::json!(configured.unit_price_minor));
            assert_eq!(line["description"], serde_json::json!(configured.description));
        }
        rapport_core::records::order::order_totals(&without_product_index(order)).unwrap();
    }
    assert!(!d.quotes.is_empty());
    for quote in &d.quotes {
        assert!([2, 3].contains(&quote_stage(&d, quote)));
        let deal = &d.deals[quote["deal_index"].as_u64().unwrap() as usize];
        assert_eq!(quote["currency"], deal["currency"]);
        assert_eq!(quote["company_index"], deal["company_index"]);
        assert_eq!(quote["contact_index"], deal["contact_index"]);
        let lines = quote["lines"].as_array().unwrap();
        assert!((1..=4).contains(&lines.len()));
        for line in lines {
            configure(line, str_of(quote, "currency")).unwrap();
            assert!(line.get("unit_price_minor").is_none(), "the server prices quote lines");
        }
        let valid = chrono::NaiveDate::parse_from_str(str_of(quote, "valid_until"), "%Y-%m-%d").unwrap();
        assert!(valid > chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    }
}

#[test]
fn orders_products_and_quotes_set_only_writable_fields() {
    use rapport_core::schema::RecordType;
    let d = data(3_000, 23);
    let check = |records: &[serde_json::Map<String, Value>], kind: RecordType, helpers: &[&str]| {
        for record in records {
            for key in record.keys().filter(|k| !helpers.contains(&k.as_str())) {
                let spec = kind.fields().iter().find(|f| f.name == key).unwrap_or_else(|| panic!("{kind}: no {key}"));
                assert!(spec.derived.is_none(), "{kind}.{key} is derived");
            }
        }
    };
    check(&d.products, RecordType::PRODUCT, &[]);
    check(&d.orders, RecordType::ORDER, &["company_index", "contact_index"]);
    check(&d.quotes, RecordType::QUOTE, &["company_index", "contact_index", "deal_index"]);
}

/// An order or quote with each line's `product_index` helper key turned into a `product_id` (a placeholder).
fn without_product_index(record: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    let mut record = record.clone();
    for line in record.get_mut("lines").and_then(Value::as_array_mut).into_iter().flatten() {
        let line = line.as_object_mut().unwrap();
        let index = line.remove("product_index").unwrap().as_u64().unwrap();
        line.insert("product_id".into(), Value::String(uuid::Uuid::from_u128(u128::from(index)).to_string()));
    }
    record
}
