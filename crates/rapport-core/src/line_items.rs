//! Line items of quotes and orders, and the arithmetic of their totals.
//!
//! All figures are integers: amounts in the document currency's minor units,
//! quantities in thousandths (`quantity_milli`), rates in basis points
//! (1 bp = 0.01 %). Totals are computed in `i128` and every figure must fit
//! within ±[`Money::MAX_ABS_MINOR`], otherwise [`totals`] returns an
//! `out_of_range` error instead of wrapping.
//!
//! # Rounding rule
//!
//! Every rounding is *half away from zero* to the minor unit, and each figure
//! is rounded exactly once, from exact inputs:
//!
//! 1. **Line net** = round(quantity × unit price × (1 − line discount)).
//!    The line's gross (quantity × unit price) is rounded the same way for
//!    display; the line discount shown is gross − net, never rounded on its own.
//! 2. **Quote discount** = round(Σ line nets × quote discount rate). It is
//!    allocated across lines in proportion to their nets by the *largest
//!    remainder* method: each line gets the floor of its exact share, and the
//!    cents left over go one each to the lines with the largest remainders, so
//!    the allocations sum exactly to the quote discount. Ties go to the larger
//!    net, then the higher tax rate, then the larger gross; only lines equal in
//!    all three remain tied (they get identical figures either way), and among
//!    them the earlier line wins.
//! 3. **Line tax** = round((line net − allocated quote discount) × tax rate).
//! 4. **Line total** = line net − allocated quote discount + line tax.
//! 5. **Document figures are sums of the rounded line figures**: subtotal =
//!    Σ gross, discount = Σ (line discount + allocated quote discount),
//!    tax = Σ tax, total = Σ line totals. Hence total = subtotal − discount +
//!    tax exactly, the printed lines always add up to the total, and
//!    reordering lines never changes the document's figures.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::values::Money;
use crate::values::money::whole_number_in;
use crate::{FieldError, ValidationErrors};

/// Basis points in 100 %.
const BP_PER_UNIT: i64 = 10_000;
/// Quantities are kept in thousandths of a unit.
const MILLI_PER_UNIT: i64 = 1_000;

/// More lines than a person would read; keeps validation and totals cheap.
pub const MAX_LINES: usize = 500;

const KEYS: [&str; 8] = [
    "product_id",
    "description",
    "quantity_milli",
    "unit_price_minor",
    "discount_bp",
    "tax_rate_bp",
    "options",
    "price_override",
];

/// The most options one line chooses.
pub const MAX_LINE_OPTIONS: usize = 50;

/// One validated line of a quote or order. Fields are private so that
/// [`totals`] can rely on the bounds checked by [`LineItem::parse_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct LineItem {
    product_id: Option<Uuid>,
    description: String,
    quantity_milli: i64,
    unit_price_minor: i64,
    discount_bp: i64,
    tax_rate_bp: i64,
    /// Codes of the product options chosen (`configurator`), for a product line.
    options: Vec<String>,
    /// The unit price was typed on purpose: a product line keeps it instead
    /// of the price its product and options compute.
    price_override: bool,
}

impl LineItem {
    pub const MAX_DESCRIPTION_CHARS: usize = 500;
    /// One million units: well beyond any real line, small enough that
    /// quantity × price × rate stays far inside `i128`.
    pub const MAX_QUANTITY_MILLI: i64 = 1_000_000_000;

    /// Reads one line; error paths are relative to the line (`quantity_milli`).
    ///
    /// `quantity_milli` is required, and `unit_price_minor` unless the line
    /// names a product (whose price is computed; 0 until then);
    /// `discount_bp` and `tax_rate_bp` default to 0; `description` may be
    /// omitted only when the line names a product; `options` (codes) and
    /// `price_override` only make sense with a product. All problems of the
    /// line are reported at once.
    pub fn parse_json(value: &Value) -> Result<Self, ValidationErrors> {
        let Some(object) = value.as_object() else {
            return Err(FieldError::new("", "wrong_type", "expected a line item object").into());
        };
        let mut errors = ValidationErrors::default();
        for key in object.keys().filter(|k| !KEYS.contains(&k.as_str())) {
            errors.push(FieldError::new(key.clone(), "unknown_field", format!("a line item has no field '{key}'")));
        }
        let product_id = keep(&mut errors, "product_id", parse_product_id(present(object, "product_id")));
        let description = keep(&mut errors, "description", parse_description(present(object, "description")));
        let quantity_milli =
            keep(&mut errors, "quantity_milli", integer(object, "quantity_milli", 1..=Self::MAX_QUANTITY_MILLI));
        let unit_price_minor =
            keep(&mut errors, "unit_price_minor", integer(object, "unit_price_minor", 0..=Money::MAX_ABS_MINOR));
        let rate = |key: &str| integer(object, key, 0..=BP_PER_UNIT).map(Option::unwrap_or_default);
        let discount_bp = keep(&mut errors, "discount_bp", rate("discount_bp"));
        let tax_rate_bp = keep(&mut errors, "tax_rate_bp", rate("tax_rate_bp"));
        let options = keep(&mut errors, "options", parse_options(present(object, "options")));
        let price_override = keep(&mut errors, "price_override", parse_flag(present(object, "price_override")));
        if let Some(None) = product_id {
            if options.as_ref().is_some_and(|o| !o.is_empty()) || price_override == Some(true) {
                errors.push(FieldError::new("product_id", "required", "options and price overrides need a product"));
            }
        }
        if let (Some(None), Some(description)) = (product_id, &description) {
            if description.is_empty() {
                errors.push(FieldError::new("description", "required", "describe the line or choose a product"));
            }
        }
        if let Some(None) = quantity_milli {
            errors.push(FieldError::required("quantity_milli"));
        }
        let priced_by_product = product_id.is_some_and(|p| p.is_some()) && price_override != Some(true);
        if let Some(None) = unit_price_minor {
            if !priced_by_product {
                errors.push(FieldError::required("unit_price_minor"));
            }
        }
        match (
            product_id,
            description,
            quantity_milli,
            unit_price_minor,
            discount_bp,
            tax_rate_bp,
            options,
            price_override,
        ) {
            (
                Some(product_id),
                Some(description),
                Some(Some(quantity_milli)),
                Some(unit_price_minor),
                Some(discount_bp),
                Some(tax_rate_bp),
                Some(options),
                Some(price_override),
            ) if errors.is_empty() => Ok(Self {
                product_id,
                description,
                quantity_milli,
                unit_price_minor: unit_price_minor.unwrap_or_default(),
                discount_bp,
                tax_rate_bp,
                options,
                price_override,
            }),
            _ => Err(errors),
        }
    }

    /// The shape [`Self::parse_json`] reads; `product_id` is `null` when
    /// absent; `options` and `price_override` only when set.
    pub fn to_json(&self) -> Value {
        let mut line = json!({
            "product_id": self.product_id,
            "description": self.description,
            "quantity_milli": self.quantity_milli,
            "unit_price_minor": self.unit_price_minor,
            "discount_bp": self.discount_bp,
            "tax_rate_bp": self.tax_rate_bp,
        });
        if !self.options.is_empty() {
            line["options"] = json!(self.options);
        }
        if self.price_override {
            line["price_override"] = Value::Bool(true);
        }
        line
    }

    /// The line with what its product computes: unit price (unless
    /// overridden), the options in the product's order, the description
    /// unless one of the line's own was written (one the product wrote,
    /// "Name" or "Name (…)", follows the options), and the tax rate unless
    /// `keep_tax_rate`.
    pub fn priced(mut self, configured: &crate::configurator::Configured, keep_tax_rate: bool) -> Self {
        if !self.price_override {
            self.unit_price_minor = configured.unit_price_minor;
        }
        self.options.clone_from(&configured.options);
        let name = configured.product_name.as_str();
        let written_by_the_product = self.description.is_empty()
            || self.description == name
            || self.description.strip_prefix(name).is_some_and(|rest| rest.starts_with(" (") && rest.ends_with(')'));
        if written_by_the_product {
            self.description = configured.description.chars().take(Self::MAX_DESCRIPTION_CHARS).collect();
        }
        if !keep_tax_rate {
            self.tax_rate_bp = configured.tax_rate_bp;
        }
        self
    }

    pub fn options(&self) -> &[String] {
        &self.options
    }

    pub fn price_override(&self) -> bool {
        self.price_override
    }

    pub fn product_id(&self) -> Option<Uuid> {
        self.product_id
    }

    /// Trimmed; empty only when the line names a product.
    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn quantity_milli(&self) -> i64 {
        self.quantity_milli
    }

    pub fn unit_price_minor(&self) -> i64 {
        self.unit_price_minor
    }

    pub fn discount_bp(&self) -> i64 {
        self.discount_bp
    }

    pub fn tax_rate_bp(&self) -> i64 {
        self.tax_rate_bp
    }
}

impl TryFrom<Value> for LineItem {
    type Error = String;
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Self::parse_json(&value).map_err(|e| e.to_string())
    }
}

impl From<LineItem> for Value {
    fn from(line: LineItem) -> Self {
        line.to_json()
    }
}

/// The value, or `None` after recording the error under `key`, so that every
/// problem of a line is reported in one pass.
fn keep<T>(errors: &mut ValidationErrors, key: &str, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e.nested(key))).ok()
}

/// `null` counts as absent, so clients may send every key.
fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

fn integer(
    object: &Map<String, Value>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, FieldError> {
    present(object, key).map(|v| whole_number_in(v, range)).transpose()
}

fn parse_product_id(value: Option<&Value>) -> Result<Option<Uuid>, FieldError> {
    let Some(value) = value else { return Ok(None) };
    let text = value.as_str().ok_or_else(|| FieldError::new("", "wrong_type", "expected a product id"))?;
    Uuid::parse_str(text.trim()).map(Some).map_err(|_| {
        FieldError::new("", "invalid_id", format!("'{}' is not a valid id", crate::values::email_truncate(text)))
    })
}

fn parse_options(value: Option<&Value>) -> Result<Vec<String>, FieldError> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let items = value.as_array().ok_or_else(|| FieldError::new("", "wrong_type", "expected a list of option codes"))?;
    if items.len() > MAX_LINE_OPTIONS {
        return Err(FieldError::new("", "too_many", format!("at most {MAX_LINE_OPTIONS} options")));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_str()
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty() && s.chars().count() <= 40)
                .ok_or_else(|| FieldError::new(format!("[{i}]"), "wrong_type", "expected an option code"))
        })
        .collect()
}

fn parse_flag(value: Option<&Value>) -> Result<bool, FieldError> {
    match value {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(FieldError::new("", "wrong_type", "expected true or false")),
    }
}

fn parse_description(value: Option<&Value>) -> Result<String, FieldError> {
    let Some(value) = value else { return Ok(String::new()) };
    let text = value.as_str().ok_or_else(|| FieldError::new("", "wrong_type", "expected text"))?.trim();
    if text.chars().count() > LineItem::MAX_DESCRIPTION_CHARS {
        return Err(FieldError::new("", "too_long", format!("at most {} characters", LineItem::MAX_DESCRIPTION_CHARS)));
    }
    Ok(text.to_owned())
}

/// Reads a list of at most [`MAX_LINES`] lines; error paths name the line,
/// e.g. `[2].quantity_milli`, and every invalid line is reported.
pub fn parse_line_items(value: &Value) -> Result<Vec<LineItem>, ValidationErrors> {
    let Some(items) = value.as_array() else {
        return Err(FieldError::new("", "wrong_type", "expected a list of line items").into());
    };
    if items.len() > MAX_LINES {
        return Err(FieldError::new("", "too_many", format!("at most {MAX_LINES} line items")).into());
    }
    let mut errors = ValidationErrors::default();
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match LineItem::parse_json(item) {
            Ok(line) => lines.push(line),
            Err(line_errors) => line_errors.0.into_iter().for_each(|e| errors.push(e.nested(&format!("[{i}]")))),
        }
    }
    errors.into_result().map(|()| lines)
}

/// One line's figures, in minor units; see the module docs for the rounding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub struct LineTotals {
    /// Quantity × unit price.
    pub gross_minor: i64,
    /// Gross − net.
    pub line_discount_minor: i64,
    /// After the line's own discount.
    pub net_minor: i64,
    /// This line's share of the quote-level discount.
    pub quote_discount_minor: i64,
    pub tax_minor: i64,
    /// Net − quote discount share + tax.
    pub total_minor: i64,
}

/// A document's figures; each is the sum of the lines' rounded figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Σ gross, before any discount.
    pub subtotal_minor: i64,
    /// Line discounts plus the quote-level discount.
    pub discount_minor: i64,
    /// The quote-level discount alone (already part of `discount_minor`).
    pub quote_discount_minor: i64,
    pub tax_minor: i64,
    /// Exactly `subtotal_minor - discount_minor + tax_minor`.
    pub total_minor: i64,
    /// In the order of the input lines.
    pub lines: Vec<LineTotals>,
}

/// Computes a document's totals under the rounding rule in the module docs.
///
/// `quote_discount_bp` must be within 0..=10000. A figure beyond
/// ±[`Money::MAX_ABS_MINOR`] is an `out_of_range` error on `[i]` (a line) or
/// on the empty path (a document sum).
pub fn totals(lines: &[LineItem], quote_discount_bp: i64) -> Result<Totals, FieldError> {
    if !(0..=BP_PER_UNIT).contains(&quote_discount_bp) {
        return Err(FieldError::new(
            "quote_discount_bp",
            "out_of_range",
            format!("must be between 0 and {BP_PER_UNIT}"),
        ));
    }
    // Bounds from validation: quantity ≤ 1e9, price ≤ 1e15, rates ≤ 1e4, so
    // the largest product below (1e28) and every sum of ≤ 500 checked
    // figures stay far inside i128.
    let mut gross = Vec::with_capacity(lines.len());
    let mut nets = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let amount_milli = i128::from(line.quantity_milli) * i128::from(line.unit_price_minor);
        let line_gross = round_half_away(amount_milli, i128::from(MILLI_PER_UNIT));
        let line_net = round_half_away(
            amount_milli * i128::from(BP_PER_UNIT - line.discount_bp),
            i128::from(MILLI_PER_UNIT) * i128::from(BP_PER_UNIT),
        );
        gross.push(within_bound(line_gross, &format!("[{i}]"))?);
        nets.push(within_bound(line_net, &format!("[{i}]"))?);
    }
    let net_sum = within_bound(nets.iter().sum(), "")?;
    let quote_discount = round_half_away(net_sum * i128::from(quote_discount_bp), i128::from(BP_PER_UNIT));
    let allocated = allocate_quote_discount(quote_discount, lines, &gross, &nets);

    let mut line_totals = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let taxable = nets[i] - allocated[i];
        let tax = round_half_away(taxable * i128::from(line.tax_rate_bp), i128::from(BP_PER_UNIT));
        let path = format!("[{i}]");
        line_totals.push(LineTotals {
            gross_minor: to_minor(gross[i], &path)?,
            line_discount_minor: to_minor(gross[i] - nets[i], &path)?,
            net_minor: to_minor(nets[i], &path)?,
            quote_discount_minor: to_minor(allocated[i], &path)?,
            tax_minor: to_minor(tax, &path)?,
            total_minor: to_minor(taxable + tax, &path)?,
        });
    }
    let sum = |figure: fn(&LineTotals) -> i64| to_minor(line_totals.iter().map(|l| i128::from(figure(l))).sum(), "");
    Ok(Totals {
        subtotal_minor: sum(|l| l.gross_minor)?,
        discount_minor: sum(|l| l.line_discount_minor + l.quote_discount_minor)?,
        quote_discount_minor: sum(|l| l.quote_discount_minor)?,
        tax_minor: sum(|l| l.tax_minor)?,
        total_minor: sum(|l| l.total_minor)?,
        lines: line_totals,
    })
}

/// Splits `discount` across lines in proportion to `nets` (largest remainder;
/// ties as the module docs describe). Needs `0 <= discount <= Σ nets` and
/// non-negative nets, which [`totals`] guarantees.
fn allocate_quote_discount(discount: i128, lines: &[LineItem], gross: &[i128], nets: &[i128]) -> Vec<i128> {
    let net_sum: i128 = nets.iter().sum();
    if discount == 0 || net_sum == 0 {
        return vec![0; nets.len()];
    }
    let mut shares: Vec<i128> = nets.iter().map(|net| discount * net / net_sum).collect();
    let remainder = |i: usize| discount * nets[i] % net_sum;
    let mut by_claim: Vec<usize> = (0..nets.len()).collect();
    by_claim.sort_by(|&a, &b| {
        remainder(b)
            .cmp(&remainder(a))
            .then(nets[b].cmp(&nets[a]))
            .then(lines[b].tax_rate_bp.cmp(&lines[a].tax_rate_bp))
            .then(gross[b].cmp(&gross[a]))
            .then(a.cmp(&b))
    });
    // Fewer cents are left than lines with a non-zero remainder, and those
    // sort first, so no line gets more than the ceiling of its share.
    let mut left_over = discount - shares.iter().sum::<i128>();
    for i in by_claim {
        if left_over == 0 {
            break;
        }
        shares[i] += 1;
        left_over -= 1;
    }
    shares
}

/// `numerator / denominator` rounded half away from zero; `denominator > 0`.
fn round_half_away(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator { quotient + numerator.signum() } else { quotient }
}

fn within_bound(value: i128, path: &str) -> Result<i128, FieldError> {
    to_minor(value, path).map(i128::from)
}

fn to_minor(value: i128, path: &str) -> Result<i64, FieldError> {
    i64::try_from(value).ok().filter(|v| v.abs() <= Money::MAX_ABS_MINOR).ok_or_else(|| {
        FieldError::new(path, "out_of_range", format!("amounts are limited to {} minor units", Money::MAX_ABS_MINOR))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(quantity_milli: i64, unit_price_minor: i64, discount_bp: i64, tax_rate_bp: i64) -> LineItem {
        LineItem {
            product_id: None,
            description: "item".into(),
            quantity_milli,
            unit_price_minor,
            discount_bp,
            tax_rate_bp,
            options: Vec::new(),
            price_override: false,
        }
    }

    fn errors_of(value: Value) -> Vec<(String, String)> {
        parse_line_items(&value).unwrap_err().0.into_iter().map(|e| (e.field, e.code)).collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect()
    }

    #[test]
    fn three_times_33_33_with_10_percent_tax() {
        // 3 × 33,33 = 99,99; tax 9,999 → 10,00; total 109,99.
        let t = totals(&[line(3_000, 3_333, 0, 1_000)], 0).unwrap();
        assert_eq!((t.subtotal_minor, t.discount_minor, t.tax_minor, t.total_minor), (9_999, 0, 1_000, 10_999));
    }

    #[test]
    fn each_line_is_rounded_once_then_summed() {
        // Three lines of 1/3 unit × 0,10: each 0,0333… → 0,03; the document
        // shows 0,09 (the sum of its lines), not round(0,10).
        let third = line(333, 10, 0, 0);
        let t = totals(&[third.clone(), third.clone(), third], 0).unwrap();
        assert_eq!(t.total_minor, 9);
        assert!(t.lines.iter().all(|l| l.total_minor == 3));
    }

    #[test]
    fn halves_round_away_from_zero() {
        // 1,5 × 0,01 = 0,015 → 0,02.
        assert_eq!(totals(&[line(1_500, 1, 0, 0)], 0).unwrap().total_minor, 2);
        // 0,25 × 0,01 with 100 % tax: net 0,0025 → 0,00.
        assert_eq!(totals(&[line(250, 1, 0, 10_000)], 0).unwrap().total_minor, 0);
        assert_eq!(round_half_away(15, 10), 2);
        assert_eq!(round_half_away(-15, 10), -2);
        assert_eq!(round_half_away(-14, 10), -1);
        assert_eq!(round_half_away(14, 10), 1);
    }

    #[test]
    fn line_discount_is_gross_minus_net() {
        // 9,99 less 33,33 %: net 6,660333 → 6,66; discount shown 3,33.
        let t = totals(&[line(1_000, 999, 3_333, 0)], 0).unwrap();
        let l = &t.lines[0];
        assert_eq!((l.gross_minor, l.line_discount_minor, l.net_minor), (999, 333, 666));
        assert_eq!((t.subtotal_minor, t.discount_minor, t.total_minor), (999, 333, 666));
    }

    #[test]
    fn quote_discount_is_allocated_before_tax() {
        // Nets 10,00 (10 % tax) and 20,00 (no tax), 10 % off the quote:
        // 3,00 split 1,00 / 2,00; tax 10 % of 9,00 = 0,90.
        let t = totals(&[line(1_000, 1_000, 0, 1_000), line(2_000, 1_000, 0, 0)], 1_000).unwrap();
        assert_eq!(t.lines[0].quote_discount_minor, 100);
        assert_eq!(t.lines[1].quote_discount_minor, 200);
        assert_eq!((t.subtotal_minor, t.discount_minor, t.quote_discount_minor), (3_000, 300, 300));
        assert_eq!((t.tax_minor, t.total_minor), (90, 2_790));
    }

    #[test]
    fn left_over_cents_go_to_the_largest_remainders() {
        // Nets 0,01 ×3, 50 % off: round(0,015) = 0,02, shares of 0,00666…
        // each; the two cents go to the first two (identical) lines.
        let cent = line(1_000, 1, 0, 0);
        let t = totals(&[cent.clone(), cent.clone(), cent], 5_000).unwrap();
        let shares: Vec<i64> = t.lines.iter().map(|l| l.quote_discount_minor).collect();
        assert_eq!(shares, [1, 1, 0]);
        assert_eq!(t.quote_discount_minor, 2);
        // Nets 0,03 and 0,07, 50 % off: 0,05 → exact shares 0,015 / 0,035;
        // the remainders (half a cent each) tie and the larger net wins.
        let t = totals(&[line(1_000, 3, 0, 0), line(1_000, 7, 0, 0)], 5_000).unwrap();
        assert_eq!((t.lines[0].quote_discount_minor, t.lines[1].quote_discount_minor), (1, 4));
    }

    #[test]
    fn tied_cent_goes_to_the_higher_tax_rate_whatever_the_order() {
        let untaxed = line(1_000, 1, 0, 0);
        let taxed = line(1_000, 1, 0, 10_000);
        for order in [[untaxed.clone(), taxed.clone()], [taxed, untaxed]] {
            let t = totals(&order, 5_000).unwrap();
            assert_eq!((t.quote_discount_minor, t.tax_minor, t.total_minor), (1, 0, 1));
        }
    }

    #[test]
    fn huge_figures_are_errors_not_wraparounds() {
        let huge = line(LineItem::MAX_QUANTITY_MILLI, Money::MAX_ABS_MINOR, 0, 0);
        let e = totals(&[line(1_000, 1, 0, 0), huge], 0).unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), ("[1]", "out_of_range"));
        let big = line(1_000, Money::MAX_ABS_MINOR, 0, 0);
        let e = totals(&[big.clone(), big], 0).unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), ("", "out_of_range"));
        let e = totals(&[], 10_001).unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), ("quote_discount_bp", "out_of_range"));
    }

    #[test]
    fn lines_parse_with_defaults() {
        let product = Uuid::from_u128(7);
        let lines = parse_line_items(&json!([
            {"description": "  Consultoria  ", "quantity_milli": 1500, "unit_price_minor": 20000},
            {"product_id": product.to_string(), "quantity_milli": 1000, "unit_price_minor": 0,
             "discount_bp": 500, "tax_rate_bp": 1800, "description": null},
        ]))
        .unwrap();
        assert_eq!(lines[0].description(), "Consultoria");
        assert_eq!((lines[0].discount_bp(), lines[0].tax_rate_bp(), lines[0].product_id()), (0, 0, None));
        assert_eq!((lines[1].product_id(), lines[1].description()), (Some(product), ""));
        assert_eq!((lines[1].discount_bp(), lines[1].tax_rate_bp()), (500, 1800));
    }

    #[test]
    fn product_lines_may_leave_the_price_to_the_product() {
        let product = Uuid::from_u128(7).to_string();
        let lines = parse_line_items(&json!([
            {"product_id": product, "quantity_milli": 1000, "options": [" Pro ", "support"]},
            {"product_id": product, "quantity_milli": 1000, "unit_price_minor": 900, "price_override": true},
        ]))
        .unwrap();
        assert_eq!(
            (lines[0].unit_price_minor(), lines[0].options()),
            (0, &["pro".to_owned(), "support".to_owned()][..])
        );
        assert!(lines[1].price_override());
        assert_eq!(lines[0].to_json()["options"], json!(["pro", "support"]));
        assert!(lines[0].to_json().get("price_override").is_none());
        assert_eq!(
            errors_of(json!([
                {"product_id": product, "quantity_milli": 1000, "price_override": true},
                {"description": "x", "quantity_milli": 1000, "unit_price_minor": 1, "options": ["pro"]},
            ])),
            pairs(&[("[0].unit_price_minor", "required"), ("[1].product_id", "required")])
        );
    }

    #[test]
    fn line_errors_name_the_line_and_field() {
        assert_eq!(
            errors_of(json!([
                {"description": "ok", "quantity_milli": 1, "unit_price_minor": 1},
                {"description": "ok", "quantity_milli": 1, "unit_price_minor": 1, "qty": 2},
                {"description": "ok", "quantity_milli": 0, "unit_price_minor": -1, "discount_bp": 10_001},
                {"quantity_milli": 1.5, "tax_rate_bp": "10"},
                {"product_id": "nope", "description": "x".repeat(501), "quantity_milli": 1, "unit_price_minor": 1},
                "line",
            ])),
            pairs(&[
                ("[1].qty", "unknown_field"),
                ("[2].quantity_milli", "out_of_range"),
                ("[2].unit_price_minor", "out_of_range"),
                ("[2].discount_bp", "out_of_range"),
                ("[3].quantity_milli", "wrong_type"),
                ("[3].tax_rate_bp", "wrong_type"),
                ("[3].description", "required"),
                ("[3].unit_price_minor", "required"),
                ("[4].product_id", "invalid_id"),
                ("[4].description", "too_long"),
                ("[5]", "wrong_type"),
            ])
        );
        assert_eq!(errors_of(json!({"lines": []})), pairs(&[("", "wrong_type")]));
        let too_many = vec![json!({"description": "x", "quantity_milli": 1, "unit_price_minor": 1}); MAX_LINES + 1];
        assert_eq!(errors_of(Value::Array(too_many)), pairs(&[("", "too_many")]));
    }

    #[test]
    fn descriptions_count_characters_not_bytes() {
        let ok = json!([{"description": "ç".repeat(500), "quantity_milli": 1, "unit_price_minor": 1}]);
        assert!(parse_line_items(&ok).is_ok());
    }

    #[test]
    fn serde_uses_the_json_shape_and_its_rules() {
        let item = line(2_000, 150, 0, 1_200);
        let text = serde_json::to_string(&item).unwrap();
        assert_eq!(serde_json::from_str::<LineItem>(&text).unwrap(), item);
        assert!(
            serde_json::from_str::<LineItem>(r#"{"description":"x","quantity_milli":0,"unit_price_minor":1}"#).is_err()
        );
    }

    /// Half realistic lines, half tiny ones whose shares of a quote discount
    /// often tie, so that the tie-breaking rule is exercised.
    fn arb_line() -> impl Strategy<Value = LineItem> {
        let quantity = prop_oneof![1..=10_000i64, 1..=LineItem::MAX_QUANTITY_MILLI / 1_000];
        let price = prop_oneof![0..=100_000i64, 0..=1_000_000_000i64];
        let rate =
            prop_oneof![Just(0i64), 0..=BP_PER_UNIT, proptest::sample::select(vec![500i64, 1_000, 1_800, 10_000])];
        let realistic = (quantity, price, rate.clone(), rate);
        let tiny = (
            proptest::sample::select(vec![500i64, 1_000, 2_000]),
            0..=4i64,
            proptest::sample::select(vec![0i64, 5_000]),
            proptest::sample::select(vec![0i64, 1_000, 10_000]),
        );
        let description = prop_oneof![Just(String::new()), "[a-zA-Zçã]{1,3}( [a-z0-9]{1,8}){0,3}"];
        (proptest::option::of(any::<u128>()), description, prop_oneof![realistic, tiny]).prop_map(
            |(product, description, (quantity_milli, unit_price_minor, discount_bp, tax_rate_bp))| {
                let description =
                    if product.is_none() && description.is_empty() { "item".to_owned() } else { description };
                LineItem {
                    product_id: product.map(Uuid::from_u128),
                    description,
                    quantity_milli,
                    unit_price_minor,
                    discount_bp,
                    tax_rate_bp,
                    options: Vec::new(),
                    price_override: false,
                }
            },
        )
    }

    fn arb_quote_discount() -> impl Strategy<Value = i64> {
        prop_oneof![Just(0i64), 0..=BP_PER_UNIT, Just(BP_PER_UNIT)]
    }

    fn document_figures(t: &Totals) -> [i64; 5] {
        [t.subtotal_minor, t.discount_minor, t.quote_discount_minor, t.tax_minor, t.total_minor]
    }

    proptest! {
        #[test]
        fn totals_do_not_depend_on_line_order(
            (lines, shuffled) in proptest::collection::vec(arb_line(), 0..40)
                .prop_flat_map(|lines| (Just(lines.clone()), Just(lines).prop_shuffle())),
            quote_discount_bp in arb_quote_discount(),
        ) {
            let original = totals(&lines, quote_discount_bp).unwrap();
            let reordered = totals(&shuffled, quote_discount_bp).unwrap();
            prop_assert_eq!(document_figures(&original), document_figures(&reordered));
            // Each line keeps its own figures, wherever it stands.
            let mut a = original.lines.clone();
            let mut b = reordered.lines.clone();
            a.sort();
            b.sort();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn total_is_subtotal_less_discount_plus_tax(
            lines in proptest::collection::vec(arb_line(), 0..40),
            quote_discount_bp in arb_quote_discount(),
        ) {
            let t = totals(&lines, quote_discount_bp).unwrap();
            prop_assert_eq!(t.total_minor, t.subtotal_minor - t.discount_minor + t.tax_minor);
            prop_assert_eq!(t.lines.iter().map(|l| l.total_minor).sum::<i64>(), t.total_minor);
            for l in &t.lines {
                prop_assert_eq!(l.total_minor, l.gross_minor - l.line_discount_minor - l.quote_discount_minor + l.tax_minor);
                prop_assert!(l.line_discount_minor >= 0 && l.quote_discount_minor >= 0 && l.tax_minor >= 0);
                prop_assert!(l.quote_discount_minor <= l.net_minor);
            }
        }

        #[test]
        fn allocations_sum_to_the_rounded_quote_discount(
            lines in proptest::collection::vec(arb_line(), 0..40),
            quote_discount_bp in arb_quote_discount(),
        ) {
            let t = totals(&lines, quote_discount_bp).unwrap();
            let net_sum: i128 = t.lines.iter().map(|l| i128::from(l.net_minor)).sum();
            let expected = round_half_away(net_sum * i128::from(quote_discount_bp), 10_000);
            prop_assert_eq!(i128::from(t.quote_discount_minor), expected);
            prop_assert_eq!(t.lines.iter().map(|l| i128::from(l.quote_discount_minor)).sum::<i128>(), expected);
            // Largest remainder: every share is its exact share rounded down or up.
            for l in t.lines.iter().filter(|_| net_sum > 0) {
                let floor = expected * i128::from(l.net_minor) / net_sum;
                prop_assert!((floor..=floor + 1).contains(&i128::from(l.quote_discount_minor)));
            }
        }

        #[test]
        fn lines_round_trip_through_json(lines in proptest::collection::vec(arb_line(), 0..20)) {
            let json = Value::Array(lines.iter().map(LineItem::to_json).collect());
            prop_assert_eq!(parse_line_items(&json).unwrap(), lines);
        }
    }
}
