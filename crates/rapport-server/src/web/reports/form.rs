//! The builder's GET form: a report definition as query parameters, so the
//! builder works without JavaScript and every result has a URL (and an
//! export link).

use rapport_core::reports::{
    ChartKind, DEFAULT_LIMIT, DateBucket, FilterSpec, Grouping, Measure, MeasureOp, ReportDefinition,
};
use serde::{Deserialize, Serialize};

/// Filter rows the form shows.
pub const FILTER_ROWS: usize = 3;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuilderQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub g0: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b0: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub g1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mf: Option<String>,
    /// A second measure (none when empty), charted beside the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mf1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f0f: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f0o: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f0v: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f1f: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f1o: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f1v: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f2f: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f2o: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f2v: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl BuilderQuery {
    /// Whether the form was submitted (a kind chosen), so there is a report to run.
    pub fn submitted(&self) -> bool {
        given(&self.kind).is_some()
    }

    fn filter_slots(&self) -> [(&Option<String>, &Option<String>, &Option<String>); FILTER_ROWS] {
        [(&self.f0f, &self.f0o, &self.f0v), (&self.f1f, &self.f1o, &self.f1v), (&self.f2f, &self.f2o, &self.f2v)]
    }

    /// The definition the form describes; what it cannot parse is left for
    /// the definition's check to name (an unknown bucket is no bucket).
    pub fn definition(&self) -> ReportDefinition {
        let grouping = |field: &Option<String>, bucket: &Option<String>| {
            given(field).map(|f| Grouping { field: f.to_owned(), bucket: given(bucket).and_then(DateBucket::parse) })
        };
        let group_by = [grouping(&self.g0, &self.b0), grouping(&self.g1, &self.b1)].into_iter().flatten().collect();
        let measure = |op: MeasureOp, field: &Option<String>| Measure {
            op,
            field: if op == MeasureOp::Count { None } else { given(field).map(str::to_owned) },
        };
        let first = measure(given(&self.op).and_then(MeasureOp::parse).unwrap_or(MeasureOp::Count), &self.mf);
        let second = given(&self.op1).and_then(MeasureOp::parse).map(|op| measure(op, &self.mf1));
        let filters = self
            .filter_slots()
            .into_iter()
            .filter_map(|(field, op, value)| {
                Some(FilterSpec {
                    field: given(field)?.to_owned(),
                    op: given(op).unwrap_or("eq").to_owned(),
                    value: value.as_deref().unwrap_or("").trim().to_owned(),
                })
            })
            .collect();
        ReportDefinition {
            record_type: given(&self.kind).unwrap_or("deal").to_owned(),
            filters,
            group_by,
            measures: std::iter::once(first).chain(second).collect(),
            sort: None,
            // Out of range is the check's to report; unreadable is the default.
            limit: given(&self.limit).and_then(|l| l.parse().ok()).unwrap_or(DEFAULT_LIMIT),
            chart: given(&self.chart).and_then(ChartKind::parse).unwrap_or_default(),
        }
    }

    /// The form filled in from a saved definition (its first two measures, first three filters).
    pub fn from_definition(definition: &ReportDefinition) -> Self {
        let group = |i: usize| definition.group_by.get(i);
        let filter = |i: usize| definition.filters.get(i);
        let measure = definition.measures.first();
        let second = definition.measures.get(1);
        Self {
            kind: Some(definition.record_type.clone()),
            g0: group(0).map(|g| g.field.clone()),
            b0: group(0).and_then(|g| g.bucket).map(|b| b.as_str().to_owned()),
            g1: group(1).map(|g| g.field.clone()),
            b1: group(1).and_then(|g| g.bucket).map(|b| b.as_str().to_owned()),
            op: measure.map(|m| m.op.as_str().to_owned()),
            mf: measure.and_then(|m| m.field.clone()),
            op1: second.map(|m| m.op.as_str().to_owned()),
            mf1: second.and_then(|m| m.field.clone()),
            chart: Some(definition.chart.as_str().to_owned()),
            limit: Some(definition.limit.to_string()),
            f0f: filter(0).map(|f| f.field.clone()),
            f0o: filter(0).map(|f| f.op.clone()),
            f0v: filter(0).map(|f| f.value.clone()),
            f1f: filter(1).map(|f| f.field.clone()),
            f1o: filter(1).map(|f| f.op.clone()),
            f1v: filter(1).map(|f| f.value.clone()),
            f2f: filter(2).map(|f| f.field.clone()),
            f2o: filter(2).map(|f| f.op.clone()),
            f2v: filter(2).map(|f| f.value.clone()),
        }
    }

    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    /// (field, op, value) of each filter row, empty where unused.
    pub fn filter_rows(&self) -> Vec<(String, String, String)> {
        self.filter_slots()
            .into_iter()
            .map(|(f, o, v)| {
                (f.clone().unwrap_or_default(), o.clone().unwrap_or_else(|| "eq".into()), v.clone().unwrap_or_default())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_describes_a_definition_and_back() {
        let query: BuilderQuery = serde_urlencoded::from_str(
            "kind=deal&g0=closed_at&b0=month&g1=owner_id&op=sum&mf=amount_minor&chart=stacked_bar&limit=20&f0f=status&f0o=eq&f0v=won&f1f=&f1v=",
        )
        .expect("a query");
        let definition = query.definition();
        assert_eq!(definition.record_type, "deal");
        assert_eq!(
            definition.group_by,
            vec![
                Grouping { field: "closed_at".into(), bucket: Some(DateBucket::Month) },
                Grouping { field: "owner_id".into(), bucket: None }
            ]
        );
        assert_eq!(definition.measures, vec![Measure { op: MeasureOp::Sum, field: Some("amount_minor".into()) }]);
        assert_eq!(
            definition.filters,
            vec![FilterSpec { field: "status".into(), op: "eq".into(), value: "won".into() }]
        );
        assert_eq!((definition.limit, definition.chart), (20, ChartKind::StackedBar));
        let again = BuilderQuery::from_definition(&definition).definition();
        assert_eq!(again, definition);
        let round: BuilderQuery =
            serde_urlencoded::from_str(&BuilderQuery::from_definition(&definition).query_string()).expect("a query");
        assert_eq!(round.definition(), definition);
    }

    #[test]
    fn a_count_ignores_the_measure_field_and_nonsense_falls_back() {
        let query: BuilderQuery =
            serde_urlencoded::from_str("kind=contact&op=count&mf=name&limit=lots&chart=pie&b0=fortnight&g0=city")
                .unwrap();
        let definition = query.definition();
        assert_eq!(definition.measures, vec![Measure::count()]);
        assert_eq!((definition.limit, definition.chart), (DEFAULT_LIMIT, ChartKind::Bar));
        assert_eq!(definition.group_by[0].bucket, None);
        assert!(!BuilderQuery::default().submitted());
    }

    #[test]
    fn a_second_measure_is_added_when_chosen_and_survives_a_round_trip() {
        let query: BuilderQuery =
            serde_urlencoded::from_str("kind=deal&g0=owner_id&op=sum&mf=amount_minor&op1=count&mf1=amount_minor")
                .unwrap();
        let definition = query.definition();
        assert_eq!(
            definition.measures,
            vec![Measure { op: MeasureOp::Sum, field: Some("amount_minor".into()) }, Measure::count()]
        );
        assert_eq!(BuilderQuery::from_definition(&definition).definition(), definition);
        let none: BuilderQuery = serde_urlencoded::from_str("kind=deal&op=count&op1=&mf1=amount_minor").unwrap();
        assert_eq!(none.definition().measures, vec![Measure::count()]);
    }
}
