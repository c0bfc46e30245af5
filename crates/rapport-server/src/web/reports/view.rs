//! A report's result as the screens show it: the chart (every measure as
//! columns or lines over one grouping, else the first measure), the table
//! (every measure), words for group values, and the list each bar or row opens.

use chrono::{Datelike, NaiveDate};
use rapport_core::forecast::{Period, PeriodKind};
use rapport_core::reports::{ChartKind, DateBucket, FilterSpec, MeasureOp, ReportDefinition};
use rapport_core::schema::{FieldKind, RecordType};
use rapport_db::reports::{GroupKey, ReportResult, ResultGroup, ResultMeasure};

use crate::web::charts::{self, ChartData, ChartText, Series, ValueFormat};
use crate::web::i18n::Tr;
use crate::web::{forecast, format};

/// A field's name on screen: descriptor labels, custom fields' own labels.
pub fn field_label(tr: &Tr, record_type: RecordType, name: &str, custom_labels: &[(String, String)]) -> String {
    match name.strip_prefix("custom.") {
        Some(key) => custom_labels.iter().find(|(k, _)| k == key).map_or_else(|| key.to_owned(), |(_, l)| l.clone()),
        None => tr.field(record_type, name),
    }
}

/// A measure's heading: "Count", "Sum of Amount".
pub fn measure_label(tr: &Tr, record_type: RecordType, measure: &ResultMeasure, custom: &[(String, String)]) -> String {
    match (&measure.field, measure.op) {
        (None, _) | (_, MeasureOp::Count) => tr.t("report.measure.count"),
        (Some(field), op) => {
            tr.t1(&format!("report.measure.{}", op.as_str()), "field", field_label(tr, record_type, field, custom))
        }
    }
}

/// A bucket's first day as people name the period: "Nov 2026", "Q4 2026", "2026".
pub fn bucket_label(tr: &Tr, bucket: DateBucket, start: NaiveDate) -> String {
    match bucket {
        DateBucket::Day => format::date(start, tr.locale),
        DateBucket::Week => tr.t1("report.week_of", "date", format::date(start, tr.locale)),
        DateBucket::Month => Period::starting(PeriodKind::Month, start)
            .map_or_else(|_| start.to_string(), |p| forecast::period_label(tr, p)),
        DateBucket::Quarter => Period::starting(PeriodKind::Quarter, start)
            .map_or_else(|_| start.to_string(), |p| forecast::period_label(tr, p)),
        DateBucket::Year => start.year().to_string(),
    }
}

/// A group value in words.
pub fn key_label(tr: &Tr, record_type: RecordType, group: &ResultGroup, key: &GroupKey) -> String {
    let Some(value) = &key.value else { return tr.t("report.no_value") };
    if let Some(label) = &key.label {
        return label.clone();
    }
    if let Some(bucket) = group.bucket {
        return NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map_or_else(|_| value.clone(), |d| bucket_label(tr, bucket, d));
    }
    match record_type.field(&group.field).map(|f| f.kind) {
        Some(FieldKind::Enum(_)) => tr.choice(&group.field, value),
        Some(FieldKind::Bool) => tr.t(if value == "true" { "report.yes" } else { "report.no" }),
        Some(FieldKind::Ref(_) | FieldKind::UserRef | FieldKind::StageRef | FieldKind::PipelineRef) => {
            tr.t("report.hidden_value")
        }
        None if matches!(group.field.as_str(), "owner_id" | "created_by" | "updated_by") => tr.t("report.hidden_value"),
        _ => value.clone(),
    }
}

/// The records list behind `filters`: `/deals?filter[stage_id][eq]=…`.
pub fn list_link(record_type: RecordType, filters: &[FilterSpec]) -> String {
    let pairs: Vec<(String, &str)> =
        filters.iter().map(|f| (format!("filter[{}][{}]", f.field, f.op), f.value.as_str())).collect();
    format!("/{}?{}", record_type.plural(), serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

/// The currency the chart shows: the one with most rows (others are in the table).
fn chart_currency(result: &ReportResult) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for currency in result.rows.iter().filter_map(|r| r.currency.clone()) {
        match counts.iter_mut().find(|(c, _)| *c == currency) {
            Some((_, n)) => *n += 1,
            None => counts.push((currency, 1)),
        }
    }
    // On a tie the first seen wins (rows come in currency order within a group),
    // not the last, which `max_by_key` alone would pick.
    counts.into_iter().rev().max_by_key(|(_, n)| *n).map(|(c, _)| c)
}

pub fn value_format(result: &ReportResult, measure: usize, currency: Option<&str>) -> ValueFormat {
    match (result.measures.get(measure), currency) {
        (Some(m), Some(currency)) if m.money => ValueFormat::Money { currency: currency.to_owned() },
        _ => ValueFormat::Number,
    }
}

/// Whether the chart draws every measure, one series each: columns, lines
/// and areas over a single grouping. Other kinds show the first measure
/// (a stack, donut or funnel of unlike measures adds up to nothing).
fn charts_every_measure(result: &ReportResult, kind: ChartKind) -> bool {
    result.groups.len() == 1
        && result.measures.len() > 1
        && matches!(kind, ChartKind::Bar | ChartKind::Line | ChartKind::Area)
}

/// The chart's data: categories from the first grouping (dates oldest
/// first), one series per value of the second grouping, or per measure
/// (`charts_every_measure`), or of the first measure, in the chart's
/// currency: rows in other currencies are left to the table, never summed in.
pub fn chart_data(tr: &Tr, result: &ReportResult, today: NaiveDate, kind: ChartKind) -> (ChartData, Option<String>) {
    let currency = chart_currency(result);
    let rows: Vec<_> = result.rows.iter().filter(|r| r.currency == currency).collect();
    let record_type = result.record_type;
    if result.groups.is_empty() {
        let value = rows.first().and_then(|r| r.values.first().copied().flatten()).unwrap_or(0.0);
        let data = ChartData::new(
            vec![tr.t("report.total")],
            vec![Series { name: tr.t("report.total"), values: vec![value] }],
        );
        return (data.with_links(vec![Some(list_link(record_type, &result_filters(result)))]), currency);
    }
    let first = &result.groups[0];
    if kind == ChartKind::Kpi
        && let Some(bucket) = first.bucket
    {
        return (kpi_data(tr, result, &rows, bucket, today), currency);
    }
    // Categories in the rows' order, dates oldest first.
    let mut categories: Vec<(Option<String>, String, Vec<FilterSpec>)> = Vec::new();
    for row in &rows {
        if !categories.iter().any(|(value, _, _)| *value == row.keys[0].value) {
            let second = result.groups.get(1).map(|g| g.field.as_str());
            let filters: Vec<FilterSpec> = row
                .list_filter
                .iter()
                .filter(|f| second.is_none_or(|s| f.field != s || s == first.field))
                .cloned()
                .collect();
            categories.push((row.keys[0].value.clone(), key_label(tr, record_type, first, &row.keys[0]), filters));
        }
    }
    if first.bucket.is_some() {
        categories.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let value_of = |category: &Option<String>, second: Option<&Option<String>>, measure: usize| -> f64 {
        rows.iter()
            .filter(|r| {
                r.keys[0].value == *category && second.is_none_or(|s| r.keys.get(1).map(|k| &k.value) == Some(s))
            })
            .filter_map(|r| r.values.get(measure).copied().flatten())
            .sum()
    };
    let series = match result.groups.get(1) {
        None if charts_every_measure(result, kind) => result
            .measures
            .iter()
            .enumerate()
            .map(|(m, measure)| Series {
                name: measure_label(tr, record_type, measure, &[]),
                values: categories.iter().map(|(c, _, _)| value_of(c, None, m)).collect(),
            })
            .collect(),
        None => {
            let name = result.measures.first().map(|m| measure_label(tr, record_type, m, &[])).unwrap_or_default();
            vec![Series { name, values: categories.iter().map(|(c, _, _)| value_of(c, None, 0)).collect() }]
        }
        Some(second) => {
            let mut names: Vec<(Option<String>, String)> = Vec::new();
            for row in &rows {
                if let Some(key) = row.keys.get(1)
                    && !names.iter().any(|(v, _)| *v == key.value)
                {
                    names.push((key.value.clone(), key_label(tr, record_type, second, key)));
                }
            }
            names
                .iter()
                .map(|(value, name)| Series {
                    name: name.clone(),
                    values: categories.iter().map(|(c, _, _)| value_of(c, Some(value), 0)).collect(),
                })
                .collect()
        }
    };
    let links = categories.iter().map(|(_, _, filters)| Some(list_link(record_type, filters))).collect();
    let data = ChartData::new(categories.into_iter().map(|(_, label, _)| label).collect(), series).with_links(links);
    (data, currency)
}

/// With no grouping, a row's filters are the report's own.
fn result_filters(result: &ReportResult) -> Vec<FilterSpec> {
    result.rows.first().map(|r| r.list_filter.clone()).unwrap_or_default()
}

/// A KPI of date buckets: this period's value against the previous one's
/// (0 when older data exists but none then; "no previous data" when none).
fn kpi_data(
    tr: &Tr,
    result: &ReportResult,
    rows: &[&rapport_db::reports::ReportRow],
    bucket: DateBucket,
    today: NaiveDate,
) -> ChartData {
    let current = bucket.start(today);
    let previous = bucket.start(current.pred_opt().unwrap_or(current));
    let value_at = |day: NaiveDate| -> Option<f64> {
        let key = day.format("%Y-%m-%d").to_string();
        rows.iter()
            .find(|r| r.keys[0].value.as_deref() == Some(key.as_str()))
            .map(|r| r.values.first().copied().flatten().unwrap_or(0.0))
    };
    let older = rows
        .iter()
        .any(|r| r.keys[0].value.as_deref().is_some_and(|k| k < current.format("%Y-%m-%d").to_string().as_str()));
    let now = value_at(current).unwrap_or(0.0);
    let name = result.measures.first().map(|m| measure_label(tr, result.record_type, m, &[])).unwrap_or_default();
    let (categories, values) = match (value_at(previous), older) {
        (Some(before), _) => {
            (vec![bucket_label(tr, bucket, previous), bucket_label(tr, bucket, current)], vec![before, now])
        }
        (None, true) => (vec![bucket_label(tr, bucket, previous), bucket_label(tr, bucket, current)], vec![0.0, now]),
        (None, false) => (vec![bucket_label(tr, bucket, current)], vec![now]),
    };
    ChartData::new(categories, vec![Series { name, values }])
}

/// One row of the result table.
pub struct TableRow {
    pub keys: Vec<String>,
    pub currency: String,
    pub values: Vec<String>,
    /// The records behind the row.
    pub href: String,
}

/// The table: headings and rows, every measure formatted (money in each row's currency).
pub fn table(tr: &Tr, result: &ReportResult, custom: &[(String, String)]) -> (Vec<String>, Vec<TableRow>) {
    let record_type = result.record_type;
    let mut headings: Vec<String> =
        result.groups.iter().map(|g| field_label(tr, record_type, &g.field, custom)).collect();
    if result.rows.iter().any(|r| r.currency.is_some()) {
        headings.push(tr.t("report.currency"));
    }
    headings.extend(result.measures.iter().map(|m| measure_label(tr, record_type, m, custom)));
    let rows = result
        .rows
        .iter()
        .map(|row| TableRow {
            keys: result.groups.iter().zip(&row.keys).map(|(g, k)| key_label(tr, record_type, g, k)).collect(),
            currency: row.currency.clone().unwrap_or_default(),
            values: row
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Some(v) => ChartText::new(tr, "", "", value_format(result, i, row.currency.as_deref())).value(*v),
                    None => "—".to_owned(),
                })
                .collect(),
            href: list_link(record_type, &row.list_filter),
        })
        .collect();
    (headings, rows)
}

/// The chart of a result, titled, for a page where `id` is unique.
pub fn chart(
    tr: &Tr,
    definition: &ReportDefinition,
    result: &ReportResult,
    title: &str,
    id: &str,
    today: NaiveDate,
) -> String {
    let (data, currency) = chart_data(tr, result, today, definition.chart);
    let format = value_format(result, 0, currency.as_deref());
    let every_measure = charts_every_measure(result, definition.chart);
    let description = match (&currency, every_measure) {
        (Some(currency), _) => tr.t1("report.chart_description_currency", "currency", currency.clone()),
        (None, true) => tr.t("report.chart_description_measures"),
        (None, false) => tr.t("report.chart_description"),
    };
    let mut text = ChartText::new(tr, title, description, format).with_id(id);
    if every_measure {
        let formats = (0..result.measures.len()).map(|m| value_format(result, m, currency.as_deref())).collect();
        text = text.with_series_formats(formats);
    }
    charts::render(definition.chart, &data, &text)
}
