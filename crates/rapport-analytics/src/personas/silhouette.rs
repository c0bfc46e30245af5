//! The silhouette of a clustering: for each point, how much closer it is to
//! its own cluster than to the nearest other one, averaged; in [-1, 1], higher
//! is better separated. It costs O(n²), so callers pass a bounded sample.

use ndarray::ArrayView2;

/// Euclidean distances between every pair of a sample, computed once and
/// reused for every k that is tried.
pub(crate) struct DistanceMatrix {
    size: usize,
    /// The upper triangle, row by row: (0,1), (0,2) … (0,n-1), (1,2) …
    condensed: Vec<f64>,
}

impl DistanceMatrix {
    pub(crate) fn new(points: ArrayView2<f64>) -> Self {
        let size = points.nrows();
        let mut condensed = Vec::with_capacity(size * size.saturating_sub(1) / 2);
        for i in 0..size {
            let a = points.row(i);
            for j in (i + 1)..size {
                let b = points.row(j);
                let squared: f64 = a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum();
                condensed.push(squared.sqrt());
            }
        }
        Self { size, condensed }
    }

    fn get(&self, i: usize, j: usize) -> f64 {
        let (low, high) = if i < j { (i, j) } else { (j, i) };
        // rows before `low` hold (size-1) + (size-2) + … + (size-low) entries
        let before = low * (2 * self.size - low - 1) / 2;
        self.condensed[before + (high - low - 1)]
    }
}

/// The mean silhouette of `labels` (cluster indices below `k`) over the points
/// of `distances`. A point alone in its cluster scores 0 (the usual
/// convention); with fewer than two clusters present the score is 0, never NaN.
pub(crate) fn mean_silhouette(distances: &DistanceMatrix, labels: &[usize], k: usize) -> f64 {
    let size = distances.size;
    if size < 2 || labels.len() != size {
        return 0.0;
    }
    let mut cluster_sizes = vec![0usize; k];
    for &label in labels {
        cluster_sizes[label] += 1;
    }
    if cluster_sizes.iter().filter(|&&n| n > 0).count() < 2 {
        return 0.0;
    }
    let mut sums = vec![0.0; k];
    let mut total = 0.0;
    for i in 0..size {
        sums.fill(0.0);
        for j in 0..size {
            if j != i {
                sums[labels[j]] += distances.get(i, j);
            }
        }
        let own = labels[i];
        if cluster_sizes[own] < 2 {
            continue;
        }
        let within = sums[own] / (cluster_sizes[own] - 1) as f64;
        let nearest_other = (0..k)
            .filter(|&c| c != own && cluster_sizes[c] > 0)
            .map(|c| sums[c] / cluster_sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let spread = within.max(nearest_other);
        if spread > 0.0 {
            total += (nearest_other - within) / spread;
        }
    }
    total / size as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_condensed_matrix_finds_every_pair() {
        let points = array![[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]];
        let distances = DistanceMatrix::new(points.view());
        assert_eq!(distances.get(0, 1), 5.0);
        assert_eq!(distances.get(1, 0), 5.0);
        assert_eq!(distances.get(0, 2), 10.0);
        assert_eq!(distances.get(2, 1), 5.0);
    }

    #[test]
    fn two_tight_pairs_far_apart_score_as_computed_by_hand() {
        let points = array![[0.0], [1.0], [10.0], [11.0]];
        let distances = DistanceMatrix::new(points.view());
        // point 0: a = 1, b = (10 + 11) / 2 = 10.5; point 1: a = 1, b = (9 + 10) / 2 = 9.5;
        // the other two mirror them
        let expected = ((10.5 - 1.0) / 10.5 + (9.5 - 1.0) / 9.5) / 2.0;
        let score = mean_silhouette(&distances, &[0, 0, 1, 1], 2);
        assert!((score - expected).abs() < 1e-12, "{score} vs {expected}");
        // a bad split scores lower
        assert!(mean_silhouette(&distances, &[0, 1, 0, 1], 2) < 0.0);
    }

    #[test]
    fn degenerate_labellings_score_zero_not_nan() {
        let points = array![[0.0], [0.0], [0.0]];
        let distances = DistanceMatrix::new(points.view());
        assert_eq!(mean_silhouette(&distances, &[0, 0, 0], 2), 0.0);
        assert_eq!(mean_silhouette(&distances, &[0, 0, 1], 2), 0.0);
        let one = DistanceMatrix::new(array![[1.0]].view());
        assert_eq!(mean_silhouette(&one, &[0], 2), 0.0);
    }
}
