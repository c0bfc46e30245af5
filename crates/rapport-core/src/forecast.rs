//! Sales forecasts and quotas: what each owner and team is expected to close
//! in a month or a quarter, against what they must close.
//!
//! Rules (the forecast page, its API and later the snapshots all use these):
//!
//! - A deal's **forecast category** is the user's choice while the deal is
//!   open, and otherwise follows it: won → `closed`, lost → `omitted`; an
//!   open deal nobody categorised is `commit` from 90 % probability,
//!   `best_case` from 60 %, else `pipeline` ([`ForecastCategory::for_deal`]).
//! - A deal belongs to a period by its **expected close date** while open, and
//!   by the day it was **won** (`closed_at`, in UTC) once won. Lost deals and
//!   open deals categorised `omitted` count nowhere.
//! - Amounts are summed per category (not cumulatively); **weighted** is the
//!   won amount plus each open, not omitted deal's amount × probability, the
//!   division by 100 done once on the sum (half up), so it never drifts.
//! - One currency per forecast: deals in another currency are summed apart,
//!   per currency, never added to the forecast's figures.
//! - **Quota** of a period: the quota set for it; for a quarter without one,
//!   the sum of the quotas of its months when any is set. **Attainment** is
//!   won ÷ quota (in basis points), the **gap** what is left to win (≥ 0).
//!
//! A [`Forecast`] is plain data (serde both ways), so a period's forecast can
//! be recorded as it stood on a day and compared with what happened.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{DomainError, FieldError, ValidationErrors};

/// The forecast categories, in the order forecasts show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForecastCategory {
    Pipeline,
    BestCase,
    Commit,
    Closed,
    Omitted,
}

/// Probability (percent) from which an open deal is committed by default.
pub const COMMIT_FROM: i64 = 90;
/// Probability (percent) from which an open deal is a best case by default.
pub const BEST_CASE_FROM: i64 = 60;

impl ForecastCategory {
    pub const ALL: [Self; 5] = [Self::Pipeline, Self::BestCase, Self::Commit, Self::Closed, Self::Omitted];
    /// The values of the deal field, as the descriptor lists them.
    pub const NAMES: &'static [&'static str] = &["pipeline", "best_case", "commit", "closed", "omitted"];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == input)
    }

    /// The category of an open deal nobody categorised, by its probability.
    pub fn from_probability(probability: i64) -> Self {
        if probability >= COMMIT_FROM {
            Self::Commit
        } else if probability >= BEST_CASE_FROM {
            Self::BestCase
        } else {
            Self::Pipeline
        }
    }

    /// The category a deal has: a won deal is closed and a lost one omitted
    /// whatever was chosen; an open deal keeps the user's choice (`chosen`),
    /// or takes its probability's.
    pub fn for_deal(status: &str, probability: i64, chosen: Option<Self>) -> Self {
        match status {
            "won" => Self::Closed,
            "lost" => Self::Omitted,
            _ => chosen.unwrap_or_else(|| Self::from_probability(probability)),
        }
    }
}

/// Month or quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Month, Self::Quarter].into_iter().find(|k| k.as_str() == input)
    }

    fn months(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
        }
    }
}

/// A calendar month or quarter, written `2026-11` or `2026-Q4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    kind: PeriodKind,
    start: NaiveDate,
}

impl Period {
    /// The period of this kind that starts on `start`, which must be the
    /// first day of a month (of a quarter's first month, for a quarter).
    pub fn starting(kind: PeriodKind, start: NaiveDate) -> Result<Self, FieldError> {
        let starts = start.day() == 1 && (kind == PeriodKind::Month || start.month0().is_multiple_of(3));
        if !starts {
            let code = match kind {
                PeriodKind::Month => "quota_not_month_start",
                PeriodKind::Quarter => "quota_not_quarter_start",
            };
            return Err(FieldError::new(
                "period_start",
                code,
                "the period must start on the first day of a month or quarter (1 January, 1 April, 1 July, 1 October)",
            ));
        }
        Ok(Self { kind, start })
    }

    /// The period of this kind holding `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Self {
        let month0 = match kind {
            PeriodKind::Month => day.month0(),
            PeriodKind::Quarter => day.month0() / 3 * 3,
        };
        let start = NaiveDate::from_ymd_opt(day.year(), month0 + 1, 1).unwrap_or(day);
        Self { kind, start }
    }

    /// `2026-11` (a month) or `2026-Q4` (a quarter).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("period", "forecast_invalid_period", "a period is written 2026-11 or 2026-Q4");
        let (year, rest) = input.trim().split_once('-').ok_or_else(invalid)?;
        let year: i32 = year.parse().map_err(|_| invalid())?;
        if !(1900..=9999).contains(&year) {
            return Err(invalid());
        }
        let (kind, month) = match rest.strip_prefix(['Q', 'q']) {
            Some(q) => match q.parse::<u32>() {
                Ok(q @ 1..=4) => (PeriodKind::Quarter, (q - 1) * 3 + 1),
                _ => return Err(invalid()),
            },
            None if rest.len() == 2 => match rest.parse::<u32>() {
                Ok(m @ 1..=12) => (PeriodKind::Month, m),
                _ => return Err(invalid()),
            },
            None => return Err(invalid()),
        };
        let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(invalid)?;
        Ok(Self { kind, start })
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    pub fn start(self) -> NaiveDate {
        self.start
    }

    /// The first day after the period.
    pub fn end(self) -> NaiveDate {
        self.start + Months::new(self.kind.months())
    }

    /// The last day of the period.
    pub fn last_day(self) -> NaiveDate {
        self.end().pred_opt().unwrap_or(self.start)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end()
    }

    pub fn next(self) -> Self {
        Self { kind: self.kind, start: self.end() }
    }

    pub fn previous(self) -> Self {
        Self { kind: self.kind, start: self.start - Months::new(self.kind.months()) }
    }

    /// The months of the period (one for a month).
    pub fn months(self) -> Vec<Self> {
        (0..self.kind.months()).map(|i| Self { kind: PeriodKind::Month, start: self.start + Months::new(i) }).collect()
    }

    /// The quarter this period lies in.
    pub fn quarter(self) -> Self {
        Self::containing(PeriodKind::Quarter, self.start)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            PeriodKind::Month => write!(f, "{}-{:02}", self.start.year(), self.start.month()),
            PeriodKind::Quarter => write!(f, "{}-Q{}", self.start.year(), self.start.month0() / 3 + 1),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).map_err(|e| e.message)
    }
}

impl From<Period> for String {
    fn from(period: Period) -> Self {
        period.to_string()
    }
}

/// Whose quota: one user's or one team's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum Subject {
    User(Uuid),
    Team(Uuid),
}

/// A quota: what a user or team must win in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub subject: Subject,
    pub period: Period,
    pub amount_minor: i64,
    pub currency: String,
}

/// Checks a quota before it is stored: a known period start, an amount of
/// at least zero, in the account's currency.
pub fn check_quota(
    kind: PeriodKind,
    start: NaiveDate,
    amount_minor: i64,
    currency: &str,
    account_currency: &str,
) -> Result<Period, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let period = Period::starting(kind, start).map_err(|e| errors.push(e)).ok();
    if amount_minor < 0 {
        errors.push(FieldError::new("amount_minor", "quota_negative", "a quota is zero or more"));
    }
    if amount_minor > 1_000_000_000_000_000 {
        errors.push(FieldError::new("amount_minor", "out_of_range", "a quota is at most 10^18 minor units"));
    }
    if !currency.eq_ignore_ascii_case(account_currency) {
        errors.push(
            FieldError::new(
                "currency",
                "quota_currency",
                format!("quotas are set in the account's currency, {account_currency}"),
            )
            .with("currency", account_currency),
        );
    }
    match period {
        Some(period) if errors.0.is_empty() => Ok(period),
        _ => Err(errors),
    }
}

/// Rejects a second quota for the same subject and period in one change.
pub fn check_distinct(quotas: &[(Subject, Period)]) -> Result<(), DomainError> {
    let mut errors = ValidationErrors::default();
    for (i, key) in quotas.iter().enumerate() {
        if quotas[..i].contains(key) {
            errors.push(FieldError::new(
                format!("items[{i}]"),
                "quota_duplicate",
                "one quota per user or team and period: this one is given twice",
            ));
        }
    }
    errors.into_result().map_err(DomainError::Validation)
}

/// The deal columns a forecast reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealRow {
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub amount_minor: i64,
    pub currency: Option<String>,
    pub probability: i64,
    /// As stored; `None` takes [`ForecastCategory::for_deal`]'s default.
    pub category: Option<ForecastCategory>,
    pub expected_close_date: Option<NaiveDate>,
    /// `open`, `won` or `lost`.
    pub status: String,
    pub closed_at: Option<DateTime<Utc>>,
}

impl DealRow {
    pub fn category(&self) -> ForecastCategory {
        ForecastCategory::for_deal(&self.status, self.probability, self.category)
    }

    /// Whether the deal counts in the period (see the module's rules).
    pub fn in_period(&self, period: Period) -> bool {
        match self.status.as_str() {
            "won" => self.closed_at.is_some_and(|at| period.contains(at.date_naive())),
            "open" => {
                self.category() != ForecastCategory::Omitted
                    && self.expected_close_date.is_some_and(|d| period.contains(d))
            }
            _ => false,
        }
    }
}

/// The figures of one owner, one team or the whole forecast, in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Totals {
    /// Won in the period.
    pub closed_minor: i64,
    pub commit_minor: i64,
    pub best_case_minor: i64,
    pub pipeline_minor: i64,
    /// Won plus each open deal's amount × probability.
    pub weighted_minor: i64,
    /// Deals counted (won and open).
    pub deals: i64,
    pub quota_minor: Option<i64>,
    /// Won ÷ quota in basis points (10 000 = 100 %); none without a quota
    /// above zero.
    pub attainment_bp: Option<i64>,
    /// What is left to win to reach the quota (never below zero).
    pub gap_minor: Option<i64>,
}

#[derive(Debug, Default, Clone)]
struct Sums {
    closed: i128,
    commit: i128,
    best_case: i128,
    pipeline: i128,
    /// Amount × probability, divided by 100 once at the end.
    weighted_pct: i128,
    deals: i64,
}

impl Sums {
    fn add(&mut self, deal: &DealRow) {
        let amount = i128::from(deal.amount_minor);
        let probability = match deal.category() {
            ForecastCategory::Omitted => return,
            _ if deal.status == "won" => {
                self.closed += amount;
                100
            }
            ForecastCategory::Closed | ForecastCategory::Commit => {
                self.commit += amount;
                deal.probability
            }
            ForecastCategory::BestCase => {
                self.best_case += amount;
                deal.probability
            }
            ForecastCategory::Pipeline => {
                self.pipeline += amount;
                deal.probability
            }
        };
        self.deals += 1;
        self.weighted_pct += amount * i128::from(probability.clamp(0, 100));
    }

    fn merge(&mut self, other: &Sums) {
        self.closed += other.closed;
        self.commit += other.commit;
        self.best_case += other.best_case;
        self.pipeline += other.pipeline;
        self.weighted_pct += other.weighted_pct;
        self.deals += other.deals;
    }

    fn totals(&self, quota: Option<i64>) -> Totals {
        let clamp = |v: i128| i64::try_from(v).unwrap_or(i64::MAX);
        let closed = clamp(self.closed);
        Totals {
            closed_minor: closed,
            commit_minor: clamp(self.commit),
            best_case_minor: clamp(self.best_case),
            pipeline_minor: clamp(self.pipeline),
            weighted_minor: clamp((self.weighted_pct + 50) / 100),
            deals: self.deals,
            quota_minor: quota,
            attainment_bp: quota
                .filter(|q| *q > 0)
                .map(|q| clamp((i128::from(closed) * 10_000 + i128::from(q) / 2) / i128::from(q))),
            gap_minor: quota.map(|q| (q - closed).max(0)),
        }
    }
}

/// One owner's line of a forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OwnerLine {
    #[schema(value_type = Option<String>, format = Uuid)]
    pub owner_id: Option<Uuid>,
    pub totals: Totals,
}

/// Deals in a currency other than the forecast's, summed apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OtherCurrency {
    #[schema(value_type = Option<String>, format = Uuid)]
    pub owner_id: Option<Uuid>,
    pub currency: String,
    pub totals: Totals,
}

/// A period's forecast for a set of owners (and their team, if one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Forecast {
    #[schema(value_type = String, example = "2026-Q4")]
    pub period: Period,
    pub currency: String,
    /// One line per owner asked for, in the order asked, then any other
    /// owner whose deals were given.
    pub owners: Vec<OwnerLine>,
    /// The team's line (its own quota), or the sum of the owners' lines.
    pub total: Totals,
    pub other_currencies: Vec<OtherCurrency>,
}

/// What a forecast is computed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastInput<'a> {
    pub period: Period,
    pub currency: &'a str,
    /// Owners shown even without deals (a team's members, the user).
    pub owners: &'a [Uuid],
    /// The team whose quota the total is measured against.
    pub team: Option<Uuid>,
    pub deals: &'a [DealRow],
    pub quotas: &'a [Quota],
}

/// The quota of a subject for a period (see the module's rules).
pub fn quota_for(quotas: &[Quota], subject: Subject, period: Period, currency: &str) -> Option<i64> {
    let find = |p: Period| {
        quotas
            .iter()
            .find(|q| q.subject == subject && q.period == p && q.currency.eq_ignore_ascii_case(currency))
            .map(|q| q.amount_minor)
    };
    find(period).or_else(|| {
        if period.kind() != PeriodKind::Quarter {
            return None;
        }
        let months: Vec<i64> = period.months().into_iter().filter_map(find).collect();
        (!months.is_empty()).then(|| months.iter().sum())
    })
}

/// Computes a forecast. Deals outside the period are ignored, so the caller
/// may pass a superset.
pub fn compute(input: &ForecastInput<'_>) -> Forecast {
    let mut per_owner: BTreeMap<Option<Uuid>, Sums> = BTreeMap::new();
    let mut foreign: BTreeMap<(Option<Uuid>, String), Sums> = BTreeMap::new();
    for deal in input.deals.iter().filter(|d| d.in_period(input.period)) {
        let currency = deal.currency.as_deref().unwrap_or(input.currency);
        if deal.amount_minor != 0 && !currency.eq_ignore_ascii_case(input.currency) {
            foreign.entry((deal.owner_id, currency.to_uppercase())).or_default().add(deal);
        } else {
            per_owner.entry(deal.owner_id).or_default().add(deal);
        }
    }
    let mut order: Vec<Option<Uuid>> = input.owners.iter().copied().map(Some).collect();
    order.extend(per_owner.keys().filter(|k| !k.is_some_and(|id| input.owners.contains(&id))).copied());
    let mut all = Sums::default();
    let mut owner_quotas: Option<i64> = None;
    let owners = order
        .into_iter()
        .map(|owner| {
            let sums = per_owner.get(&owner).cloned().unwrap_or_default();
            all.merge(&sums);
            let quota = owner.and_then(|id| quota_for(input.quotas, Subject::User(id), input.period, input.currency));
            if let Some(q) = quota {
                owner_quotas = Some(owner_quotas.unwrap_or(0) + q);
            }
            OwnerLine { owner_id: owner, totals: sums.totals(quota) }
        })
        .collect();
    let total_quota = match input.team {
        Some(team) => quota_for(input.quotas, Subject::Team(team), input.period, input.currency),
        None => owner_quotas,
    };
    Forecast {
        period: input.period,
        currency: input.currency.to_owned(),
        owners,
        total: all.totals(total_quota),
        other_currencies: foreign
            .into_iter()
            .map(|((owner_id, currency), sums)| OtherCurrency { owner_id, currency, totals: sums.totals(None) })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        day(y, m, d).and_hms_opt(h, 0, 0).unwrap().and_utc()
    }

    const ANA: Uuid = Uuid::from_u128(1);
    const BIA: Uuid = Uuid::from_u128(2);
    const CAIO: Uuid = Uuid::from_u128(3);
    const TEAM: Uuid = Uuid::from_u128(10);

    fn open(
        owner: Uuid,
        amount: i64,
        probability: i64,
        close: NaiveDate,
        category: Option<ForecastCategory>,
    ) -> DealRow {
        DealRow {
            owner_id: Some(owner),
            team_id: Some(TEAM),
            amount_minor: amount,
            currency: Some("BRL".into()),
            probability,
            category,
            expected_close_date: Some(close),
            status: "open".into(),
            closed_at: None,
        }
    }

    fn won(owner: Uuid, amount: i64, on: DateTime<Utc>) -> DealRow {
        DealRow {
            status: "won".into(),
            closed_at: Some(on),
            probability: 100,
            category: Some(ForecastCategory::Closed),
            ..open(owner, amount, 100, day(2026, 1, 1), None)
        }
    }

    #[test]
    fn periods_read_and_write_as_months_and_quarters() {
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!((q4.kind(), q4.start(), q4.end()), (PeriodKind::Quarter, day(2026, 10, 1), day(2027, 1, 1)));
        assert_eq!(q4.to_string(), "2026-Q4");
        assert_eq!(q4.last_day(), day(2026, 12, 31));
        assert_eq!(q4.next().to_string(), "2027-Q1");
        assert_eq!(q4.previous().to_string(), "2026-Q3");
        let feb = Period::parse("2028-02").unwrap();
        assert_eq!((feb.end(), feb.last_day()), (day(2028, 3, 1), day(2028, 2, 29)));
        assert_eq!(feb.quarter().to_string(), "2028-Q1");
        assert_eq!(Period::parse("2026-q2").unwrap().to_string(), "2026-Q2");
        for bad in ["2026", "2026-Q5", "2026-13", "2026-1", "x-Q1", "2026-Q0", ""] {
            assert_eq!(Period::parse(bad).unwrap_err().code, "forecast_invalid_period", "{bad}");
        }
        assert_eq!(Period::containing(PeriodKind::Quarter, day(2026, 8, 17)).to_string(), "2026-Q3");
        assert_eq!(Period::containing(PeriodKind::Month, day(2026, 8, 17)).to_string(), "2026-08");
        let months: Vec<String> = q4.months().iter().map(Period::to_string).collect();
        assert_eq!(months, ["2026-10", "2026-11", "2026-12"]);
    }

    #[test]
    fn a_period_starts_on_the_first_day_of_its_month_or_quarter() {
        assert!(Period::starting(PeriodKind::Month, day(2026, 5, 1)).is_ok());
        assert_eq!(Period::starting(PeriodKind::Month, day(2026, 5, 2)).unwrap_err().code, "quota_not_month_start");
        assert!(Period::starting(PeriodKind::Quarter, day(2026, 7, 1)).is_ok());
        assert_eq!(Period::starting(PeriodKind::Quarter, day(2026, 5, 1)).unwrap_err().code, "quota_not_quarter_start");
    }

    #[test]
    fn the_category_follows_the_status_and_else_the_probability_unless_chosen() {
        use ForecastCategory::*;
        assert_eq!(ForecastCategory::for_deal("won", 10, Some(Pipeline)), Closed);
        assert_eq!(ForecastCategory::for_deal("lost", 95, Some(Commit)), Omitted);
        assert_eq!(ForecastCategory::for_deal("open", 90, None), Commit);
        assert_eq!(ForecastCategory::for_deal("open", 89, None), BestCase);
        assert_eq!(ForecastCategory::for_deal("open", 60, None), BestCase);
        assert_eq!(ForecastCategory::for_deal("open", 59, None), Pipeline);
        assert_eq!(ForecastCategory::for_deal("open", 20, Some(Commit)), Commit);
        assert_eq!(ForecastCategory::for_deal("open", 95, Some(Omitted)), Omitted);
        for c in ForecastCategory::ALL {
            assert_eq!(ForecastCategory::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn quotas_need_a_period_start_an_amount_of_zero_or_more_and_the_accounts_currency() {
        assert!(check_quota(PeriodKind::Month, day(2026, 1, 1), 0, "brl", "BRL").is_ok());
        let errors = check_quota(PeriodKind::Quarter, day(2026, 2, 1), -1, "USD", "BRL").unwrap_err();
        let codes: Vec<&str> = errors.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["quota_not_quarter_start", "quota_negative", "quota_currency"]);
        let twice = [(Subject::User(ANA), Period::parse("2026-01").unwrap()); 2];
        let DomainError::Validation(errors) = check_distinct(&twice).unwrap_err() else { panic!("a validation error") };
        assert_eq!((errors.0[0].field.as_str(), errors.0[0].code.as_str()), ("items[1]", "quota_duplicate"));
        assert!(check_distinct(&twice[..1]).is_ok());
    }

    /// Q4 2026 for Ana, Bia and Caio, with numbers worked out by hand.
    #[test]
    fn a_teams_quarter_sums_each_category_weights_open_deals_and_measures_attainment() {
        let q4 = Period::parse("2026-Q4").unwrap();
        let deals = vec![
            // Ana: won 10 000,00 in October and 2 500,00 on the quarter's last evening.
            won(ANA, 1_000_000, at(2026, 10, 5, 12)),
            won(ANA, 250_000, at(2026, 12, 31, 23)),
            // ... won in September: another quarter.
            won(ANA, 999_999, at(2026, 9, 30, 23)),
            // Ana: 4 000,00 at 90 % (commit by default), 3 000,00 at 60 % (best case).
            open(ANA, 400_000, 90, day(2026, 11, 30), None),
            open(ANA, 300_000, 60, day(2026, 12, 1), None),
            // Bia: 1 000,00 at 20 % committed by hand, 5 000,00 at 10 % pipeline.
            open(BIA, 100_000, 20, day(2026, 10, 1), Some(ForecastCategory::Commit)),
            open(BIA, 500_000, 10, day(2026, 12, 31), None),
            // Bia: omitted, closing next year, and lost: none counts.
            open(BIA, 700_000, 95, day(2026, 11, 2), Some(ForecastCategory::Omitted)),
            open(BIA, 700_000, 95, day(2027, 1, 1), None),
            DealRow { status: "lost".into(), ..open(BIA, 800_000, 0, day(2026, 11, 3), None) },
            // Bia: 333,33 at 33 % → 110,0 (weighted sums round once).
            open(BIA, 33_333, 33, day(2026, 11, 4), None),
            // Bia, in dollars: apart.
            DealRow { currency: Some("USD".into()), ..open(BIA, 200_000, 50, day(2026, 11, 5), None) },
        ];
        let quotas = vec![
            Quota { subject: Subject::User(ANA), period: q4, amount_minor: 2_000_000, currency: "BRL".into() },
            // Bia: months only: 300 000 + 200 000 (December has none).
            Quota {
                subject: Subject::User(BIA),
                period: Period::parse("2026-10").unwrap(),
                amount_minor: 300_000,
                currency: "BRL".into(),
            },
            Quota {
                subject: Subject::User(BIA),
                period: Period::parse("2026-11").unwrap(),
                amount_minor: 200_000,
                currency: "BRL".into(),
            },
            Quota { subject: Subject::Team(TEAM), period: q4, amount_minor: 5_000_000, currency: "BRL".into() },
        ];
        let forecast = compute(&ForecastInput {
            period: q4,
            currency: "BRL",
            owners: &[ANA, BIA, CAIO],
            team: Some(TEAM),
            deals: &deals,
            quotas: &quotas,
        });
        let ana = &forecast.owners[0].totals;
        // weighted: 1 250 000 + 400 000 × 0.9 + 300 000 × 0.6 = 1 250 000 + 360 000 + 180 000
        assert_eq!(
            ana,
            &Totals {
                closed_minor: 1_250_000,
                commit_minor: 400_000,
                best_case_minor: 300_000,
                pipeline_minor: 0,
                weighted_minor: 1_790_000,
                deals: 4,
                quota_minor: Some(2_000_000),
                attainment_bp: Some(6_250),
                gap_minor: Some(750_000),
            }
        );
        let bia = &forecast.owners[1].totals;
        // weighted: (100 000 × 20 + 500 000 × 10 + 33 333 × 33) / 100 = (2 000 000 + 5 000 000 + 1 099 989) / 100
        assert_eq!(
            bia,
            &Totals {
                closed_minor: 0,
                commit_minor: 100_000,
                best_case_minor: 0,
                pipeline_minor: 533_333,
                weighted_minor: 81_000,
                deals: 3,
                quota_minor: Some(500_000),
                attainment_bp: Some(0),
                gap_minor: Some(500_000),
            }
        );
        assert_eq!(forecast.owners[2], OwnerLine { owner_id: Some(CAIO), totals: Totals::default() });
        let total = &forecast.total;
        assert_eq!(
            (total.closed_minor, total.commit_minor, total.best_case_minor, total.pipeline_minor),
            (1_250_000, 500_000, 300_000, 533_333)
        );
        // (179 000 000 + 8 099 989) / 100 = 1 870 999,89 → 1 871 000
        assert_eq!(total.weighted_minor, 1_871_000);
        assert_eq!(
            (total.quota_minor, total.attainment_bp, total.gap_minor),
            (Some(5_000_000), Some(2_500), Some(3_750_000))
        );
        assert_eq!(forecast.other_currencies.len(), 1);
        let usd = &forecast.other_currencies[0];
        assert_eq!((usd.owner_id, usd.currency.as_str()), (Some(BIA), "USD"));
        assert_eq!(
            (usd.totals.pipeline_minor, usd.totals.weighted_minor, usd.totals.quota_minor),
            (200_000, 100_000, None)
        );
    }

    #[test]
    fn without_a_team_the_total_quota_is_the_owners_and_a_zero_quota_has_no_attainment() {
        let nov = Period::parse("2026-11").unwrap();
        let deals = [won(ANA, 150_000, at(2026, 11, 10, 9)), won(BIA, 50_000, at(2026, 11, 11, 9))];
        let quotas = [
            Quota { subject: Subject::User(ANA), period: nov, amount_minor: 100_000, currency: "BRL".into() },
            Quota { subject: Subject::User(BIA), period: nov, amount_minor: 0, currency: "BRL".into() },
            // In another currency: not this forecast's.
            Quota { subject: Subject::User(BIA), period: nov.quarter(), amount_minor: 9, currency: "USD".into() },
        ];
        let forecast = compute(&ForecastInput {
            period: nov,
            currency: "BRL",
            owners: &[],
            team: None,
            deals: &deals,
            quotas: &quotas,
        });
        let ana = &forecast.owners[0].totals;
        assert_eq!((ana.attainment_bp, ana.gap_minor), (Some(15_000), Some(0)));
        let bia = &forecast.owners[1].totals;
        assert_eq!((bia.quota_minor, bia.attainment_bp, bia.gap_minor), (Some(0), None, Some(0)));
        assert_eq!((forecast.total.quota_minor, forecast.total.attainment_bp), (Some(100_000), Some(20_000)));
        assert_eq!(quota_for(&quotas, Subject::User(BIA), nov.quarter(), "BRL"), Some(0));
    }
}
