//! Products' prices per currency and configurable options, and the price of
//! a configured product. Pure functions: storage loads the products, quotes
//! call [`configure`] for each line that names one.
//!
//! # Prices
//!
//! A product has one price per currency (`{"BRL": 120000, "USD": 25000}`, in
//! minor units): small teams price per currency, not per customer segment,
//! so a separate price-list entity would be one more screen for no gain. A
//! quote in a currency the product has no price for is an error on its line.
//!
//! # Options
//!
//! Options come in groups ("Size: S/M/L" single choice, "Add-ons: Support,
//! Training" multiple choice). Each option adjusts the price by an
//! **absolute amount per currency** (which may be negative), never by a
//! percentage: amounts add up the same in any order, a salesperson can
//! check them by hand, and each currency is priced on purpose. Rules between
//! options: one *requires* another, or *excludes* it (both ways).
//!
//! Unit price = base price + Σ adjustments of the chosen options, in the
//! quote's currency. The sum does not depend on the order the options were
//! chosen in (property-tested below).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::values::money::whole_number_in;
use crate::values::{Currency, Money};
use crate::{FieldError, ValidationErrors};

/// More than a person would configure; keeps validation cheap.
pub const MAX_GROUPS: usize = 20;
pub const MAX_OPTIONS_PER_GROUP: usize = 50;
pub const MAX_RULES: usize = 200;
const MAX_CODE_CHARS: usize = 40;
const MAX_LABEL_CHARS: usize = 100;

/// Amounts per currency code (upper case), in minor units.
pub type Prices = BTreeMap<String, i64>;

/// Reads `{"BRL": 120000, "USD": 25000}`: ISO currency codes to amounts.
/// `allow_negative` is for option adjustments; a product's price is ≥ 0.
pub fn parse_prices(value: &Value, allow_negative: bool) -> Result<Prices, FieldError> {
    let object = value
        .as_object()
        .ok_or_else(|| FieldError::new("", "wrong_type", "expected prices by currency, e.g. {\"BRL\": 120000}"))?;
    let floor = if allow_negative { -Money::MAX_ABS_MINOR } else { 0 };
    let mut prices = Prices::new();
    for (code, amount) in object {
        let currency = Currency::parse(code).map_err(|e| e.nested(code))?;
        let amount = whole_number_in(amount, floor..=Money::MAX_ABS_MINOR).map_err(|e| e.nested(code))?;
        prices.insert(currency.code().to_owned(), amount);
    }
    Ok(prices)
}

pub fn prices_json(prices: &Prices) -> Value {
    Value::Object(prices.iter().map(|(c, a)| (c.clone(), Value::from(*a))).collect())
}

/// The validated, normalised form of a product's `prices` field.
pub fn normalize_prices(value: &Value) -> Result<Value, FieldError> {
    parse_prices(value, false).map(|p| prices_json(&p))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionChoice {
    pub code: String,
    pub label: String,
    /// Adjustment of the unit price per currency.
    pub prices: Prices,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionGroup {
    pub code: String,
    pub label: String,
    /// Several options of the group may be chosen (add-ons), or one (size).
    pub multiple: bool,
    /// One option of the group must be chosen.
    pub required: bool,
    pub options: Vec<OptionChoice>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Requires,
    Excludes,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requires => "requires",
            Self::Excludes => "excludes",
        }
    }
}

/// `option` requires (or excludes) `other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionRule {
    pub option: String,
    pub kind: RuleKind,
    pub other: String,
}

/// A product's option groups and the rules between their options. Option
/// codes are unique across the product, so rules and quote lines name an
/// option by its code alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductOptions {
    pub groups: Vec<OptionGroup>,
    pub rules: Vec<OptionRule>,
}

impl ProductOptions {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    fn option(&self, code: &str) -> Option<(&OptionGroup, &OptionChoice)> {
        self.groups.iter().find_map(|g| g.options.iter().find(|o| o.code == code).map(|o| (g, o)))
    }

    /// The stored JSON shape, as [`parse_options`] reads it.
    pub fn to_json(&self) -> Value {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|g| {
                let options: Vec<Value> = g
                    .options
                    .iter()
                    .map(|o| json!({"code": o.code, "label": o.label, "prices": prices_json(&o.prices)}))
                    .collect();
                json!({"code": g.code, "label": g.label, "multiple": g.multiple, "required": g.required, "options": options})
            })
            .collect();
        let rules: Vec<Value> =
            self.rules.iter().map(|r| json!({"option": r.option, "kind": r.kind.as_str(), "other": r.other})).collect();
        json!({"groups": groups, "rules": rules})
    }
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, FieldError> {
    value.as_object().ok_or_else(|| FieldError::new("", "wrong_type", format!("expected {what}")))
}

fn list<'a>(object: &'a Map<String, Value>, key: &str, max: usize) -> Result<&'a [Value], FieldError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) if items.len() <= max => Ok(items),
        Some(Value::Array(_)) => Err(FieldError::new(key, "too_many", format!("at most {max}")).with("max", max)),
        Some(_) => Err(FieldError::new(key, "wrong_type", "expected a list")),
    }
}

fn only_keys(object: &Map<String, Value>, allowed: &[&str]) -> Result<(), FieldError> {
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(FieldError::new(key.clone(), "unknown_field", format!("unknown key '{key}'"))),
        None => Ok(()),
    }
}

/// A code: 1 to 40 of `a-z`, `0-9`, `_`, `-` (lower-cased).
fn code(object: &Map<String, Value>, key: &str) -> Result<String, FieldError> {
    let text = object.get(key).and_then(Value::as_str).map(str::trim).unwrap_or_default().to_lowercase();
    if text.is_empty() {
        return Err(FieldError::required(key));
    }
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    if text.chars().count() > MAX_CODE_CHARS || !text.chars().all(valid) {
        return Err(FieldError::new(key, "invalid_code", "use 1 to 40 letters a-z, digits, '-' or '_'"));
    }
    Ok(text)
}

fn label(object: &Map<String, Value>, key: &str) -> Result<String, FieldError> {
    let text = object.get(key).and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(FieldError::required(key));
    }
    if text.chars().count() > MAX_LABEL_CHARS {
        return Err(FieldError::new(key, "too_long", format!("at most {MAX_LABEL_CHARS} characters"))
            .with("max", MAX_LABEL_CHARS));
    }
    Ok(text.to_owned())
}

fn flag(object: &Map<String, Value>, key: &str) -> Result<bool, FieldError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(FieldError::new(key, "wrong_type", "expected true or false")),
    }
}

/// A group's own keys: object, code (new among `seen`), label, flags.
fn group_head<'a>(
    item: &'a Value,
    seen: &mut Vec<String>,
) -> Result<(&'a Map<String, Value>, OptionGroup), FieldError> {
    let o = object(item, "an option group")?;
    only_keys(o, &["code", "label", "multiple", "required", "options"])?;
    let code = code(o, "code")?;
    if seen.contains(&code) {
        return Err(FieldError::new("code", "duplicate_code", "another group has this code").with("code", &code));
    }
    seen.push(code.clone());
    let group = OptionGroup {
        code,
        label: label(o, "label")?,
        multiple: flag(o, "multiple")?,
        required: flag(o, "required")?,
        options: Vec::new(),
    };
    Ok((o, group))
}

fn choice(item: &Value, seen: &mut Vec<String>) -> Result<OptionChoice, FieldError> {
    let o = object(item, "an option")?;
    only_keys(o, &["code", "label", "prices"])?;
    let code = code(o, "code")?;
    if seen.contains(&code) {
        return Err(FieldError::new("code", "duplicate_code", "another option has this code").with("code", &code));
    }
    seen.push(code.clone());
    let prices = match o.get("prices") {
        None | Some(Value::Null) => Prices::new(),
        Some(p) => parse_prices(p, true).map_err(|e| e.nested("prices"))?,
    };
    Ok(OptionChoice { code, label: label(o, "label")?, prices })
}

fn rule(item: &Value, options: &[String]) -> Result<OptionRule, FieldError> {
    let o = object(item, "a rule")?;
    only_keys(o, &["option", "kind", "other"])?;
    let (option, other) = (code(o, "option")?, code(o, "other")?);
    let kind = match o.get("kind").and_then(Value::as_str) {
        Some("requires") => RuleKind::Requires,
        Some("excludes") => RuleKind::Excludes,
        _ => return Err(FieldError::new("kind", "invalid_choice", "must be one of: requires, excludes")),
    };
    for (key, code) in [("option", &option), ("other", &other)] {
        if !options.contains(code) {
            return Err(
                FieldError::new(key, "unknown_option", "no option of the product has this code").with("code", code)
            );
        }
    }
    if option == other {
        return Err(FieldError::new("other", "self_reference", "an option cannot require or exclude itself"));
    }
    Ok(OptionRule { option, kind, other })
}

/// Reads a product's options:
/// `{"groups": [{"code", "label", "multiple", "required", "options": [{"code", "label", "prices"}]}],
///   "rules": [{"option", "kind": "requires"|"excludes", "other"}]}`.
/// Every problem is reported, with its path (`groups[0].options[1].code`).
pub fn parse_options(value: &Value) -> Result<ProductOptions, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let root = object(value, "{\"groups\": [...], \"rules\": [...]}")?;
    only_keys(root, &["groups", "rules"])?;
    let mut options = ProductOptions::default();
    let mut seen_groups: Vec<String> = Vec::new();
    let mut seen_options: Vec<String> = Vec::new();
    for (g, item) in list(root, "groups", MAX_GROUPS)?.iter().enumerate() {
        let path = format!("groups[{g}]");
        let (o, mut group) = match group_head(item, &mut seen_groups) {
            Ok(head) => head,
            Err(e) => {
                errors.push(e.nested(&path));
                continue;
            }
        };
        let items = match list(o, "options", MAX_OPTIONS_PER_GROUP) {
            Ok(items) => items,
            Err(e) => {
                errors.push(e.nested(&path));
                continue;
            }
        };
        if items.is_empty() {
            errors.push(FieldError::new("options", "required", "a group needs at least one option").nested(&path));
        }
        for (i, item) in items.iter().enumerate() {
            match choice(item, &mut seen_options) {
                Ok(choice) => group.options.push(choice),
                Err(e) => errors.push(e.nested(&format!("{path}.options[{i}]"))),
            }
        }
        options.groups.push(group);
    }
    for (r, item) in list(root, "rules", MAX_RULES)?.iter().enumerate() {
        match rule(item, &seen_options) {
            Ok(rule) => options.rules.push(rule),
            Err(e) => errors.push(e.nested(&format!("rules[{r}]"))),
        }
    }
    errors.into_result().map(|()| options)
}

/// The validated, normalised form of a product's `options` field; the first
/// problem only, as other fields report one error each.
pub fn normalize_options(value: &Value) -> Result<Value, FieldError> {
    parse_options(value)
        .map(|o| o.to_json())
        .map_err(|e| e.0.into_iter().next().unwrap_or_else(|| FieldError::new("", "invalid", "invalid options")))
}

/// A code made from a label ("Suporte 24×7" → `suporte-24-7`), for forms
/// that ask people for labels only; empty when the label has no letter or digit.
pub fn code_from_label(label: &str) -> String {
    let folded = crate::text::fold_for_search(label);
    let mut code = String::new();
    for c in folded.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            code.push(c);
        } else if !code.is_empty() && !code.ends_with('-') {
            code.push('-');
        }
    }
    let code: String = code.trim_end_matches('-').chars().take(MAX_CODE_CHARS).collect();
    code.trim_end_matches('-').to_owned()
}

/// What a quote needs of a product to price a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedProduct {
    pub id: Uuid,
    pub name: String,
    pub active: bool,
    pub prices: Prices,
    pub tax_rate_bp: i64,
    pub options: ProductOptions,
}

/// A product with its chosen options, priced in one currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Configured {
    pub product_name: String,
    pub unit_price_minor: i64,
    pub currency: String,
    /// The chosen option codes, in the product's order, without repeats.
    pub options: Vec<String>,
    /// "Product (Plan: Pro; Add-ons: Support)", the line's default description.
    pub description: String,
    pub tax_rate_bp: i64,
}

/// Checks a choice of options against the product's groups and rules and
/// prices it in `currency`. Every broken rule is reported; error paths are
/// relative to a quote line (`options`, `product_id`).
pub fn configure(product: &PricedProduct, currency: &str, chosen: &[String]) -> Result<Configured, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !product.active {
        errors.push(
            FieldError::new("product_id", "product_inactive", "the product is no longer sold")
                .with("product", &product.name),
        );
    }
    let mut picked: Vec<&str> = Vec::new();
    for code in chosen {
        let code = code.trim();
        if product.options.option(code).is_none() {
            errors.push(
                FieldError::new("options", "unknown_option", "the product has no such option").with("option", code),
            );
        } else if !picked.contains(&code) {
            picked.push(code);
        }
    }
    let label_of = |code: &str| product.options.option(code).map_or(code.to_owned(), |(_, o)| o.label.clone());
    for group in &product.options.groups {
        let in_group = group.options.iter().filter(|o| picked.contains(&o.code.as_str())).count();
        if in_group == 0 && group.required {
            errors.push(
                FieldError::new("options", "option_required", "choose an option of this group")
                    .with("group", &group.label),
            );
        }
        if in_group > 1 && !group.multiple {
            errors.push(
                FieldError::new("options", "one_option_only", "only one option of this group may be chosen")
                    .with("group", &group.label),
            );
        }
    }
    for rule in &product.options.rules {
        let (has_option, has_other) = (picked.contains(&rule.option.as_str()), picked.contains(&rule.other.as_str()));
        match rule.kind {
            RuleKind::Requires if has_option && !has_other => errors.push(
                FieldError::new("options", "option_requires", "this option needs another one")
                    .with("option", label_of(&rule.option))
                    .with("other", label_of(&rule.other)),
            ),
            RuleKind::Excludes if has_option && has_other => errors.push(
                FieldError::new("options", "option_excludes", "these options cannot be chosen together")
                    .with("option", label_of(&rule.option))
                    .with("other", label_of(&rule.other)),
            ),
            _ => {}
        }
    }
    let mut price = match product.prices.get(currency) {
        Some(price) => i128::from(*price),
        None => {
            errors.push(
                FieldError::new("product_id", "currency_not_priced", "the product has no price in this currency")
                    .with("product", &product.name)
                    .with("currency", currency),
            );
            0
        }
    };
    let mut ordered = Vec::new();
    let mut summary = Vec::new();
    for group in &product.options.groups {
        let labels: Vec<&str> = group
            .options
            .iter()
            .filter(|o| picked.contains(&o.code.as_str()))
            .map(|o| {
                ordered.push(o.code.clone());
                match o.prices.get(currency) {
                    Some(adjustment) => price += i128::from(*adjustment),
                    // An option at no extra cost still names the currency (0),
                    // so a forgotten price is an error, not a free add-on.
                    None => errors.push(
                        FieldError::new("options", "option_not_priced", "an option has no price in this currency")
                            .with("option", &o.label)
                            .with("currency", currency),
                    ),
                }
                o.label.as_str()
            })
            .collect();
        if !labels.is_empty() {
            summary.push(format!("{}: {}", group.label, labels.join(", ")));
        }
    }
    if errors.is_empty() && !(0..=i128::from(Money::MAX_ABS_MINOR)).contains(&price) {
        errors.push(FieldError::new(
            "options",
            "price_out_of_range",
            "the options bring the price below zero or too high",
        ));
    }
    errors.into_result()?;
    let description =
        if summary.is_empty() { product.name.clone() } else { format!("{} ({})", product.name, summary.join("; ")) };
    Ok(Configured {
        product_name: product.name.clone(),
        unit_price_minor: i64::try_from(price).unwrap_or_default(),
        currency: currency.to_owned(),
        options: ordered,
        description,
        tax_rate_bp: product.tax_rate_bp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn laptop() -> PricedProduct {
        let options = parse_options(&json!({
            "groups": [
                {"code": "size", "label": "Size", "required": true, "options": [
                    {"code": "s", "label": "S", "prices": {"BRL": 0, "USD": 0}},
                    {"code": "l", "label": "L", "prices": {"BRL": 50000, "USD": 10000}},
                ]},
                {"code": "plan", "label": "Plan", "options": [
                    {"code": "basic", "label": "Basic", "prices": {"BRL": -10000, "USD": -2000}},
                    {"code": "pro", "label": "Pro", "prices": {"BRL": 30000}},
                ]},
                {"code": "addons", "label": "Add-ons", "multiple": true, "options": [
                    {"code": "support", "label": "Support", "prices": {"BRL": 20000, "USD": 4000}},
                    {"code": "training", "label": "Training", "prices": {"BRL": 15000, "USD": 3000}},
                ]},
            ],
            "rules": [
                {"option": "training", "kind": "requires", "other": "pro"},
                {"option": "basic", "kind": "excludes", "other": "support"},
            ],
        }))
        .expect("valid options");
        PricedProduct {
            id: Uuid::from_u128(1),
            name: "Laptop".into(),
            active: true,
            prices: [("BRL".to_owned(), 500_000), ("USD".to_owned(), 100_000)].into(),
            tax_rate_bp: 1_800,
            options,
        }
    }

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn error_codes(result: Result<Configured, ValidationErrors>) -> Vec<(String, String)> {
        result.unwrap_err().0.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn price_is_the_base_plus_the_chosen_adjustments() {
        let c = configure(&laptop(), "BRL", &codes(&["support", "l", "pro", "training"])).unwrap();
        assert_eq!(c.unit_price_minor, 500_000 + 50_000 + 30_000 + 20_000 + 15_000);
        assert_eq!(c.options, codes(&["l", "pro", "support", "training"]));
        assert_eq!(c.description, "Laptop (Size: L; Plan: Pro; Add-ons: Support, Training)");
        assert_eq!(c.tax_rate_bp, 1_800);
        // A negative adjustment lowers the price.
        assert_eq!(configure(&laptop(), "USD", &codes(&["s", "basic"])).unwrap().unit_price_minor, 98_000);
    }

    #[test]
    fn requires_and_excludes_are_enforced() {
        assert_eq!(
            error_codes(configure(&laptop(), "BRL", &codes(&["s", "training"]))),
            [("options".to_owned(), "option_requires".to_owned())]
        );
        let excluded = configure(&laptop(), "BRL", &codes(&["s", "basic", "support"])).unwrap_err();
        assert_eq!(excluded.0[0].code, "option_excludes");
        assert_eq!(excluded.0[0].params["option"], "Basic");
        assert_eq!(excluded.0[0].params["other"], "Support");
    }

    #[test]
    fn groups_limit_the_choices() {
        let errors = error_codes(configure(&laptop(), "BRL", &codes(&["basic", "pro"])));
        assert!(errors.contains(&("options".into(), "option_required".into())), "{errors:?}");
        assert!(errors.contains(&("options".into(), "one_option_only".into())), "{errors:?}");
        assert_eq!(
            error_codes(configure(&laptop(), "BRL", &codes(&["s", "turbo"]))),
            [("options".to_owned(), "unknown_option".to_owned())]
        );
        // The same option twice counts once.
        assert_eq!(configure(&laptop(), "BRL", &codes(&["s", "s"])).unwrap().options, codes(&["s"]));
    }

    #[test]
    fn a_currency_without_a_price_is_an_error() {
        assert_eq!(
            error_codes(configure(&laptop(), "EUR", &codes(&["s"]))),
            [
                ("product_id".to_owned(), "currency_not_priced".to_owned()),
                ("options".into(), "option_not_priced".into())
            ]
        );
        // The product is priced in USD, but the Pro plan is not.
        assert_eq!(
            error_codes(configure(&laptop(), "USD", &codes(&["s", "pro"]))),
            [("options".to_owned(), "option_not_priced".to_owned())]
        );
        let mut retired = laptop();
        retired.active = false;
        assert_eq!(
            error_codes(configure(&retired, "BRL", &codes(&["s"]))),
            [("product_id".to_owned(), "product_inactive".to_owned())]
        );
    }

    #[test]
    fn option_definitions_are_checked_with_their_paths() {
        let errors = parse_options(&json!({
            "groups": [
                {"code": "size", "label": "Size", "options": [{"code": "s", "label": "S", "prices": {"XYZ1": 1}}]},
                {"code": "Size", "label": "Again", "options": []},
                {"code": "plan", "label": "", "options": [{"code": "s", "label": "dup"}]},
                {"code": "extra", "label": "Extra", "options": [{"code": "a b", "label": "x"}]},
            ],
            "rules": [{"option": "s", "kind": "requires", "other": "zzz"}, {"option": "s", "kind": "likes", "other": "s"}],
        }))
        .unwrap_err();
        let found: Vec<(&str, &str)> = errors.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            found,
            [
                ("groups[0].options[0].prices.XYZ1", "invalid_currency"),
                ("groups[1].code", "duplicate_code"),
                ("groups[2].label", "required"),
                ("groups[3].options[0].code", "invalid_code"),
                ("rules[0].other", "unknown_option"),
                ("rules[1].kind", "invalid_choice"),
            ]
        );
    }

    #[test]
    fn codes_are_made_from_labels() {
        assert_eq!(code_from_label("Suporte 24×7"), "suporte-24-7");
        assert_eq!(code_from_label("  Plano Pró  "), "plano-pro");
        assert_eq!(code_from_label("¡!"), "");
        assert_eq!(code_from_label(&"a ".repeat(40)).len(), 39);
    }

    #[test]
    fn options_and_prices_round_trip_through_json() {
        let product = laptop();
        assert_eq!(parse_options(&product.options.to_json()).unwrap(), product.options);
        assert_eq!(normalize_prices(&json!({"brl": 100, "USD": 0})).unwrap(), json!({"BRL": 100, "USD": 0}));
        assert_eq!(normalize_prices(&json!({"BRL": -1})).unwrap_err().code, "out_of_range");
    }

    proptest! {
        #[test]
        fn the_price_does_not_depend_on_the_order_of_the_options(
            chosen in proptest::sample::subsequence(vec!["s", "l", "basic", "pro", "support", "training"], 0..=6)
                .prop_flat_map(|c| (Just(c.clone()), Just(c).prop_shuffle())),
            currency in proptest::sample::select(vec!["BRL", "USD", "EUR"]),
        ) {
            let (ordered, shuffled) = chosen;
            let a = configure(&laptop(), currency, &codes(&ordered));
            let b = configure(&laptop(), currency, &codes(&shuffled));
            match (a, b) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(a), Err(b)) => {
                    let (mut a, mut b) = (a.0, b.0);
                    a.sort_by(|x, y| (&x.code, &x.params).cmp(&(&y.code, &y.params)));
                    b.sort_by(|x, y| (&x.code, &x.params).cmp(&(&y.code, &y.params)));
                    prop_assert_eq!(a, b);
                }
                (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
            }
        }
    }
}
