//! Personas: customers grouped by k-means over their encoded features, each
//! group described by the traits that set it apart and by the money it brings.
//!
//! How k is chosen: [`KChoice::Auto`] fits every k in the range on a trial
//! sample and keeps the one with the best mean silhouette (ties go to the
//! smaller k), measured on a seeded sample of at most
//! [`SILHOUETTE_SAMPLE_ROWS`] rows because the silhouette costs O(n²); every
//! tried k's score is reported, the chosen k's being that of the final fit.
//! [`KChoice::Fixed`] is the user's override.
//!
//! How it scales: k-means (k-means++ init, [`KMEANS_RUNS`] seeded runs, the
//! best inertia kept) is fitted on a seeded sample of at most
//! [`FIT_SAMPLE_ROWS`] rows, then every row goes to its nearest centroid.
//! Everything is seeded, so the same rows and seed give the same personas.

mod silhouette;
mod traits;

use linfa::prelude::*;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::features::{Encoding, EncodingError, FeatureSpec, FeatureValue};
use silhouette::{DistanceMatrix, mean_silhouette};
pub use traits::{
    HIGH_Z, LOW_Z, Level, MIN_CATEGORY_GAIN, MIN_CATEGORY_LIFT, MIN_CATEGORY_SHARE, Trait, is_over_represented,
};

/// k-means is fitted on at most this many rows (a seeded sample).
pub const FIT_SAMPLE_ROWS: usize = 50_000;
/// The silhouette is measured on at most this many rows (a seeded sample).
pub const SILHOUETTE_SAMPLE_ROWS: usize = 2_000;
/// More personas than this are not something a person reads.
pub const MAX_CLUSTERS: usize = 50;
/// Seeded k-means runs for the final fit; the run with the lowest inertia is kept.
pub const KMEANS_RUNS: usize = 4;
/// When k is chosen automatically, each candidate is first fitted on at most
/// this many rows (a seeded sample of the fit sample), with [`TRIAL_RUNS`] runs:
/// the silhouette on 2,000 rows does not need a finer fit to rank the k's.
pub const TRIAL_SAMPLE_ROWS: usize = 10_000;
pub const TRIAL_RUNS: usize = 2;
const KMEANS_MAX_ITERATIONS: u64 = 100;
const KMEANS_TOLERANCE: f64 = 1e-4;

/// How many clusters to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KChoice {
    /// Try every k in `min..=max` and keep the best silhouette.
    Auto { min: usize, max: usize },
    /// Exactly this many.
    Fixed(usize),
}

impl Default for KChoice {
    fn default() -> Self {
        KChoice::Auto { min: 2, max: 8 }
    }
}

/// The customers, grouped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Personas {
    pub k: usize,
    /// The chosen k's mean silhouette on the sample (-1..=1, higher is better).
    pub silhouette: f64,
    /// Every k tried with its silhouette, in increasing k (the chosen k's
    /// entry is the final fit's score; a fixed k is the only entry).
    pub tried: Vec<(usize, f64)>,
    /// Each row's cluster, an index into `clusters`.
    pub assignments: Vec<u16>,
    /// Largest first.
    pub clusters: Vec<Cluster>,
    /// What assigns a new row to one of these clusters.
    pub model: PersonaModel,
}

/// One persona.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Rows in the cluster; 0 only when k-means left a centroid without rows
    /// (possible when the fit sample holds fewer distinct rows than k).
    pub size: usize,
    /// `size` over all rows.
    pub share: f64,
    /// The sum of the members' values (saturating), in minor units.
    pub value_minor: i64,
    /// Most distinctive first (the rules are on [`Trait`] and its thresholds).
    pub traits: Vec<Trait>,
}

/// The fitted encoding and centroids, stored so new customers can be placed
/// in an existing persona without refitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaModel {
    pub encoding: Encoding,
    /// One per cluster, in the order of [`Personas::clusters`], in encoded space.
    pub centroids: Vec<Vec<f64>>,
}

impl PersonaModel {
    /// The cluster (index into `clusters`) nearest to this row.
    pub fn assign(&self, row: &[FeatureValue]) -> u16 {
        let encoded = self.encoding.encode_row(row);
        nearest(&self.centroids, &encoded) as u16
    }
}

/// Why no personas could be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PersonaError {
    #[error("there are no rows to cluster")]
    NoRows,
    #[error("there are no features to cluster on")]
    NoFeatures,
    #[error("row {row} has {found} values but there are {expected} features")]
    RowLength { row: usize, expected: usize, found: usize },
    #[error("there are {rows} rows but {values} values")]
    ValuesLength { rows: usize, values: usize },
    #[error("k must be at least 2 (got {k})")]
    KTooSmall { k: usize },
    #[error("k can be at most {max} (got {k})")]
    KTooLarge { k: usize, max: usize },
    #[error("the range of k is empty ({min} to {max})")]
    EmptyKRange { min: usize, max: usize },
    #[error("all {rows} rows are identical, so they form a single cluster")]
    AllIdentical { rows: usize },
    #[error("k = {k} is larger than the {distinct} distinct rows")]
    KExceedsDistinctRows { k: usize, distinct: usize },
    #[error("k-means could not fit the data")]
    FitFailed,
}

impl From<EncodingError> for PersonaError {
    fn from(error: EncodingError) -> Self {
        match error {
            EncodingError::NoFeatures => PersonaError::NoFeatures,
            EncodingError::RowLength { row, expected, found } => PersonaError::RowLength { row, expected, found },
        }
    }
}

/// Groups `rows` (values in `specs` order) into personas; `values` is each
/// row's money value (e.g. 12-month CLV or total spend), summed per cluster.
pub fn cluster(
    specs: &[FeatureSpec],
    rows: &[Vec<FeatureValue>],
    values: &[i64],
    k: KChoice,
    seed: u64,
) -> Result<Personas, PersonaError> {
    cluster_with_samples(specs, rows, values, k, seed, SampleSizes::default())
}

/// How many rows k-means and the silhouette look at; smaller in tests so the
/// sampled path runs on small data.
#[derive(Debug, Clone, Copy)]
struct SampleSizes {
    trial: usize,
    fit: usize,
    silhouette: usize,
}

impl Default for SampleSizes {
    fn default() -> Self {
        Self { trial: TRIAL_SAMPLE_ROWS, fit: FIT_SAMPLE_ROWS, silhouette: SILHOUETTE_SAMPLE_ROWS }
    }
}

fn cluster_with_samples(
    specs: &[FeatureSpec],
    rows: &[Vec<FeatureValue>],
    values: &[i64],
    k: KChoice,
    seed: u64,
    samples: SampleSizes,
) -> Result<Personas, PersonaError> {
    if rows.is_empty() {
        return Err(PersonaError::NoRows);
    }
    if specs.is_empty() {
        return Err(PersonaError::NoFeatures);
    }
    if values.len() != rows.len() {
        return Err(PersonaError::ValuesLength { rows: rows.len(), values: values.len() });
    }
    let (min_k, max_k) = match k {
        KChoice::Auto { min, max } => (min, max),
        KChoice::Fixed(k) => (k, k),
    };
    if min_k < 2 {
        return Err(PersonaError::KTooSmall { k: min_k });
    }
    if max_k < min_k {
        return Err(PersonaError::EmptyKRange { min: min_k, max: max_k });
    }
    if max_k > MAX_CLUSTERS {
        return Err(PersonaError::KTooLarge { k: max_k, max: MAX_CLUSTERS });
    }

    let encoding = Encoding::fit(specs, rows.iter().map(Vec::as_slice))?;
    let encoded = encoding.encode_rows(rows.iter().map(Vec::as_slice), rows.len())?;
    let distinct = count_distinct_rows(encoded.view(), max_k);
    if distinct == 1 {
        return Err(PersonaError::AllIdentical { rows: rows.len() });
    }
    if distinct < min_k {
        return Err(PersonaError::KExceedsDistinctRows { k: min_k, distinct });
    }
    let max_k = max_k.min(distinct);

    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let fit_rows = sample_rows(encoded.view(), samples.fit, &mut rng);
    let silhouette_rows = sample_rows(encoded.view(), samples.silhouette, &mut rng);
    let distances = DistanceMatrix::new(silhouette_rows.view());
    let silhouette_of = |centroids: &[Vec<f64>], k: usize| {
        let labels: Vec<usize> = silhouette_rows.rows().into_iter().map(|row| nearest_view(centroids, row)).collect();
        mean_silhouette(&distances, &labels, k)
    };

    // Auto: quick trial fits on a smaller sample pick k; then only the chosen
    // k is fitted in full.
    let mut tried = Vec::new();
    let k = if min_k == max_k {
        min_k
    } else {
        let trial_rows = sample_rows(fit_rows.view(), samples.trial, &mut rng);
        let mut best = (min_k, f64::NEG_INFINITY);
        for k in min_k..=max_k {
            let centroids = fit_kmeans(trial_rows.view(), k, TRIAL_RUNS, seed.wrapping_add(k as u64))?;
            let score = silhouette_of(&centroids, k);
            tried.push((k, score));
            if score > best.1 {
                best = (k, score);
            }
        }
        best.0
    };
    let centroids = fit_kmeans(fit_rows.view(), k, KMEANS_RUNS, seed.wrapping_add(k as u64))?;
    let silhouette = silhouette_of(&centroids, k);
    match tried.iter_mut().find(|(tried_k, _)| *tried_k == k) {
        Some(entry) => entry.1 = silhouette,
        None => tried.push((k, silhouette)),
    }

    // Assign every row, then renumber clusters largest first.
    let raw: Vec<usize> = encoded.rows().into_iter().map(|row| nearest_view(&centroids, row)).collect();
    let mut sizes = vec![0usize; k];
    raw.iter().for_each(|&c| sizes[c] += 1);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut renumber = vec![0u16; k];
    for (new, &old) in order.iter().enumerate() {
        renumber[old] = new as u16;
    }
    let assignments: Vec<u16> = raw.iter().map(|&c| renumber[c]).collect();
    let centroids: Vec<Vec<f64>> = order.iter().map(|&old| centroids[old].clone()).collect();

    let clusters = describe_clusters(&encoding, rows, encoded.view(), values, &assignments, k);
    Ok(Personas { k, silhouette, tried, assignments, clusters, model: PersonaModel { encoding, centroids } })
}

fn describe_clusters(
    encoding: &Encoding,
    rows: &[Vec<FeatureValue>],
    encoded: ArrayView2<f64>,
    values: &[i64],
    assignments: &[u16],
    k: usize,
) -> Vec<Cluster> {
    let overall_means: Vec<f64> = encoded.mean_axis(Axis(0)).map(|m| m.to_vec()).unwrap_or_default();
    let profiles = traits::profiles(encoding, rows, encoded, assignments, k);
    let mut sizes = vec![0usize; k];
    let mut sums = vec![0i128; k];
    for (&cluster, &value) in assignments.iter().zip(values) {
        sizes[usize::from(cluster)] += 1;
        sums[usize::from(cluster)] += i128::from(value);
    }
    (0..k)
        .map(|c| Cluster {
            size: sizes[c],
            share: sizes[c] as f64 / rows.len() as f64,
            value_minor: sums[c].clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
            traits: if sizes[c] > 0 { traits::traits_of(encoding, &profiles[c], &overall_means) } else { Vec::new() },
        })
        .collect()
}

/// Fits k-means and returns its centroids.
fn fit_kmeans(data: ArrayView2<f64>, k: usize, runs: usize, seed: u64) -> Result<Vec<Vec<f64>>, PersonaError> {
    let dataset = DatasetBase::from(data);
    let model = KMeans::params_with_rng(k, Xoshiro256PlusPlus::seed_from_u64(seed))
        .init_method(KMeansInit::KMeansPlusPlus)
        .n_runs(runs)
        .max_n_iterations(KMEANS_MAX_ITERATIONS)
        .tolerance(KMEANS_TOLERANCE)
        .fit(&dataset)
        .map_err(|_| PersonaError::FitFailed)?;
    Ok(model.centroids().rows().into_iter().map(|row| row.to_vec()).collect())
}

fn squared_distance<'a>(a: impl IntoIterator<Item = &'a f64>, b: &[f64]) -> f64 {
    a.into_iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn nearest(centroids: &[Vec<f64>], row: &[f64]) -> usize {
    let mut best = (0, f64::INFINITY);
    for (index, centroid) in centroids.iter().enumerate() {
        let distance = squared_distance(row, centroid);
        if distance < best.1 {
            best = (index, distance);
        }
    }
    best.0
}

fn nearest_view(centroids: &[Vec<f64>], row: ndarray::ArrayView1<f64>) -> usize {
    match row.as_slice() {
        Some(slice) => nearest(centroids, slice),
        None => nearest(centroids, &row.to_vec()),
    }
}

/// The number of distinct rows, counting no further than `cap` (enough to
/// tell whether k clusters are possible).
fn count_distinct_rows(data: ArrayView2<f64>, cap: usize) -> usize {
    let mut seen: std::collections::HashSet<Vec<u64>> = std::collections::HashSet::new();
    for row in data.rows() {
        // +0.0 and -0.0 are the same point
        seen.insert(row.iter().map(|x| (x + 0.0).to_bits()).collect());
        if seen.len() >= cap {
            break;
        }
    }
    seen.len()
}

/// A seeded sample of at most `limit` rows (all of them, in order, when fewer).
fn sample_rows(data: ArrayView2<f64>, limit: usize, rng: &mut Xoshiro256PlusPlus) -> Array2<f64> {
    if data.nrows() <= limit {
        return data.to_owned();
    }
    let mut indices = rand::seq::index::sample(rng, data.nrows(), limit).into_vec();
    indices.sort_unstable();
    data.select(Axis(0), &indices)
}

#[cfg(test)]
mod tests;
