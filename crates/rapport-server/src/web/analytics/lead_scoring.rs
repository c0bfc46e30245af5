//! `/analytics/lead-scoring`: how leads are scored (a model learned from the
//! closed leads, with its honest measure in plain words, or the rules and
//! why), the rules administrators edit, and how the open leads spread over
//! the scores; and the small score panel of a lead's page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_analytics::features::{FeatureKind, FeatureValue};
use rapport_analytics::scoring::{Outcome, RuleCondition, ScoringRule, keys};
use rapport_core::access::Admin;
use rapport_core::custom_fields::{CustomFieldDefinition, CustomFieldType};
use rapport_core::schema::RecordType;
use rapport_db::analytics::lead_scoring::{self, CUSTOM_PREFIX, Method, ScoreReason, ScoringStatus, WhyRules};
use rapport_db::records::Record;
use serde::Deserialize;

use super::sales::Figure;
use crate::state::AppState;
use crate::web::charts::{self, ChartData, ChartKind, ChartText, Series, ValueFormat};
use crate::web::i18n::{Arg, Tr};
use crate::web::session::{FormPost, WebUser};
use crate::web::{Frame, WebResult, fields, format, html};

const PAGE: &str = "/analytics/lead-scoring";

pub struct RuleRow {
    pub index: usize,
    pub feature: String,
    pub condition: String,
    pub points: String,
}

pub struct HistoryRow {
    pub trained_at: String,
    pub closed: String,
    pub auc: String,
}

#[derive(Template)]
#[template(path = "analytics/lead_scoring.html")]
struct ScoringPage {
    frame: Frame,
    method: &'static str,
    method_text: String,
    why: String,
    figures: Vec<Figure>,
    auc_words: String,
    folds: String,
    weights_chart: String,
    distribution_chart: String,
    rules: Vec<RuleRow>,
    is_admin: bool,
    /// (key, label) of the features a rule may name.
    features: Vec<(String, String)>,
    error: Option<String>,
    queued: bool,
    history: Vec<HistoryRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub queued: Option<String>,
}

/// The words of a feature: built-in ones from the catalogue, custom fields by their label.
pub fn feature_label(tr: &Tr, custom: &[CustomFieldDefinition], key: &str) -> String {
    if let Some(custom_key) = key.strip_prefix(CUSTOM_PREFIX) {
        return custom
            .iter()
            .find(|f| f.record_type == RecordType::LEAD && f.key == custom_key)
            .map_or_else(|| custom_key.to_owned(), |f| f.label.clone());
    }
    tr.try_t(&format!("scoring.feature.{key}")).unwrap_or_else(|| key.to_owned())
}

/// Whether a number feature holds yes (1) or no (0).
fn is_yes_no(custom: &[CustomFieldDefinition], key: &str) -> bool {
    match key.strip_prefix(CUSTOM_PREFIX) {
        Some(k) => custom.iter().any(|f| f.key == k && f.field_type == CustomFieldType::Boolean),
        None => [keys::HAS_EMAIL, keys::HAS_PHONE, keys::HAS_COMPANY, keys::JOB_TITLE_PRESENT].contains(&key),
    }
}

fn number(value: f64, tr: &Tr) -> String {
    if value.fract() == 0.0 {
        format::integer(value as i64, tr.locale)
    } else {
        format::scaled((value * 100.0).round() as i64, 2, tr.locale)
    }
}

/// Points with their sign, a true minus for negatives.
pub fn signed(points: i32) -> String {
    if points < 0 { format!("\u{2212}{}", points.unsigned_abs()) } else { format!("+{points}") }
}

/// A reason in words: "Source: web form", "No activity in its first 30 days".
pub fn reason_text(tr: &Tr, custom: &[CustomFieldDefinition], reason: &ScoreReason) -> String {
    let label = feature_label(tr, custom, &reason.key);
    if reason.key == keys::ACTIVITIES_30D {
        if let FeatureValue::Number(n) = reason.value {
            return tr.count("scoring.reason.activities", n.max(0.0) as i64);
        }
    }
    if reason.key == keys::DAYS_SINCE_CREATED {
        if let FeatureValue::Number(n) = reason.value {
            return tr.count("scoring.reason.age", n.max(0.0) as i64);
        }
    }
    let value = match &reason.value {
        FeatureValue::Category(v) => v.clone(),
        FeatureValue::Number(x) if is_yes_no(custom, &reason.key) => {
            tr.t(if *x >= 1.0 { "scoring.value.yes" } else { "scoring.value.no" })
        }
        FeatureValue::Number(x) => number(*x, tr),
        FeatureValue::Missing => tr.t("scoring.value.missing"),
    };
    tr.t_with("scoring.reason.generic", &[("feature", Arg::Text(label)), ("value", Arg::Text(value))])
}

/// Why the rules score, in plain words.
pub fn why_text(tr: &Tr, why: &WhyRules) -> String {
    let n = |v: u64| Arg::Number(v as i64);
    match why {
        WhyRules::NotTrainedYet { closed, needed } if closed >= needed => {
            tr.t_with("scoring.why.ready", &[("closed", n(*closed))])
        }
        WhyRules::NotTrainedYet { closed, needed } | WhyRules::NotEnoughHistory { closed, needed } => {
            tr.t_with("scoring.why.not_enough", &[("closed", n(*closed)), ("needed", n(*needed))])
        }
        WhyRules::TooFewOfOutcome { outcome, found, needed } => {
            let key = match outcome {
                Outcome::Converted => "scoring.why.few_converted",
                Outcome::NotConverted => "scoring.why.few_disqualified",
            };
            tr.t_with(key, &[("found", n(*found)), ("needed", n(*needed))])
        }
        WhyRules::TrainingFailed { closed } => tr.t_with("scoring.why.failed", &[("closed", n(*closed))]),
    }
}

/// The cross-validated AUC in plain words.
fn auc_words(tr: &Tr, auc: f64) -> String {
    let key = match auc {
        a if a >= 0.8 => "scoring.auc.strong",
        a if a >= 0.7 => "scoring.auc.useful",
        a if a >= 0.6 => "scoring.auc.some",
        _ => "scoring.auc.weak",
    };
    tr.t(key)
}

fn auc_text(auc: f64, tr: &Tr) -> String {
    format::scaled((auc * 100.0).round() as i64, 2, tr.locale)
}

fn condition_text(tr: &Tr, condition: &RuleCondition) -> String {
    match condition {
        RuleCondition::Equals(v) => tr.t1("scoring.condition.equals_value", "value", v.clone()),
        RuleCondition::AtLeast(x) => tr.t1("scoring.condition.at_least_value", "value", number(*x, tr)),
        RuleCondition::AtMost(x) => tr.t1("scoring.condition.at_most_value", "value", number(*x, tr)),
        RuleCondition::Present => tr.t("scoring.condition.present"),
        RuleCondition::Missing => tr.t("scoring.condition.missing"),
    }
}

fn weights_chart(tr: &Tr, custom: &[CustomFieldDefinition], status: &ScoringStatus) -> String {
    let Some(model) = &status.model else { return String::new() };
    let categories = model
        .top_features
        .iter()
        .map(|w| {
            let label = feature_label(tr, custom, &w.key);
            match w.level.as_deref() {
                Some("other") => format!("{label}: {}", tr.t("scoring.value.other")),
                Some("missing") => format!("{label}: {}", tr.t("scoring.value.missing")),
                Some(level) => format!("{label}: {level}"),
                None => label,
            }
        })
        .collect();
    let values = model.top_features.iter().map(|w| (w.weight * 100.0).round() / 100.0).collect();
    let data = ChartData::new(categories, vec![Series { name: tr.t("scoring.weight"), values }]);
    let text = ChartText::new(tr, tr.t("scoring.strongest"), tr.t("scoring.strongest_help"), ValueFormat::Number)
        .with_id("scoring-weights");
    charts::render(ChartKind::HorizontalBar, &data, &text)
}

fn distribution_chart(tr: &Tr, status: &ScoringStatus) -> String {
    let categories = status.distribution.iter().map(|b| format!("{}–{}", b.from, b.to)).collect();
    let values = status.distribution.iter().map(|b| b.leads as f64).collect();
    let links = status
        .distribution
        .iter()
        .map(|b| {
            let pairs = [
                ("filter[score][gt]", (i64::from(b.from) - 1).to_string()),
                ("filter[score][lt]", (i64::from(b.to) + 1).to_string()),
            ];
            Some(format!("/leads?{}", serde_urlencoded::to_string(pairs).unwrap_or_default()))
        })
        .collect();
    let data = ChartData::new(categories, vec![Series { name: tr.t("scoring.open_leads"), values }]).with_links(links);
    let text = ChartText::new(tr, tr.t("scoring.distribution"), tr.t("scoring.distribution_help"), ValueFormat::Number)
        .with_id("scoring-distribution");
    charts::render(ChartKind::Bar, &data, &text)
}

async fn render(state: &AppState, user: &WebUser, code: StatusCode, error: Option<String>, queued: bool) -> WebResult {
    let tr = &user.tr;
    let status = lead_scoring::status(&state.ctx, &user.actor).await.map_err(|e| user.fail(e))?;
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let custom = &snapshot.custom_fields;
    let int = |n: u64| format::integer(n as i64, tr.locale);
    let (method_text, why) = match (&status.model, &status.why_rules) {
        (Some(_), _) => (tr.t("scoring.method.model"), String::new()),
        (None, Some(why)) => (tr.t("scoring.method.rules"), why_text(tr, why)),
        (None, None) => (tr.t("scoring.method.rules"), String::new()),
    };
    let mut figures = Vec::new();
    let (mut words, mut folds) = (String::new(), String::new());
    if let Some(model) = &status.model {
        figures.push(Figure {
            key: "auc",
            label: tr.t("scoring.auc"),
            value: auc_text(model.cv_auc, tr),
            note: auc_words(tr, model.cv_auc),
        });
        figures.push(Figure {
            key: "closed",
            label: tr.t("scoring.trained_on"),
            value: int(model.closed),
            note: tr.t_with("scoring.converted_of", &[("converted", Arg::Number(model.converted as i64))]),
        });
        figures.push(Figure {
            key: "trained_at",
            label: tr.t("scoring.trained_at"),
            value: format::datetime(model.trained_at, user.zone, tr.locale),
            note: String::new(),
        });
        words = tr.t("scoring.auc_help");
        folds = model.fold_aucs.iter().map(|a| auc_text(*a, tr)).collect::<Vec<_>>().join(" · ");
    }
    let open: u64 = status.distribution.iter().map(|b| b.leads).sum();
    figures.push(Figure {
        key: "open",
        label: tr.t("scoring.open_leads"),
        value: int(open),
        note: if status.unscored > 0 { tr.count("scoring.unscored", status.unscored as i64) } else { String::new() },
    });
    let page = ScoringPage {
        frame: user.frame("analytics", tr.t("analytics.lead_scoring_title")),
        method: status.method.as_str(),
        method_text,
        why,
        figures,
        auc_words: words,
        folds,
        weights_chart: weights_chart(tr, custom, &status),
        distribution_chart: distribution_chart(tr, &status),
        rules: status
            .rules
            .iter()
            .enumerate()
            .map(|(index, rule)| RuleRow {
                index,
                feature: feature_label(tr, custom, &rule.key),
                condition: condition_text(tr, &rule.condition),
                points: signed(rule.points),
            })
            .collect(),
        is_admin: Admin::try_from(user.actor.clone()).is_ok(),
        features: status.features.iter().map(|f| (f.key.clone(), feature_label(tr, custom, &f.key))).collect(),
        error,
        queued,
        history: status
            .history
            .iter()
            .map(|m| HistoryRow {
                trained_at: format::datetime(m.trained_at, user.zone, tr.locale),
                closed: int(m.closed),
                auc: auc_text(m.cv_auc, tr),
            })
            .collect(),
    };
    Ok(html(code, &page))
}

pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<PageQuery>) -> WebResult {
    render(&state, &user, StatusCode::OK, None, query.queued.is_some()).await
}

fn admin(user: &WebUser) -> Result<Admin, crate::web::WebError> {
    Admin::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

/// The rule a form describes, or the message saying what is wrong.
fn rule_of(form: &FormPost, features: &[rapport_analytics::features::FeatureSpec]) -> Result<ScoringRule, String> {
    let tr = &form.user.tr;
    let key = form.value("feature").unwrap_or_default().to_owned();
    let kind = features.iter().find(|f| f.key == key).map(|f| f.kind);
    let value = form.value("value").unwrap_or_default().trim();
    let points: i32 =
        form.value("points").unwrap_or_default().trim().parse().map_err(|_| tr.t("error.invalid_number"))?;
    let limit = || value.replace(',', ".").parse::<f64>().ok().filter(|x| x.is_finite());
    let condition = match (form.value("condition"), kind) {
        (Some("present"), _) => RuleCondition::Present,
        (Some("missing"), _) => RuleCondition::Missing,
        (Some("equals"), Some(FeatureKind::Category)) if !value.is_empty() => {
            RuleCondition::Equals(value.to_lowercase())
        }
        (Some("at_least"), Some(FeatureKind::Number)) => {
            RuleCondition::AtLeast(limit().ok_or_else(|| tr.t("error.invalid_number"))?)
        }
        (Some("at_most"), Some(FeatureKind::Number)) => {
            RuleCondition::AtMost(limit().ok_or_else(|| tr.t("error.invalid_number"))?)
        }
        _ => return Err(tr.t("scoring.condition_mismatch")),
    };
    Ok(ScoringRule { key, condition, points })
}

/// Adds a rule (administrators).
pub async fn add_rule(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let status = lead_scoring::status(&state.ctx, &user.actor).await.map_err(|e| user.fail(e))?;
    let rule = match rule_of(&form, &status.features) {
        Ok(rule) => rule,
        Err(message) => return render(&state, user, StatusCode::UNPROCESSABLE_ENTITY, Some(message), false).await,
    };
    let mut rules = status.rules;
    rules.push(rule);
    save(&state, user, &admin, &rules).await
}

/// Removes the rule at `index` (administrators).
pub async fn remove_rule(State(state): State<AppState>, Path(index): Path<usize>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let mut rules = lead_scoring::rules(state.ctx.db.conn()).await.map_err(|e| user.fail(e))?;
    if index < rules.len() {
        rules.remove(index);
    }
    save(&state, user, &admin, &rules).await
}

async fn save(state: &AppState, user: &WebUser, admin: &Admin, rules: &[ScoringRule]) -> WebResult {
    match lead_scoring::save_rules(&state.ctx, admin, rules).await {
        Ok(()) => Ok(Redirect::to(&format!("{PAGE}?queued=1#rules")).into_response()),
        Err(rapport_db::Error::Domain(rapport_core::DomainError::Validation(errors))) => {
            let message = errors.0.iter().map(|e| fields::error_message(&user.tr, e)).collect::<Vec<_>>().join(" ");
            render(state, user, StatusCode::UNPROCESSABLE_ENTITY, Some(message), false).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

/// "Retrain now" (administrators): queues the training and a re-score.
pub async fn train(State(state): State<AppState>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    lead_scoring::request_training(&state.ctx, &admin).await.map_err(|e| form.user.fail(e))?;
    Ok(Redirect::to(&format!("{PAGE}?queued=1")).into_response())
}

/// A lead's score on its page: the points and the top reasons in words.
pub struct ScorePanel {
    pub points: u8,
    pub method: &'static str,
    pub method_text: String,
    /// (words, signed points, pushes up)
    pub reasons: Vec<(String, String, bool)>,
    pub scored_at: String,
}

/// The reasons a panel shows.
const PANEL_REASONS: usize = 4;

pub async fn panel(state: &AppState, user: &WebUser, record: &Record) -> rapport_db::Result<Option<ScorePanel>> {
    if record.record_type != RecordType::LEAD {
        return Ok(None);
    }
    let Some(score) = lead_scoring::lead_score(&state.ctx, &user.actor, record.id).await? else {
        return Ok(None);
    };
    let snapshot = state.ctx.snapshot().await?;
    let tr = &user.tr;
    Ok(Some(ScorePanel {
        points: score.points,
        method: score.method.as_str(),
        method_text: tr.t(match score.method {
            Method::Model => "scoring.panel.by_model",
            Method::Rules => "scoring.panel.by_rules",
        }),
        reasons: score
            .reasons
            .iter()
            .take(PANEL_REASONS)
            .map(|r| (reason_text(tr, &snapshot.custom_fields, r), signed(r.points), r.points > 0))
            .collect(),
        scored_at: format::datetime(score.scored_at, user.zone, tr.locale),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Locale;

    fn reason(key: &str, value: FeatureValue, points: i32) -> ScoreReason {
        ScoreReason { key: key.to_owned(), value, points }
    }

    #[test]
    fn reasons_read_as_words_in_each_language() {
        let en = Tr::new(Locale::En);
        let source = reason(keys::SOURCE_CHANNEL, FeatureValue::Category("web form".into()), 12);
        assert_eq!(reason_text(&en, &[], &source), "Source: web form");
        let silent = reason(keys::ACTIVITIES_30D, FeatureValue::Number(0.0), -8);
        assert_eq!(reason_text(&en, &[], &silent), "No activity in its first 30 days");
        let busy = reason(keys::ACTIVITIES_30D, FeatureValue::Number(3.0), 5);
        assert_eq!(reason_text(&en, &[], &busy), "3 activities in its first 30 days");
        let phone = reason(keys::HAS_PHONE, FeatureValue::Number(0.0), -4);
        assert_eq!(reason_text(&en, &[], &phone), "Phone: no");
        let pt = Tr::new(Locale::PtBr);
        assert_eq!(reason_text(&pt, &[], &source), "Origem: web form");
        let custom = CustomFieldDefinition {
            record_type: RecordType::LEAD,
            key: "budget".into(),
            label: "Orçamento".into(),
            field_type: CustomFieldType::Number,
            options: Vec::new(),
            required: false,
        };
        let budget = reason("custom.budget", FeatureValue::Number(1500.0), 3);
        assert_eq!(reason_text(&pt, &[custom], &budget), "Orçamento: 1.500");
        assert_eq!((signed(12), signed(-8), signed(0)), ("+12".to_owned(), "\u{2212}8".to_owned(), "+0".to_owned()));
    }

    #[test]
    fn why_the_rules_score_and_how_good_a_model_is_in_plain_words() {
        let en = Tr::new(Locale::En);
        let why = WhyRules::NotEnoughHistory { closed: 87, needed: 200 };
        assert_eq!(
            why_text(&en, &why),
            "87 closed leads: 200 are needed to learn from them; scoring by your rules meanwhile."
        );
        let few = WhyRules::TooFewOfOutcome { outcome: Outcome::Converted, found: 3, needed: 20 };
        assert!(why_text(&en, &few).starts_with("Only 3 converted leads"));
        assert!(auc_words(&en, 0.5).contains("coin toss"));
        assert!(auc_words(&en, 0.72).starts_with("Useful"));
        assert!(auc_words(&en, 0.85).starts_with("Strong"));
    }
}
