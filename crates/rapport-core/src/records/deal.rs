//! An opportunity to sell, moving through the stages of a pipeline.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::pipeline::status_for_stage;
use super::{field_list, is_blank, source_fields};
use crate::descriptor::{
    CrossFieldRule, Effect, ImportAlias, KindRules, PendingWrite, RecordKind, StoredWrite, WriteNeeds,
};
use crate::forecast::ForecastCategory;
use crate::jobs::JobKind;
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::{DomainError, FieldError, ValidationErrors};

pub const FIELDS: &[FieldSpec] = field_list!(
    [
        FieldSpec::new("name", FieldKind::Text { max: 200 }).required().indexed().title().listed(),
        FieldSpec::new("company_id", FieldKind::Ref("company")).indexed().listed(),
        FieldSpec::new("contact_id", FieldKind::Ref("contact")).indexed(),
        FieldSpec::new("contacts", FieldKind::RefList).help(),
        FieldSpec::new("pipeline_id", FieldKind::PipelineRef).indexed(),
        FieldSpec::new("stage_id", FieldKind::StageRef).indexed().listed(),
        FieldSpec::new("amount_minor", FieldKind::Integer { min: 0, max: 1_000_000_000_000_000 })
            .indexed()
            .label("deal.field.amount")
            .listed(),
        FieldSpec::new("currency", FieldKind::Currency),
        FieldSpec::new("expected_close_date", FieldKind::Date).indexed().listed(),
        FieldSpec::new("probability", FieldKind::Integer { min: 0, max: 100 }).help(),
        // Set when `probability` is given; while false, the stage's probability applies.
        FieldSpec::new("probability_overridden", FieldKind::Bool).group("system"),
        FieldSpec::new("competitor", FieldKind::Text { max: 200 }).group("details"),
        FieldSpec::new("lost_reason", FieldKind::Text { max: 500 }).group("details"),
        FieldSpec::new("status", FieldKind::Enum(&["open", "won", "lost"]))
            .indexed()
            .label("deal.field.status")
            .help()
            .derived("status follows the stage: move the deal to a won or lost stage"),
        FieldSpec::new("closed_at", FieldKind::DateTime).group("details"),
        // Chosen while the deal is open; else follows status and probability
        // (`crate::forecast::ForecastCategory::for_deal`).
        FieldSpec::new("forecast_category", FieldKind::Enum(ForecastCategory::NAMES)).help(),
        // Set when `forecast_category` is given; while false, it follows the probability.
        FieldSpec::new("forecast_category_overridden", FieldKind::Bool).group("system"),
    ],
    source_fields!(),
);

pub static KIND: RecordKind = RecordKind {
    name: "deal",
    plural: "deals",
    fields: FIELDS,
    display_name: &["name"],
    duplicate_key: None,
    import_aliases: &[&[
        ImportAlias {
            field: "name",
            headers: &[
                "deal",
                "deal_name",
                "nome",
                "nombre",
                "negocio",
                "oportunidade",
                "deal_title",
                "opportunity_name",
            ],
        },
        ImportAlias { field: "amount_minor", headers: &["amount_in_cents", "valor_em_centavos"] },
        ImportAlias {
            field: "company_id",
            headers: &["company", "company_name", "empresa", "account_name", "organization"],
        },
        ImportAlias {
            field: "contact_id",
            headers: &["contact", "contact_email", "contato", "contacto", "email", "e_mail"],
        },
        ImportAlias { field: "currency", headers: &["moeda", "moneda", "deal_currency"] },
        ImportAlias {
            field: "expected_close_date",
            headers: &["close_date", "data_de_fechamento", "fecha_de_cierre", "deal_expected_close_date"],
        },
    ]],
    rules: &Deal,
    example: || {
        serde_json::json!({
            "name": "Renovação anual", "amount_minor": 1_500_000, "currency": "BRL",
            "expected_close_date": "2026-06-30",
        })
    },
};

impl RecordType {
    pub const DEAL: RecordType = RecordType::of(&KIND);
}

struct Deal;

const AMOUNT_NEEDS_A_CURRENCY: CrossFieldRule =
    CrossFieldRule { field: "currency", code: "required", rule: "an amount needs a currency" };

const LOST_NEEDS_A_REASON: CrossFieldRule = CrossFieldRule {
    field: "lost_reason",
    code: "lost_reason_required",
    rule: "a deal moved to a lost stage needs a lost_reason",
};

impl KindRules for Deal {
    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[AMOUNT_NEEDS_A_CURRENCY, LOST_NEEDS_A_REASON]
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        check(record)
    }

    fn needs(&self) -> WriteNeeds {
        WriteNeeds { pipelines: true, products: false }
    }

    fn before_write(&self, write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
        follow_stage(write)?;
        follow_forecast(write.fields, write.input)
    }

    /// The forecast reads a period's open deals by close date and its won
    /// deals by the day they were won.
    fn paired_indexes(&self) -> &'static [(&'static str, &'static str)] {
        &[("status", "expected_close_date"), ("status", "closed_at")]
    }

    /// Every move to another stage is kept in the stage history, and the
    /// deal's owner hears of a move someone else made.
    fn after_write(&self, write: &StoredWrite<'_>) -> Vec<Effect> {
        let uuid = |text: Option<&str>| text.and_then(|s| Uuid::parse_str(s).ok());
        let (from, to) = (uuid(write.old_text("stage_id")), uuid(write.text("stage_id")));
        let (Some(to), Some(pipeline_id)) = (to, uuid(write.text("pipeline_id"))) else { return Vec::new() };
        if from == Some(to) {
            return Vec::new();
        }
        let mut effects = vec![Effect::StageChange { pipeline_id, from, to }];
        match write.owner_id {
            Some(owner) if from.is_some() && owner != write.actor => effects.push(Effect::Enqueue {
                kind: JobKind::DealMoved,
                payload: serde_json::json!({"deal_id": write.id, "owner_id": owner, "moved_by": write.actor, "to_stage_id": to}),
                run_at: write.at,
                dedup_key: format!("deal_moved:{}:{}", write.id, write.version),
            }),
            _ => {}
        }
        effects
    }
}

fn field_uuid(fields: &Map<String, Value>, key: &str) -> Option<Uuid> {
    fields.get(key).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok())
}

/// A deal sits in a stage of its pipeline; its status, probability (unless
/// overridden) and close time follow the stage.
fn follow_stage(write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
    let PendingWrite { old, fields, input, now, pipelines, .. } = write;
    let pipeline_changed = old.is_none_or(|o| field_uuid(o, "pipeline_id") != field_uuid(fields, "pipeline_id"));
    let pipeline = match field_uuid(fields, "pipeline_id") {
        Some(id) => pipelines
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| DomainError::invalid("pipeline_id", "unknown_reference", "no pipeline with this id"))?,
        None => pipelines.iter().find(|p| p.is_default).ok_or_else(|| {
            DomainError::invalid("pipeline_id", "required", "there is no default pipeline: create one first")
        })?,
    };
    fields.insert("pipeline_id".into(), pipeline.id.to_string().into());
    let stage_given = input.get("stage_id").is_some_and(|v| !v.is_null());
    let stage = match field_uuid(fields, "stage_id") {
        Some(id) if stage_given || !pipeline_changed => {
            pipeline.stages.iter().find(|s| s.id == id).ok_or_else(|| {
                DomainError::Validation(
                    FieldError::new(
                        "stage_id",
                        "stage_not_in_pipeline",
                        "the stage does not belong to the deal's pipeline",
                    )
                    .into(),
                )
            })?
        }
        _ => pipeline
            .stages
            .first()
            .ok_or_else(|| DomainError::invalid("pipeline_id", "empty_pipeline", "the pipeline has no stages"))?,
    };
    fields.insert("stage_id".into(), stage.id.to_string().into());
    if input.get("probability").is_some_and(|v| !v.is_null()) {
        fields.insert("probability_overridden".into(), true.into());
    }
    let overridden = fields.get("probability_overridden").and_then(Value::as_bool).unwrap_or(false);
    if !overridden || fields.get("probability").is_none_or(Value::is_null) {
        fields.insert("probability".into(), stage.probability.into());
        fields.insert("probability_overridden".into(), false.into());
    }
    let status = status_for_stage(stage.is_won, stage.is_lost);
    let old_status = old.and_then(|o| o.get("status")).and_then(Value::as_str);
    // Losing a deal says why: the reasons are what the team learns from.
    if status == "lost" && old_status != Some("lost") && is_blank(fields, "lost_reason") {
        let rule = LOST_NEEDS_A_REASON;
        return Err(DomainError::Validation(FieldError::new(rule.field, rule.code, rule.rule).into()));
    }
    let was_closed = old_status.is_some_and(|s| s != "open");
    fields.insert("status".into(), status.into());
    if status == "open" {
        fields.insert("closed_at".into(), Value::Null);
    } else if !was_closed || fields.get("closed_at").is_none_or(Value::is_null) {
        fields.insert("closed_at".into(), now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true).into());
    }
    Ok(())
}

/// A won deal is `closed` and a lost one `omitted` in forecasts; an open
/// deal keeps the category its user chose, or follows its probability.
/// Only a won deal is closed: an open one cannot be declared so.
fn follow_forecast(fields: &mut Map<String, Value>, input: &Map<String, Value>) -> Result<(), DomainError> {
    let status = fields.get("status").and_then(Value::as_str).unwrap_or("open").to_owned();
    let probability = fields.get("probability").and_then(Value::as_i64).unwrap_or(0);
    match input.get("forecast_category") {
        Some(Value::Null) => {
            fields.insert("forecast_category_overridden".into(), false.into());
        }
        Some(Value::String(chosen)) if status == "open" => {
            if ForecastCategory::parse(chosen) == Some(ForecastCategory::Closed) {
                return Err(DomainError::invalid(
                    "forecast_category",
                    "forecast_closed_needs_won",
                    "only a won deal is closed: move it to the won stage",
                ));
            }
            fields.insert("forecast_category_overridden".into(), true.into());
        }
        _ => {}
    }
    let overridden =
        status == "open" && fields.get("forecast_category_overridden").and_then(Value::as_bool).unwrap_or(false);
    let chosen = fields.get("forecast_category").and_then(Value::as_str).and_then(ForecastCategory::parse);
    let category = ForecastCategory::for_deal(&status, probability, chosen.filter(|_| overridden));
    fields.insert("forecast_category".into(), category.as_str().into());
    fields.insert("forecast_category_overridden".into(), overridden.into());
    Ok(())
}

fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !is_blank(record, "amount_minor") && is_blank(record, "currency") {
        let rule = AMOUNT_NEEDS_A_CURRENCY;
        errors.push(FieldError::new(rule.field, rule.code, rule.rule));
    }
    if let Some(Value::Array(links)) = record.get("contacts") {
        for (i, link) in links.iter().enumerate() {
            if link.get("type").and_then(Value::as_str) != Some("contact") {
                errors.push(FieldError::new(
                    format!("contacts[{i}].type"),
                    "invalid_choice",
                    "deal contacts must be contacts",
                ));
            }
        }
    }
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn after(fields: Value, input: Value) -> Result<Map<String, Value>, DomainError> {
        let (Value::Object(mut fields), Value::Object(input)) = (fields, input) else { panic!("objects") };
        follow_forecast(&mut fields, &input)?;
        Ok(fields)
    }

    fn category(fields: &Map<String, Value>) -> (&str, bool) {
        (fields["forecast_category"].as_str().unwrap(), fields["forecast_category_overridden"].as_bool().unwrap())
    }

    #[test]
    fn an_open_deal_is_forecast_by_its_probability_until_someone_chooses() {
        let fields = after(json!({"status": "open", "probability": 90}), json!({})).unwrap();
        assert_eq!(category(&fields), ("commit", false));
        let fields = after(json!({"status": "open", "probability": 60}), json!({})).unwrap();
        assert_eq!(category(&fields), ("best_case", false));
        let chosen = json!({"status": "open", "probability": 10, "forecast_category": "commit"});
        let fields = after(chosen, json!({"forecast_category": "commit"})).unwrap();
        assert_eq!(category(&fields), ("commit", true));
        // A later change of probability keeps the choice; clearing it gives it back.
        let mut kept = fields.clone();
        kept.insert("probability".into(), 20.into());
        let fields = after(Value::Object(kept.clone()), json!({"probability": 20})).unwrap();
        assert_eq!(category(&fields), ("commit", true));
        let fields = after(Value::Object(kept), json!({"forecast_category": null})).unwrap();
        assert_eq!(category(&fields), ("pipeline", false));
    }

    #[test]
    fn won_deals_are_closed_lost_ones_omitted_and_an_open_one_cannot_be_declared_closed() {
        let won = json!({"status": "won", "probability": 100, "forecast_category": "pipeline", "forecast_category_overridden": true});
        assert_eq!(category(&after(won, json!({})).unwrap()), ("closed", false));
        let lost = json!({"status": "lost", "probability": 0, "forecast_category": "commit"});
        assert_eq!(category(&after(lost, json!({"forecast_category": "commit"})).unwrap()), ("omitted", false));
        let open = json!({"status": "open", "probability": 50, "forecast_category": "closed"});
        let DomainError::Validation(errors) = after(open, json!({"forecast_category": "closed"})).unwrap_err() else {
            panic!("a validation error")
        };
        assert_eq!(errors.0[0].code, "forecast_closed_needs_won");
    }
}
