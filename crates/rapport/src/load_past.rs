//! `rapport demo`'s past: the demo sellers and teams, then, after the load, the generated history written with
//! `rapport_db::demo_history::backdate_for_demo` and the forecasts that would have been recorded at the start of
//! each past month and quarter.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::access::Role;
use rapport_core::forecast::{self, DealRow, ForecastCategory, ForecastInput, Period, PeriodKind};
use rapport_core::records::pipeline::Pipeline;
use rapport_db::Ctx;
use rapport_db::demo_history::{Backdated, DealPast, DemoPast, LeadPast, PastForecast, WrittenAt};
use rapport_db::users::NewUser;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::demo::history::{
    DealHistory, LeadHistory, NEGOTIATION, SELLERS, STAGE_LOST, STAGE_WON, TEAMS, reference_time,
};

/// Months and quarters with a recorded forecast, counted back from (and including) the one of the reference date,
/// so that the accuracy's six past months and four past quarters are there whether it is read in the reference
/// month or the next.
const MONTHS: usize = 7;
const QUARTERS: usize = 5;

/// The demo sellers' user ids, in [`SELLERS`] order: found by e-mail, or created with their teams (the first
/// team a user joins is their records' team).
pub async fn ensure_sellers(ctx: &Ctx) -> anyhow::Result<Vec<Uuid>> {
    let mut teams = Vec::with_capacity(TEAMS.len());
    let existing = rapport_db::users::list_teams(ctx).await?;
    for name in TEAMS {
        let team = match existing.iter().find(|t| t.name == name) {
            Some(team) => team.id,
            None => rapport_db::users::create_team_for_system(ctx, name).await?.id,
        };
        teams.push(team);
    }
    let mut ids = Vec::with_capacity(SELLERS.len());
    let mut created = Vec::new();
    for seller in SELLERS {
        let user = match rapport_db::users::find_by_email(ctx, seller.email).await? {
            Some(user) => user,
            None => {
                let password = format!("demo-{}", Uuid::new_v4().simple());
                let input = NewUser {
                    email: seller.email.into(),
                    name: seller.name.into(),
                    password: password.clone(),
                    role: if seller.manager { Role::Manager } else { Role::Member },
                    locale: "pt-BR".into(),
                };
                let user = rapport_db::users::create_for_system(ctx, &input).await?;
                rapport_db::users::add_member_for_system(ctx, teams[seller.team], user.id).await?;
                created.push(format!("{} ({password})", seller.email));
                user
            }
        };
        ids.push(user.id.0);
    }
    if !created.is_empty() {
        println!("created demo sellers in teams {}: {}", TEAMS.join(" and "), created.join(", "));
    }
    Ok(ids)
}

/// What the history needs of the stored records, in the generator's order (None where a record was rejected).
pub struct Stored<'a> {
    pub pipeline: &'a Pipeline,
    pub sellers: &'a [Uuid],
    pub teams: &'a BTreeMap<Uuid, Uuid>,
    pub deal_ids: &'a [Option<Uuid>],
    /// The deals as generated (only amount, currency and expected close date are read).
    pub deals: &'a [Map<String, Value>],
    pub deal_pasts: &'a [DealHistory],
    pub lead_ids: &'a [Option<Uuid>],
    pub lead_statuses: &'a [String],
    pub lead_pasts: &'a [LeadHistory],
    /// Activities with when they were written.
    pub activities: &'a [(Option<Uuid>, DateTime<Utc>)],
    pub currency: &'a str,
}

/// Writes the history and the past forecasts.
pub async fn write(ctx: &Ctx, stored: &Stored<'_>) -> anyhow::Result<Backdated> {
    let stage_id = |index: usize| stored.pipeline.stages.get(index).map(|s| s.id);
    let mut past = DemoPast::default();
    for ((id, history), _) in stored.deal_ids.iter().zip(stored.deal_pasts).zip(stored.deals) {
        let Some(id) = id else { continue };
        let path: Vec<(Uuid, DateTime<Utc>)> =
            history.path.iter().filter_map(|&(stage, at)| stage_id(stage).map(|s| (s, at))).collect();
        if path.len() != history.path.len() {
            anyhow::bail!("the default pipeline has fewer stages than the demo's six");
        }
        let status = match history.stage() {
            STAGE_WON => "won",
            STAGE_LOST => "lost",
            _ => "open",
        };
        past.deals.push(DealPast {
            id: *id,
            pipeline_id: stored.pipeline.id,
            created_at: history.created_at(),
            path,
            status: status.into(),
            closed_at: history.closed_at(),
            moved_by: stored.sellers.get(history.owner).copied(),
        });
    }
    for ((id, status), history) in stored.lead_ids.iter().zip(stored.lead_statuses).zip(stored.lead_pasts) {
        let Some(id) = id else { continue };
        past.leads.push(LeadPast {
            id: *id,
            created_at: history.created_at,
            updated_at: history.closed_at.unwrap_or(history.created_at),
            status: status.clone(),
        });
    }
    past.activities =
        stored.activities.iter().filter_map(|(id, at)| id.map(|id| WrittenAt { id, created_at: *at })).collect();
    past.forecasts = past_forecasts(stored);
    Ok(rapport_db::demo_history::backdate_for_demo(ctx, &past).await?)
}

fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default()
}

/// The periods with a recorded forecast (see [`MONTHS`]).
fn past_periods() -> Vec<Period> {
    let today = reference_time().date_naive();
    let mut periods = Vec::new();
    for (kind, count) in [(PeriodKind::Month, MONTHS), (PeriodKind::Quarter, QUARTERS)] {
        let mut period = Period::containing(kind, today);
        for _ in 0..count {
            periods.push(period);
            period = period.previous();
        }
    }
    periods
}

/// The deals as they stood at `at`: those created before and not closed yet, in the stage they were in then, with
/// that stage's probability, committed if their seller committed them in negotiation.
fn rows_at(stored: &Stored<'_>, at: DateTime<Utc>) -> Vec<DealRow> {
    let mut rows = Vec::new();
    for ((id, history), deal) in stored.deal_ids.iter().zip(stored.deal_pasts).zip(stored.deals) {
        if id.is_none() {
            continue;
        }
        let Some(stage) = history.open_stage_at(at) else { continue };
        let probability = stored.pipeline.stages.get(stage).map_or(0, |s| s.probability);
        let owner = stored.sellers.get(history.owner).copied();
        rows.push(DealRow {
            owner_id: owner,
            team_id: owner.and_then(|o| stored.teams.get(&o).copied()),
            amount_minor: deal.get("amount_minor").and_then(Value::as_i64).unwrap_or(0),
            currency: deal.get("currency").and_then(Value::as_str).map(str::to_owned),
            probability,
            category: (history.committed && stage == NEGOTIATION).then_some(ForecastCategory::Commit),
            expected_close_date: deal
                .get("expected_close_date")
                .and_then(Value::as_str)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            status: "open".into(),
            closed_at: None,
        });
    }
    rows
}

/// One forecast per period, everyone's and each team's, taken at the start of the period from the deals as they
/// stood then (`forecast::compute`, as `rapport_db::forecast::record_snapshots` records them).
fn past_forecasts(stored: &Stored<'_>) -> Vec<PastForecast> {
    let mut out = Vec::new();
    let team_ids: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = stored.teams.values().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    for period in past_periods() {
        let taken_at = day_start(period.start()) + chrono::Duration::hours(6);
        let rows = rows_at(stored, taken_at);
        let mut everyone: Vec<Uuid> = stored.sellers.to_vec();
        everyone.sort_unstable();
        let compute = |owners: &[Uuid], team: Option<Uuid>, deals: &[DealRow]| {
            forecast::compute(&ForecastInput { period, currency: stored.currency, owners, team, deals, quotas: &[] })
        };
        out.push(PastForecast {
            period,
            scope: "everyone".into(),
            taken_at,
            forecast: compute(&everyone, None, &rows),
        });
        for team in &team_ids {
            let owners: Vec<Uuid> =
                stored.sellers.iter().copied().filter(|s| stored.teams.get(s) == Some(team)).collect();
            let deals: Vec<DealRow> = rows.iter().filter(|r| r.team_id == Some(*team)).cloned().collect();
            out.push(PastForecast {
                period,
                scope: format!("team:{team}"),
                taken_at,
                forecast: compute(&owners, Some(*team), &deals),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use rapport_core::records::pipeline::Stage;

    use super::*;

    fn at(m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, 12, 0, 0).single().unwrap()
    }

    fn pipeline() -> Pipeline {
        let stage = |i: i64, probability, is_won, is_lost| Stage {
            id: Uuid::from_u128(100 + i as u128),
            name: format!("s{i}"),
            position: i,
            probability,
            is_won,
            is_lost,
        };
        Pipeline {
            id: Uuid::from_u128(1),
            name: "Sales".into(),
            is_default: true,
            stages: vec![
                stage(0, 10, false, false),
                stage(1, 25, false, false),
                stage(2, 50, false, false),
                stage(3, 75, false, false),
                stage(4, 100, true, false),
                stage(5, 0, false, true),
            ],
        }
    }

    fn deal(amount: i64, close: &str) -> Map<String, Value> {
        serde_json::json!({"amount_minor": amount, "currency": "BRL", "expected_close_date": close})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn past_periods_are_the_accuracy_windows_and_start_before_today() {
        let periods = past_periods();
        assert_eq!(periods.len(), MONTHS + QUARTERS);
        assert_eq!(periods[0].to_string(), "2026-11");
        assert_eq!(periods[MONTHS].to_string(), "2026-Q4");
        assert_eq!(periods[MONTHS + QUARTERS - 1].to_string(), "2025-Q4");
        assert!(periods.iter().all(|p| p.start() <= reference_time().date_naive()));
    }

    #[test]
    fn a_past_forecast_counts_the_deals_open_then_in_their_stage_then() {
        let pipeline = pipeline();
        let seller = Uuid::from_u128(7);
        let team = Uuid::from_u128(8);
        let sellers = [seller];
        let teams = BTreeMap::from([(seller, team)]);
        let deal_pasts = vec![
            // In proposal on 1 June, won on 10 June: 50 % of 1,000 weighted.
            DealHistory {
                owner: 0,
                path: vec![(0, at(5, 1)), (2, at(5, 20)), (STAGE_WON, at(6, 10))],
                committed: false,
            },
            // Committed in negotiation on 1 June, lost later: a commit of 2,000.
            DealHistory {
                owner: 0,
                path: vec![(0, at(5, 2)), (3, at(5, 25)), (STAGE_LOST, at(6, 20))],
                committed: true,
            },
            // Created after 1 June, and one closed before: neither was open then.
            DealHistory { owner: 0, path: vec![(0, at(6, 3)), (STAGE_WON, at(6, 9))], committed: false },
            DealHistory { owner: 0, path: vec![(0, at(5, 1)), (STAGE_LOST, at(5, 9))], committed: false },
            // Open on 1 June but expected to close in July.
            DealHistory { owner: 0, path: vec![(0, at(5, 1))], committed: false },
        ];
        let deals = vec![
            deal(1_000, "2026-06-12"),
            deal(2_000, "2026-06-15"),
            deal(4_000, "2026-06-09"),
            deal(8_000, "2026-05-09"),
            deal(16_000, "2026-07-02"),
        ];
        let ids: Vec<Option<Uuid>> = (0..5).map(|i| Some(Uuid::from_u128(50 + i))).collect();
        let stored = Stored {
            pipeline: &pipeline,
            sellers: &sellers,
            teams: &teams,
            deal_ids: &ids,
            deals: &deals,
            deal_pasts: &deal_pasts,
            lead_ids: &[],
            lead_statuses: &[],
            lead_pasts: &[],
            activities: &[],
            currency: "BRL",
        };
        let june_first = day_start(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()) + chrono::Duration::hours(6);
        let rows = rows_at(&stored, june_first);
        let seen: Vec<(i64, i64, Option<ForecastCategory>)> =
            rows.iter().map(|r| (r.amount_minor, r.probability, r.category)).collect();
        assert_eq!(seen, [(1_000, 50, None), (2_000, 75, Some(ForecastCategory::Commit)), (16_000, 10, None)]);
        assert!(rows.iter().all(|r| r.team_id == Some(team) && r.owner_id == Some(seller)));

        let june = Period::containing(PeriodKind::Month, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
        let forecast = forecast::compute(&ForecastInput {
            period: june,
            currency: "BRL",
            owners: &sellers,
            team: None,
            deals: &rows,
            quotas: &[],
        });
        assert_eq!((forecast.total.commit_minor, forecast.total.closed_minor), (2_000, 0));
        assert_eq!(forecast.total.weighted_minor, 500 + 1_500);
        // A deal whose last stage was an open one never counts as closed before its time.
        assert_eq!(deal_pasts[4].open_stage_at(at(11, 1)), Some(0));
    }
}
