//! Checking a definition against the kind's descriptor and custom fields.

use chrono::NaiveDate;

use super::{
    ChartKind, DateBucket, FilterSpec, MAX_FILTERS, MAX_GROUPINGS, MAX_LIMIT, MAX_MEASURES, MeasureOp,
    ReportDefinition, ReportSort, SortDirection, SortKey,
};
use crate::custom_fields::{CustomFieldDefinition, CustomFieldType};
use crate::query::{FieldRef, Filter, SystemField};
use crate::schema::{FieldKind, RecordType, Storage};
use crate::{FieldError, ValidationErrors};

/// How a grouping's raw values become words on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupLabel {
    /// The value as stored (text, a country, a currency…).
    Plain,
    /// A choice field's value, translated as `enum.{field}.{value}`.
    Choice,
    Bool,
    Number,
    /// A user's name.
    User,
    /// A record's display name.
    Record(RecordType),
    Stage,
    Pipeline,
    /// The first day of a date bucket.
    Date(DateBucket),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedGrouping {
    /// The field's name as given (`stage_id`, `custom.region`).
    pub name: String,
    pub field: FieldRef,
    pub bucket: Option<DateBucket>,
    pub label: GroupLabel,
}

impl CheckedGrouping {
    /// The list filters (`filter[field][op]=value`) that select the records
    /// behind one group key: equality, a date range for a bucket, `is_empty`
    /// for records without a value.
    pub fn list_filter(&self, key: Option<&str>) -> Vec<FilterSpec> {
        let spec = |op: &str, value: String| FilterSpec { field: self.name.clone(), op: op.to_owned(), value };
        let Some(key) = key else { return vec![spec("is_empty", "true".to_owned())] };
        let Some(bucket) = self.bucket else { return vec![spec("eq", key.to_owned())] };
        let Ok(start) = NaiveDate::parse_from_str(key, "%Y-%m-%d") else {
            return vec![spec("eq", key.to_owned())];
        };
        let end = bucket.end(start);
        let before_start = if self.field.storage() == Storage::Timestamp {
            (start.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::microseconds(1))
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        } else {
            start.pred_opt().unwrap_or(start).format("%Y-%m-%d").to_string()
        };
        vec![spec("gt", before_start), spec("lt", end.format("%Y-%m-%d").to_string())]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedMeasure {
    pub op: MeasureOp,
    /// None: a count of records.
    pub field: Option<FieldRef>,
    pub name: Option<String>,
    /// Whether the values are money (minor units, per the report's currency column).
    pub money: bool,
}

/// A definition checked against the schema, ready for storage to run.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedReport {
    pub record_type: RecordType,
    pub filters: Vec<Filter>,
    pub groups: Vec<CheckedGrouping>,
    pub measures: Vec<CheckedMeasure>,
    /// The currency column money measures are also grouped by.
    pub currency_column: Option<String>,
    pub sort: ReportSort,
    pub limit: u64,
    pub chart: ChartKind,
}

/// Standard fields reports never offer: Rapport's own bookkeeping.
fn hidden(record_type: RecordType, name: &str) -> bool {
    record_type.field(name).is_some_and(|f| f.group == "system")
}

fn resolve(
    record_type: RecordType,
    custom: &[CustomFieldDefinition],
    name: &str,
    path: &str,
) -> Result<FieldRef, FieldError> {
    if hidden(record_type, name) {
        return Err(FieldError::new(path, "unknown_field", format!("{record_type} has no field '{name}'")));
    }
    FieldRef::resolve(record_type, name, custom).map_err(|e| FieldError { field: path.to_owned(), ..e })
}

fn group_label(record_type: RecordType, field: &FieldRef) -> Option<GroupLabel> {
    Some(match field {
        FieldRef::System(SystemField::Id | SystemField::Tags) => return None,
        FieldRef::System(SystemField::OwnerId | SystemField::CreatedBy | SystemField::UpdatedBy) => GroupLabel::User,
        FieldRef::System(SystemField::CreatedAt | SystemField::UpdatedAt) => GroupLabel::Date(DateBucket::Day),
        FieldRef::Standard { column, .. } => match record_type.field(column)?.kind {
            FieldKind::LongText | FieldKind::Money => return None,
            kind if kind.storage() == Storage::Json => return None,
            FieldKind::Enum(_) => GroupLabel::Choice,
            FieldKind::Bool => GroupLabel::Bool,
            FieldKind::Integer { .. } => GroupLabel::Number,
            FieldKind::Date | FieldKind::DateTime => GroupLabel::Date(DateBucket::Day),
            FieldKind::UserRef => GroupLabel::User,
            FieldKind::StageRef => GroupLabel::Stage,
            FieldKind::PipelineRef => GroupLabel::Pipeline,
            kind @ FieldKind::Ref(_) => GroupLabel::Record(kind.ref_target()?),
            _ => GroupLabel::Plain,
        },
        FieldRef::Custom { field_type, .. } => match field_type {
            CustomFieldType::Money | CustomFieldType::MultiSelect => return None,
            CustomFieldType::Number => GroupLabel::Number,
            CustomFieldType::Boolean => GroupLabel::Bool,
            _ => GroupLabel::Plain,
        },
    })
}

/// The currency column of a money field: `{field}_currency` for a money
/// field, the kind's `currency` for an older `*_minor` amount beside it.
fn currency_column(record_type: RecordType, field: &FieldRef) -> Option<String> {
    let FieldRef::Standard { column, storage } = field else { return None };
    match storage {
        Storage::Money => Some(format!("{column}_currency")),
        Storage::BigInt if column.ends_with("_minor") && record_type.field("currency").is_some() => {
            Some("currency".to_owned())
        }
        _ => None,
    }
}

impl ReportDefinition {
    /// The definition checked against `record_type`'s fields and the custom
    /// fields `custom_of` gives for it; every problem at once, each naming
    /// its place (`group_by[1].bucket`, `measures[0].field`).
    pub fn check<'a>(
        &self,
        custom_of: impl FnOnce(RecordType) -> &'a [CustomFieldDefinition],
    ) -> Result<CheckedReport, ValidationErrors> {
        let Some(record_type) = RecordType::parse(&self.record_type) else {
            return Err(FieldError::new("record_type", "report_unknown_kind", "not a kind of record").into());
        };
        let custom = custom_of(record_type);
        let mut errors = ValidationErrors::default();
        if self.filters.len() > MAX_FILTERS {
            errors.push(
                FieldError::new("filters", "too_many", format!("at most {MAX_FILTERS} filters"))
                    .with("max", MAX_FILTERS),
            );
        }
        let mut filters = Vec::new();
        for (i, spec) in self.filters.iter().enumerate() {
            let path = format!("filters[{i}]");
            if hidden(record_type, &spec.field) {
                errors.push(FieldError::new(
                    path,
                    "unknown_field",
                    format!("{record_type} has no field '{}'", spec.field),
                ));
                continue;
            }
            match Filter::parse(record_type, custom, &spec.field, &spec.op, &spec.value) {
                Ok(filter) => filters.push(filter),
                Err(e) => errors.push(FieldError { field: path, ..e }),
            }
        }
        if self.group_by.len() > MAX_GROUPINGS {
            errors.push(
                FieldError::new("group_by", "too_many", format!("at most {MAX_GROUPINGS} groupings"))
                    .with("max", MAX_GROUPINGS),
            );
        }
        let mut groups = Vec::new();
        for (i, grouping) in self.group_by.iter().take(MAX_GROUPINGS).enumerate() {
            let path = format!("group_by[{i}].field");
            let field = match resolve(record_type, custom, &grouping.field, &path) {
                Ok(field) => field,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let Some(label) = group_label(record_type, &field) else {
                errors.push(FieldError::new(
                    path,
                    "report_ungroupable_field",
                    "records cannot be grouped by this field",
                ));
                continue;
            };
            let label = match (label, grouping.bucket) {
                (GroupLabel::Date(_), bucket) => GroupLabel::Date(bucket.unwrap_or(DateBucket::Day)),
                (_, Some(_)) => {
                    errors.push(FieldError::new(
                        format!("group_by[{i}].bucket"),
                        "report_bucket_needs_date",
                        "only dates can be grouped by day, week, month, quarter or year",
                    ));
                    continue;
                }
                (label, None) => label,
            };
            let bucket = match label {
                GroupLabel::Date(bucket) => Some(bucket),
                _ => None,
            };
            groups.push(CheckedGrouping { name: grouping.field.clone(), field, bucket, label });
        }
        if self.measures.is_empty() {
            errors.push(FieldError::required("measures"));
        }
        if self.measures.len() > MAX_MEASURES {
            errors.push(
                FieldError::new("measures", "too_many", format!("at most {MAX_MEASURES} measures"))
                    .with("max", MAX_MEASURES),
            );
        }
        let mut measures = Vec::new();
        let mut currency: Option<String> = None;
        for (i, measure) in self.measures.iter().take(MAX_MEASURES).enumerate() {
            let path = format!("measures[{i}].field");
            let field = match (&measure.field, measure.op) {
                (None, MeasureOp::Count) => None,
                (None, _) => {
                    errors.push(FieldError::required(path));
                    continue;
                }
                (Some(name), _) => match resolve(record_type, custom, name, &path) {
                    Ok(field) => Some(field),
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                },
            };
            let mut money = false;
            if let (Some(field), true) = (&field, measure.op != MeasureOp::Count) {
                if !matches!(field.storage(), Storage::BigInt | Storage::Money) {
                    errors.push(FieldError::new(path, "report_not_a_number", "only number and money fields add up"));
                    continue;
                }
                if let Some(column) = currency_column(record_type, field) {
                    money = true;
                    match &currency {
                        Some(existing) if *existing != column => {
                            errors.push(FieldError::new(
                                path,
                                "report_mixed_currencies",
                                "amounts of different money fields cannot share a report",
                            ));
                            continue;
                        }
                        _ => currency = Some(column),
                    }
                }
            }
            measures.push(CheckedMeasure { op: measure.op, field, name: measure.field.clone(), money });
        }
        let sort = match self.sort {
            Some(sort) => {
                let in_range = match sort.by {
                    SortKey::Group(i) => i < self.group_by.len(),
                    SortKey::Measure(i) => i < self.measures.len(),
                };
                if !in_range {
                    errors.push(FieldError::new(
                        "sort",
                        "report_bad_sort",
                        "sort by one of the report's groupings or measures",
                    ));
                }
                sort
            }
            None => match groups.first() {
                Some(first) if first.bucket.is_some() => {
                    ReportSort { by: SortKey::Group(0), direction: SortDirection::Asc }
                }
                _ => ReportSort { by: SortKey::Measure(0), direction: SortDirection::Desc },
            },
        };
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            errors.push(
                FieldError::new("limit", "out_of_range", format!("must be between 1 and {MAX_LIMIT}"))
                    .with("max", MAX_LIMIT),
            );
        }
        errors.into_result()?;
        Ok(CheckedReport {
            record_type,
            filters,
            groups,
            measures,
            currency_column: currency,
            sort,
            limit: u64::from(self.limit),
            chart: self.chart,
        })
    }
}

/// The fields a report of one kind can use, by name, for a builder's menus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFields {
    /// Fields to group by; `dates` among them take a bucket.
    pub groupable: Vec<String>,
    pub dates: Vec<String>,
    /// Number and money fields, to sum, average, or take the least or most of.
    pub numeric: Vec<String>,
    /// Every field a filter may name.
    pub filterable: Vec<String>,
}

pub fn report_fields(record_type: RecordType, custom: &[CustomFieldDefinition]) -> ReportFields {
    let mut names: Vec<String> = ["owner_id", "created_at", "updated_at"].map(str::to_owned).to_vec();
    names.extend(record_type.fields().iter().filter(|f| f.group != "system").map(|f| f.name.to_owned()));
    names.extend(custom.iter().map(|d| format!("custom.{}", d.key)));
    let mut fields = ReportFields::default();
    for name in names {
        let Ok(field) = FieldRef::resolve(record_type, &name, custom) else { continue };
        match group_label(record_type, &field) {
            Some(GroupLabel::Date(_)) => {
                fields.groupable.push(name.clone());
                fields.dates.push(name.clone());
            }
            Some(_) => fields.groupable.push(name.clone()),
            None => {}
        }
        if matches!(field.storage(), Storage::BigInt | Storage::Money) {
            fields.numeric.push(name.clone());
        }
        fields.filterable.push(name);
    }
    fields
}
