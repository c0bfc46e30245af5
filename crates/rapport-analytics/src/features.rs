//! One way to turn a row of mixed values into numbers, shared by personas and
//! lead scoring so both read features alike, and stored with a model so new
//! rows are encoded exactly as the training rows were.
//!
//! The encoding, fitted once over the training rows:
//! - a **number** becomes one column, standardised to a z-score with the
//!   training mean and standard deviation. A missing (or non-finite) value is
//!   replaced by the mean, so it encodes as 0; no indicator column is added.
//!   A constant feature (standard deviation 0) encodes as 0 everywhere.
//! - a **category** becomes one-hot columns: one per value among the
//!   [`MAX_CATEGORIES`] most frequent in training (ties broken by the value, so
//!   the choice is deterministic), then one `Other` column (rarer values and
//!   values never seen in training) and one `Missing` column, always present so
//!   the layout does not depend on what the training rows happened to hold.
//!
//! A value of the wrong kind (a number given for a category feature or the
//! reverse) is treated as missing rather than guessed at. Values are compared
//! as given: callers normalise case and spacing before encoding.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How many of the most frequent values of a category get their own column.
pub const MAX_CATEGORIES: usize = 12;

/// Whether a feature holds a quantity or a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    Number,
    Category,
}

/// One input feature: its key (e.g. `recency_days`, `state`,
/// `custom.income_band`) and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FeatureSpec {
    pub key: String,
    pub kind: FeatureKind,
}

impl FeatureSpec {
    pub fn number(key: impl Into<String>) -> Self {
        Self { key: key.into(), kind: FeatureKind::Number }
    }

    pub fn category(key: impl Into<String>) -> Self {
        Self { key: key.into(), kind: FeatureKind::Category }
    }
}

/// One value of a row, in the order of the [`FeatureSpec`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureValue {
    Number(f64),
    Category(String),
    Missing,
}

/// Which one-hot column of a category a value falls in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryLevel {
    /// One of the frequent values, which has its own column.
    Value(String),
    /// A value outside the frequent ones (or never seen in training).
    Other,
    /// No value.
    Missing,
}

/// What one encoded column stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// The z-score of the number feature at this index of the specs.
    Number { feature: usize },
    /// The one-hot indicator of `level` for the category feature at this index.
    Category { feature: usize, level: CategoryLevel },
}

impl Column {
    /// The index of the feature (in the specs) this column comes from.
    pub fn feature(&self) -> usize {
        match self {
            Column::Number { feature } | Column::Category { feature, .. } => *feature,
        }
    }
}

/// The fitted encoding of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureEncoding {
    Number {
        key: String,
        mean: f64,
        std_dev: f64,
    },
    Category {
        key: String,
        /// The frequent values, most frequent first; each has a column, then
        /// come the `Other` and `Missing` columns.
        values: Vec<String>,
    },
}

impl FeatureEncoding {
    pub fn key(&self) -> &str {
        match self {
            FeatureEncoding::Number { key, .. } | FeatureEncoding::Category { key, .. } => key,
        }
    }

    /// How many columns this feature encodes to.
    pub fn width(&self) -> usize {
        match self {
            FeatureEncoding::Number { .. } => 1,
            FeatureEncoding::Category { values, .. } => values.len() + 2,
        }
    }

    /// The category level a value falls in (for a category feature).
    pub fn level_of(&self, value: &FeatureValue) -> Option<CategoryLevel> {
        let FeatureEncoding::Category { values, .. } = self else {
            return None;
        };
        Some(match value {
            FeatureValue::Category(v) if values.iter().any(|known| known == v) => CategoryLevel::Value(v.clone()),
            FeatureValue::Category(_) => CategoryLevel::Other,
            FeatureValue::Number(_) | FeatureValue::Missing => CategoryLevel::Missing,
        })
    }
}

/// Why an encoding could not be fitted or applied.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodingError {
    #[error("no features to encode")]
    NoFeatures,
    #[error("row {row} has {found} values but there are {expected} features")]
    RowLength { row: usize, expected: usize, found: usize },
}

/// The fitted encoding of every feature, in spec order; serialisable so a
/// stored model encodes new rows exactly as it encoded its training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    pub features: Vec<FeatureEncoding>,
}

/// Running totals for a number feature (Welford, so a million rows with large
/// values keep their precision).
#[derive(Default)]
struct NumberStats {
    count: f64,
    mean: f64,
    sum_sq_dev: f64,
}

impl Encoding {
    /// Fits the encoding over the training rows (each in spec order).
    pub fn fit<'a, I>(specs: &[FeatureSpec], rows: I) -> Result<Self, EncodingError>
    where
        I: IntoIterator<Item = &'a [FeatureValue]>,
    {
        if specs.is_empty() {
            return Err(EncodingError::NoFeatures);
        }
        let mut numbers: Vec<NumberStats> = specs.iter().map(|_| NumberStats::default()).collect();
        let mut counts: Vec<std::collections::HashMap<&'a str, usize>> =
            specs.iter().map(|_| Default::default()).collect();
        for (row_index, row) in rows.into_iter().enumerate() {
            check_row_length(specs.len(), row_index, row)?;
            for (index, (spec, value)) in specs.iter().zip(row).enumerate() {
                match (spec.kind, value) {
                    (FeatureKind::Number, FeatureValue::Number(x)) if x.is_finite() => {
                        let stats = &mut numbers[index];
                        stats.count += 1.0;
                        let delta = x - stats.mean;
                        stats.mean += delta / stats.count;
                        stats.sum_sq_dev += delta * (x - stats.mean);
                    }
                    (FeatureKind::Category, FeatureValue::Category(v)) => {
                        *counts[index].entry(v.as_str()).or_insert(0) += 1;
                    }
                    _ => {}
                }
            }
        }
        let features = specs
            .iter()
            .enumerate()
            .map(|(index, spec)| match spec.kind {
                FeatureKind::Number => {
                    let stats = &numbers[index];
                    let variance = if stats.count > 0.0 { stats.sum_sq_dev / stats.count } else { 0.0 };
                    FeatureEncoding::Number {
                        key: spec.key.clone(),
                        mean: stats.mean,
                        std_dev: variance.max(0.0).sqrt(),
                    }
                }
                FeatureKind::Category => {
                    let mut frequent: Vec<(&str, usize)> = counts[index].iter().map(|(v, n)| (*v, *n)).collect();
                    frequent.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                    frequent.truncate(MAX_CATEGORIES);
                    FeatureEncoding::Category {
                        key: spec.key.clone(),
                        values: frequent.into_iter().map(|(v, _)| v.to_owned()).collect(),
                    }
                }
            })
            .collect();
        Ok(Self { features })
    }

    /// The number of encoded columns.
    pub fn width(&self) -> usize {
        self.features.iter().map(FeatureEncoding::width).sum()
    }

    /// What each encoded column stands for, in column order.
    pub fn columns(&self) -> Vec<Column> {
        let mut columns = Vec::with_capacity(self.width());
        for (feature, encoding) in self.features.iter().enumerate() {
            match encoding {
                FeatureEncoding::Number { .. } => columns.push(Column::Number { feature }),
                FeatureEncoding::Category { values, .. } => {
                    columns.extend(
                        values.iter().map(|v| Column::Category { feature, level: CategoryLevel::Value(v.clone()) }),
                    );
                    columns.push(Column::Category { feature, level: CategoryLevel::Other });
                    columns.push(Column::Category { feature, level: CategoryLevel::Missing });
                }
            }
        }
        columns
    }

    /// Encodes one row into `out` (of length [`Self::width`]). Values beyond
    /// the features are ignored and absent ones count as missing, so a stored
    /// model can score a row that is shorter than expected.
    pub fn encode_into(&self, row: &[FeatureValue], out: &mut [f64]) {
        let mut at = 0;
        for (index, encoding) in self.features.iter().enumerate() {
            let value = row.get(index).unwrap_or(&FeatureValue::Missing);
            match encoding {
                FeatureEncoding::Number { mean, std_dev, .. } => {
                    out[at] = match value {
                        FeatureValue::Number(x) if x.is_finite() && *std_dev > 0.0 => (x - mean) / std_dev,
                        _ => 0.0,
                    };
                    at += 1;
                }
                FeatureEncoding::Category { values, .. } => {
                    let width = values.len() + 2;
                    out[at..at + width].fill(0.0);
                    let hot = match value {
                        FeatureValue::Category(v) => values.iter().position(|known| known == v).unwrap_or(values.len()),
                        FeatureValue::Number(_) | FeatureValue::Missing => values.len() + 1,
                    };
                    out[at + hot] = 1.0;
                    at += width;
                }
            }
        }
    }

    /// Encodes one row into a new vector.
    pub fn encode_row(&self, row: &[FeatureValue]) -> Vec<f64> {
        let mut out = vec![0.0; self.width()];
        self.encode_into(row, &mut out);
        out
    }

    /// Encodes many rows into one row-major matrix, checking each row's length.
    pub(crate) fn encode_rows<'a, I>(&self, rows: I, count: usize) -> Result<ndarray::Array2<f64>, EncodingError>
    where
        I: IntoIterator<Item = &'a [FeatureValue]>,
    {
        let width = self.width();
        let mut matrix = ndarray::Array2::zeros((count, width));
        let mut buffer = vec![0.0; width];
        for (row_index, (row, mut out)) in rows.into_iter().zip(matrix.rows_mut()).enumerate() {
            check_row_length(self.features.len(), row_index, row)?;
            self.encode_into(row, &mut buffer);
            out.iter_mut().zip(&buffer).for_each(|(cell, value)| *cell = *value);
        }
        Ok(matrix)
    }
}

fn check_row_length(expected: usize, row: usize, values: &[FeatureValue]) -> Result<(), EncodingError> {
    if values.len() == expected { Ok(()) } else { Err(EncodingError::RowLength { row, expected, found: values.len() }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(x: f64) -> FeatureValue {
        FeatureValue::Number(x)
    }

    fn cat(v: &str) -> FeatureValue {
        FeatureValue::Category(v.to_owned())
    }

    #[test]
    fn numbers_are_standardised_and_missing_becomes_the_mean() {
        let specs = [FeatureSpec::number("spend")];
        let rows = [vec![num(1.0)], vec![num(3.0)], vec![FeatureValue::Missing]];
        let encoding = Encoding::fit(&specs, rows.iter().map(Vec::as_slice)).unwrap();
        // mean 2, population standard deviation 1 over the present values
        assert_eq!(encoding.features[0], FeatureEncoding::Number { key: "spend".into(), mean: 2.0, std_dev: 1.0 });
        assert_eq!(encoding.encode_row(&rows[0]), vec![-1.0]);
        assert_eq!(encoding.encode_row(&rows[1]), vec![1.0]);
        assert_eq!(encoding.encode_row(&rows[2]), vec![0.0]);
        assert_eq!(encoding.encode_row(&[num(f64::NAN)]), vec![0.0]);
        assert_eq!(encoding.encode_row(&[num(5.0)]), vec![3.0]);
    }

    #[test]
    fn a_constant_or_absent_number_encodes_as_zero_not_nan() {
        let specs = [FeatureSpec::number("a"), FeatureSpec::number("b")];
        let rows = [vec![num(7.0), FeatureValue::Missing], vec![num(7.0), FeatureValue::Missing]];
        let encoding = Encoding::fit(&specs, rows.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(encoding.encode_row(&rows[0]), vec![0.0, 0.0]);
        assert_eq!(encoding.encode_row(&[num(9.0), num(1.0)]), vec![0.0, 0.0]);
    }

    #[test]
    fn categories_keep_the_most_frequent_and_have_other_and_missing_columns() {
        let specs = [FeatureSpec::category("state")];
        let mut rows = Vec::new();
        // 14 values, value i appearing 20 - i times, so "s12" and "s13" are the rarest
        for i in 0..14 {
            for _ in 0..(20 - i) {
                rows.push(vec![cat(&format!("s{i:02}"))]);
            }
        }
        rows.push(vec![FeatureValue::Missing]);
        let encoding = Encoding::fit(&specs, rows.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(encoding.width(), MAX_CATEGORIES + 2);
        let FeatureEncoding::Category { values, .. } = &encoding.features[0] else { panic!() };
        assert_eq!(values.first().map(String::as_str), Some("s00"));
        assert_eq!(values.last().map(String::as_str), Some("s11"));

        let one_hot = |row: &[FeatureValue]| encoding.encode_row(row).iter().position(|&x| x == 1.0);
        assert_eq!(one_hot(&[cat("s00")]), Some(0));
        assert_eq!(one_hot(&[cat("s13")]), Some(MAX_CATEGORIES));
        assert_eq!(one_hot(&[cat("never seen")]), Some(MAX_CATEGORIES));
        assert_eq!(one_hot(&[FeatureValue::Missing]), Some(MAX_CATEGORIES + 1));
        assert_eq!(one_hot(&[num(3.0)]), Some(MAX_CATEGORIES + 1));
        assert!(encoding.encode_row(&[cat("s05")]).iter().sum::<f64>() == 1.0);
        assert_eq!(encoding.columns()[MAX_CATEGORIES], Column::Category { feature: 0, level: CategoryLevel::Other });
    }

    #[test]
    fn equal_counts_are_ordered_by_value_so_the_encoding_is_deterministic() {
        let specs = [FeatureSpec::category("c")];
        let rows = [vec![cat("b")], vec![cat("a")], vec![cat("c")], vec![cat("a")]];
        let encoding = Encoding::fit(&specs, rows.iter().map(Vec::as_slice)).unwrap();
        let FeatureEncoding::Category { values, .. } = &encoding.features[0] else { panic!() };
        assert_eq!(values, &["a", "b", "c"]);
    }

    #[test]
    fn the_encoding_survives_json_and_encodes_the_same() {
        let specs = [FeatureSpec::number("n"), FeatureSpec::category("c")];
        let rows = [vec![num(1.0), cat("x")], vec![num(4.0), cat("y")], vec![num(10.0), cat("x")]];
        let encoding = Encoding::fit(&specs, rows.iter().map(Vec::as_slice)).unwrap();
        let json = serde_json::to_string(&encoding).unwrap();
        let back: Encoding = serde_json::from_str(&json).unwrap();
        // serde_json may read a float back one unit in the last place off
        for row in &rows {
            for (a, b) in back.encode_row(row).iter().zip(encoding.encode_row(row)) {
                assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert_eq!(Encoding::fit(&[], std::iter::empty::<&[FeatureValue]>()), Err(EncodingError::NoFeatures));
        let specs = [FeatureSpec::number("n"), FeatureSpec::number("m")];
        let rows = [vec![num(1.0), num(2.0)], vec![num(1.0)]];
        assert_eq!(
            Encoding::fit(&specs, rows.iter().map(Vec::as_slice)),
            Err(EncodingError::RowLength { row: 1, expected: 2, found: 1 })
        );
        // a short row at scoring time counts its absent values as missing
        let encoding = Encoding::fit(&specs, rows[..1].iter().map(Vec::as_slice)).unwrap();
        assert_eq!(encoding.encode_row(&[]), vec![0.0, 0.0]);
    }
}
