//! Customers generated from the models' own assumptions, for validation.

use rand::{Rng, SeedableRng};
use rand_distr::{Beta, Distribution, Exp1, Gamma};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{BgNbdParams, GammaGammaParams};
use crate::purchases::PurchaseSummary;

/// A generated customer base: what storage would see until `today`, and what
/// each customer actually bought in the holdout period after it.
pub struct World {
    pub rows: Vec<PurchaseSummary>,
    pub holdout_purchases: Vec<u32>,
    pub today: i32,
    pub holdout_days: u32,
}

/// First purchases spread over 12 weeks from this day (2024-10-04), observed
/// for 39 weeks from that day, then a 39-week holdout (CDNOW's design).
const START_DAY: i32 = 20_000;
const BIRTH_DAYS: u32 = 84;
const CALIBRATION_DAYS: i32 = 273;
const HOLDOUT_DAYS: u32 = 273;

/// Draws `customers` customers: λ ~ Gamma(r, α) per week, p ~ Beta(a, b),
/// repeat purchases at Poisson rate λ, dropout with probability p after each
/// repeat purchase; ν ~ Gamma(q, γ) and every order (the first included)
/// ~ Gamma(p, ν) minor units.
pub fn simulate(customers: usize, bg: BgNbdParams, gg: GammaGammaParams, seed: u64) -> World {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let rate = Gamma::new(bg.r, 1.0 / bg.alpha).expect("valid Gamma");
    let dropout = Beta::new(bg.a, bg.b).expect("valid Beta");
    let spend_rate = Gamma::new(gg.q, 1.0 / gg.v).expect("valid Gamma");
    let today = START_DAY + CALIBRATION_DAYS;
    let mut rows = Vec::with_capacity(customers);
    let mut holdout_purchases = Vec::with_capacity(customers);
    for _ in 0..customers {
        let first_day = START_DAY + rng.gen_range(0..BIRTH_DAYS) as i32;
        let lambda: f64 = rate.sample(&mut rng);
        let p: f64 = dropout.sample(&mut rng);
        let nu: f64 = spend_rate.sample(&mut rng);
        let order = Gamma::new(gg.p, 1.0 / nu.max(1e-300)).expect("valid Gamma");
        let observed_weeks = f64::from(today - first_day) / 7.0;
        let end_weeks = observed_weeks + f64::from(HOLDOUT_DAYS) / 7.0;
        let mut row = PurchaseSummary { first_day, last_day: first_day, purchases: 1, total_minor: 0 };
        row.total_minor += order.sample(&mut rng).round() as i64;
        let mut holdout = 0;
        let mut time = 0.0;
        loop {
            let wait: f64 = Exp1.sample(&mut rng);
            time += wait / lambda;
            if time.is_nan() || time > end_weeks {
                break;
            }
            if time <= observed_weeks {
                row.purchases += 1;
                row.last_day = first_day + (time * 7.0).floor() as i32;
                row.total_minor += order.sample(&mut rng).round() as i64;
            } else {
                holdout += 1;
            }
            if rng.r#gen::<f64>() < p {
                break;
            }
        }
        rows.push(row);
        holdout_purchases.push(holdout);
    }
    World { rows, holdout_purchases, today, holdout_days: HOLDOUT_DAYS }
}
