//! Report definitions: which records (a kind and the list API's filters),
//! grouped by up to two fields (dates in day…year buckets), measured by
//! count, sum, average, minimum or maximum, sorted, limited and drawn as a
//! chart. A definition is data (saved as JSON); [`ReportDefinition::check`]
//! turns it into a [`CheckedReport`] against the kind's descriptor and
//! custom fields, or field errors the UI translates (`error.{code}`).
//!
//! Money is never added across currencies: a sum of a money field is
//! grouped by its currency column too, one row per currency.

mod check;
pub mod schedule;
#[cfg(test)]
mod tests;

pub use check::{CheckedGrouping, CheckedMeasure, CheckedReport, GroupLabel, ReportFields, report_fields};

use serde::{Deserialize, Serialize};

/// Rows a report returns unless it says otherwise, and at most.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 1000;
pub const MAX_GROUPINGS: usize = 2;
pub const MAX_MEASURES: usize = 6;
pub const MAX_FILTERS: usize = 20;

/// How a report is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    #[default]
    Bar,
    HorizontalBar,
    StackedBar,
    Line,
    Area,
    Donut,
    Funnel,
    Kpi,
}

impl ChartKind {
    pub const ALL: [ChartKind; 8] = [
        Self::Bar,
        Self::HorizontalBar,
        Self::StackedBar,
        Self::Line,
        Self::Area,
        Self::Donut,
        Self::Funnel,
        Self::Kpi,
    ];

    /// The name in URLs, JSON and catalogue keys (`chart.kind.stacked_bar`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bar => "bar",
            Self::HorizontalBar => "horizontal_bar",
            Self::StackedBar => "stacked_bar",
            Self::Line => "line",
            Self::Area => "area",
            Self::Donut => "donut",
            Self::Funnel => "funnel",
            Self::Kpi => "kpi",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// The calendar unit a date or time is grouped by (in UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DateBucket {
    Day,
    /// ISO weeks, starting on Monday.
    Week,
    Month,
    Quarter,
    Year,
}

impl DateBucket {
    pub const ALL: [DateBucket; 5] = [Self::Day, Self::Week, Self::Month, Self::Quarter, Self::Year];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == name)
    }

    /// The first day of the bucket holding `day`.
    pub fn start(self, day: chrono::NaiveDate) -> chrono::NaiveDate {
        use chrono::Datelike;
        let first_of = |month: u32| chrono::NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day);
        match self {
            Self::Day => day,
            Self::Week => day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday())),
            Self::Month => first_of(day.month()),
            Self::Quarter => first_of(day.month0() / 3 * 3 + 1),
            Self::Year => first_of(1),
        }
    }

    /// The first day after the bucket that starts on `start`.
    pub fn end(self, start: chrono::NaiveDate) -> chrono::NaiveDate {
        let months = |n: u32| start.checked_add_months(chrono::Months::new(n)).unwrap_or(start);
        match self {
            Self::Day => start + chrono::Days::new(1),
            Self::Week => start + chrono::Days::new(7),
            Self::Month => months(1),
            Self::Quarter => months(3),
            Self::Year => months(12),
        }
    }
}

/// One filter as the list API takes it: `filter[field][op]=value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    #[schema(example = "status")]
    pub field: String,
    /// eq, ne, contains, starts_with, gt, lt, in, is_empty.
    #[serde(default = "eq")]
    #[schema(example = "eq")]
    pub op: String,
    #[schema(example = "open")]
    pub value: String,
}

fn eq() -> String {
    "eq".to_owned()
}

/// A field rows are grouped by; dates and times by a calendar bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grouping {
    #[schema(example = "stage_id")]
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<DateBucket>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureOp {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl MeasureOp {
    pub const ALL: [MeasureOp; 5] = [Self::Count, Self::Sum, Self::Avg, Self::Min, Self::Max];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Sum => "sum",
            Self::Avg => "avg",
            Self::Min => "min",
            Self::Max => "max",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

/// What is computed per group: a count of records, or an aggregate of a number field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub op: MeasureOp,
    /// The number (or money) field; none for a count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "amount_minor")]
    pub field: Option<String>,
}

impl Measure {
    pub fn count() -> Self {
        Self { op: MeasureOp::Count, field: None }
    }
}

/// What rows are ordered by: a grouping's value or a measure, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Group(usize),
    Measure(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSort {
    pub by: SortKey,
    pub direction: SortDirection,
}

/// A report as saved and as the API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDefinition {
    /// The kind's API name: `deal`, `contact`…
    #[schema(example = "deal")]
    pub record_type: String,
    #[serde(default)]
    pub filters: Vec<FilterSpec>,
    /// Up to two groupings; none makes one row of totals.
    #[serde(default)]
    pub group_by: Vec<Grouping>,
    /// A count when left out.
    #[serde(default = "default_measures")]
    pub measures: Vec<Measure>,
    /// By default groups in order (dates oldest first), or the first
    /// measure descending when the first grouping is not a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<ReportSort>,
    #[serde(default = "default_limit")]
    pub limit: u32,
    #[serde(default)]
    pub chart: ChartKind,
}

fn default_measures() -> Vec<Measure> {
    vec![Measure::count()]
}

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

impl ReportDefinition {
    /// A count of `record_type`'s records grouped by `field`.
    pub fn count_by(record_type: &str, field: &str) -> Self {
        Self {
            record_type: record_type.to_owned(),
            filters: Vec::new(),
            group_by: vec![Grouping { field: field.to_owned(), bucket: None }],
            measures: default_measures(),
            sort: None,
            limit: DEFAULT_LIMIT,
            chart: ChartKind::Bar,
        }
    }
}
