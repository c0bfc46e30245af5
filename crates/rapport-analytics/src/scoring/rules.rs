//! Scoring by hand-written rules, for while the history of closed leads is
//! too short to learn from. Rules are data (serde) so an admin can edit them.
//!
//! A lead starts at [`RULES_BASE_POINTS`]; each matching rule adds its points
//! and the total is clamped to 0..=100. A rule whose key is not among the
//! features never matches. `Equals` compares categories ignoring case and
//! surrounding spaces; `AtLeast`/`AtMost` compare finite numbers; `Present` and
//! `Missing` look at whether there is a value at all (a NaN counts as missing).

use serde::{Deserialize, Serialize};

use super::{LeadScore, Reason};
use crate::features::{CategoryLevel, FeatureSpec, FeatureValue};

/// Where every lead starts before rules add or take points.
pub const RULES_BASE_POINTS: i32 = 50;

/// The feature keys the default rules (and a learned model, if the lead passes
/// the same features) expect. Booleans are numbers, 1.0 for yes and 0.0 for no.
pub mod keys {
    /// Category: where the lead came from (`referral`, `webinar`, `event`, …).
    pub const SOURCE_CHANNEL: &str = "source_channel";
    /// Number, 1.0 or 0.0.
    pub const HAS_EMAIL: &str = "has_email";
    /// Number, 1.0 or 0.0.
    pub const HAS_PHONE: &str = "has_phone";
    /// Number, 1.0 or 0.0.
    pub const HAS_COMPANY: &str = "has_company";
    /// Number, 1.0 or 0.0.
    pub const JOB_TITLE_PRESENT: &str = "job_title_present";
    /// Number: activities (calls, e-mails, meetings) logged in the last 30 days.
    pub const ACTIVITIES_30D: &str = "activities_30d";
    /// Number: whole days since the lead was created.
    pub const DAYS_SINCE_CREATED: &str = "days_since_created";
}

/// The features the default rules read, in the order the lead should pass them.
pub fn default_lead_specs() -> Vec<FeatureSpec> {
    vec![
        FeatureSpec::category(keys::SOURCE_CHANNEL),
        FeatureSpec::number(keys::HAS_EMAIL),
        FeatureSpec::number(keys::HAS_PHONE),
        FeatureSpec::number(keys::HAS_COMPANY),
        FeatureSpec::number(keys::JOB_TITLE_PRESENT),
        FeatureSpec::number(keys::ACTIVITIES_30D),
        FeatureSpec::number(keys::DAYS_SINCE_CREATED),
    ]
}

/// When a rule applies to a feature's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleCondition {
    Equals(String),
    AtLeast(f64),
    AtMost(f64),
    Present,
    Missing,
}

/// "If `key` meets `condition`, add `points`" (negative points take away).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringRule {
    pub key: String,
    pub condition: RuleCondition,
    pub points: i32,
}

impl ScoringRule {
    pub fn new(key: &str, condition: RuleCondition, points: i32) -> Self {
        Self { key: key.to_owned(), condition, points }
    }

    fn matches(&self, value: &FeatureValue) -> bool {
        let missing = match value {
            FeatureValue::Missing => true,
            FeatureValue::Number(x) => x.is_nan(),
            FeatureValue::Category(_) => false,
        };
        match (&self.condition, value) {
            (RuleCondition::Present, _) => !missing,
            (RuleCondition::Missing, _) => missing,
            (RuleCondition::Equals(expected), FeatureValue::Category(actual)) => {
                expected.trim().to_lowercase() == actual.trim().to_lowercase()
            }
            (RuleCondition::AtLeast(limit), FeatureValue::Number(x)) => x.is_finite() && x >= limit,
            (RuleCondition::AtMost(limit), FeatureValue::Number(x)) => x.is_finite() && x <= limit,
            _ => false,
        }
    }
}

/// Starting rules over [`default_lead_specs`]: contactable, identified,
/// active leads from warm channels score higher; stale or silent ones lower.
pub fn default_rules() -> Vec<ScoringRule> {
    use RuleCondition::*;
    use keys::*;
    vec![
        ScoringRule::new(SOURCE_CHANNEL, Equals("referral".into()), 15),
        ScoringRule::new(SOURCE_CHANNEL, Equals("webinar".into()), 8),
        ScoringRule::new(SOURCE_CHANNEL, Equals("event".into()), 8),
        ScoringRule::new(SOURCE_CHANNEL, Equals("web_form".into()), 5),
        ScoringRule::new(SOURCE_CHANNEL, Equals("purchased_list".into()), -10),
        ScoringRule::new(HAS_EMAIL, AtLeast(1.0), 8),
        ScoringRule::new(HAS_PHONE, AtLeast(1.0), 8),
        ScoringRule::new(HAS_COMPANY, AtLeast(1.0), 5),
        ScoringRule::new(JOB_TITLE_PRESENT, AtLeast(1.0), 4),
        ScoringRule::new(ACTIVITIES_30D, AtLeast(3.0), 10),
        ScoringRule::new(ACTIVITIES_30D, AtMost(0.0), -10),
        ScoringRule::new(DAYS_SINCE_CREATED, AtLeast(90.0), -10),
    ]
}

/// Scores `row` (values in `specs` order) by `rules`: the base plus the points
/// of every matching rule, clamped to 0..=100; the reasons are the matching
/// rules with non-zero points, strongest first.
pub fn score_by_rules(specs: &[FeatureSpec], rules: &[ScoringRule], row: &[FeatureValue]) -> LeadScore {
    let mut total = i64::from(RULES_BASE_POINTS);
    let mut reasons = Vec::new();
    for rule in rules {
        let Some(index) = specs.iter().position(|spec| spec.key == rule.key) else {
            continue;
        };
        let value = row.get(index).unwrap_or(&FeatureValue::Missing);
        if !rule.matches(value) {
            continue;
        }
        total += i64::from(rule.points);
        if rule.points != 0 {
            let value = match (value, &rule.condition) {
                (FeatureValue::Category(v), _) => Some(CategoryLevel::Value(v.clone())),
                (_, RuleCondition::Missing) => Some(CategoryLevel::Missing),
                _ => None,
            };
            reasons.push(Reason { key: rule.key.clone(), value, points: rule.points });
        }
    }
    reasons.sort_by(|a, b| b.points.abs().cmp(&a.points.abs()).then(b.points.cmp(&a.points)));
    LeadScore { points: total.clamp(0, 100) as u8, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(source: Option<&str>, email: f64, activities: f64, days: f64) -> Vec<FeatureValue> {
        vec![
            source.map_or(FeatureValue::Missing, |s| FeatureValue::Category(s.into())),
            FeatureValue::Number(email),
            FeatureValue::Number(0.0),
            FeatureValue::Number(0.0),
            FeatureValue::Missing,
            FeatureValue::Number(activities),
            FeatureValue::Number(days),
        ]
    }

    #[test]
    fn matching_rules_add_to_the_base_and_become_reasons() {
        let score = score_by_rules(&default_lead_specs(), &default_rules(), &lead(Some(" Referral "), 1.0, 4.0, 10.0));
        // 50 + referral 15 + email 8 + activities 10
        assert_eq!(score.points, 83);
        let summary: Vec<(&str, i32)> = score.reasons.iter().map(|r| (r.key.as_str(), r.points)).collect();
        assert_eq!(summary, vec![("source_channel", 15), ("activities_30d", 10), ("has_email", 8)]);
        assert_eq!(score.reasons[0].value, Some(CategoryLevel::Value(" Referral ".into())));
    }

    #[test]
    fn negative_rules_and_clamping() {
        let cold =
            score_by_rules(&default_lead_specs(), &default_rules(), &lead(Some("purchased_list"), 0.0, 0.0, 200.0));
        assert_eq!(cold.points, 20); // 50 - 10 - 10 - 10
        assert!(cold.reasons.iter().all(|r| r.points < 0));

        let specs = [FeatureSpec::number("x")];
        let big = [ScoringRule::new("x", RuleCondition::Present, 500)];
        assert_eq!(score_by_rules(&specs, &big, &[FeatureValue::Number(1.0)]).points, 100);
        let harsh = [ScoringRule::new("x", RuleCondition::Missing, -500)];
        let score = score_by_rules(&specs, &harsh, &[FeatureValue::Number(f64::NAN)]);
        assert_eq!(score.points, 0);
        assert_eq!(score.reasons[0].value, Some(CategoryLevel::Missing));
    }

    #[test]
    fn unknown_keys_wrong_kinds_and_short_rows_do_not_match() {
        let specs = [FeatureSpec::number("x")];
        let rules = [
            ScoringRule::new("nope", RuleCondition::Missing, 10),
            ScoringRule::new("x", RuleCondition::Equals("1".into()), 10),
            ScoringRule::new("x", RuleCondition::AtLeast(0.0), 7),
        ];
        assert_eq!(score_by_rules(&specs, &rules, &[FeatureValue::Number(1.0)]).points, 57);
        assert_eq!(score_by_rules(&specs, &rules, &[]).points, 50);
        assert_eq!(score_by_rules(&specs, &rules, &[FeatureValue::Number(f64::INFINITY)]).points, 50);
    }

    #[test]
    fn rules_are_editable_as_json() {
        let json = serde_json::to_string(&default_rules()).unwrap();
        assert!(json.contains(r#"{"key":"activities_30d","condition":{"at_least":3.0},"points":10}"#), "{json}");
        let back: Vec<ScoringRule> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, default_rules());
        let edited: Vec<ScoringRule> =
            serde_json::from_str(r#"[{"key":"has_phone","condition":"present","points":3}]"#).unwrap();
        assert_eq!(edited[0].condition, RuleCondition::Present);
    }

    #[test]
    fn default_rules_only_read_default_features() {
        let keys: Vec<String> = default_lead_specs().into_iter().map(|s| s.key).collect();
        assert!(default_rules().iter().all(|r| keys.contains(&r.key)));
        for key in [
            keys::SOURCE_CHANNEL,
            keys::HAS_EMAIL,
            keys::HAS_PHONE,
            keys::HAS_COMPANY,
            keys::ACTIVITIES_30D,
            keys::DAYS_SINCE_CREATED,
            keys::JOB_TITLE_PRESENT,
        ] {
            assert!(default_rules().iter().any(|r| r.key == key), "{key}");
        }
    }
}
