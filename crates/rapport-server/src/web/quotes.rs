//! The quote page: its lines with a product picker and each configurable
//! product's options, the figures the server computed, and the status
//! actions; and "new quote" from a deal. Lines are one form: a row per
//! line plus blank rows, posted whole; no JavaScript needed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::configurator::ProductOptions;
use rapport_core::records::quote::{QuoteAction, figures, transition};
use rapport_core::schema::RecordType;
use rapport_core::{DomainError, FieldError};
use rapport_db::records::{self, Record, quotes};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::fields::{error_message, parse_decimal, parse_scaled};
use super::format;
use super::i18n::Arg;
use super::records::{record_id, writer};
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, html};
use crate::state::AppState;

/// Blank rows under the lines, for new ones.
const BLANK_ROWS: usize = 2;
/// Products offered by the picker, by name.
const PICKER_PRODUCTS: &str = "200";

/// One option of a configurable product, ticked or not on a line.
pub struct Choice {
    pub code: String,
    pub label: String,
    pub checked: bool,
}

pub struct ChoiceGroup {
    pub label: String,
    pub multiple: bool,
    pub choices: Vec<Choice>,
}

/// A row of the lines form, as stored or as typed.
pub struct LineRow {
    pub index: usize,
    pub product_id: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub price_override: bool,
    pub discount: String,
    pub tax: String,
    pub groups: Vec<ChoiceGroup>,
    /// The line's total as computed, formatted; empty for a blank row.
    pub total: String,
    pub errors: Vec<String>,
}

impl LineRow {
    fn blank(index: usize) -> Self {
        Self {
            index,
            product_id: String::new(),
            description: String::new(),
            quantity: String::new(),
            unit_price: String::new(),
            price_override: false,
            discount: String::new(),
            tax: String::new(),
            groups: Vec::new(),
            total: String::new(),
            errors: Vec::new(),
        }
    }

    /// Whether the row's price comes from its product.
    pub fn computed(&self) -> bool {
        !self.product_id.is_empty() && !self.price_override
    }
}

/// A status action offered on the page.
pub struct Action {
    pub path: &'static str,
    pub label: String,
    pub primary: bool,
}

#[derive(Template)]
#[template(path = "quotes/show.html")]
struct QuotePage {
    frame: Frame,
    id: String,
    number: String,
    title: String,
    status: &'static str,
    status_label: String,
    deal: Option<(String, String)>,
    /// The order its acceptance made: its page and number.
    order: Option<(String, String)>,
    /// A draft the user may e-mail to its customer.
    can_email: bool,
    facts: Vec<(String, String)>,
    rows: Vec<LineRow>,
    products: Vec<(String, String)>,
    figures: Vec<(String, String)>,
    editable: bool,
    actions: Vec<Action>,
    errors: Vec<String>,
    newer: Option<String>,
    currency: String,
}

/// A whole number of `1 / 10^digits` units as a plain decimal without
/// trailing zeros: quantities in thousandths (`1500` → `1.5`), rates in
/// basis points as a percentage (`1800` → `18`).
fn scaled_text(value: i64, digits: u32) -> String {
    let unit = 10i64.pow(digits);
    let (whole, fraction) = (value / unit, (value % unit).abs());
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0width$}", width = digits as usize);
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

fn quantity_text(milli: i64) -> String {
    scaled_text(milli, 3)
}

fn percent_text(bp: i64) -> String {
    scaled_text(bp, 2)
}

fn groups_of(options: &ProductOptions, chosen: &[String]) -> Vec<ChoiceGroup> {
    options
        .groups
        .iter()
        .map(|g| ChoiceGroup {
            label: g.label.clone(),
            multiple: g.multiple,
            choices: g
                .options
                .iter()
                .map(|o| Choice { code: o.code.clone(), label: o.label.clone(), checked: chosen.contains(&o.code) })
                .collect(),
        })
        .collect()
}

/// The options of the products the lines name, by product id.
async fn product_options(
    state: &AppState,
    user: &WebUser,
    ids: impl Iterator<Item = Uuid>,
) -> BTreeMap<Uuid, ProductOptions> {
    let mut out = BTreeMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        // A product gone or out of sight shows no options; saving says why.
        if let Ok(product) =
            records::get(&state.ctx, &user.actor, RecordType::PRODUCT, rapport_core::ids::RecordId(id)).await
        {
            if let Ok(priced) = rapport_core::records::product::priced(id, &product.fields) {
                out.insert(id, priced.options);
            }
        }
    }
    out
}

/// Rows from the stored lines, with their computed totals.
fn stored_rows(user: &WebUser, quote: &Record, options: &BTreeMap<Uuid, ProductOptions>) -> Vec<LineRow> {
    let currency = quote.text("currency").unwrap_or("BRL");
    let totals = figures(&quote.fields).ok();
    let lines = quote.fields.get("lines").and_then(Value::as_array).cloned().unwrap_or_default();
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let int = |key: &str| line.get(key).and_then(Value::as_i64).unwrap_or_default();
            let product = line.get("product_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
            let chosen: Vec<String> = line
                .get("options")
                .and_then(Value::as_array)
                .map(|o| o.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            LineRow {
                index,
                product_id: product.map(|p| p.to_string()).unwrap_or_default(),
                description: line.get("description").and_then(Value::as_str).unwrap_or_default().to_owned(),
                quantity: quantity_text(int("quantity_milli")),
                unit_price: rapport_core::values::money::plain_decimal(int("unit_price_minor"), currency),
                price_override: line.get("price_override") == Some(&Value::Bool(true)),
                discount: percent_text(int("discount_bp")),
                tax: percent_text(int("tax_rate_bp")),
                groups: product.and_then(|p| options.get(&p)).map(|o| groups_of(o, &chosen)).unwrap_or_default(),
                total: totals
                    .as_ref()
                    .and_then(|t| t.lines.get(index))
                    .map(|l| format::money(l.total_minor, currency, user.tr.locale))
                    .unwrap_or_default(),
                errors: Vec::new(),
            }
        })
        .collect()
}

/// A row of the lines form as posted: the row, the options ticked, and the
/// product it had when the page was shown.
struct PostedRow {
    row: LineRow,
    options: Vec<String>,
    product_was: String,
    removed: bool,
}

impl PostedRow {
    /// The product was picked (or changed) in this post: it brings its own
    /// description, tax rate and default options.
    fn picked(&self) -> bool {
        !self.row.product_id.is_empty() && self.row.product_id != self.product_was
    }
}

impl PostedRow {
    /// Blank and removed rows send no line.
    fn sends_a_line(&self) -> bool {
        let blank = self.row.product_id.is_empty() && self.row.description.is_empty() && self.row.unit_price.is_empty();
        !self.removed && !blank
    }
}

/// The rows as the form posted them, in order (`lines.{i}.{field}`).
fn posted_rows(form: &[(String, String)]) -> Vec<PostedRow> {
    let mut rows: BTreeMap<usize, PostedRow> = BTreeMap::new();
    for (key, value) in form {
        let Some(rest) = key.strip_prefix("lines.") else { continue };
        let Some((index, field)) = rest.split_once('.') else { continue };
        let Ok(index) = index.parse::<usize>() else { continue };
        if index > rapport_core::line_items::MAX_LINES + BLANK_ROWS {
            continue;
        }
        let posted = rows.entry(index).or_insert_with(|| PostedRow {
            row: LineRow::blank(index),
            options: Vec::new(),
            product_was: String::new(),
            removed: false,
        });
        let value = value.trim().to_owned();
        match field {
            "product_id" => posted.row.product_id = value,
            "product_was" => posted.product_was = value,
            "description" => posted.row.description = value,
            "quantity" => posted.row.quantity = value,
            "unit_price" => posted.row.unit_price = value,
            "override" => posted.row.price_override = value == "true",
            "discount" => posted.row.discount = value,
            "tax" => posted.row.tax = value,
            "option" if !value.is_empty() => posted.options.push(value),
            "remove" => posted.removed = value == "true",
            _ => {}
        }
    }
    rows.into_values().collect()
}

/// The API's `lines` from the posted rows: blank and removed rows left out;
/// numbers as typed in the user's language. What does not convert goes
/// through as typed, for the service to refuse with its message.
fn lines_input(rows: &[PostedRow], currency: &str) -> Value {
    let number = |text: &str, parsed: Option<i64>| parsed.map_or_else(|| Value::String(text.to_owned()), Value::from);
    let mut lines = Vec::new();
    for posted in rows.iter().filter(|r| r.sends_a_line()) {
        let (row, picked) = (&posted.row, posted.picked());
        let mut line = Map::new();
        if !row.product_id.is_empty() {
            line.insert("product_id".into(), row.product_id.clone().into());
            line.insert("options".into(), json!(posted.options));
        }
        if !row.description.is_empty() && !picked {
            line.insert("description".into(), row.description.clone().into());
        }
        let quantity = if row.quantity.is_empty() { "1" } else { row.quantity.as_str() };
        line.insert("quantity_milli".into(), number(quantity, parse_scaled(quantity, 3)));
        // Left out when empty, so that the service says it is required.
        if (row.product_id.is_empty() || row.price_override) && !row.unit_price.is_empty() {
            line.insert("unit_price_minor".into(), number(&row.unit_price, parse_decimal(&row.unit_price, currency)));
        }
        if row.price_override && !row.product_id.is_empty() {
            line.insert("price_override".into(), Value::Bool(true));
        }
        if !row.discount.is_empty() {
            line.insert("discount_bp".into(), number(&row.discount, parse_scaled(&row.discount, 2)));
        }
        if !row.tax.is_empty() && !picked {
            line.insert("tax_rate_bp".into(), number(&row.tax, parse_scaled(&row.tax, 2)));
        }
        lines.push(Value::Object(line));
    }
    Value::Array(lines)
}

fn actions_for(user: &WebUser, quote: &Record, today: chrono::NaiveDate) -> Vec<Action> {
    [
        (QuoteAction::Send, "send", "quote.action.send", false),
        (QuoteAction::Accept, "accept", "quote.action.accept", true),
        (QuoteAction::Reject, "reject", "quote.action.reject", false),
        (QuoteAction::Revise, "revise", "quote.action.revise", false),
        (QuoteAction::MakePrimary, "make-primary", "quote.action.make_primary", false),
    ]
    .into_iter()
    .filter(|(action, ..)| transition(*action, &quote.fields, today).is_ok())
    .filter(|(action, ..)| {
        *action != QuoteAction::MakePrimary || quote.fields.get("primary") != Some(&Value::Bool(true))
    })
    .map(|(_, path, key, primary)| Action { path, label: user.tr.t(key), primary })
    .collect()
}

async fn render(
    state: &AppState,
    user: &WebUser,
    quote: &Record,
    typed: Option<Vec<LineRow>>,
    errors: &[FieldError],
    status: StatusCode,
) -> WebResult {
    let currency = quote.text("currency").unwrap_or("BRL").to_owned();
    let product_ids: Vec<Uuid> = match &typed {
        Some(rows) => rows.iter().filter_map(|r| Uuid::parse_str(&r.product_id).ok()).collect(),
        None => quote
            .fields
            .get("lines")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|l| l.get("product_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()))
            .collect(),
    };
    let options = product_options(state, user, product_ids.into_iter()).await;
    let mut rows = match typed {
        Some(rows) => rows,
        None => stored_rows(user, quote, &options),
    };
    let mut general = Vec::new();
    for error in errors {
        let line = error
            .field
            .strip_prefix("lines[")
            .and_then(|r| r.split_once(']'))
            .and_then(|(i, _)| i.parse::<usize>().ok());
        match line.and_then(|i| rows.get_mut(i)) {
            Some(row) => row.errors.push(error_message(&user.tr, error)),
            None => general.push(format!(
                "{}: {}",
                user.tr.field(RecordType::QUOTE, error.field.split(['.', '[']).next().unwrap_or_default()),
                error_message(&user.tr, error)
            )),
        }
    }
    let status_code = quotes::effective_status(&state.ctx, quote);
    let editable =
        status_code == "draft" && writer(user).is_ok() && quote.fields.get("superseded_by").is_none_or(Value::is_null);
    if editable {
        let next = rows.len();
        rows.extend((next..next + BLANK_ROWS).map(LineRow::blank));
    }
    let picker = [("filter[active][eq]", "true"), ("sort", "name"), ("limit", PICKER_PRODUCTS)]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let products = if editable {
        records::list(&state.ctx, &user.actor, RecordType::PRODUCT, &picker)
            .await
            .map_err(|e| user.fail(e))?
            .items
            .iter()
            .map(|p| (p.id.0.to_string(), p.display_name()))
            .collect()
    } else {
        Vec::new()
    };
    let money = |key: &str| {
        format::money(quote.fields.get(key).and_then(Value::as_i64).unwrap_or_default(), &currency, user.tr.locale)
    };
    let figures = ["subtotal_minor", "discount_minor", "tax_minor", "total_minor"]
        .map(|key| (user.tr.t(&format!("field.{key}")), money(key)))
        .to_vec();
    let deal = match quote.uuid("deal_id") {
        Some(id) => records::get(&state.ctx, &user.actor, RecordType::DEAL, rapport_core::ids::RecordId(id))
            .await
            .ok()
            .map(|d| (format!("/deals/{id}"), d.display_name())),
        None => None,
    };
    let made = [("filter[quote_id][eq]".to_owned(), quote.id.0.to_string()), ("limit".to_owned(), "1".to_owned())];
    let order = match status_code {
        "accepted" => records::list(&state.ctx, &user.actor, RecordType::ORDER, &made)
            .await
            .map_err(|e| user.fail(e))?
            .items
            .first()
            .map(|o| (format!("/orders/{}", o.id.0), o.text("number").unwrap_or_default().to_owned())),
        _ => None,
    };
    let mut facts = vec![(user.tr.t("field.currency"), currency.clone())];
    if let Some(until) = quote.text("valid_until").and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()) {
        facts.push((user.tr.t("field.valid_until"), format::date(until, user.tr.locale)));
    }
    let discount = quote.fields.get("discount_bp").and_then(Value::as_i64).unwrap_or_default();
    facts.push((user.tr.t("quote.quote_discount"), format!("{} %", percent_text(discount))));
    if quote.fields.get("primary") == Some(&Value::Bool(true)) {
        facts.push((user.tr.t("quote.field.primary"), user.tr.t("value.yes")));
    }
    let revision = quote.fields.get("revision").and_then(Value::as_i64).unwrap_or(1);
    let number = user.tr.t_with(
        "quote.number",
        &[
            ("number", Arg::Text(quote.text("number").unwrap_or_default().to_owned())),
            ("revision", Arg::Number(revision)),
        ],
    );
    let page = QuotePage {
        frame: user.frame("quotes", number.clone()),
        id: quote.id.0.to_string(),
        number,
        title: quote.text("title").unwrap_or_default().to_owned(),
        status: status_code,
        status_label: user.tr.choice("status", status_code),
        deal,
        order,
        can_email: status_code == "draft" && writer(user).is_ok(),
        facts,
        rows,
        products,
        figures,
        editable,
        actions: if writer(user).is_ok() { actions_for(user, quote, state.ctx.now().date_naive()) } else { Vec::new() },
        errors: general,
        newer: quote.uuid("superseded_by").map(|id| format!("/quotes/{id}")),
        currency,
    };
    Ok(html(status, &page))
}

/// A quote in a deal's list: its status and total.
pub fn summary(quote: &Record, tr: &super::i18n::Tr) -> String {
    let status = tr.choice("status", quote.text("status").unwrap_or("draft"));
    let total = quote.fields.get("total_minor").and_then(Value::as_i64).unwrap_or_default();
    let total = format::money(total, quote.text("currency").unwrap_or("BRL"), tr.locale);
    let primary = if quote.fields.get("primary") == Some(&Value::Bool(true)) { " ★" } else { "" };
    format!("{status} · {total}{primary}")
}

/// The quote page (the record page of quotes).
pub async fn page(state: &AppState, user: &WebUser, quote: &Record) -> WebResult {
    render(state, user, quote, None, &[], StatusCode::OK).await
}

/// Saves the lines form; on a refusal the page comes back as typed, with
/// each line's problems beside it.
pub async fn save_lines(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = record_id(user, &id)?;
    let writer = writer(user)?;
    let quote = records::get(&state.ctx, &user.actor, RecordType::QUOTE, id).await.map_err(|e| user.fail(e))?;
    let currency = quote.text("currency").unwrap_or("BRL").to_owned();
    let mut rows = posted_rows(&form.fields);
    // A product just picked starts with the first option of each group
    // that needs one; the options ticked were another product's.
    let picked = rows.iter().filter(|r| r.picked()).filter_map(|r| Uuid::parse_str(&r.row.product_id).ok());
    let defaults = product_options(&state, user, picked).await;
    for posted in rows.iter_mut().filter(|r| r.picked()) {
        let options = Uuid::parse_str(&posted.row.product_id).ok().and_then(|p| defaults.get(&p));
        posted.options = options
            .map(|o| {
                o.groups
                    .iter()
                    .filter(|g| g.required)
                    .filter_map(|g| g.options.first())
                    .map(|c| c.code.clone())
                    .collect()
            })
            .unwrap_or_default();
    }
    let input = json!({"lines": lines_input(&rows, &currency)});
    let errors = match records::update(&state.ctx, &writer, RecordType::QUOTE, id, &input, None).await {
        Ok(saved) => return Ok(Redirect::to(&format!("/quotes/{}", saved.id.0)).into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => errors.0,
        Err(error) => return Err(user.fail(error)),
    };
    // Error paths count the lines sent, which leave out blank and removed rows.
    let sent: Vec<PostedRow> = rows.into_iter().filter(PostedRow::sends_a_line).collect();
    let options =
        product_options(&state, user, sent.iter().filter_map(|p| Uuid::parse_str(&p.row.product_id).ok())).await;
    let typed = sent
        .into_iter()
        .enumerate()
        .map(|(index, posted)| {
            let mut row = LineRow { index, ..posted.row };
            if let Some(o) = Uuid::parse_str(&row.product_id).ok().and_then(|p| options.get(&p)) {
                row.groups = groups_of(o, &posted.options);
            }
            row
        })
        .collect();
    render(&state, user, &quote, Some(typed), &errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// A status action from the page's buttons.
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let id = record_id(user, &id)?;
    let writer = writer(user)?;
    let ctx = &state.ctx;
    let done = match action.as_str() {
        "send" => quotes::send(ctx, &writer, id).await,
        "accept" => quotes::accept(ctx, &writer, id).await.map(|a| a.quote),
        "reject" => quotes::reject(ctx, &writer, id).await,
        "revise" => quotes::revise(ctx, &writer, id).await,
        "make-primary" => quotes::make_primary(ctx, &writer, id).await,
        _ => return Err(user.error(StatusCode::NOT_FOUND, "error.not_found")),
    };
    match done {
        Ok(quote) => Ok(Redirect::to(&format!("/quotes/{}", quote.id.0)).into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let quote = records::get(ctx, &user.actor, RecordType::QUOTE, id).await.map_err(|e| user.fail(e))?;
            render(&state, user, &quote, None, &errors.0, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

/// A new draft quote on a deal, in its currency (or the account's), valid
/// for 30 days, for its contact and company; then its page.
pub async fn new_for_deal(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = record_id(user, &id)?;
    let writer = writer(user)?;
    let deal = records::get(&state.ctx, &user.actor, RecordType::DEAL, id).await.map_err(|e| user.fail(e))?;
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let currency = deal.text("currency").map_or_else(|| snapshot.settings.default_currency.clone(), str::to_owned);
    let valid_until = (state.ctx.now() + chrono::Duration::days(30)).date_naive().format("%Y-%m-%d").to_string();
    let mut input =
        json!({"deal_id": id, "currency": currency, "valid_until": valid_until, "title": deal.display_name()});
    for key in ["contact_id", "company_id"] {
        if let Some(value) = deal.fields.get(key).filter(|v| !v.is_null()) {
            input[key] = value.clone();
        }
    }
    let quote = records::create(&state.ctx, &writer, RecordType::QUOTE, &input).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/quotes/{}", quote.id.0)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_rates_show_as_people_type_them() {
        assert_eq!(quantity_text(2_000), "2");
        assert_eq!(quantity_text(1_500), "1.5");
        assert_eq!(quantity_text(1), "0.001");
        assert_eq!(percent_text(1_800), "18");
        assert_eq!(percent_text(1_250), "12.5");
        assert_eq!(percent_text(0), "0");
    }

    #[test]
    fn posted_rows_become_lines_and_blank_rows_are_left_out() {
        let form: Vec<(String, String)> = [
            ("lines.0.product_id", "0190b5e4-8f7a-7cc0-9a3e-3f1f2b4c5d6e"),
            ("lines.0.product_was", "0190b5e4-8f7a-7cc0-9a3e-3f1f2b4c5d6e"),
            ("lines.0.description", "Cloud (Plan: Pro)"),
            ("lines.0.quantity", "1,5"),
            ("lines.0.unit_price", "170.00"),
            ("lines.0.tax", "5"),
            ("lines.0.option", "pro"),
            ("lines.1.description", "Setup"),
            ("lines.1.quantity", "1"),
            ("lines.1.unit_price", "1.234,56"),
            ("lines.1.discount", "12,5"),
            ("lines.2.description", "Gone"),
            ("lines.2.unit_price", "1"),
            ("lines.2.remove", "true"),
            ("lines.3.product_id", ""),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let lines = lines_input(&posted_rows(&form), "BRL");
        assert_eq!(
            lines,
            json!([
                {"product_id": "0190b5e4-8f7a-7cc0-9a3e-3f1f2b4c5d6e", "options": ["pro"], "description": "Cloud (Plan: Pro)",
                 "quantity_milli": 1_500, "tax_rate_bp": 500},
                {"description": "Setup", "quantity_milli": 1_000, "unit_price_minor": 123_456, "discount_bp": 1_250},
            ])
        );
    }
}
