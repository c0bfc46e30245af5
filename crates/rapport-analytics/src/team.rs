//! Team performance: per person, what they did (activities by kind, tasks
//! done and overdue), how fast new leads heard from them, and what they
//! closed (won, win rate, cycle). Keys are whatever identifies a person.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::sales::Outcome;

/// Activities logged in the period by their owner, of one kind, done or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged<K> {
    pub owner: K,
    /// `task`, `call`, `meeting`, `email`, `note`…
    pub kind: String,
    pub done: bool,
    pub count: u64,
}

/// A lead that arrived in the period, and how long until its first activity
/// (none: nobody has contacted it yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLead<K> {
    pub owner: K,
    pub first_contact_after_seconds: Option<i64>,
}

/// A deal closed in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed<K> {
    pub owner: K,
    pub outcome: Outcome,
    /// In the figures' currency only.
    pub amount_minor: Option<i64>,
    pub cycle_seconds: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamInput<K> {
    pub logged: Vec<Logged<K>>,
    /// Open tasks past due now, per owner.
    pub overdue: Vec<(K, u64)>,
    pub new_leads: Vec<NewLead<K>>,
    pub closed: Vec<Closed<K>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberLine<K> {
    pub owner: K,
    /// Activities logged per kind, in kind order.
    pub activities: BTreeMap<String, u64>,
    pub tasks_done: u64,
    pub overdue: u64,
    pub new_leads: u64,
    pub leads_not_contacted: u64,
    /// Median hours from a lead's arrival to its first activity.
    pub median_first_contact_hours: Option<f64>,
    pub won: u64,
    pub lost: u64,
    pub win_rate: Option<f64>,
    pub won_minor: i64,
    pub average_cycle_days: Option<f64>,
}

impl<K> MemberLine<K> {
    fn empty(owner: K) -> Self {
        Self {
            owner,
            activities: BTreeMap::new(),
            tasks_done: 0,
            overdue: 0,
            new_leads: 0,
            leads_not_contacted: 0,
            median_first_contact_hours: None,
            won: 0,
            lost: 0,
            win_rate: None,
            won_minor: 0,
            average_cycle_days: None,
        }
    }

    pub fn activity_total(&self) -> u64 {
        self.activities.values().sum()
    }
}

/// One line per person in `people` (in that order, so a team's members show
/// even when idle), then any other owner found in the input.
pub fn lines<K: Ord + Clone>(people: &[K], input: &TeamInput<K>) -> Vec<MemberLine<K>> {
    let mut order: Vec<K> = people.to_vec();
    let mut lines: BTreeMap<K, MemberLine<K>> =
        people.iter().map(|k| (k.clone(), MemberLine::empty(k.clone()))).collect();
    fn line<'a, K: Ord + Clone>(
        lines: &'a mut BTreeMap<K, MemberLine<K>>,
        order: &mut Vec<K>,
        key: &K,
    ) -> &'a mut MemberLine<K> {
        if !lines.contains_key(key) {
            order.push(key.clone());
        }
        lines.entry(key.clone()).or_insert_with(|| MemberLine::empty(key.clone()))
    }
    for logged in &input.logged {
        let l = line(&mut lines, &mut order, &logged.owner);
        *l.activities.entry(logged.kind.clone()).or_default() += logged.count;
        if logged.kind == "task" && logged.done {
            l.tasks_done += logged.count;
        }
    }
    for (owner, count) in &input.overdue {
        line(&mut lines, &mut order, owner).overdue += count;
    }
    let mut waits: BTreeMap<K, Vec<i64>> = BTreeMap::new();
    for lead in &input.new_leads {
        let l = line(&mut lines, &mut order, &lead.owner);
        l.new_leads += 1;
        match lead.first_contact_after_seconds {
            Some(seconds) => waits.entry(lead.owner.clone()).or_default().push(seconds.max(0)),
            None => l.leads_not_contacted += 1,
        }
    }
    let mut cycles: BTreeMap<K, (i128, u64)> = BTreeMap::new();
    for deal in &input.closed {
        let l = line(&mut lines, &mut order, &deal.owner);
        match deal.outcome {
            Outcome::Won => {
                l.won += 1;
                l.won_minor = l.won_minor.saturating_add(deal.amount_minor.unwrap_or(0));
                let cycle = cycles.entry(deal.owner.clone()).or_default();
                cycle.0 += i128::from(deal.cycle_seconds.max(0));
                cycle.1 += 1;
            }
            Outcome::Lost => l.lost += 1,
        }
    }
    for (owner, mut seconds) in waits {
        seconds.sort_unstable();
        let n = seconds.len();
        let median =
            if n % 2 == 1 { seconds[n / 2] as f64 } else { (seconds[n / 2 - 1] + seconds[n / 2]) as f64 / 2.0 };
        if let Some(l) = lines.get_mut(&owner) {
            l.median_first_contact_hours = Some(median / 3600.0);
        }
    }
    for (owner, (sum, count)) in cycles {
        if let Some(l) = lines.get_mut(&owner) {
            l.average_cycle_days = Some(sum as f64 / count as f64 / 86_400.0);
        }
    }
    order
        .into_iter()
        .filter_map(|k| lines.remove(&k))
        .map(|mut l| {
            let closed = l.won + l.lost;
            l.win_rate = (closed > 0).then(|| l.won as f64 / closed as f64);
            l
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_person_gets_a_line_even_idle_and_the_figures_add_up() {
        let input = TeamInput {
            logged: vec![
                Logged { owner: "ana", kind: "call".into(), done: true, count: 1 },
                Logged { owner: "ana", kind: "call".into(), done: false, count: 1 },
                Logged { owner: "ana", kind: "task".into(), done: true, count: 1 },
                Logged { owner: "ana", kind: "task".into(), done: false, count: 1 },
                Logged { owner: "zé", kind: "meeting".into(), done: true, count: 1 },
            ],
            overdue: vec![("ana", 3)],
            new_leads: vec![
                NewLead { owner: "ana", first_contact_after_seconds: Some(3_600) },
                NewLead { owner: "ana", first_contact_after_seconds: Some(3 * 3_600) },
                NewLead { owner: "ana", first_contact_after_seconds: None },
            ],
            closed: vec![
                Closed { owner: "ana", outcome: Outcome::Won, amount_minor: Some(500), cycle_seconds: 86_400 },
                Closed { owner: "ana", outcome: Outcome::Won, amount_minor: None, cycle_seconds: 3 * 86_400 },
                Closed { owner: "ana", outcome: Outcome::Lost, amount_minor: Some(1), cycle_seconds: 0 },
            ],
        };
        let lines = lines(&["bia", "ana"], &input);
        assert_eq!(lines.iter().map(|l| l.owner).collect::<Vec<_>>(), ["bia", "ana", "zé"]);
        let bia = &lines[0];
        assert_eq!((bia.activity_total(), bia.win_rate, bia.median_first_contact_hours), (0, None, None));
        let ana = &lines[1];
        assert_eq!(ana.activities.get("call"), Some(&2));
        assert_eq!((ana.activity_total(), ana.tasks_done, ana.overdue), (4, 1, 3));
        assert_eq!((ana.new_leads, ana.leads_not_contacted, ana.median_first_contact_hours), (3, 1, Some(2.0)));
        assert_eq!((ana.won, ana.lost, ana.won_minor), (2, 1, 500));
        assert_eq!(ana.win_rate, Some(2.0 / 3.0));
        assert_eq!(ana.average_cycle_days, Some(2.0));
        assert_eq!(lines[2].activities.get("meeting"), Some(&1));
    }
}
