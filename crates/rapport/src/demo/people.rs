//! Contacts and leads.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::Duration;

use rand::Rng;
use serde_json::Value;

use super::company::{CompanyCore, CompanyInfo};
use super::geo::{COUNTRIES, EN, ES, PT, country_index, landline, mobile};
use super::history::{
    DealHistory, LeadHistory, LeadTraits, SELLERS, engagement_times, lead_converts, lead_engagement, lead_timing,
};
use super::records::SOURCE_FIELDS;
use super::tables::Tables;
use super::util::{DemoRng, Record, below, date_at, fmt_date, fold_ascii, pct, put};

/// A generated person's name.
struct Person {
    female: bool,
    first: &'static str,
    last: String,
    /// The surname used in e-mail addresses (Brazilians: the last one; Spanish speakers: the paternal one).
    mail_surname: &'static str,
}

fn person(t: &Tables, lang: usize, rng: &mut DemoRng) -> Person {
    let female = pct(rng, 50);
    let first = t.first_names[lang][usize::from(!female)].pick(rng);
    let main = t.surnames[lang].pick(rng);
    let last = match lang {
        PT if pct(rng, 8) => {
            let other = t.surnames[lang].pick(rng);
            if other == main { main.to_owned() } else { format!("{other} {main}") }
        }
        ES if pct(rng, 45) => {
            let other = t.surnames[lang].pick(rng);
            if other == main { main.to_owned() } else { format!("{main} {other}") }
        }
        _ => main.to_owned(),
    };
    Person { female, first, last, mail_surname: main }
}

/// A job title in the grammatical gender of the person (Portuguese and Spanish titles are `masc/fem` pairs).
fn job_title(t: &Tables, lang: usize, female: bool, rng: &mut DemoRng) -> &'static str {
    let title = t.job_titles[lang].pick(rng);
    match title.split_once('/') {
        Some((masculine, feminine)) => {
            if female {
                feminine
            } else {
                masculine
            }
        }
        None => title,
    }
}

/// Appends a contact e-mail local part: letters and dots only, then the decimal contact index. Because names
/// never contain digits and the part before the index always ends in a letter, the index can be read back
/// from the address, which makes every contact address in a data set unique.
fn push_contact_local(out: &mut String, p: &Person, style: u32, index: usize) {
    match style {
        0..=5 => {
            fold_ascii(out, p.first, None);
            out.push('.');
            fold_ascii(out, p.mail_surname, None);
        }
        6..=7 => {
            let start = out.len();
            fold_ascii(out, p.first, None);
            out.truncate(start + 1);
            fold_ascii(out, p.mail_surname, None);
        }
        _ => {
            fold_ascii(out, p.first, None);
            fold_ascii(out, p.mail_surname, None);
        }
    }
    // Writing to a String cannot fail.
    let _ = write!(out, "{index}");
}

/// Pick of an acquisition channel plus, sometimes, UTM parameters consistent with it.
fn acquisition(t: &Tables, lang: usize, rng: &mut DemoRng, m: &mut Record, with_utm: bool) {
    let region = usize::from(lang == EN);
    let channel = t.channels[region].pick_index(rng);
    put(m, "source_channel", t.channels[region].items()[channel]);
    if with_utm && pct(rng, 50) {
        let (source, medium) = t.utm[channel].pick(rng).split_once('/').unwrap_or(("direct", "none"));
        put(m, "utm_source", source);
        put(m, "utm_medium", medium);
        if pct(rng, 70) {
            let year = rng.gen_range(2024..=2026u32);
            let campaign = format!("{}_{year}", t.campaigns[lang].pick(rng));
            put(m, "source_campaign", campaign.as_str());
            put(m, "utm_campaign", campaign);
        }
    }
}

/// Company index for a contact: 70% uniform, 30% log-uniform by octave (≈ Zipf with exponent 1), so a few
/// low-index companies collect many contacts while most have a handful. Integer-only, hence portable.
pub(super) fn company_for_contact(rng: &mut DemoRng, companies: usize) -> usize {
    if companies == 1 || pct(rng, 70) {
        return below(rng, companies);
    }
    let octaves = usize::BITS - companies.leading_zeros(); // floor(log2(n)) + 1
    let octave = rng.gen_range(0..octaves);
    let lo = (1u64 << octave) - 1;
    let hi = ((1u64 << (octave + 1)) - 1).min(companies as u64);
    rng.gen_range(lo..hi) as usize
}

/// One contact. `rng` is the sequential contact stream, so contacts must be generated in index order.
pub(super) fn contact(t: &Tables, seed: u64, companies: usize, index: usize, rng: &mut DemoRng) -> Record {
    let company_index = company_for_contact(rng, companies);
    let company = CompanyCore::new(t, seed, company_index);
    let country = if pct(rng, 88) { company.country } else { t.countries.pick_index(rng) };
    let same_country = country == company.country;
    let lang = COUNTRIES[country].lang;
    let city_index = if same_country && pct(rng, 70) { company.city } else { t.cities[country].pick_index(rng) };
    let city = &COUNTRIES[country].cities[city_index];
    let p = person(t, lang, rng);

    // 1 or 2 addresses: corporate (company domain) and/or personal (webmail).
    let style = rng.gen_range(0..10u32);
    let mut emails = Vec::with_capacity(2);
    let roll = rng.gen_range(0..100u32);
    if roll < 85 {
        let mut corporate = String::with_capacity(64);
        push_contact_local(&mut corporate, &p, style, index);
        corporate.push('@');
        company.push_domain(t, &mut corporate);
        emails.push(Value::String(corporate));
    }
    if roll >= 60 {
        let mut personal = String::with_capacity(48);
        push_contact_local(&mut personal, &p, if style < 6 { 9 } else { 0 }, index);
        personal.push('@');
        personal.push_str(t.personal_domains[lang].pick(rng));
        emails.push(Value::String(personal));
    }

    let mut m = Record::new();
    put(&mut m, "first_name", p.first);
    put(&mut m, "last_name", p.last);
    put(&mut m, "emails", emails);

    let phone_roll = rng.gen_range(0..100u32);
    let mut phones = Vec::with_capacity(2);
    if phone_roll >= 15 {
        phones.push(Value::String(mobile(country, city, rng)));
    }
    if phone_roll >= 80 {
        phones.push(Value::String(landline(country, city, rng)));
    }
    let has_phone = !phones.is_empty();
    put(&mut m, "phones", phones);
    put(&mut m, "job_title", job_title(t, lang, p.female, rng));
    if pct(rng, 70) {
        let age_days = rng.gen_range(22 * 365..65 * 365i64);
        put(&mut m, "birth_date", fmt_date(date_at(-age_days)));
    }
    let preferred = if has_phone { t.preferred[usize::from(lang == EN)].pick(rng) } else { "email" };
    put(&mut m, "preferred_channel", preferred);
    put(&mut m, "lifecycle_stage", t.lifecycle.pick(rng));
    put(&mut m, "city", city.name);
    put(&mut m, "state", city.state);
    put(&mut m, "country", COUNTRIES[country].code);
    acquisition(t, lang, rng, &mut m, true);
    put(&mut m, "company_index", company_index);
    m
}

/// Leads: `contacts / 5`, each with its past ([`LeadHistory`], same order), and the calls, e-mails and meetings of
/// their first 30 days (helper key `lead_index`). About 10% deliberately reuse an existing contact's first e-mail
/// address together with that contact's name and company name (to exercise duplicate matching); each contact is
/// reused at most once. All other lead addresses contain an underscore, which contact addresses never do, so they
/// cannot collide.
///
/// About 40 % are closed: converted (then, when a deal of the same channel is left, into that deal's contact,
/// company and deal, taking their acquisition fields, the day the deal was created) or disqualified with a reason,
/// by `history::lead_converts`. Open leads are `new`, `contacted` or `qualified` by their activities.
pub(super) fn leads(
    t: &Tables,
    contacts: &[Record],
    companies: &[CompanyInfo],
    deals: (&[Record], &[DealHistory]),
    rng: &mut DemoRng,
) -> Leads {
    let count = contacts.len() / 5;
    let mut out = Leads {
        leads: Vec::with_capacity(count),
        pasts: Vec::with_capacity(count),
        activities: Vec::with_capacity(count * 2),
    };
    let mut reused = 0u64;
    // Deals a converted lead may become, per channel, taken in order.
    let mut open_deals: HashMap<&str, std::vec::IntoIter<usize>> = HashMap::new();
    {
        let mut by_channel: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, deal) in deals.0.iter().enumerate() {
            let channel = deal.get("source_channel").and_then(Value::as_str).unwrap_or_default();
            by_channel.entry(channel).or_default().push(index);
        }
        open_deals.extend(by_channel.into_iter().map(|(k, v)| (k, v.into_iter())));
    }
    let engaging: Vec<usize> = t
        .activity_kinds
        .items()
        .iter()
        .enumerate()
        .filter(|(_, k)| ["call", "email", "meeting"].contains(k))
        .map(|(i, _)| i)
        .collect();
    // Affine permutation of the contact indices (2^31 − 1 is prime and exceeds any realistic count): distinct picks.
    let offset = rng.gen_range(0..contacts.len().max(1) as u64);
    for index in 0..count {
        let mut m = Record::new();
        let source = if pct(rng, 10) {
            let pick = ((reused * 2_147_483_647 + offset) % contacts.len() as u64) as usize;
            reused += 1;
            Some(&contacts[pick])
        } else {
            None
        };
        let country = match source {
            Some(c) => c.get("country").and_then(Value::as_str).and_then(country_index).unwrap_or(0),
            None => t.countries.pick_index(rng),
        };
        let lang = COUNTRIES[country].lang;
        let city = &COUNTRIES[country].cities[t.cities[country].pick_index(rng)];
        if let Some(c) = source {
            for key in ["first_name", "last_name", "job_title"] {
                put(&mut m, key, c.get(key).cloned().unwrap_or(Value::Null));
            }
            let company = c.get("company_index").and_then(Value::as_u64).unwrap_or(0) as usize;
            put(&mut m, "company_name", companies[company].full_name.as_str());
            put(&mut m, "email", c.get("emails").and_then(|e| e.get(0)).cloned().unwrap_or(Value::Null));
        } else {
            let p = person(t, lang, rng);
            let brand = &t.brands[below(rng, t.brands.len())];
            let sector = t.sectors[lang][below(rng, t.sectors[lang].len())].0;
            let company = format!("{} {sector} {}", brand.0, t.legal[country].pick(rng));
            let mut email = String::with_capacity(48);
            fold_ascii(&mut email, p.first, None);
            email.push('_');
            fold_ascii(&mut email, p.mail_surname, None);
            let _ = write!(email, "{index}");
            email.push('@');
            if pct(rng, 70) {
                email.push_str(&brand.1);
                email.push_str(COUNTRIES[country].tld);
            } else {
                email.push_str(t.personal_domains[lang].pick(rng));
            }
            if pct(rng, 70) {
                put(&mut m, "job_title", job_title(t, lang, p.female, rng));
            }
            put(&mut m, "first_name", p.first);
            put(&mut m, "last_name", p.last);
            if pct(rng, 75) {
                put(&mut m, "company_name", company);
            }
            put(&mut m, "email", email);
        }
        if pct(rng, 80) {
            put(&mut m, "phone", mobile(country, city, rng));
        }
        acquisition(t, lang, rng, &mut m, true);
        let channel = m.get("source_channel").and_then(Value::as_str).unwrap_or_default().to_owned();
        let traits = LeadTraits {
            channel: &channel,
            has_phone: m.contains_key("phone"),
            has_company: m.contains_key("company_name"),
            has_title: m.contains_key("job_title"),
            engagement: lead_engagement(rng, &channel),
        };
        let (mut created_at, mut closed_at) = lead_timing(rng);
        let mut owner = rng.gen_range(0..SELLERS.len() as u64) as usize;
        let status = match closed_at {
            Some(_) if lead_converts(rng, &traits) => {
                if let Some(deal) = open_deals.get_mut(channel.as_str()).and_then(Iterator::next) {
                    let (record, past) = (&deals.0[deal], &deals.1[deal]);
                    for key in SOURCE_FIELDS {
                        m.remove(key);
                        if let Some(value) = record.get(key) {
                            m.insert(key.into(), value.clone());
                        }
                    }
                    put(&mut m, "converted_deal_index", deal);
                    put(&mut m, "converted_contact_index", record["contact_index"].clone());
                    put(&mut m, "converted_company_index", record["company_index"].clone());
                    closed_at = Some(past.created_at());
                    created_at = past.created_at() - Duration::days(rng.gen_range(5..=45)) - Duration::hours(3);
                    owner = past.owner;
                }
                "converted"
            }
            Some(_) => "disqualified",
            None if traits.engagement >= 3 => "qualified",
            None if traits.engagement >= 1 => "contacted",
            None => "new",
        };
        let score = match status {
            "new" => rng.gen_range(5..=60u32),
            "contacted" => rng.gen_range(20..=75),
            "qualified" | "converted" => rng.gen_range(60..=100),
            _ => rng.gen_range(0..=35),
        };
        put(&mut m, "status", status);
        if status == "disqualified" {
            put(&mut m, "disqualified_reason", t.disqualified_reasons[lang].pick(rng));
        }
        put(&mut m, "score", score);
        for at in engagement_times(rng, traits.engagement, created_at, closed_at) {
            let kind_index = engaging[below(rng, engaging.len())];
            let kind = t.activity_kinds.items()[kind_index];
            let mut a = Record::new();
            put(&mut a, "kind", kind);
            put(&mut a, "subject", t.subjects[lang][kind_index].pick(rng));
            put(&mut a, "due_at", at.format("%Y-%m-%dT%H:%M:00Z").to_string());
            put(&mut a, "done", true);
            let minutes = match kind {
                "call" => t.call_minutes.pick(rng).parse::<u32>().ok(),
                "meeting" => t.meeting_minutes.pick(rng).parse::<u32>().ok(),
                _ => None,
            };
            if let Some(minutes) = minutes {
                put(&mut a, "duration_minutes", minutes);
            }
            put(&mut a, "lead_index", index);
            out.activities.push(a);
        }
        out.leads.push(m);
        out.pasts.push(LeadHistory { owner, created_at, closed_at });
    }
    out
}

/// What [`leads`] makes.
pub(super) struct Leads {
    pub leads: Vec<Record>,
    pub pasts: Vec<LeadHistory>,
    /// Calls, e-mails and meetings of the leads' first 30 days; helper key `lead_index`.
    pub activities: Vec<Record>,
}
