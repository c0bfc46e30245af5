//! Checking definitions: what is accepted, what each mistake is called.

use super::*;
use crate::custom_fields::{CustomFieldDefinition, CustomFieldType};
use crate::query::{FieldRef, SystemField};
use crate::schema::RecordType;

fn custom() -> Vec<CustomFieldDefinition> {
    let def = |key: &str, field_type| CustomFieldDefinition {
        record_type: RecordType::DEAL,
        key: key.to_owned(),
        label: key.to_owned(),
        field_type,
        options: Vec::new(),
        required: false,
    };
    vec![
        def("region", CustomFieldType::Select),
        def("seats", CustomFieldType::Number),
        def("extra", CustomFieldType::Money),
    ]
}

fn check(definition: &ReportDefinition) -> Result<CheckedReport, Vec<(String, String)>> {
    let fields = custom();
    definition.check(|_| fields.as_slice()).map_err(|e| e.0.into_iter().map(|e| (e.field, e.code)).collect())
}

fn deals() -> ReportDefinition {
    ReportDefinition::count_by("deal", "stage_id")
}

#[test]
fn a_count_by_stage_resolves_with_the_stage_label_and_measure_sort() {
    let checked = check(&deals()).expect("a valid report");
    assert_eq!(checked.record_type, RecordType::DEAL);
    assert_eq!(checked.groups[0].label, GroupLabel::Stage);
    assert_eq!(checked.measures, vec![CheckedMeasure { op: MeasureOp::Count, field: None, name: None, money: false }]);
    assert_eq!(checked.sort, ReportSort { by: SortKey::Measure(0), direction: SortDirection::Desc });
    assert_eq!(checked.limit, 50);
    assert_eq!(checked.currency_column, None);
}

#[test]
fn json_defaults_fill_measures_limit_and_chart() {
    let definition: ReportDefinition =
        serde_json::from_str(r#"{"record_type":"deal","group_by":[{"field":"status"}]}"#).unwrap();
    assert_eq!(definition.measures, vec![Measure::count()]);
    assert_eq!(definition.limit, DEFAULT_LIMIT);
    assert_eq!(definition.chart, ChartKind::Bar);
    let round_trip: ReportDefinition = serde_json::from_value(serde_json::to_value(&definition).unwrap()).unwrap();
    assert_eq!(round_trip, definition);
    assert!(serde_json::from_str::<ReportDefinition>(r#"{"record_type":"deal","colour":"red"}"#).is_err());
}

#[test]
fn dates_group_by_bucket_and_sort_oldest_first() {
    let mut definition = deals();
    definition.group_by = vec![Grouping { field: "closed_at".into(), bucket: Some(DateBucket::Month) }];
    let checked = check(&definition).unwrap();
    assert_eq!(checked.groups[0].label, GroupLabel::Date(DateBucket::Month));
    assert_eq!(checked.groups[0].bucket, Some(DateBucket::Month));
    assert_eq!(checked.sort, ReportSort { by: SortKey::Group(0), direction: SortDirection::Asc });
    definition.group_by = vec![Grouping { field: "created_at".into(), bucket: None }];
    assert_eq!(check(&definition).unwrap().groups[0].bucket, Some(DateBucket::Day));
}

#[test]
fn money_sums_carry_their_currency_column() {
    let mut definition = deals();
    definition.measures = vec![Measure { op: MeasureOp::Sum, field: Some("amount_minor".into()) }, Measure::count()];
    let checked = check(&definition).unwrap();
    assert_eq!(checked.currency_column.as_deref(), Some("currency"));
    assert!(checked.measures[0].money);
    assert!(!checked.measures[1].money);
    definition.measures = vec![Measure { op: MeasureOp::Avg, field: Some("custom.seats".into()) }];
    let checked = check(&definition).unwrap();
    assert_eq!(checked.currency_column, None);
    assert!(matches!(checked.measures[0].field, Some(FieldRef::Custom { .. })));
}

#[test]
fn each_mistake_is_named_where_it_is() {
    let mut definition = deals();
    definition.filters = vec![
        FilterSpec { field: "nope".into(), op: "eq".into(), value: "1".into() },
        FilterSpec { field: "amount_minor".into(), op: "gt".into(), value: "lots".into() },
    ];
    definition.group_by = vec![
        Grouping { field: "contacts".into(), bucket: None },
        Grouping { field: "status".into(), bucket: Some(DateBucket::Week) },
    ];
    definition.measures = vec![
        Measure { op: MeasureOp::Sum, field: Some("name".into()) },
        Measure { op: MeasureOp::Avg, field: None },
        Measure { op: MeasureOp::Max, field: Some("custom.extra".into()) },
    ];
    definition.sort = Some(ReportSort { by: SortKey::Measure(7), direction: SortDirection::Asc });
    definition.limit = 5000;
    let errors = check(&definition).unwrap_err();
    let expected = [
        ("filters[0]", "unknown_field"),
        ("filters[1]", "wrong_type"),
        ("group_by[0].field", "report_ungroupable_field"),
        ("group_by[1].bucket", "report_bucket_needs_date"),
        ("measures[0].field", "report_not_a_number"),
        ("measures[1].field", "required"),
        ("measures[2].field", "report_not_a_number"),
        ("sort", "report_bad_sort"),
        ("limit", "out_of_range"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect();
    assert_eq!(errors, expected);
}

#[test]
fn unknown_kinds_hidden_fields_and_too_much_are_refused() {
    let mut definition = deals();
    definition.record_type = "spaceship".into();
    assert_eq!(check(&definition).unwrap_err(), vec![("record_type".to_owned(), "report_unknown_kind".to_owned())]);
    let mut definition = deals();
    definition.group_by = vec![Grouping { field: "probability_overridden".into(), bucket: None }];
    assert_eq!(check(&definition).unwrap_err()[0].1, "unknown_field");
    let mut definition = deals();
    definition.group_by = vec![Grouping { field: "status".into(), bucket: None }; 3];
    definition.measures = Vec::new();
    let codes: Vec<String> = check(&definition).unwrap_err().into_iter().map(|e| e.1).collect();
    assert_eq!(codes, vec!["too_many", "required"]);
    let mut definition = deals();
    definition.group_by = vec![Grouping { field: "tags".into(), bucket: None }];
    assert_eq!(check(&definition).unwrap_err()[0].1, "report_ungroupable_field");
    let mut definition = ReportDefinition::count_by("activity", "body");
    definition.limit = 0;
    let codes: Vec<String> = check(&definition).unwrap_err().into_iter().map(|e| e.1).collect();
    assert_eq!(codes, vec!["report_ungroupable_field", "out_of_range"]);
}

#[test]
fn groups_get_the_labels_their_fields_need() {
    let label = |kind: &str, field: &str| check(&ReportDefinition::count_by(kind, field)).unwrap().groups[0].label;
    assert_eq!(label("deal", "owner_id"), GroupLabel::User);
    assert_eq!(label("deal", "company_id"), GroupLabel::Record(RecordType::COMPANY));
    assert_eq!(label("deal", "pipeline_id"), GroupLabel::Pipeline);
    assert_eq!(label("deal", "status"), GroupLabel::Choice);
    assert_eq!(label("deal", "currency"), GroupLabel::Plain);
    assert_eq!(label("deal", "custom.region"), GroupLabel::Plain);
    assert_eq!(label("activity", "kind"), GroupLabel::Choice);
    assert_eq!(label("activity", "done"), GroupLabel::Bool);
    let checked = check(&ReportDefinition::count_by("deal", "owner_id")).unwrap();
    assert_eq!(checked.groups[0].field, FieldRef::System(SystemField::OwnerId));
}

#[test]
fn a_group_opens_the_list_of_its_records() {
    let mut definition = deals();
    definition.group_by = vec![
        Grouping { field: "expected_close_date".into(), bucket: Some(DateBucket::Quarter) },
        Grouping { field: "created_at".into(), bucket: Some(DateBucket::Month) },
    ];
    definition.filters.clear();
    let checked = check(&definition).unwrap();
    let pairs = |g: usize, key: Option<&str>| -> Vec<(String, String)> {
        checked.groups[g]
            .list_filter(key)
            .into_iter()
            .map(|f| (format!("filter[{}][{}]", f.field, f.op), f.value))
            .collect()
    };
    assert_eq!(
        pairs(0, Some("2026-04-01")),
        vec![
            ("filter[expected_close_date][gt]".to_owned(), "2026-03-31".to_owned()),
            ("filter[expected_close_date][lt]".to_owned(), "2026-07-01".to_owned())
        ]
    );
    assert_eq!(
        pairs(1, Some("2026-12-01")),
        vec![
            ("filter[created_at][gt]".to_owned(), "2026-11-30T23:59:59.999999Z".to_owned()),
            ("filter[created_at][lt]".to_owned(), "2027-01-01".to_owned())
        ]
    );
    assert_eq!(pairs(0, None), vec![("filter[expected_close_date][is_empty]".to_owned(), "true".to_owned())]);
    let by_stage = check(&deals()).unwrap();
    assert_eq!(
        by_stage.groups[0].list_filter(Some("abc")),
        vec![FilterSpec { field: "stage_id".into(), op: "eq".into(), value: "abc".into() }]
    );
}

#[test]
fn buckets_start_and_end_on_calendar_boundaries() {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(); // a Thursday
    let at = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(DateBucket::Day.start(day), day);
    assert_eq!(DateBucket::Week.start(day), at(2026, 11, 16));
    assert_eq!(DateBucket::Month.start(day), at(2026, 11, 1));
    assert_eq!(DateBucket::Quarter.start(day), at(2026, 10, 1));
    assert_eq!(DateBucket::Year.start(day), at(2026, 1, 1));
    assert_eq!(DateBucket::Quarter.end(at(2026, 10, 1)), at(2027, 1, 1));
    assert_eq!(DateBucket::Week.end(at(2026, 11, 16)), at(2026, 11, 23));
    for bucket in DateBucket::ALL {
        let mut d = at(2024, 1, 1);
        while d < at(2025, 3, 1) {
            let start = bucket.start(d);
            assert!(start <= d && d < bucket.end(start), "{bucket:?} {d}");
            assert_eq!(bucket.start(start), start);
            d = d.succ_opt().unwrap();
        }
    }
}

#[test]
fn the_builder_offers_what_each_kind_can_use() {
    let fields = custom();
    let offered = report_fields(RecordType::DEAL, &fields);
    for name in ["owner_id", "stage_id", "status", "custom.region", "expected_close_date", "created_at"] {
        assert!(offered.groupable.contains(&name.to_owned()), "{name}");
    }
    assert!(
        !offered.groupable.contains(&"contacts".to_owned())
            && !offered.groupable.contains(&"probability_overridden".to_owned())
    );
    assert_eq!(offered.dates, ["created_at", "updated_at", "expected_close_date", "closed_at"]);
    assert!(
        offered.numeric.contains(&"amount_minor".to_owned()) && offered.numeric.contains(&"custom.seats".to_owned())
    );
    assert!(!offered.numeric.contains(&"name".to_owned()));
    // Whatever is offered passes the check.
    for name in &offered.groupable {
        let bucket = offered.dates.contains(name).then_some(DateBucket::Month);
        let mut definition = deals();
        definition.group_by = vec![Grouping { field: name.clone(), bucket }];
        assert!(check(&definition).is_ok(), "{name}");
    }
    for name in &offered.numeric {
        let mut definition = deals();
        definition.measures = vec![Measure { op: MeasureOp::Sum, field: Some(name.clone()) }];
        assert!(check(&definition).is_ok(), "{name}");
    }
}
