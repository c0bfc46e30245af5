//! What the team sells: a price per currency, a tax rate, and for a
//! configurable product its option groups and the rules between options
//! (see `configurator`).

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::field_list;
use crate::configurator::{self, PricedProduct};
use crate::descriptor::{ImportAlias, KindRules, PendingWrite, RecordKind};
use crate::schema::{FieldKind, FieldSpec, RecordType, Structured};
use crate::{DomainError, FieldError};

const PRICES: Structured = Structured {
    name: "prices",
    normalize: configurator::normalize_prices,
    example: || json!({"BRL": 120_000, "USD": 25_000}),
};

const OPTIONS: Structured = Structured {
    name: "product_options",
    normalize: configurator::normalize_options,
    example: || {
        json!({
            "groups": [
                {"code": "plan", "label": "Plan", "required": true, "options": [
                    {"code": "basic", "label": "Basic", "prices": {"BRL": 0}},
                    {"code": "pro", "label": "Pro", "prices": {"BRL": 30_000}},
                ]},
                {"code": "addons", "label": "Add-ons", "multiple": true, "options": [
                    {"code": "training", "label": "Training", "prices": {"BRL": 15_000}},
                ]},
            ],
            "rules": [{"option": "training", "kind": "requires", "other": "pro"}],
        })
    },
};

pub const FIELDS: &[FieldSpec] = field_list!([
    FieldSpec::new("name", FieldKind::Text { max: 200 }).required().indexed().title().listed(),
    FieldSpec::new("sku", FieldKind::Text { max: 64 }).indexed().body().listed(),
    FieldSpec::new("description", FieldKind::LongText).body(),
    FieldSpec::new("unit", FieldKind::Text { max: 30 }).help(),
    FieldSpec::new("prices", FieldKind::Structured(&PRICES)).help(),
    FieldSpec::new("tax_rate_bp", FieldKind::Integer { min: 0, max: 10_000 }).help(),
    FieldSpec::new("active", FieldKind::Bool).indexed().listed(),
    FieldSpec::new("options", FieldKind::Structured(&OPTIONS)).label("product.field.options").help(),
]);

pub static KIND: RecordKind = RecordKind {
    name: "product",
    plural: "products",
    fields: FIELDS,
    display_name: &["name"],
    duplicate_key: None,
    import_aliases: &[&[
        ImportAlias { field: "name", headers: &["product", "product_name", "produto", "nome", "nombre", "producto"] },
        ImportAlias { field: "sku", headers: &["codigo", "code", "item_code", "referencia", "part_number"] },
        ImportAlias { field: "unit", headers: &["unidade", "unidad", "uom"] },
    ]],
    rules: &Product,
    example: || {
        json!({
            "name": "Assinatura CRM", "sku": "CRM-01", "unit": "license",
            "prices": {"BRL": 12_000, "USD": 2_500}, "tax_rate_bp": 500,
        })
    },
};

impl RecordType {
    pub const PRODUCT: RecordType = RecordType::of(&KIND);
}

struct Product;

impl KindRules for Product {
    /// A new product is for sale unless it says otherwise.
    fn before_write(&self, write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
        if write.fields.get("active").is_none_or(Value::is_null) {
            write.fields.insert("active".into(), Value::Bool(true));
        }
        Ok(())
    }
}

/// What pricing needs of a stored product's fields; an error only for rows
/// not written through the product rules.
pub fn priced(id: Uuid, fields: &Map<String, Value>) -> Result<PricedProduct, FieldError> {
    let prices = match fields.get("prices") {
        None | Some(Value::Null) => configurator::Prices::new(),
        Some(p) => configurator::parse_prices(p, false).map_err(|e| e.nested("prices"))?,
    };
    let options = match fields.get("options") {
        None | Some(Value::Null) => configurator::ProductOptions::default(),
        Some(o) => configurator::parse_options(o).map_err(|e| {
            e.0.into_iter()
                .next()
                .unwrap_or_else(|| FieldError::new("", "invalid", "invalid options"))
                .nested("options")
        })?,
    };
    Ok(PricedProduct {
        id,
        name: fields.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
        active: fields.get("active").and_then(Value::as_bool).unwrap_or(true),
        prices,
        tax_rate_bp: fields.get("tax_rate_bp").and_then(Value::as_i64).unwrap_or_default(),
        options,
    })
}
