//! Likely duplicates: which stored records a record may be the same person
//! or company as, how sure that is (a score from 0 to 100) and why.
//!
//! Exact keys (e-mail, E.164 phone, company domain, tax id) and a fuzzy name
//! (accents, case and legal suffixes ignored, token Jaro-Winkler) decide.
//! Candidates are found through blocking keys (`record_keys`) so that a
//! lookup among a million records reads a handful of index entries: the
//! keys are computed here, from the kind's [`DuplicateRules`].

use serde::Serialize;
use serde_json::{Map, Value};

use crate::schema::{FieldKind, RecordType};
use crate::text::{fold_for_search, is_word_char};

/// How a kind's records are compared, given by its descriptor's rules
/// (`KindRules::duplicates`).
#[derive(Debug, Clone, Copy)]
pub struct DuplicateRules {
    /// Fields whose words make the compared name.
    pub name: &'static [&'static str],
    /// The name is a legal entity's: suffixes such as "S.A." or "Ltda" are
    /// left out.
    pub organisation: bool,
    /// People's names are compared only among records with the same value
    /// of this field (their company).
    pub scope: Option<&'static str>,
    /// A tax id (CNPJ, CPF, NIF…), compared on its digits.
    pub tax_id: Option<&'static str>,
}

/// Why two records look like the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Email,
    Phone,
    Domain,
    TaxId,
    Name,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Domain => "domain",
            Self::TaxId => "tax_id",
            Self::Name => "name",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Email, Self::Phone, Self::Domain, Self::TaxId, Self::Name].into_iter().find(|r| r.as_str() == input)
    }

    /// The score of this reason alone.
    fn weight(self) -> u8 {
        match self {
            Self::Email | Self::TaxId => 100,
            Self::Phone => 90,
            Self::Domain => 80,
            Self::Name => 90,
        }
    }
}

/// A likely duplicate: how sure (0–100) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Likeness {
    pub score: u8,
    pub reasons: Vec<Reason>,
}

/// The `record_keys.kind` of blocking keys.
pub const TAX_ID_KEY: &str = "tax_id";
pub const NAME_BLOCK_KEY: &str = "name_block";

/// Two names are alike from this similarity up (0 to 1).
pub const NAME_THRESHOLD: f64 = 0.85;

/// Legal-form suffixes, as folded words, longest first within a prefix.
const LEGAL_SUFFIXES: &[&[&str]] = &[
    &["s", "a", "de", "c", "v"],
    &["sa", "de", "cv"],
    &["s", "de", "r", "l"],
    &["s", "a"],
    &["s", "l"],
    &["s", "r", "l"],
    &["s", "a", "s"],
    &["sa"],
    &["sl"],
    &["srl"],
    &["sas"],
    &["ltda"],
    &["ltd"],
    &["me"],
    &["epp"],
    &["eireli"],
    &["mei"],
    &["inc"],
    &["llc"],
    &["corp"],
    &["gmbh"],
    &["ag"],
    &["plc"],
    &["cia"],
];

/// The words of a name, folded (no accents, lower case).
pub fn name_words(name: &str) -> Vec<String> {
    fold_for_search(name).split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// A legal entity's name words without its legal-form suffixes ("Grupo Pão
/// de Açúcar S.A." → `grupo pao de acucar`); a name made only of one keeps it.
pub fn strip_legal_suffixes(mut words: Vec<String>) -> Vec<String> {
    loop {
        let found = LEGAL_SUFFIXES.iter().find(|suffix| {
            words.len() > suffix.len()
                && words[words.len() - suffix.len()..].iter().zip(suffix.iter()).all(|(w, s)| w == s)
        });
        match found {
            Some(suffix) => words.truncate(words.len() - suffix.len()),
            None => return words,
        }
    }
}

/// A tax id's digits, when it has enough of them to mean something.
pub fn tax_id_digits(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 5).then_some(digits)
}

/// How alike two names are, from 0 to 1: each word's best Jaro-Winkler
/// match in the other name, averaged both ways (so word order and a missing
/// middle name cost little).
pub fn name_similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let one_way = |from: &[String], to: &[String]| {
        let total: f64 = from.iter().map(|w| to.iter().map(|o| strsim::jaro_winkler(w, o)).fold(0.0, f64::max)).sum();
        total / from.len() as f64
    };
    (one_way(a, b) + one_way(b, a)) / 2.0
}

fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// The words of a record's compared name.
pub fn record_name(rules: &DuplicateRules, fields: &Map<String, Value>) -> Vec<String> {
    let joined = rules.name.iter().filter_map(|k| text(fields, k)).collect::<Vec<_>>().join(" ");
    let words = name_words(&joined);
    if rules.organisation { strip_legal_suffixes(words) } else { words }
}

/// The group a person's name is compared within (their company, folded and
/// without legal suffixes when it is a name).
fn scope_key(rules: &DuplicateRules, fields: &Map<String, Value>) -> Option<String> {
    let scope = text(fields, rules.scope?)?;
    let words = strip_legal_suffixes(name_words(scope));
    (!words.is_empty()).then(|| words.join(" "))
}

/// The blocking keys of a record besides e-mail, phone and domain: its tax
/// id's digits, and its name's block (a company's first name word; a
/// person's company and first name word).
pub fn blocking_keys(record_type: RecordType, fields: &Map<String, Value>) -> Vec<(&'static str, String)> {
    let Some(rules) = record_type.rules().duplicates() else { return Vec::new() };
    let mut keys = Vec::new();
    if let Some(tax_id) = rules.tax_id.and_then(|f| text(fields, f)).and_then(tax_id_digits) {
        keys.push((TAX_ID_KEY, tax_id));
    }
    let name = record_name(rules, fields);
    if let Some(first) = name.first() {
        match rules.scope {
            None => keys.push((NAME_BLOCK_KEY, first.clone())),
            Some(_) => {
                if let Some(scope) = scope_key(rules, fields) {
                    keys.push((NAME_BLOCK_KEY, format!("{scope}|{first}")));
                }
            }
        }
    }
    keys
}

/// E-mails (lower case), phones (E.164) and domains of a record, by the
/// kind of their fields.
pub fn exact_values(record_type: RecordType, fields: &Map<String, Value>) -> Vec<(Reason, String)> {
    let mut out = Vec::new();
    for spec in record_type.fields() {
        let reason = match spec.kind {
            FieldKind::Email | FieldKind::EmailList => Reason::Email,
            FieldKind::Phone | FieldKind::PhoneList => Reason::Phone,
            FieldKind::Domain => Reason::Domain,
            _ => continue,
        };
        match fields.get(spec.name) {
            Some(Value::String(s)) => out.push((reason, s.to_lowercase())),
            Some(Value::Array(items)) => {
                out.extend(items.iter().filter_map(Value::as_str).map(|s| (reason, s.to_lowercase())));
            }
            _ => {}
        }
    }
    if let Some(tax_id) = record_type.rules().duplicates().and_then(|r| r.tax_id).and_then(|f| text(fields, f)) {
        if let Some(digits) = tax_id_digits(tax_id) {
            out.push((Reason::TaxId, digits));
        }
    }
    out
}

/// Whether `b` looks like a duplicate of `a` (records of one kind), and how
/// sure: the strongest reason's score, plus 5 for each further reason.
pub fn compare(record_type: RecordType, a: &Map<String, Value>, b: &Map<String, Value>) -> Option<Likeness> {
    let mut reasons = Vec::new();
    let (ours, theirs) = (exact_values(record_type, a), exact_values(record_type, b));
    for (reason, value) in &ours {
        if !reasons.contains(reason) && theirs.iter().any(|(r, v)| r == reason && v == value) {
            reasons.push(*reason);
        }
    }
    let mut name_score = 0;
    if let Some(rules) = record_type.rules().duplicates() {
        let same_scope = rules.scope.is_none_or(|_| {
            let scope = scope_key(rules, a);
            scope.is_some() && scope == scope_key(rules, b)
        });
        if same_scope {
            let similarity = name_similarity(&record_name(rules, a), &record_name(rules, b));
            if similarity >= NAME_THRESHOLD {
                reasons.push(Reason::Name);
                name_score = (similarity * f64::from(Reason::Name.weight())).round() as u8;
            }
        }
    }
    if reasons.is_empty() {
        return None;
    }
    reasons.sort_unstable();
    let best = reasons.iter().map(|r| if *r == Reason::Name { name_score } else { r.weight() }).max().unwrap_or(0);
    let extra = 5 * (reasons.len() as u32 - 1);
    Some(Likeness { score: (u32::from(best) + extra).min(100) as u8, reasons })
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    }
}

/// The survivor's new values when `others` are merged into it: for each
/// field, the value of the record `choices` names (0 is the survivor, `i`
/// the `i`-th other); a field not chosen keeps the survivor's value, takes
/// the first other's when the survivor has none, and lists (e-mails,
/// phones, links) are joined. Only fields whose value changes are returned.
pub fn merged_fields(
    record_type: RecordType,
    survivor: &Map<String, Value>,
    others: &[&Map<String, Value>],
    choices: &std::collections::BTreeMap<String, usize>,
) -> Result<Map<String, Value>, crate::FieldError> {
    for (field, choice) in choices {
        let known = record_type.field(field).is_some_and(|spec| spec.derived.is_none());
        if !known {
            return Err(crate::FieldError::new(format!("fields.{field}"), "unknown_field", "no such field to choose"));
        }
        if *choice > others.len() {
            return Err(crate::FieldError::new(
                format!("fields.{field}"),
                "unknown_record",
                "the chosen record is not one of those merged",
            ));
        }
    }
    let mut patch = Map::new();
    for spec in record_type.fields().iter().filter(|s| s.derived.is_none()) {
        let current = survivor.get(spec.name);
        let value = match choices.get(spec.name) {
            Some(0) => continue,
            Some(i) => others[i - 1].get(spec.name).cloned().unwrap_or(Value::Null),
            None => match spec.kind {
                FieldKind::EmailList | FieldKind::PhoneList | FieldKind::RefList => {
                    let mut items: Vec<Value> = current.and_then(Value::as_array).cloned().unwrap_or_default();
                    for other in others {
                        for item in other.get(spec.name).and_then(Value::as_array).into_iter().flatten() {
                            // E-mails differ in case only when typed differently.
                            let same = |kept: &Value| match (kept.as_str(), item.as_str()) {
                                (Some(kept), Some(new)) => kept.eq_ignore_ascii_case(new),
                                _ => kept == item,
                            };
                            if !items.iter().any(same) {
                                items.push(item.clone());
                            }
                        }
                    }
                    Value::Array(items)
                }
                _ if is_blank(current) => match others.iter().map(|o| o.get(spec.name)).find(|v| !is_blank(*v)) {
                    Some(Some(value)) => value.clone(),
                    _ => continue,
                },
                _ => continue,
            },
        };
        if current.unwrap_or(&Value::Null) != &value && !(is_blank(current) && is_blank(Some(&value))) {
            patch.insert(spec.name.to_owned(), value);
        }
    }
    Ok(patch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(s: &str) -> Vec<String> {
        name_words(s)
    }

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn names_are_folded_into_words() {
        assert_eq!(words("José Ávila"), ["jose", "avila"]);
        assert_eq!(words("  PEÑA-Müller "), ["pena", "muller"]);
    }

    #[test]
    fn legal_suffixes_are_stripped_from_company_names() {
        let strip = |s: &str| strip_legal_suffixes(words(s)).join(" ");
        assert_eq!(strip("Grupo Pão de Açúcar S.A."), "grupo pao de acucar");
        assert_eq!(strip("Padaria Pão Quente Ltda."), "padaria pao quente");
        assert_eq!(strip("Comercial Silva ME"), "comercial silva");
        assert_eq!(strip("Transportes Lima EIRELI"), "transportes lima");
        assert_eq!(strip("Acme, Inc."), "acme");
        assert_eq!(strip("Acme LLC"), "acme");
        assert_eq!(strip("Müller GmbH"), "muller");
        assert_eq!(strip("Ibérica S.L."), "iberica");
        assert_eq!(strip("Cementos del Norte SA de CV"), "cementos del norte");
        assert_eq!(strip("Cementos del Norte S.A. de C.V."), "cementos del norte");
        // A name made only of a suffix keeps it.
        assert_eq!(strip("S.A."), "s a");
    }

    #[test]
    fn tax_ids_compare_on_their_digits() {
        assert_eq!(tax_id_digits("11.222.333/0001-81").as_deref(), Some("11222333000181"));
        assert_eq!(tax_id_digits("123.456.789-09").as_deref(), Some("12345678909"));
        assert_eq!(tax_id_digits("B-1234"), None);
    }

    #[test]
    fn similar_names_are_alike_and_different_ones_are_not() {
        let sim = |a: &str, b: &str| name_similarity(&words(a), &words(b));
        assert!((sim("José Ávila", "Jose Avila") - 1.0).abs() < 1e-9);
        assert!(sim("Ana Souza", "Ana Paula Souza") >= NAME_THRESHOLD);
        assert!(sim("Joao Silva", "Joao da Silva") >= NAME_THRESHOLD);
        assert!(sim("Ana Souza", "Carlos Pereira") < NAME_THRESHOLD);
        assert!(sim("Ana Souza", "Ana Lima") < NAME_THRESHOLD);
        assert_eq!(sim("", "Ana"), 0.0);
    }

    #[test]
    fn companies_with_the_same_name_but_suffix_are_duplicates() {
        let a = fields(json!({"name": "Grupo Pão de Açúcar"}));
        let b = fields(json!({"name": "Grupo Pao de Acucar S.A."}));
        let found = compare(RecordType::COMPANY, &a, &b).expect("alike");
        assert_eq!(found.reasons, [Reason::Name]);
        assert_eq!(found.score, 90);
        assert_eq!(blocking_keys(RecordType::COMPANY, &a), blocking_keys(RecordType::COMPANY, &b));
    }

    #[test]
    fn same_tax_id_and_domain_add_up() {
        let a = fields(json!({"name": "Acme", "tax_id": "11.222.333/0001-81", "domain": "acme.com"}));
        let b = fields(json!({"name": "Zeta", "tax_id": "11222333000181", "domain": "acme.com"}));
        let found = compare(RecordType::COMPANY, &a, &b).expect("alike");
        assert_eq!(found.reasons, [Reason::Domain, Reason::TaxId]);
        assert_eq!(found.score, 100);
        assert!(blocking_keys(RecordType::COMPANY, &a).contains(&(TAX_ID_KEY, "11222333000181".into())));
    }

    #[test]
    fn people_are_compared_by_name_only_within_one_company() {
        let company = "0190a4f0-0000-7000-8000-000000000001";
        let a = fields(json!({"first_name": "José", "last_name": "Ávila", "company_id": company}));
        let b = fields(json!({"first_name": "Jose", "last_name": "Avila", "company_id": company}));
        let elsewhere = fields(json!({"first_name": "Jose", "last_name": "Avila"}));
        assert_eq!(compare(RecordType::CONTACT, &a, &b).map(|l| l.reasons), Some(vec![Reason::Name]));
        assert_eq!(compare(RecordType::CONTACT, &a, &elsewhere), None);
        assert_eq!(
            blocking_keys(RecordType::CONTACT, &a),
            [(NAME_BLOCK_KEY, format!("{}|jose", company.replace('-', " ")))]
        );
        assert_eq!(blocking_keys(RecordType::CONTACT, &elsewhere), []);
    }

    #[test]
    fn same_email_or_phone_is_a_duplicate_whatever_the_name() {
        let a = fields(json!({"first_name": "Ana", "emails": ["Ana@Example.com"], "phones": ["+5511987654321"]}));
        let b = fields(json!({"first_name": "Beatriz", "emails": ["ana@example.com"]}));
        let c = fields(json!({"first_name": "Carla", "phones": ["+5511987654321"]}));
        assert_eq!(compare(RecordType::CONTACT, &a, &b), Some(Likeness { score: 100, reasons: vec![Reason::Email] }));
        assert_eq!(compare(RecordType::CONTACT, &a, &c), Some(Likeness { score: 90, reasons: vec![Reason::Phone] }));
    }

    #[test]
    fn a_merge_keeps_chosen_values_fills_blanks_and_joins_lists() {
        let survivor =
            fields(json!({"first_name": "Ana", "last_name": null, "job_title": "Buyer", "emails": ["a@x.com"]}));
        let other = fields(
            json!({"first_name": "Anna", "last_name": "Souza", "job_title": "CEO", "emails": ["b@x.com", "a@x.com"]}),
        );
        let choices = std::collections::BTreeMap::from([("job_title".to_owned(), 1)]);
        let patch = merged_fields(RecordType::CONTACT, &survivor, &[&other], &choices).expect("valid");
        assert_eq!(
            Value::Object(patch),
            json!({"last_name": "Souza", "job_title": "CEO", "emails": ["a@x.com", "b@x.com"]})
        );
        let bad = std::collections::BTreeMap::from([("nope".to_owned(), 1)]);
        assert!(merged_fields(RecordType::CONTACT, &survivor, &[&other], &bad).is_err());
        let out_of_range = std::collections::BTreeMap::from([("job_title".to_owned(), 2)]);
        assert!(merged_fields(RecordType::CONTACT, &survivor, &[&other], &out_of_range).is_err());
    }

    #[test]
    fn leads_compare_names_within_the_same_company_name() {
        let a = fields(json!({"first_name": "João", "last_name": "Silva", "company_name": "Transportes Silva Ltda"}));
        let b = fields(json!({"first_name": "Joao", "last_name": "Silva", "company_name": "transportes silva"}));
        assert!(compare(RecordType::LEAD, &a, &b).is_some());
        assert_eq!(blocking_keys(RecordType::LEAD, &a), blocking_keys(RecordType::LEAD, &b));
    }
}
