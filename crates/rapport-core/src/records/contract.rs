//! A contract with a company: numbered `CT-2026-0001`, a term (start and end
//! dates), a value billed at a frequency, signed documents (see
//! [`crate::contract_documents`]) and renewals.
//!
//! Life cycle. A contract is created as a draft, sent for signature or
//! already active (a signed one typed in). People then move it:
//!
//! - draft → sent for signature, active or terminated;
//! - sent for signature → draft (to change it), active or terminated;
//! - active and expiring → terminated.
//!
//! The system moves it further: the daily job makes an active contract
//! `expiring` once within its renewal notice of the end date and `expired`
//! after the end date; renewing (by hand, or automatically at the end date
//! when `auto_renew` is on) marks it `renewed`. Expired, renewed and
//! terminated are final: an expired contract can still be renewed, nothing
//! else moves them.
//!
//! Only a draft is freely edited. Once it is sent for signature its terms
//! (parties, dates, value, currency, billing, terms text) are fixed: move it
//! back to draft to change them before it is signed; after that, renew it.
//! Notes, the owner, the renewal settings and tags can always change.
//!
//! Renewing makes a new version: the same number, `version_number` + 1,
//! `previous_contract_id` the old one, the dates shifted by the term's
//! length ([`renewal_term`]); a draft when renewed by hand (it is signed
//! again), active when renewed automatically.

use chrono::{Datelike, Months, NaiveDate};
use serde_json::{Map, Value, json};

use super::{field_list, is_blank};
use crate::descriptor::{CrossFieldRule, KindRules, Numbering, PendingWrite, RecordKind};
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::values::Money;
use crate::{DomainError, FieldError, ValidationErrors};

pub const STATUSES: &[&str] =
    &["draft", "sent_for_signature", "active", "expiring", "expired", "renewed", "terminated"];

/// Where a person may move a contract; the system's moves (expiring,
/// expired, renewed) are not among them.
pub const TRANSITIONS: &[(&str, &[&str])] = &[
    ("draft", &["sent_for_signature", "active", "terminated"]),
    ("sent_for_signature", &["draft", "active", "terminated"]),
    ("active", &["terminated"]),
    ("expiring", &["terminated"]),
    ("expired", &[]),
    ("renewed", &[]),
    ("terminated", &[]),
];

/// The statuses a contract may be created in.
pub const INITIAL_STATUSES: &[&str] = &["draft", "sent_for_signature", "active"];

/// Statuses nothing moves on from (an expired contract may still be renewed).
pub const FINAL_STATUSES: &[&str] = &["expired", "renewed", "terminated"];

/// Statuses from which a contract can be renewed.
pub const RENEWABLE: &[&str] = &["active", "expiring", "expired"];

pub const FREQUENCIES: &[&str] = &["one_time", "monthly", "quarterly", "yearly"];

/// The terms: fixed once the contract leaves the draft status.
pub const TERMS: &[&str] = &[
    "name",
    "company_id",
    "contact_id",
    "deal_id",
    "quote_id",
    "start_date",
    "end_date",
    "value_minor",
    "currency",
    "billing_frequency",
    "terms",
];

pub const DEFAULT_NOTICE_DAYS: i64 = 30;
pub const MAX_NOTICE_DAYS: i64 = 365;

const BY_ACTION: &str = "set by the contract's actions (renew, terminate) and its daily job";

pub const FIELDS: &[FieldSpec] = field_list!([
    FieldSpec::new("number", FieldKind::Text { max: 20 })
        .indexed()
        .title()
        .listed()
        .derived("contracts are numbered when created (CT-2026-0001); a renewal keeps the number"),
    FieldSpec::new("name", FieldKind::Text { max: 200 }).required().title().listed(),
    FieldSpec::new("status", FieldKind::Enum(STATUSES)).indexed().listed().label("contract.field.status").help(),
    FieldSpec::new("company_id", FieldKind::Ref("company")).required().indexed().listed(),
    FieldSpec::new("contact_id", FieldKind::Ref("contact")).indexed().label("contract.field.contact_id"),
    FieldSpec::new("deal_id", FieldKind::Ref("deal")).indexed(),
    FieldSpec::new("quote_id", FieldKind::Ref("quote")).indexed().label("contract.field.quote_id"),
    FieldSpec::new("start_date", FieldKind::Date).required().indexed().label("contract.field.start_date"),
    FieldSpec::new("end_date", FieldKind::Date).required().indexed().listed().label("contract.field.end_date"),
    FieldSpec::new("value_minor", FieldKind::Integer { min: 0, max: Money::MAX_ABS_MINOR })
        .indexed()
        .listed()
        .label("contract.field.value"),
    FieldSpec::new("currency", FieldKind::Currency).required(),
    FieldSpec::new("billing_frequency", FieldKind::Enum(FREQUENCIES))
        .indexed()
        .label("contract.field.billing_frequency"),
    FieldSpec::new("signed_on", FieldKind::Date).label("contract.field.signed_on"),
    FieldSpec::new("auto_renew", FieldKind::Bool).indexed().label("contract.field.auto_renew").help().group("details"),
    FieldSpec::new("renewal_notice_days", FieldKind::Integer { min: 0, max: MAX_NOTICE_DAYS })
        .label("contract.field.renewal_notice_days")
        .help()
        .group("details"),
    FieldSpec::new("terminated_on", FieldKind::Date).label("contract.field.terminated_on").group("details"),
    FieldSpec::new("terms", FieldKind::LongText).body().label("contract.field.terms").group("details"),
    FieldSpec::new("notes", FieldKind::LongText).body().group("details"),
    FieldSpec::new("version_number", FieldKind::Integer { min: 1, max: 10_000 })
        .label("contract.field.version")
        .group("system")
        .derived(BY_ACTION),
    FieldSpec::new("previous_contract_id", FieldKind::Ref("contract"))
        .indexed()
        .label("contract.field.previous_contract_id")
        .group("system")
        .derived(BY_ACTION),
    FieldSpec::new("reminder_activity_id", FieldKind::Ref("activity"))
        .label("contract.field.reminder_activity_id")
        .group("system")
        .derived(BY_ACTION),
]);

pub static KIND: RecordKind = RecordKind {
    name: "contract",
    plural: "contracts",
    fields: FIELDS,
    display_name: &["number", "name"],
    duplicate_key: None,
    import_aliases: &[],
    rules: &Contract,
    example: || {
        json!({
            "name": "Suporte anual", "company_id": "0190b5e4-8f7a-7cc0-9a3e-3f1f2b4c5d6e",
            "start_date": "2026-01-01", "end_date": "2026-12-31", "value_minor": 1_200_000, "currency": "BRL",
            "billing_frequency": "monthly", "auto_renew": false, "renewal_notice_days": 30,
        })
    },
};

impl RecordType {
    pub const CONTRACT: RecordType = RecordType::of(&KIND);
}

pub const NUMBERING: Numbering = Numbering { field: "number", prefix: "CT" };

const END_AFTER_START: CrossFieldRule =
    CrossFieldRule { field: "end_date", code: "contract_end_not_after_start", rule: "a contract ends after it starts" };

const STATUS_MOVES_ON: CrossFieldRule = CrossFieldRule {
    field: "status",
    code: "invalid_transition",
    rule: "created as draft, sent_for_signature or active; draft → sent_for_signature, active or terminated; \
           sent_for_signature → draft, active or terminated; active and expiring → terminated; expiring, \
           expired and renewed are set by Rapport",
};

const TERMS_FIXED: CrossFieldRule = CrossFieldRule {
    field: "status",
    code: "contract_not_editable",
    rule: "the terms of a contract sent for signature or signed do not change (409): move it back to draft \
           before signature, or renew it",
};

/// A contract needs a stored company: one the caller cannot see is refused
/// (the generic check of references, stated for the document).
const WITH_A_STORED_COMPANY: CrossFieldRule = CrossFieldRule {
    field: "company_id",
    code: "unknown_reference",
    rule: "a contract is with a company that exists and that the caller can see",
};

struct Contract;

impl KindRules for Contract {
    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[WITH_A_STORED_COMPANY, END_AFTER_START, STATUS_MOVES_ON, TERMS_FIXED]
    }

    fn numbering(&self) -> Option<Numbering> {
        Some(NUMBERING)
    }

    fn paired_indexes(&self) -> &'static [(&'static str, &'static str)] {
        // The daily job walks the contracts in force by their end date.
        &[("status", "end_date")]
    }

    fn before_write(&self, write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
        let today = write.now.date_naive();
        let old_status = write.old.and_then(|o| text(o, "status")).map(str::to_owned);
        let fields = &mut *write.fields;
        for (key, default) in [
            ("status", json!("draft")),
            ("version_number", json!(1)),
            ("auto_renew", json!(false)),
            ("renewal_notice_days", json!(DEFAULT_NOTICE_DAYS)),
            ("billing_frequency", json!("monthly")),
        ] {
            if is_blank(fields, key) {
                fields.insert(key.into(), default);
            }
        }
        let status = text(fields, "status").unwrap_or("draft").to_owned();
        // The services' own writes (renew, terminate, the daily job) come
        // with no client input; a client's create or edit has some.
        let by_client = !write.input.is_empty();
        match (write.old, old_status.as_deref()) {
            (None, _) if by_client && !INITIAL_STATUSES.contains(&status.as_str()) => {
                return Err(invalid_move("new", &status));
            }
            (Some(old), Some(from)) if by_client => {
                if from != status && !can_move(from, &status) {
                    return Err(invalid_move(from, &status));
                }
                if from != "draft" {
                    if let Some(field) = TERMS.iter().find(|k| old.get(**k) != fields.get(**k)) {
                        return Err(DomainError::Conflict {
                            code: "contract_not_editable",
                            message: format!(
                                "the terms of a contract that is {from} do not change ({field}): move it back to \
                                 draft before signature, or renew it"
                            ),
                        });
                    }
                }
            }
            _ => {}
        }
        let day = json!(today.format("%Y-%m-%d").to_string());
        if status == "active" && old_status.as_deref() != Some("active") && is_blank(fields, "signed_on") {
            fields.insert("signed_on".into(), day.clone());
        }
        if status == "terminated" && is_blank(fields, "terminated_on") {
            fields.insert("terminated_on".into(), day);
        }
        Ok(())
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let (Some(start), Some(end)) = (date(record, "start_date"), date(record, "end_date")) {
            if end <= start {
                let rule = END_AFTER_START;
                errors.push(FieldError::new(rule.field, rule.code, rule.rule));
            }
        }
        errors.into_result()
    }
}

fn invalid_move(from: &str, to: &str) -> DomainError {
    let rule = STATUS_MOVES_ON;
    DomainError::Validation(
        FieldError::new(rule.field, rule.code, format!("a contract cannot go from {from} to {to}"))
            .with("from", from)
            .with("to", to)
            .into(),
    )
}

fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields.get(key).and_then(Value::as_str)
}

/// A date field's value.
pub fn date(fields: &Map<String, Value>, key: &str) -> Option<NaiveDate> {
    text(fields, key).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// Whether a person may move a contract from one status to another.
pub fn can_move(from: &str, to: &str) -> bool {
    TRANSITIONS.iter().any(|(status, next)| *status == from && next.contains(&to))
}

/// The statuses a person may move a contract in `from` to.
pub fn next_statuses(from: &str) -> &'static [&'static str] {
    TRANSITIONS.iter().find(|(status, _)| *status == from).map_or(&[], |(_, next)| next)
}

/// Whether a contract in this status can be renewed; the conflict otherwise.
pub fn check_renewable(status: &str) -> Result<(), DomainError> {
    match status {
        s if RENEWABLE.contains(&s) => Ok(()),
        "renewed" => Err(DomainError::Conflict {
            code: "contract_already_renewed",
            message: "this contract version was renewed already: open its newer version".into(),
        }),
        _ => Err(DomainError::Conflict {
            code: "contract_not_renewable",
            message: format!("a contract that is {status} is not renewed: only active, expiring or expired ones"),
        }),
    }
}

/// Whether a contract in this status can be terminated; the conflict otherwise.
pub fn check_terminable(status: &str) -> Result<(), DomainError> {
    if can_move(status, "terminated") {
        Ok(())
    } else {
        Err(DomainError::Conflict {
            code: "contract_not_terminable",
            message: format!("a contract that is {status} cannot be terminated"),
        })
    }
}

/// The next term of a contract from `start` to `end` (both included): it
/// starts the day after `end` and lasts as long: the same number of whole
/// months when the term is whole months (a year from 1 January is the next
/// calendar year, leap or not), otherwise the same number of days.
pub fn renewal_term(start: NaiveDate, end: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let next_start = end.succ_opt()?;
    let months = (next_start.year() - start.year()) * 12 + next_start.month() as i32 - start.month() as i32;
    let whole_months = months > 0
        && u32::try_from(months).ok().and_then(|m| start.checked_add_months(Months::new(m))) == Some(next_start);
    let next_end = if whole_months {
        next_start.checked_add_months(Months::new(months as u32))?.pred_opt()?
    } else {
        next_start.checked_add_signed(next_start.signed_duration_since(start))?.pred_opt()?
    };
    Some((next_start, next_end))
}

/// What the daily job does to one contract today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DailyOutcome {
    /// The status it moves to, when it changes.
    pub status: Option<&'static str>,
    /// The renewal reminder is due and was not created yet.
    pub remind: bool,
    /// It renews itself today.
    pub renew: bool,
}

/// The day the renewal notice starts: `renewal_notice_days` before the end.
pub fn notice_date(fields: &Map<String, Value>) -> Option<NaiveDate> {
    let end = date(fields, "end_date")?;
    let days = fields.get("renewal_notice_days").and_then(Value::as_i64).unwrap_or(DEFAULT_NOTICE_DAYS);
    end.checked_sub_signed(chrono::Duration::days(days.clamp(0, MAX_NOTICE_DAYS)))
}

/// The daily job's decision for a contract: active ones become expiring
/// within their notice and expired after their end date; the reminder is
/// due from the notice date, once per version; auto-renewing ones renew on
/// their end date (or the first run after it) instead of expiring.
pub fn daily(fields: &Map<String, Value>, today: NaiveDate) -> DailyOutcome {
    let status = text(fields, "status").unwrap_or_default();
    let (Some(end), Some(notice)) = (date(fields, "end_date"), notice_date(fields)) else {
        return DailyOutcome::default();
    };
    if !matches!(status, "active" | "expiring") {
        return DailyOutcome::default();
    }
    let auto_renew = fields.get("auto_renew").and_then(Value::as_bool).unwrap_or(false);
    if auto_renew && today >= end {
        return DailyOutcome { status: None, remind: false, renew: true };
    }
    let next = if today > end {
        "expired"
    } else if today >= notice {
        "expiring"
    } else {
        "active"
    };
    DailyOutcome {
        status: (next != status).then_some(next),
        remind: today >= notice && today <= end && is_blank(fields, "reminder_activity_id"),
        renew: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    fn contract(status: &str, end: &str, notice: i64, auto_renew: bool) -> Map<String, Value> {
        json!({"status": status, "start_date": "2026-01-01", "end_date": end, "renewal_notice_days": notice,
            "auto_renew": auto_renew})
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    #[test]
    fn a_term_of_whole_months_renews_for_the_same_months_and_others_for_the_same_days() {
        assert_eq!(renewal_term(day("2026-01-01"), day("2026-12-31")), Some((day("2027-01-01"), day("2027-12-31"))));
        assert_eq!(renewal_term(day("2027-03-01"), day("2028-02-29")), Some((day("2028-03-01"), day("2029-02-28"))));
        assert_eq!(renewal_term(day("2026-01-15"), day("2026-04-14")), Some((day("2026-04-15"), day("2026-07-14"))));
        // Ten days: the next ten days.
        assert_eq!(renewal_term(day("2026-01-01"), day("2026-01-10")), Some((day("2026-01-11"), day("2026-01-20"))));
    }

    #[test]
    fn numbers_have_the_prefix_year_and_four_digits() {
        assert_eq!(NUMBERING.format(2026, 1), "CT-2026-0001");
    }

    #[test]
    fn people_move_contracts_forward_and_final_statuses_stay() {
        assert!(can_move("draft", "sent_for_signature"));
        assert!(can_move("sent_for_signature", "draft"));
        assert!(can_move("expiring", "terminated"));
        assert!(!can_move("active", "expired"), "the job expires contracts, not people");
        assert!(!can_move("active", "renewed"), "renewing is an action");
        for final_status in FINAL_STATUSES {
            assert!(next_statuses(final_status).is_empty());
        }
        for (status, next) in TRANSITIONS {
            assert!(STATUSES.contains(status));
            assert!(next.iter().all(|n| STATUSES.contains(n)));
        }
        assert!(check_renewable("expired").is_ok());
        assert!(matches!(
            check_renewable("renewed"),
            Err(DomainError::Conflict { code: "contract_already_renewed", .. })
        ));
        assert!(check_renewable("draft").is_err());
        assert!(check_terminable("terminated").is_err());
    }

    #[test]
    fn the_daily_job_expires_warns_and_renews_by_the_dates() {
        let active = contract("active", "2026-12-31", 30, false);
        assert_eq!(daily(&active, day("2026-11-30")), DailyOutcome::default());
        let warned = DailyOutcome { status: Some("expiring"), remind: true, renew: false };
        assert_eq!(daily(&active, day("2026-12-01")), warned);
        let expiring = contract("expiring", "2026-12-31", 30, false);
        assert_eq!(daily(&expiring, day("2026-12-31")), DailyOutcome { status: None, remind: true, renew: false });
        assert_eq!(daily(&expiring, day("2027-01-01")), DailyOutcome { status: Some("expired"), ..Default::default() });
        let mut reminded = expiring.clone();
        reminded.insert("reminder_activity_id".into(), json!("0190b5e4-8f7a-7cc0-9a3e-3f1f2b4c5d6e"));
        assert_eq!(daily(&reminded, day("2026-12-15")), DailyOutcome::default());
        let auto = contract("expiring", "2026-12-31", 30, true);
        assert_eq!(daily(&auto, day("2026-12-31")), DailyOutcome { status: None, remind: false, renew: true });
        assert_eq!(daily(&contract("draft", "2026-01-02", 30, false), day("2027-01-01")), DailyOutcome::default());
    }
}
