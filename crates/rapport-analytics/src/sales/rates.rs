//! Win rates by any key, the reasons deals were lost, competitors met, and
//! the pipeline's velocity.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Durations, Outcome, share};

/// A closed deal as the rates need it. The amount is given only in the
/// currency the figures are for: a deal in another currency still counts
/// as won or lost, but adds nothing to the amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedDeal {
    pub outcome: Outcome,
    pub amount_minor: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRate<K> {
    pub key: K,
    pub won: u64,
    pub lost: u64,
    /// Won ÷ closed; none for a group with nothing closed.
    pub win_rate: Option<f64>,
    pub won_minor: i64,
    /// The average won deal in the figures' currency.
    pub average_won_minor: Option<i64>,
}

/// Win rate per key, the groups with the most closed deals first (then by key).
pub fn win_rates<K: Ord + Clone>(rows: &[(K, ClosedDeal)]) -> Vec<GroupRate<K>> {
    #[derive(Default)]
    struct Sums {
        won: u64,
        lost: u64,
        won_minor: i128,
        priced_wins: u64,
    }
    let mut groups: BTreeMap<&K, Sums> = BTreeMap::new();
    for (key, deal) in rows {
        let sums = groups.entry(key).or_default();
        match deal.outcome {
            Outcome::Won => {
                sums.won += 1;
                if let Some(amount) = deal.amount_minor {
                    sums.won_minor += i128::from(amount);
                    sums.priced_wins += 1;
                }
            }
            Outcome::Lost => sums.lost += 1,
        }
    }
    let mut rates: Vec<GroupRate<K>> = groups
        .into_iter()
        .map(|(key, s)| GroupRate {
            key: key.clone(),
            won: s.won,
            lost: s.lost,
            win_rate: share(s.won, s.won + s.lost),
            won_minor: clamp(s.won_minor),
            average_won_minor: (s.priced_wins > 0).then(|| clamp(s.won_minor / i128::from(s.priced_wins))),
        })
        .collect();
    rates.sort_by(|a, b| (b.won + b.lost).cmp(&(a.won + a.lost)).then_with(|| a.key.cmp(&b.key)));
    rates
}

fn clamp(value: i128) -> i64 {
    value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// A reason (lost reason, say) with how often it came and the amounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonLine<K> {
    pub reason: K,
    pub deals: u64,
    pub share: f64,
    pub amount_minor: i64,
}

/// How often each reason was given, most frequent first. `None` keys are
/// deals with no reason written down, kept so the shares add up.
pub fn reasons<K: Ord + Clone>(rows: &[(K, Option<i64>)]) -> Vec<ReasonLine<K>> {
    let mut groups: BTreeMap<&K, (u64, i128)> = BTreeMap::new();
    for (reason, amount) in rows {
        let entry = groups.entry(reason).or_default();
        entry.0 += 1;
        entry.1 += i128::from(amount.unwrap_or(0));
    }
    let total = rows.len() as u64;
    let mut lines: Vec<ReasonLine<K>> = groups
        .into_iter()
        .map(|(reason, (deals, amount))| ReasonLine {
            reason: reason.clone(),
            deals,
            share: share(deals, total).unwrap_or(0.0),
            amount_minor: clamp(amount),
        })
        .collect();
    lines.sort_by(|a, b| b.deals.cmp(&a.deals).then_with(|| a.reason.cmp(&b.reason)));
    lines
}

/// A deal where a competitor was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitorDeal {
    pub competitor: String,
    /// None while open.
    pub outcome: Option<Outcome>,
    pub amount_minor: Option<i64>,
    pub lost_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetitorLine {
    pub competitor: String,
    pub deals: u64,
    pub open: u64,
    pub won: u64,
    pub lost: u64,
    /// Our win rate when this competitor was in the deal.
    pub win_rate: Option<f64>,
    pub won_minor: i64,
    pub lost_minor: i64,
    pub open_minor: i64,
    /// The reasons given when we lost against them, most frequent first (at most three).
    pub top_lost_reasons: Vec<(String, u64)>,
}

/// Deals met against each competitor, most met first. Names are compared
/// as written after trimming and ignoring case (the first spelling seen is shown).
pub fn competitors(deals: &[CompetitorDeal]) -> Vec<CompetitorLine> {
    let mut lines: BTreeMap<String, (CompetitorLine, BTreeMap<String, u64>)> = BTreeMap::new();
    for deal in deals {
        let name = deal.competitor.trim();
        if name.is_empty() {
            continue;
        }
        let (line, lost_reasons) = lines.entry(name.to_lowercase()).or_insert_with(|| {
            (
                CompetitorLine {
                    competitor: name.to_owned(),
                    deals: 0,
                    open: 0,
                    won: 0,
                    lost: 0,
                    win_rate: None,
                    won_minor: 0,
                    lost_minor: 0,
                    open_minor: 0,
                    top_lost_reasons: Vec::new(),
                },
                BTreeMap::new(),
            )
        });
        line.deals += 1;
        let amount = deal.amount_minor.unwrap_or(0);
        match deal.outcome {
            None => {
                line.open += 1;
                line.open_minor = line.open_minor.saturating_add(amount);
            }
            Some(Outcome::Won) => {
                line.won += 1;
                line.won_minor = line.won_minor.saturating_add(amount);
            }
            Some(Outcome::Lost) => {
                line.lost += 1;
                line.lost_minor = line.lost_minor.saturating_add(amount);
                if let Some(reason) = deal.lost_reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
                    *lost_reasons.entry(reason.to_owned()).or_default() += 1;
                }
            }
        }
    }
    let mut out: Vec<CompetitorLine> = lines
        .into_values()
        .map(|(mut line, lost_reasons)| {
            line.win_rate = share(line.won, line.won + line.lost);
            let mut top: Vec<(String, u64)> = lost_reasons.into_iter().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            top.truncate(3);
            line.top_lost_reasons = top;
            line
        })
        .collect();
    out.sort_by(|a, b| b.deals.cmp(&a.deals).then_with(|| a.competitor.cmp(&b.competitor)));
    out
}

/// Pipeline velocity: what the open pipeline turns into money per day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Velocity {
    pub open_deals: u64,
    pub win_rate: f64,
    pub average_won_minor: i64,
    pub cycle_days: f64,
    /// open deals × win rate × average won amount ÷ cycle days.
    pub per_day_minor: i64,
}

/// The classic velocity formula; none when a part is unknown or the cycle is
/// zero days long (it would divide by nothing).
pub fn pipeline_velocity(
    open_deals: u64,
    win_rate: Option<f64>,
    average_won_minor: Option<i64>,
    cycle: Option<&Durations>,
) -> Option<Velocity> {
    let (win_rate, average, cycle_days) = (win_rate?, average_won_minor?, cycle?.mean_days);
    if cycle_days <= 0.0 || !win_rate.is_finite() {
        return None;
    }
    let per_day = open_deals as f64 * win_rate * average as f64 / cycle_days;
    Some(Velocity {
        open_deals,
        win_rate,
        average_won_minor: average,
        cycle_days,
        per_day_minor: per_day.round().clamp(i64::MIN as f64, i64::MAX as f64) as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn won(amount: i64) -> ClosedDeal {
        ClosedDeal { outcome: Outcome::Won, amount_minor: Some(amount) }
    }
    fn lost() -> ClosedDeal {
        ClosedDeal { outcome: Outcome::Lost, amount_minor: Some(999) }
    }

    #[test]
    fn win_rates_per_key_leave_other_currencies_out_of_the_amounts() {
        let rows = vec![
            ("ana", won(100)),
            ("ana", won(300)),
            ("ana", lost()),
            ("ana", ClosedDeal { outcome: Outcome::Won, amount_minor: None }),
            ("bia", lost()),
        ];
        let rates = win_rates(&rows);
        assert_eq!(rates[0].key, "ana");
        assert_eq!((rates[0].won, rates[0].lost, rates[0].won_minor), (3, 1, 400));
        assert_eq!(rates[0].win_rate, Some(0.75));
        assert_eq!(rates[0].average_won_minor, Some(200));
        assert_eq!((rates[1].key, rates[1].win_rate, rates[1].average_won_minor), ("bia", Some(0.0), None));
        assert!(win_rates::<&str>(&[]).is_empty());
    }

    #[test]
    fn reasons_keep_the_unexplained_and_shares_add_up() {
        let rows = vec![(Some("price"), Some(10)), (Some("price"), Some(5)), (None, None), (Some("timing"), Some(1))];
        let lines = reasons(&rows);
        assert_eq!((lines[0].reason, lines[0].deals, lines[0].amount_minor), (Some("price"), 2, 15));
        assert!((lines.iter().map(|l| l.share).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(lines.iter().any(|l| l.reason.is_none()));
    }

    #[test]
    fn competitors_are_grouped_by_name_whatever_the_case() {
        let deal = |name: &str, outcome, reason: Option<&str>| CompetitorDeal {
            competitor: name.into(),
            outcome,
            amount_minor: Some(100),
            lost_reason: reason.map(Into::into),
        };
        let lines = competitors(&[
            deal("Acme CRM", Some(Outcome::Won), None),
            deal("acme crm ", Some(Outcome::Lost), Some("Price")),
            deal("ACME CRM", Some(Outcome::Lost), Some("Price")),
            deal("Acme CRM", None, None),
            deal("Other", Some(Outcome::Lost), Some("Features")),
            deal("  ", Some(Outcome::Lost), None),
        ]);
        assert_eq!(lines.len(), 2);
        let acme = &lines[0];
        assert_eq!((acme.competitor.as_str(), acme.deals, acme.won, acme.lost, acme.open), ("Acme CRM", 4, 1, 2, 1));
        assert_eq!(acme.win_rate, Some(1.0 / 3.0));
        assert_eq!((acme.won_minor, acme.lost_minor, acme.open_minor), (100, 200, 100));
        assert_eq!(acme.top_lost_reasons, vec![("Price".to_owned(), 2)]);
    }

    #[test]
    fn velocity_needs_every_part_and_a_cycle_longer_than_zero() {
        let cycle = Durations { count: 4, mean_days: 30.0, median_days: 30.0, p90_days: 40.0 };
        let v = pipeline_velocity(60, Some(0.25), Some(12_000), Some(&cycle)).unwrap();
        assert_eq!(v.per_day_minor, 6_000);
        assert_eq!(pipeline_velocity(60, None, Some(1), Some(&cycle)), None);
        let zero = Durations { mean_days: 0.0, ..cycle };
        assert_eq!(pipeline_velocity(60, Some(0.5), Some(1), Some(&zero)), None);
    }
}
