//! Pipelines and their ordered stages.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{FieldError, ValidationErrors};

/// A stored stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Stage {
    pub id: Uuid,
    pub name: String,
    pub position: i64,
    pub probability: i64,
    pub is_won: bool,
    pub is_lost: bool,
}

/// A stored pipeline with its stages in order.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Pipeline {
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub stages: Vec<Stage>,
}

/// A stage as configured, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageDraft {
    pub name: String,
    /// Default win probability in percent for deals in this stage.
    pub probability: i64,
    #[serde(default)]
    pub is_won: bool,
    #[serde(default)]
    pub is_lost: bool,
}

/// The pipeline every account starts with.
pub fn default_sales_stages() -> Vec<StageDraft> {
    let stage =
        |name: &str, probability, is_won, is_lost| StageDraft { name: name.into(), probability, is_won, is_lost };
    vec![
        stage("Qualification", 10, false, false),
        stage("Needs analysis", 25, false, false),
        stage("Proposal", 50, false, false),
        stage("Negotiation", 75, false, false),
        stage("Won", 100, true, false),
        stage("Lost", 0, false, true),
    ]
}

/// Checks a pipeline's name and stages: names present and unique, ranges
/// valid, exactly one won and one lost stage.
pub fn check_pipeline(name: &str, stages: &[StageDraft]) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if name.trim().is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "required", "a pipeline needs a name of at most 100 characters"));
    }
    if stages.is_empty() || stages.len() > 50 {
        errors.push(FieldError::new("stages", "out_of_range", "a pipeline has between 1 and 50 stages"));
    }
    for (i, stage) in stages.iter().enumerate() {
        if stage.name.trim().is_empty() || stage.name.chars().count() > 100 {
            errors.push(FieldError::new(
                format!("stages[{i}].name"),
                "required",
                "a stage needs a name of at most 100 characters",
            ));
        }
        if !(0..=100).contains(&stage.probability) {
            errors.push(FieldError::new(
                format!("stages[{i}].probability"),
                "out_of_range",
                "must be between 0 and 100",
            ));
        }
        if stage.is_won && stage.is_lost {
            errors.push(FieldError::new(
                format!("stages[{i}]"),
                "invalid_choice",
                "a stage cannot be both won and lost",
            ));
        }
        if stages[..i].iter().any(|s| s.name.trim().eq_ignore_ascii_case(stage.name.trim())) {
            errors.push(FieldError::new(
                format!("stages[{i}].name"),
                "duplicate",
                "stage names must be unique in a pipeline",
            ));
        }
    }
    if stages.iter().filter(|s| s.is_won).count() != 1 || stages.iter().filter(|s| s.is_lost).count() != 1 {
        errors.push(FieldError::new(
            "stages",
            "won_lost_required",
            "a pipeline needs exactly one won and one lost stage",
        ));
    }
    errors.into_result()
}

/// Deal status implied by a stage.
pub fn status_for_stage(is_won: bool, is_lost: bool) -> &'static str {
    if is_won {
        "won"
    } else if is_lost {
        "lost"
    } else {
        "open"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pipeline_is_valid() {
        check_pipeline("Sales", &default_sales_stages()).unwrap();
    }

    #[test]
    fn a_pipeline_without_a_lost_stage_is_rejected() {
        let mut stages = default_sales_stages();
        stages.pop();
        let err = check_pipeline("Sales", &stages).unwrap_err();
        assert_eq!(err.0[0].code, "won_lost_required");
    }
}
