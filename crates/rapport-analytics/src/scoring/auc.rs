//! The area under the ROC curve: the chance that a random converted lead
//! scores above a random lost one, ties counting half. Computed by the rank
//! (Mann–Whitney) formula with tied scores given their average rank, so it
//! costs one sort.

/// The AUC of `scores` against `labels` (true = converted). `None` when the
/// lengths differ, a score is NaN, or one of the two outcomes is absent (the
/// AUC is undefined then).
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    if scores.len() != labels.len() || scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    let positives = labels.iter().filter(|&&l| l).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + 1 + end) as f64 / 2.0;
        let tied_positives = order[start..end].iter().filter(|&&i| labels[i]).count();
        positive_rank_sum += average_rank * tied_positives as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((positive_rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn perfect_reversed_and_tied_rankings() {
        let labels = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &labels), Some(1.0));
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &labels), Some(0.0));
        assert_eq!(auc(&[0.5, 0.5, 0.5, 0.5], &labels), Some(0.5));
    }

    #[test]
    fn a_small_case_by_hand() {
        // pairs (positive, negative): (0.8 vs 0.3) win, (0.8 vs 0.8) tie, (0.4 vs 0.3) win,
        // (0.4 vs 0.8) loss: (1 + 0.5 + 1 + 0) / 4
        assert_eq!(auc(&[0.8, 0.4, 0.3, 0.8], &[true, true, false, false]), Some(0.625));
    }

    #[test]
    fn undefined_cases_are_none() {
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(auc(&[0.1, 0.2], &[false, false]), None);
        assert_eq!(auc(&[], &[]), None);
        assert_eq!(auc(&[0.1], &[true, false]), None);
        assert_eq!(auc(&[f64::NAN, 0.2], &[true, false]), None);
    }

    #[test]
    fn matches_counting_every_pair_on_random_scores_with_ties() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for _ in 0..20 {
            let n = rng.gen_range(2..60);
            let scores: Vec<f64> = (0..n).map(|_| f64::from(rng.gen_range(0..6))).collect();
            let mut labels: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.4)).collect();
            labels[0] = true;
            labels[1] = false;
            let (mut wins, mut pairs) = (0.0, 0.0);
            for i in 0..n {
                for j in 0..n {
                    if labels[i] && !labels[j] {
                        pairs += 1.0;
                        wins += match scores[i].total_cmp(&scores[j]) {
                            std::cmp::Ordering::Greater => 1.0,
                            std::cmp::Ordering::Equal => 0.5,
                            std::cmp::Ordering::Less => 0.0,
                        };
                    }
                }
            }
            let expected = wins / pairs;
            let got = auc(&scores, &labels).unwrap();
            assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
        }
    }
}
