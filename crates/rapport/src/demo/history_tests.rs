//! The generated past: stage paths, win rates that differ by seller, channel and size, lead outcomes.

use std::collections::HashMap;

use chrono::Duration;
use serde_json::Value;

use super::history::{STAGE_LOST, STAGE_WON, reference_time, size_tier};
use super::{DemoConfig, DemoData, generate};

fn data() -> DemoData {
    generate(&DemoConfig { contacts: 12_000, seed: 5 })
}

fn text<'a>(record: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    record.get(key).and_then(Value::as_str)
}

/// Rate of `hit` among the rows, per key: (hits, rows).
fn rates<K: std::hash::Hash + Eq>(rows: impl Iterator<Item = (K, bool)>) -> HashMap<K, (u32, u32)> {
    let mut out: HashMap<K, (u32, u32)> = HashMap::new();
    for (key, hit) in rows {
        let entry = out.entry(key).or_default();
        entry.0 += u32::from(hit);
        entry.1 += 1;
    }
    out
}

fn rate(pair: (u32, u32)) -> f64 {
    f64::from(pair.0) / f64::from(pair.1.max(1))
}

#[test]
fn deal_paths_go_forward_in_time_and_end_in_the_deals_stage() {
    let d = data();
    assert_eq!(d.deal_pasts.len(), d.deals.len());
    let now = reference_time();
    let (mut skipped, mut open, mut lost_from) = (0, 0, [0usize; 4]);
    let (mut last_year, mut year_before) = (0, 0);
    for (deal, past) in d.deals.iter().zip(&d.deal_pasts) {
        let stage = deal["stage_index"].as_u64().unwrap() as usize;
        assert_eq!(past.stage(), stage);
        assert_eq!(past.path[0].0, 0, "every deal starts in the first stage");
        assert!(past.path.windows(2).all(|w| w[0].1 <= w[1].1), "{past:?}");
        assert!(past.path.windows(2).all(|w| w[0].0 < w[1].0 && w[0].0 < STAGE_WON), "{past:?}");
        assert!(past.path.iter().all(|(_, at)| *at <= now));
        assert!(now - past.created_at() <= Duration::days(731));
        assert_eq!(past.closed_at().is_some(), stage >= STAGE_WON);
        skipped += usize::from(past.path.windows(2).any(|w| w[1].0 == w[0].0 + 2 && w[1].0 != STAGE_LOST));
        open += usize::from(stage < STAGE_WON);
        if stage == STAGE_LOST {
            lost_from[past.path[past.path.len() - 2].0] += 1;
        }
        if now - past.created_at() <= Duration::days(365) {
            last_year += 1;
        } else {
            year_before += 1;
        }
        // Open deals were in their stage at every moment since their last move.
        if stage < STAGE_WON {
            assert_eq!(past.open_stage_at(now), Some(stage));
        } else {
            assert_eq!(past.open_stage_at(past.closed_at().unwrap()), None);
            assert!(past.open_stage_at(past.created_at()).is_some());
        }
    }
    let n = d.deals.len();
    assert!(skipped * 20 > n, "some deals skip a stage: {skipped} of {n}");
    assert!(open * 50 > n && open * 4 < n, "recent deals are still open: {open} of {n}");
    assert!(lost_from.iter().all(|&l| l > 0), "deals are lost at every stage: {lost_from:?}");
    assert!(last_year > year_before * 2, "recent deals are more likely: {last_year} vs {year_before}");
    // Time in stage: later stages are slower (median stay in qualification < in negotiation).
    let stays = |stage: usize| {
        let mut days: Vec<i64> = d
            .deal_pasts
            .iter()
            .flat_map(|p| p.path.windows(2).filter(move |w| w[0].0 == stage).map(|w| (w[1].1 - w[0].1).num_hours()))
            .collect();
        days.sort_unstable();
        days[days.len() / 2]
    };
    assert!(stays(0) * 2 < stays(3), "{} vs {}", stays(0), stays(3));
}

#[test]
fn win_rates_differ_by_seller_source_and_company_size() {
    let d = data();
    let closed: Vec<(&serde_json::Map<String, Value>, &super::history::DealHistory)> =
        d.deals.iter().zip(&d.deal_pasts).filter(|(_, p)| p.closed_at().is_some()).collect();
    let won = |p: &super::history::DealHistory| p.stage() == STAGE_WON;
    let by_owner = rates(closed.iter().map(|(_, p)| (p.owner, won(p))));
    assert_eq!(by_owner.len(), 6, "every seller closes deals");
    let owner_rates: Vec<f64> = by_owner.values().map(|&r| rate(r)).collect();
    let (lo, hi) = owner_rates.iter().fold((1.0f64, 0.0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    assert!(hi > lo * 1.6, "sellers differ: {by_owner:?}");
    let by_channel = rates(closed.iter().map(|(deal, p)| (text(deal, "source_channel").unwrap(), won(p))));
    assert!(rate(by_channel["referral"]) > rate(by_channel["social"]) + 0.12, "{by_channel:?}");
    let companies = d.companies.len();
    let by_size = rates(
        closed.iter().map(|(deal, p)| (size_tier(deal["company_index"].as_u64().unwrap() as usize, companies), won(p))),
    );
    assert!(rate(by_size[&0]) > rate(by_size[&2]) + 0.05, "{by_size:?}");
    let overall = rate((closed.iter().filter(|(_, p)| won(p)).count() as u32, closed.len() as u32));
    assert!((0.15..0.5).contains(&overall), "{overall}");
}

#[test]
fn deals_take_their_contacts_acquisition_fields() {
    let d = data();
    for deal in &d.deals {
        let contact = &d.contacts[deal["contact_index"].as_u64().unwrap() as usize];
        for key in super::records::SOURCE_FIELDS {
            assert_eq!(deal.get(key), contact.get(key), "{key}");
        }
    }
    assert!(d.deals.iter().any(|deal| deal.contains_key("utm_campaign") && deal.contains_key("source_campaign")));
}

#[test]
fn leads_close_about_forty_percent_and_convert_by_source_phone_and_engagement() {
    let d = data();
    assert_eq!(d.lead_pasts.len(), d.leads.len());
    let status = |l: &serde_json::Map<String, Value>| text(l, "status").unwrap().to_owned();
    let closed: Vec<usize> =
        (0..d.leads.len()).filter(|&i| ["converted", "disqualified"].contains(&status(&d.leads[i]).as_str())).collect();
    let share = closed.len() as f64 / d.leads.len() as f64;
    assert!((0.3..0.5).contains(&share), "closed share {share}");
    for (lead, past) in d.leads.iter().zip(&d.lead_pasts) {
        let is_closed = ["converted", "disqualified"].contains(&status(lead).as_str());
        assert_eq!(past.closed_at.is_some(), is_closed, "{lead:?}");
        assert!(past.closed_at.is_none_or(|c| c > past.created_at && c <= reference_time()));
        assert_eq!(status(lead) == "disqualified", lead.contains_key("disqualified_reason"));
    }
    let mut engagement = vec![0usize; d.leads.len()];
    for a in &d.lead_activities {
        let lead = a["lead_index"].as_u64().unwrap() as usize;
        engagement[lead] += 1;
        assert!(["call", "email", "meeting"].contains(&text(a, "kind").unwrap()));
        let due = chrono::DateTime::parse_from_rfc3339(text(a, "due_at").unwrap()).unwrap().with_timezone(&chrono::Utc);
        let past = &d.lead_pasts[lead];
        assert!(due >= past.created_at - Duration::minutes(1) && due <= past.created_at + Duration::days(30));
        assert!(past.closed_at.is_none_or(|c| due <= c) && due <= reference_time());
    }
    let converted = |i: &usize| status(&d.leads[*i]) == "converted";
    let by_channel = rates(closed.iter().map(|i| (text(&d.leads[*i], "source_channel").unwrap(), converted(i))));
    assert!(rate(by_channel["referral"]) > rate(by_channel["social"]) + 0.15, "{by_channel:?}");
    let by_phone = rates(closed.iter().map(|i| (d.leads[*i].contains_key("phone"), converted(i))));
    assert!(rate(by_phone[&true]) > rate(by_phone[&false]) + 0.08, "{by_phone:?}");
    let by_engagement = rates(closed.iter().map(|i| (engagement[*i] >= 2, converted(i))));
    assert!(rate(by_engagement[&true]) > rate(by_engagement[&false]) + 0.15, "{by_engagement:?}");
    // Converted leads became a deal of their channel, and share its acquisition fields.
    let linked: Vec<&serde_json::Map<String, Value>> =
        d.leads.iter().filter(|l| l.contains_key("converted_deal_index")).collect();
    assert!(linked.len() * 2 > closed.iter().filter(|i| converted(i)).count());
    for lead in linked {
        let deal = &d.deals[lead["converted_deal_index"].as_u64().unwrap() as usize];
        assert_eq!(lead["converted_contact_index"], deal["contact_index"]);
        for key in super::records::SOURCE_FIELDS {
            assert_eq!(lead.get(key), deal.get(key), "{key}");
        }
    }
}

#[test]
fn a_contacts_activities_belong_to_one_seller_of_the_team_for_its_companys_size() {
    let d = data();
    let mut seller_of: HashMap<u64, u64> = HashMap::new();
    for a in &d.activities {
        let contact = a["contact_index"].as_u64().unwrap();
        let owner = a["owner_index"].as_u64().unwrap();
        assert_eq!(*seller_of.entry(contact).or_insert(owner), owner);
        let company = d.contacts[contact as usize]["company_index"].as_u64().unwrap() as usize;
        let team = super::history::SELLERS[owner as usize].team;
        assert_eq!(team, usize::from(size_tier(company, d.companies.len()) > 0));
    }
    assert_eq!(seller_of.values().collect::<std::collections::HashSet<_>>().len(), 6);
}
