//! A product's prices and options, edited as one form: a price per
//! currency, option groups with each option's price adjustment in each of
//! those currencies, and the rules between options. People type labels;
//! codes are made from them (and kept once made, so rules stay right).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::configurator;
use rapport_core::schema::RecordType;
use rapport_core::{DomainError, FieldError};
use rapport_db::records::{self, Record};
use serde_json::{Map, Value, json};

use super::fields::{error_message, parse_decimal};
use super::records::{record_id, writer};
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, html};
use crate::state::AppState;

/// Blank rows offered for new prices, groups, options and rules.
const BLANK_PRICES: usize = 2;
const BLANK_OPTIONS: usize = 2;
const BLANK_RULES: usize = 2;

pub struct PriceRow {
    pub currency: String,
    pub amount: String,
}

pub struct OptionRow {
    pub code: String,
    pub label: String,
    /// The adjustment typed per currency, in the order of `currencies`.
    pub prices: Vec<(String, String)>,
}

pub struct GroupRow {
    pub code: String,
    pub label: String,
    pub multiple: bool,
    pub required: bool,
    pub options: Vec<OptionRow>,
}

pub struct RuleRow {
    pub option: String,
    pub kind: String,
    pub other: String,
}

#[derive(Template)]
#[template(path = "products/configure.html")]
struct ConfigurePage {
    frame: Frame,
    id: String,
    name: String,
    prices: Vec<PriceRow>,
    currencies: Vec<String>,
    groups: Vec<GroupRow>,
    rules: Vec<RuleRow>,
    /// Every option, as rules offer them: (code, "Group: Option").
    choices: Vec<(String, String)>,
    errors: Vec<String>,
}

/// The form as stored, with blank rows to add to it.
fn stored(product: &Record) -> (Vec<PriceRow>, Vec<GroupRow>, Vec<RuleRow>) {
    let currency_digits = |c: &str, amount: i64| rapport_core::values::money::plain_decimal(amount, c);
    let prices =
        product.fields.get("prices").and_then(|p| configurator::parse_prices(p, false).ok()).unwrap_or_default();
    let currencies: Vec<String> = prices.keys().cloned().collect();
    let options =
        rapport_core::records::product::priced(product.id.0, &product.fields).map(|p| p.options).unwrap_or_default();
    let price_rows =
        prices.iter().map(|(c, a)| PriceRow { currency: c.clone(), amount: currency_digits(c, *a) }).collect();
    let groups = options
        .groups
        .iter()
        .map(|g| GroupRow {
            code: g.code.clone(),
            label: g.label.clone(),
            multiple: g.multiple,
            required: g.required,
            options: g
                .options
                .iter()
                .map(|o| OptionRow {
                    code: o.code.clone(),
                    label: o.label.clone(),
                    prices: currencies
                        .iter()
                        .map(|c| (c.clone(), o.prices.get(c).map(|a| currency_digits(c, *a)).unwrap_or_default()))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let rules = options
        .rules
        .iter()
        .map(|r| RuleRow { option: r.option.clone(), kind: r.kind.as_str().to_owned(), other: r.other.clone() })
        .collect();
    (price_rows, groups, rules)
}

fn choices_of(groups: &[GroupRow]) -> Vec<(String, String)> {
    groups
        .iter()
        .flat_map(|g| {
            g.options
                .iter()
                .filter(|o| !o.code.is_empty())
                .map(move |o| (o.code.clone(), format!("{}: {}", g.label, o.label)))
        })
        .collect()
}

fn render(
    user: &WebUser,
    product: &Record,
    mut prices: Vec<PriceRow>,
    mut groups: Vec<GroupRow>,
    mut rules: Vec<RuleRow>,
    errors: &[FieldError],
    status: StatusCode,
) -> WebResult {
    let currencies: Vec<String> = prices.iter().map(|p| p.currency.clone()).filter(|c| !c.is_empty()).collect();
    let blank_prices = || currencies.iter().map(|c| (c.clone(), String::new())).collect::<Vec<_>>();
    let blank_option = || OptionRow { code: String::new(), label: String::new(), prices: blank_prices() };
    for group in &mut groups {
        group.options.extend((0..BLANK_OPTIONS).map(|_| blank_option()));
    }
    let choices = choices_of(&groups);
    groups.push(GroupRow {
        code: String::new(),
        label: String::new(),
        multiple: false,
        required: false,
        options: (0..BLANK_OPTIONS + 1).map(|_| blank_option()).collect(),
    });
    prices.extend((0..BLANK_PRICES).map(|_| PriceRow { currency: String::new(), amount: String::new() }));
    if !choices.is_empty() {
        rules.extend((0..BLANK_RULES).map(|_| RuleRow {
            option: String::new(),
            kind: "requires".into(),
            other: String::new(),
        }));
    }
    let errors = errors
        .iter()
        .map(|e| format!("{} — {}", e.field.replace("options.", ""), error_message(&user.tr, e)))
        .collect();
    let page = ConfigurePage {
        frame: user.frame("products", user.tr.t("product.configure")),
        id: product.id.0.to_string(),
        name: product.display_name(),
        prices,
        currencies,
        groups,
        rules,
        choices,
        errors,
    };
    Ok(html(status, &page))
}

pub async fn page(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let id = record_id(&user, &id)?;
    writer(&user)?;
    let product = records::get(&state.ctx, &user.actor, RecordType::PRODUCT, id).await.map_err(|e| user.fail(e))?;
    let (prices, groups, rules) = stored(&product);
    render(&user, &product, prices, groups, rules, &[], StatusCode::OK)
}

/// The value of a posted field, trimmed.
fn value<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().rev().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
}

/// Indexes of the rows posted under `prefix` (`price.` → 0, 1, …), in order.
fn indexes(form: &[(String, String)], prefix: &str) -> Vec<usize> {
    let mut found: Vec<usize> = form
        .iter()
        .filter_map(|(k, _)| k.strip_prefix(prefix)?.split('.').next()?.parse::<usize>().ok())
        .filter(|i| *i < 1_000)
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// The rows as posted; empty rows left out, codes made from labels.
fn posted(form: &[(String, String)]) -> (Vec<PriceRow>, Vec<GroupRow>, Vec<RuleRow>) {
    let prices: Vec<PriceRow> = indexes(form, "price.")
        .into_iter()
        .map(|i| PriceRow {
            currency: value(form, &format!("price.{i}.currency")).to_uppercase(),
            amount: value(form, &format!("price.{i}.amount")).to_owned(),
        })
        .filter(|p| !p.currency.is_empty() || !p.amount.is_empty())
        .collect();
    let currencies: Vec<String> = prices.iter().map(|p| p.currency.clone()).collect();
    let mut groups = Vec::new();
    for g in indexes(form, "group.") {
        let at = |field: &str| format!("group.{g}.{field}");
        let label = value(form, &at("label")).to_owned();
        if label.is_empty() || value(form, &at("remove")) == "true" {
            continue;
        }
        let code = Some(value(form, &at("code")))
            .filter(|c| !c.is_empty())
            .map_or_else(|| configurator::code_from_label(&label), str::to_owned);
        let mut options = Vec::new();
        for o in indexes(form, &format!("group.{g}.option.")) {
            let at = |field: &str| format!("group.{g}.option.{o}.{field}");
            let label = value(form, &at("label")).to_owned();
            if label.is_empty() || value(form, &at("remove")) == "true" {
                continue;
            }
            let code = Some(value(form, &at("code")))
                .filter(|c| !c.is_empty())
                .map_or_else(|| configurator::code_from_label(&label), str::to_owned);
            let prices =
                currencies.iter().map(|c| (c.clone(), value(form, &at(&format!("price.{c}"))).to_owned())).collect();
            options.push(OptionRow { code, label, prices });
        }
        groups.push(GroupRow {
            code,
            label,
            multiple: value(form, &at("multiple")) == "true",
            required: value(form, &at("required")) == "true",
            options,
        });
    }
    let rules = indexes(form, "rule.")
        .into_iter()
        .map(|r| RuleRow {
            option: value(form, &format!("rule.{r}.option")).to_owned(),
            kind: value(form, &format!("rule.{r}.kind")).to_owned(),
            other: value(form, &format!("rule.{r}.other")).to_owned(),
        })
        .filter(|r| !r.option.is_empty() && !r.other.is_empty())
        .collect();
    (prices, groups, rules)
}

/// The product's `prices` and `options` from the rows; amounts as typed in
/// the user's language, blank adjustments 0 (no extra cost).
fn input(prices: &[PriceRow], groups: &[GroupRow], rules: &[RuleRow]) -> Value {
    let amount = |text: &str, currency: &str| match parse_decimal(text, currency) {
        Some(minor) => Value::from(minor),
        None if text.is_empty() => Value::from(0),
        None => Value::String(text.to_owned()),
    };
    let prices: Map<String, Value> =
        prices.iter().map(|p| (p.currency.clone(), amount(&p.amount, &p.currency))).collect();
    let groups: Vec<Value> = groups
        .iter()
        .map(|g| {
            let options: Vec<Value> = g
                .options
                .iter()
                .map(|o| {
                    let prices: Map<String, Value> = o.prices.iter().map(|(c, a)| (c.clone(), amount(a, c))).collect();
                    json!({"code": o.code, "label": o.label, "prices": prices})
                })
                .collect();
            json!({"code": g.code, "label": g.label, "multiple": g.multiple, "required": g.required, "options": options})
        })
        .collect();
    let rules: Vec<Value> =
        rules.iter().map(|r| json!({"option": r.option, "kind": r.kind, "other": r.other})).collect();
    json!({"prices": prices, "options": {"groups": groups, "rules": rules}})
}

pub async fn save(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = record_id(user, &id)?;
    let writer = writer(user)?;
    let (prices, groups, rules) = posted(&form.fields);
    let body = input(&prices, &groups, &rules);
    match records::update(&state.ctx, &writer, RecordType::PRODUCT, id, &body, None).await {
        Ok(product) => Ok(Redirect::to(&format!("/products/{}", product.id.0)).into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let product =
                records::get(&state.ctx, &user.actor, RecordType::PRODUCT, id).await.map_err(|e| user.fail(e))?;
            render(user, &product, prices, groups, rules, &errors.0, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => Err(user.fail(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_form_becomes_prices_and_options_with_codes_from_labels() {
        let (prices, groups, rules) = posted(&form(&[
            ("price.0.currency", "brl"),
            ("price.0.amount", "1.200,50"),
            ("price.1.currency", ""),
            ("price.1.amount", ""),
            ("group.0.label", "Plano"),
            ("group.0.required", "true"),
            ("group.0.option.0.label", "Básico"),
            ("group.0.option.0.price.BRL", ""),
            ("group.0.option.1.label", "Pró"),
            ("group.0.option.1.price.BRL", "300"),
            ("group.0.option.2.label", ""),
            ("group.1.label", ""),
            ("rule.0.option", "pro"),
            ("rule.0.kind", "excludes"),
            ("rule.0.other", "basico"),
            ("rule.1.option", ""),
        ]));
        let body = input(&prices, &groups, &rules);
        assert_eq!(body["prices"], json!({"BRL": 120_050}));
        assert_eq!(
            body["options"]["groups"],
            json!([{"code": "plano", "label": "Plano", "multiple": false, "required": true, "options": [
                {"code": "basico", "label": "Básico", "prices": {"BRL": 0}},
                {"code": "pro", "label": "Pró", "prices": {"BRL": 30_000}},
            ]}])
        );
        assert_eq!(body["options"]["rules"], json!([{"option": "pro", "kind": "excludes", "other": "basico"}]));
        // What the form sends, the product's rules read.
        assert!(configurator::parse_options(&body["options"]).is_ok());
    }
}
