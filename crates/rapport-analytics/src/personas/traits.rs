//! What sets a cluster apart, as structured traits the UI words in the
//! reader's language ("frequent buyers in São Paulo, high spend").
//!
//! - A number's level comes from the mean z-score of the cluster's members
//!   (missing values counted at the overall mean): at most [`LOW_Z`] is `Low`,
//!   at least [`HIGH_Z`] is `High`, between is `Average`. Every number feature
//!   gets a trait; its distinctiveness is |z|.
//! - A category value is kept only when it is clearly over-represented: at
//!   least [`MIN_CATEGORY_SHARE`] of the cluster, at least [`MIN_CATEGORY_LIFT`]
//!   times its overall share, and at least [`MIN_CATEGORY_GAIN`] above it. Its
//!   distinctiveness is the same z-score a number gets, taken on the one-hot
//!   column: (share in cluster − share overall) / √(share overall × (1 − share overall)).
//!
//! Traits come most distinctive first.

use serde::{Deserialize, Serialize};

use crate::features::{CategoryLevel, Column, Encoding, FeatureEncoding, FeatureValue};

/// A cluster's mean z-score at or below this reads as low.
pub const LOW_Z: f64 = -0.5;
/// A cluster's mean z-score at or above this reads as high.
pub const HIGH_Z: f64 = 0.5;
/// A category value must cover at least this share of the cluster…
pub const MIN_CATEGORY_SHARE: f64 = 0.25;
/// …be at least this many times as common as overall…
pub const MIN_CATEGORY_LIFT: f64 = 1.5;
/// …and at least this much more common in absolute share.
pub const MIN_CATEGORY_GAIN: f64 = 0.10;

/// Where a cluster sits on a number feature compared with everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Average,
    High,
}

impl Level {
    pub fn from_z(z: f64) -> Self {
        if z <= LOW_Z {
            Level::Low
        } else if z >= HIGH_Z {
            Level::High
        } else {
            Level::Average
        }
    }
}

/// One thing that characterises a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trait {
    Number {
        key: String,
        level: Level,
        /// The mean of the members' present values, in the feature's own
        /// units (the overall mean when no member has a value).
        mean: f64,
        /// The cluster's mean z-score, which sets `level`.
        z: f64,
    },
    Category {
        key: String,
        value: CategoryLevel,
        share_in_cluster: f64,
        share_overall: f64,
    },
}

impl Trait {
    pub fn key(&self) -> &str {
        match self {
            Trait::Number { key, .. } | Trait::Category { key, .. } => key,
        }
    }

    /// How far the cluster is from everyone on this trait, in standard
    /// deviations; traits are sorted by it, largest first.
    pub fn distinctiveness(&self) -> f64 {
        match self {
            Trait::Number { z, .. } => z.abs(),
            Trait::Category { share_in_cluster, share_overall, .. } => {
                let spread = (share_overall * (1.0 - share_overall)).sqrt();
                if spread > 0.0 { (share_in_cluster - share_overall) / spread } else { 0.0 }
            }
        }
    }
}

/// Whether a category value's shares make it a trait of the cluster.
pub fn is_over_represented(share_in_cluster: f64, share_overall: f64) -> bool {
    share_in_cluster >= MIN_CATEGORY_SHARE
        && share_in_cluster >= MIN_CATEGORY_LIFT * share_overall
        && share_in_cluster - share_overall >= MIN_CATEGORY_GAIN
}

/// Per-cluster sums over every row, gathered in one pass.
pub(crate) struct ClusterProfile {
    /// Mean of each encoded column over the cluster's members.
    pub column_means: Vec<f64>,
    /// Mean of each feature's present values (numbers only; `None` otherwise
    /// or when no member has one).
    pub raw_means: Vec<Option<f64>>,
}

pub(crate) fn profiles(
    encoding: &Encoding,
    rows: &[Vec<FeatureValue>],
    encoded: ndarray::ArrayView2<f64>,
    assignments: &[u16],
    k: usize,
) -> Vec<ClusterProfile> {
    let width = encoding.width();
    let features = encoding.features.len();
    let mut column_sums = vec![vec![0.0; width]; k];
    let mut raw_sums = vec![vec![(0.0, 0usize); features]; k];
    let mut sizes = vec![0usize; k];
    for ((row, encoded_row), &cluster) in rows.iter().zip(encoded.rows()).zip(assignments) {
        let cluster = usize::from(cluster);
        sizes[cluster] += 1;
        for (sum, value) in column_sums[cluster].iter_mut().zip(encoded_row.iter()) {
            *sum += value;
        }
        for (sum, value) in raw_sums[cluster].iter_mut().zip(row) {
            if let FeatureValue::Number(x) = value {
                if x.is_finite() {
                    sum.0 += x;
                    sum.1 += 1;
                }
            }
        }
    }
    (0..k)
        .map(|cluster| {
            let size = sizes[cluster].max(1) as f64;
            ClusterProfile {
                column_means: column_sums[cluster].iter().map(|s| s / size).collect(),
                raw_means: raw_sums[cluster]
                    .iter()
                    .map(|&(sum, count)| (count > 0).then(|| sum / count as f64))
                    .collect(),
            }
        })
        .collect()
}

/// The traits of one cluster, most distinctive first, given the column means
/// of the cluster and of everyone.
pub(crate) fn traits_of(encoding: &Encoding, profile: &ClusterProfile, overall_means: &[f64]) -> Vec<Trait> {
    let columns = encoding.columns();
    let mut traits = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        let in_cluster = profile.column_means[index];
        let overall = overall_means[index];
        match (column, &encoding.features[column.feature()]) {
            (Column::Number { feature }, FeatureEncoding::Number { key, mean, .. }) => traits.push(Trait::Number {
                key: key.clone(),
                level: Level::from_z(in_cluster),
                mean: profile.raw_means[*feature].unwrap_or(*mean),
                z: in_cluster,
            }),
            (Column::Category { level, .. }, FeatureEncoding::Category { key, .. })
                if is_over_represented(in_cluster, overall) =>
            {
                traits.push(Trait::Category {
                    key: key.clone(),
                    value: level.clone(),
                    share_in_cluster: in_cluster,
                    share_overall: overall,
                })
            }
            _ => {}
        }
    }
    traits.sort_by(|a, b| b.distinctiveness().total_cmp(&a.distinctiveness()));
    traits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_documented_thresholds() {
        assert_eq!(Level::from_z(-0.5), Level::Low);
        assert_eq!(Level::from_z(-0.49), Level::Average);
        assert_eq!(Level::from_z(0.0), Level::Average);
        assert_eq!(Level::from_z(0.5), Level::High);
        assert_eq!(Level::from_z(3.0), Level::High);
    }

    #[test]
    fn only_clearly_over_represented_values_are_traits() {
        assert!(is_over_represented(1.0, 0.33));
        assert!(is_over_represented(0.5, 0.2));
        // common everywhere: not what sets the cluster apart
        assert!(!is_over_represented(1.0, 0.8));
        // a big lift on a tiny share is still a minority of the cluster
        assert!(!is_over_represented(0.2, 0.01));
        // a share that barely moved
        assert!(!is_over_represented(0.3, 0.25));
    }

    #[test]
    fn category_distinctiveness_is_the_one_hot_z_score() {
        let t = Trait::Category {
            key: "state".into(),
            value: CategoryLevel::Value("SP".into()),
            share_in_cluster: 1.0,
            share_overall: 0.2,
        };
        // (1 - 0.2) / sqrt(0.2 * 0.8) = 0.8 / 0.4
        assert!((t.distinctiveness() - 2.0).abs() < 1e-12);
        let n = Trait::Number { key: "spend".into(), level: Level::Low, mean: 1.0, z: -1.5 };
        assert_eq!(n.distinctiveness(), 1.5);
    }
}
