//! Pipelines and their ordered stages.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{DomainError, FieldError, ValidationErrors};

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

/// The name of the pipeline every account starts with.
pub const DEFAULT_PIPELINE_NAME: &str = "Sales";

/// The stages of the pipeline every account starts with.
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

/// A stage in a pipeline update: with the id of a stored stage to change
/// that stage (its deals stay in it), without one to add a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageUpdate {
    #[serde(default)]
    pub id: Option<Uuid>,
    pub name: String,
    /// Default win probability in percent for deals in this stage.
    pub probability: i64,
    #[serde(default)]
    pub is_won: bool,
    #[serde(default)]
    pub is_lost: bool,
}

impl From<&Stage> for StageUpdate {
    fn from(stage: &Stage) -> Self {
        Self {
            id: Some(stage.id),
            name: stage.name.clone(),
            probability: stage.probability,
            is_won: stage.is_won,
            is_lost: stage.is_lost,
        }
    }
}

/// Changes to a pipeline; what is absent stays as it is. `stages` lists
/// every stage in the order wanted: those without an id are added, stored
/// ones missing from it are removed (only while no deal is in them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineUpdate {
    pub name: Option<String>,
    pub stages: Option<Vec<StageUpdate>>,
}

/// One change of the settings page. It is applied to the pipeline as stored
/// when it is saved, so two administrators changing different stages at the
/// same time both keep their change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineEdit {
    Rename(String),
    /// A stage's name, probability, and whether it closes deals as won or lost.
    SetStage(StageUpdate),
    /// One place earlier (`up`) or later.
    Move {
        id: Uuid,
        up: bool,
    },
    /// A new open stage goes before the closing ones, a closing one last.
    Add(StageDraft),
    Remove(Uuid),
}

impl Pipeline {
    /// The update that names the pipeline every account starts with in
    /// another language (one name per stage), while it still has the
    /// names it started with; an update changing nothing otherwise.
    pub fn rename_seeded(&self, name: &str, stage_names: &[String]) -> PipelineUpdate {
        let seeded = default_sales_stages();
        let untouched = self.name == DEFAULT_PIPELINE_NAME
            && stage_names.len() == seeded.len()
            && self.stages.iter().map(|s| &s.name).eq(seeded.iter().map(|s| &s.name));
        if !untouched {
            return PipelineUpdate::default();
        }
        let stages =
            self.stages.iter().zip(stage_names).map(|(s, n)| StageUpdate { name: n.clone(), ..s.into() }).collect();
        PipelineUpdate { name: Some(name.to_owned()), stages: Some(stages) }
    }

    /// The update an edit amounts to on this pipeline.
    pub fn apply(&self, edit: PipelineEdit) -> Result<PipelineUpdate, DomainError> {
        let mut stages: Vec<StageUpdate> = self.stages.iter().map(StageUpdate::from).collect();
        let index_of = |stages: &[StageUpdate], id: Uuid| {
            stages.iter().position(|s| s.id == Some(id)).ok_or(DomainError::not_found("stage"))
        };
        match edit {
            PipelineEdit::Rename(name) => return Ok(PipelineUpdate { name: Some(name), stages: None }),
            PipelineEdit::SetStage(stage) => {
                let i = index_of(&stages, stage.id.ok_or(DomainError::not_found("stage"))?)?;
                stages[i] = stage;
            }
            PipelineEdit::Move { id, up } => {
                let i = index_of(&stages, id)?;
                let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < stages.len()) };
                if let Some(j) = j {
                    stages.swap(i, j);
                }
            }
            PipelineEdit::Add(draft) => {
                let closing = draft.is_won || draft.is_lost;
                let at = if closing {
                    stages.len()
                } else {
                    stages.iter().position(|s| s.is_won || s.is_lost).unwrap_or(stages.len())
                };
                let StageDraft { name, probability, is_won, is_lost } = draft;
                stages.insert(at, StageUpdate { id: None, name, probability, is_won, is_lost });
            }
            PipelineEdit::Remove(id) => {
                stages.remove(index_of(&stages, id)?);
            }
        }
        Ok(PipelineUpdate { name: None, stages: Some(stages) })
    }
}

/// What an update stores: the pipeline's name, its stages in order (new
/// ones with fresh ids, positions renumbered), and the stages it removes.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelinePlan {
    pub name: String,
    pub stages: Vec<Stage>,
    pub removed: Vec<Uuid>,
}

/// Checks an update against the stored pipeline and the number of deals
/// (trashed ones too) in each of its stages: the rules of [`check_pipeline`],
/// ids of this pipeline's stages at most once each, no stage removed while
/// deals are in it, and no stage with deals turned from open to closing or
/// back (its deals' status would no longer match their stage).
pub fn plan_update(
    current: &Pipeline,
    update: &PipelineUpdate,
    deals_in: &HashMap<Uuid, i64>,
) -> Result<PipelinePlan, ValidationErrors> {
    let name = update.name.as_deref().unwrap_or(&current.name).trim().to_owned();
    let stages: Vec<StageUpdate> =
        update.stages.clone().unwrap_or_else(|| current.stages.iter().map(StageUpdate::from).collect());
    let drafts: Vec<StageDraft> = stages
        .iter()
        .map(|s| StageDraft { name: s.name.clone(), probability: s.probability, is_won: s.is_won, is_lost: s.is_lost })
        .collect();
    let mut errors = check_pipeline(&name, &drafts).err().unwrap_or_default();
    let deals = |id: Uuid| deals_in.get(&id).copied().unwrap_or(0);
    for (i, stage) in stages.iter().enumerate() {
        let Some(id) = stage.id else { continue };
        let Some(stored) = current.stages.iter().find(|s| s.id == id) else {
            errors.push(FieldError::new(
                format!("stages[{i}].id"),
                "unknown_reference",
                "no stage with this id in this pipeline: leave the id out to add a stage",
            ));
            continue;
        };
        if stages[..i].iter().any(|s| s.id == Some(id)) {
            errors.push(FieldError::new(format!("stages[{i}].id"), "duplicate", "a stage can be listed once"));
        }
        let count = deals(id);
        if count > 0 && (stored.is_won, stored.is_lost) != (stage.is_won, stage.is_lost) {
            errors.push(
                FieldError::new(
                    format!("stages[{i}]"),
                    "stage_kind_in_use",
                    format!(
                        "{count} deal(s) are in the stage '{}': move them before making it won, lost or open",
                        stored.name
                    ),
                )
                .with("count", count)
                .with("stage", &stored.name),
            );
        }
    }
    let removed: Vec<&Stage> = current.stages.iter().filter(|s| !stages.iter().any(|u| u.id == Some(s.id))).collect();
    for stage in &removed {
        let count = deals(stage.id);
        if count > 0 {
            errors.push(
                FieldError::new(
                    "stages",
                    "stage_in_use",
                    format!(
                        "{count} deal(s), counting those in the trash, are in the stage '{}': move them before removing it",
                        stage.name
                    ),
                )
                .with("count", count)
                .with("stage", &stage.name),
            );
        }
    }
    errors.into_result()?;
    let stages = stages
        .into_iter()
        .enumerate()
        .map(|(position, s)| Stage {
            id: s.id.unwrap_or_else(Uuid::now_v7),
            name: s.name.trim().to_owned(),
            position: position as i64,
            probability: s.probability,
            is_won: s.is_won,
            is_lost: s.is_lost,
        })
        .collect();
    Ok(PipelinePlan { name, stages, removed: removed.iter().map(|s| s.id).collect() })
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
        check_pipeline(DEFAULT_PIPELINE_NAME, &default_sales_stages()).unwrap();
    }

    #[test]
    fn a_pipeline_without_a_lost_stage_is_rejected() {
        let mut stages = default_sales_stages();
        stages.pop();
        let err = check_pipeline("Sales", &stages).unwrap_err();
        assert_eq!(err.0[0].code, "won_lost_required");
    }

    fn sales() -> Pipeline {
        let stages = default_sales_stages()
            .into_iter()
            .enumerate()
            .map(|(i, d)| Stage {
                id: Uuid::now_v7(),
                name: d.name,
                position: i as i64,
                probability: d.probability,
                is_won: d.is_won,
                is_lost: d.is_lost,
            })
            .collect();
        Pipeline { id: Uuid::now_v7(), name: "Sales".into(), is_default: true, stages }
    }

    fn codes(result: Result<PipelinePlan, ValidationErrors>) -> Vec<String> {
        result.unwrap_err().0.into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn moving_and_renaming_keep_stage_ids() {
        let sales = sales();
        let first = sales.stages[0].id;
        let update = sales.apply(PipelineEdit::Move { id: first, up: false }).unwrap();
        let plan = plan_update(&sales, &update, &HashMap::new()).unwrap();
        assert_eq!(plan.stages[1].id, first);
        assert_eq!(plan.stages[1].position, 1);
        assert!(plan.removed.is_empty());
        // The first stage cannot go further up: nothing changes.
        let update = sales.apply(PipelineEdit::Move { id: first, up: true }).unwrap();
        assert_eq!(plan_update(&sales, &update, &HashMap::new()).unwrap().stages, sales.stages);
    }

    #[test]
    fn a_new_open_stage_goes_before_the_closing_ones() {
        let sales = sales();
        let draft = StageDraft { name: "Demo".into(), probability: 60, is_won: false, is_lost: false };
        let update = sales.apply(PipelineEdit::Add(draft)).unwrap();
        let plan = plan_update(&sales, &update, &HashMap::new()).unwrap();
        assert_eq!(plan.stages[4].name, "Demo");
        assert!(plan.stages[5].is_won);
    }

    #[test]
    fn stages_with_deals_are_neither_removed_nor_turned_closing() {
        let sales = sales();
        let proposal = sales.stages[2].id;
        let deals = HashMap::from([(proposal, 3)]);
        let update = sales.apply(PipelineEdit::Remove(proposal)).unwrap();
        let error = plan_update(&sales, &update, &deals).unwrap_err().0.remove(0);
        assert_eq!((error.code.as_str(), error.params["count"].as_str()), ("stage_in_use", "3"));
        let mut changed = StageUpdate::from(&sales.stages[2]);
        changed.is_lost = true;
        let update = sales.apply(PipelineEdit::SetStage(changed)).unwrap();
        assert!(codes(plan_update(&sales, &update, &deals)).contains(&"stage_kind_in_use".to_owned()));
        // Without deals, the removal is planned.
        let update = sales.apply(PipelineEdit::Remove(proposal)).unwrap();
        assert_eq!(plan_update(&sales, &update, &HashMap::new()).unwrap().removed, [proposal]);
    }

    #[test]
    fn ids_of_other_pipelines_and_repeated_ids_are_refused() {
        let sales = sales();
        let mut stages: Vec<StageUpdate> = sales.stages.iter().map(StageUpdate::from).collect();
        stages[0].id = Some(Uuid::now_v7());
        stages[1].id = stages[2].id;
        let update = PipelineUpdate { name: None, stages: Some(stages) };
        let codes = codes(plan_update(&sales, &update, &HashMap::new()));
        assert!(
            codes.contains(&"unknown_reference".to_owned()) && codes.contains(&"duplicate".to_owned()),
            "{codes:?}"
        );
    }
}
