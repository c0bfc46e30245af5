//! The demo's past: who sells, when each deal was created and how it moved through the pipeline, and what became
//! of each lead. Pure and seeded like the rest of the generator; `load` writes it with
//! `rapport_db::demo_history::backdate_for_demo`.
//!
//! The figures are chosen so that the analytics have something true to find:
//! * a deal wins with a chance that depends on its seller (from 0.6× to 1.3×), its source channel (referrals and
//!   events win most, social least) and its company's size (enterprise deals are harder), each stage passing with
//!   the fourth root of that chance; lost deals drop out at any stage;
//! * time in a stage is log-normal, later stages slower (medians 4, 7, 10 and 14 days), and one deal in eight
//!   skips a stage; deals whose next move would fall after "today" are still open in their stage;
//! * a lead converts with a chance that grows with its channel, having a phone, a company and a job title, and
//!   the calls, e-mails and meetings of its first 30 days.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use rand::Rng;

use super::util::{DemoRng, date_at, pct};

/// Open stages are `0..STAGE_WON`.
pub(crate) const STAGE_WON: usize = 4;
pub(crate) const STAGE_LOST: usize = 5;
/// The last open stage, where sellers commit deals to the forecast.
pub(crate) const NEGOTIATION: usize = 3;

/// How far back deals and leads were created.
const HISTORY_DAYS: f64 = 730.0;
/// Median days in each open stage.
const MEDIAN_DAYS: [f64; 4] = [4.0, 7.0, 10.0, 14.0];
/// Spread of the log-normal stay (the σ of its logarithm).
const STAY_SIGMA: f64 = 0.8;

/// A demo seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seller {
    pub name: &'static str,
    pub email: &'static str,
    /// Index into [`TEAMS`].
    pub team: usize,
    pub manager: bool,
    /// Win chance multiplier, percent.
    skill: u32,
}

pub(crate) const TEAMS: [&str; 2] = ["Inside Sales", "Field Sales"];

/// Two teams, each with a manager who also sells. Field Sales takes the big companies.
pub(crate) const SELLERS: [Seller; 6] = [
    Seller { name: "Marina Costa", email: "marina.costa@demo.rapport.local", team: 0, manager: true, skill: 115 },
    Seller { name: "Rafael Lima", email: "rafael.lima@demo.rapport.local", team: 0, manager: false, skill: 130 },
    Seller {
        name: "Lucía Fernández", email: "lucia.fernandez@demo.rapport.local", team: 0, manager: false, skill: 60
    },
    Seller { name: "Daniel Moreira", email: "daniel.moreira@demo.rapport.local", team: 1, manager: true, skill: 100 },
    Seller { name: "Emily Carter", email: "emily.carter@demo.rapport.local", team: 1, manager: false, skill: 85 },
    Seller { name: "João Pereira", email: "joao.pereira@demo.rapport.local", team: 1, manager: false, skill: 120 },
];

/// The demo's "now": the reference date at 18:00 UTC. Nothing in the past happens after it.
pub(crate) fn reference_time() -> DateTime<Utc> {
    date_at(0).and_time(NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default()).and_utc()
}

/// A deal's past: its seller and the stages it entered, oldest first. The first entry is stage 0 at its creation;
/// a deal whose last stage is won or lost closed when it entered it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DealHistory {
    /// Index into [`SELLERS`].
    pub owner: usize,
    pub path: Vec<(usize, DateTime<Utc>)>,
    /// Whether its seller committed it (forecast category `commit`) while it was in negotiation: most deals that
    /// were then won, a quarter of those lost, half of those still there.
    pub committed: bool,
}

impl DealHistory {
    pub(crate) fn created_at(&self) -> DateTime<Utc> {
        self.path[0].1
    }

    pub(crate) fn stage(&self) -> usize {
        self.path[self.path.len() - 1].0
    }

    pub(crate) fn closed_at(&self) -> Option<DateTime<Utc>> {
        let (stage, at) = self.path[self.path.len() - 1];
        (stage >= STAGE_WON).then_some(at)
    }

    /// The open stage the deal was in at `at`, if it existed and was open then.
    pub(crate) fn open_stage_at(&self, at: DateTime<Utc>) -> Option<usize> {
        let (stage, _) = self.path.iter().take_while(|(_, entered)| *entered <= at).last()?;
        (*stage < STAGE_WON).then_some(*stage)
    }
}

/// A lead's past: when it came in and, for converted or disqualified leads, when that was decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LeadHistory {
    /// Index into [`SELLERS`].
    pub owner: usize,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The size tier of a company by index, as `company::size_band` draws it: 0 small, 1 mid-market, 2 enterprise.
pub(crate) fn size_tier(company: usize, companies: usize) -> usize {
    if company < (companies / 100).max(3) {
        2
    } else if company < companies / 10 {
        1
    } else {
        0
    }
}

/// Win chance multiplier of a source channel, percent.
fn channel_factor(channel: &str) -> u32 {
    match channel {
        "referral" => 150,
        "event" => 120,
        "website" => 100,
        "whatsapp" => 95,
        "paid_search" => 80,
        _ => 60,
    }
}

/// Conversion points of a lead's channel (see [`lead_converts`]).
fn channel_points(channel: &str) -> u32 {
    match channel {
        "referral" => 30,
        "event" => 20,
        "whatsapp" => 12,
        "website" => 8,
        "paid_search" => 3,
        _ => 0,
    }
}

/// A seller for a deal: Field Sales takes most deals of mid-market and enterprise companies, Inside Sales most of the
/// small ones.
pub(crate) fn pick_seller(rng: &mut DemoRng, tier: usize) -> usize {
    let team = if pct(rng, 85) { usize::from(tier > 0) } else { usize::from(tier == 0) };
    let members: Vec<usize> = (0..SELLERS.len()).filter(|&i| SELLERS[i].team == team).collect();
    members[rng.gen_range(0..members.len() as u64) as usize]
}

/// The seller who looks after a contact: a member of the team of its company's size (Field Sales for mid-market
/// and enterprise companies), the same one for every activity with the contact.
pub(crate) fn contact_seller(company: usize, companies: usize, contact: usize) -> usize {
    let team = usize::from(size_tier(company, companies) > 0);
    let members: Vec<usize> = (0..SELLERS.len()).filter(|&i| SELLERS[i].team == team).collect();
    members[contact % members.len()]
}

/// Days since an event, up to [`HISTORY_DAYS`], more recent ones more likely (density falling linearly with age).
fn age_days(rng: &mut DemoRng) -> f64 {
    HISTORY_DAYS * (1.0 - rng.gen_range(0.0..1.0f64).sqrt())
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut DemoRng) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    let v: f64 = rng.gen_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn days(d: f64) -> Duration {
    Duration::seconds((d * 86_400.0).round() as i64)
}

/// A creation time in business hours, `age` days before the reference time.
fn created(rng: &mut DemoRng) -> DateTime<Utc> {
    let day = (reference_time() - days(age_days(rng))).date_naive();
    let hour = rng.gen_range(11..22u32);
    let minute = rng.gen_range(0..60u32);
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default()).and_utc().min(reference_time())
}

/// A deal's path (see the module's notes). `now` is the reference time.
pub(crate) fn deal_history(rng: &mut DemoRng, owner: usize, channel: &str, tier: usize) -> DealHistory {
    let now = reference_time();
    let start = created(rng);
    let size = [110u32, 95, 70][tier.min(2)];
    let factor = f64::from(SELLERS[owner].skill * channel_factor(channel) * size) / 1e6;
    let win = (0.30 * factor).clamp(0.04, 0.9);
    let pass = win.powf(0.25);
    let mut path = vec![(0, start)];
    let (mut stage, mut at) = (0, start);
    while stage < STAGE_WON {
        let stay = MEDIAN_DAYS[stage] * (STAY_SIGMA * normal(rng)).exp();
        let next = at + days(stay);
        let passes = rng.gen_range(0.0..1.0f64) < pass;
        let skips = pct(rng, 12);
        if next > now {
            break;
        }
        stage = if !passes {
            STAGE_LOST
        } else if skips {
            (stage + 2).min(STAGE_WON)
        } else {
            stage + 1
        };
        at = next;
        path.push((stage, at));
    }
    let committed = path.iter().any(|&(s, _)| s == NEGOTIATION) && {
        let last = path[path.len() - 1].0;
        pct(
            rng,
            if last == STAGE_WON {
                70
            } else if last == STAGE_LOST {
                25
            } else {
                50
            },
        )
    };
    DealHistory { owner, path, committed }
}

/// What the generator knows of a lead when deciding its fate.
pub(crate) struct LeadTraits<'a> {
    pub channel: &'a str,
    pub has_phone: bool,
    pub has_company: bool,
    pub has_title: bool,
    /// Calls, e-mails and meetings in its first 30 days.
    pub engagement: usize,
}

/// Conversion chance of a closed lead, percent: 5 plus points for the channel, a phone (15), a company (10), a job
/// title (8) and each call, e-mail or meeting of its first 30 days (9), between 3 and 92.
pub(crate) fn conversion_percent(lead: &LeadTraits<'_>) -> u32 {
    let points = 5
        + channel_points(lead.channel)
        + 15 * u32::from(lead.has_phone)
        + 10 * u32::from(lead.has_company)
        + 8 * u32::from(lead.has_title)
        + 9 * lead.engagement.min(5) as u32;
    points.clamp(3, 92)
}

/// Calls, e-mails and meetings in a lead's first 30 days: 0–5, more for warm channels.
pub(crate) fn lead_engagement(rng: &mut DemoRng, channel: &str) -> usize {
    let warm = channel_points(channel) / 10;
    let roll = rng.gen_range(0..100u32) + warm * 8;
    match roll {
        0..=29 => 0,
        30..=54 => 1,
        55..=74 => 2,
        75..=89 => 3,
        90..=99 => 4,
        _ => 5,
    }
}

/// Whether a lead is closed by now (about 40 %: leads older than 20 days, 42 % of them) and, if so, when:
/// 5–45 days after it came in.
pub(crate) fn lead_timing(rng: &mut DemoRng) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    let came = created(rng);
    let closes = pct(rng, 42);
    let after = days(f64::from(rng.gen_range(5..=45u32)) + rng.gen_range(0.0..1.0));
    let old_enough = reference_time() - came > Duration::days(20);
    let closed = (closes && old_enough).then(|| (came + after).min(reference_time() - Duration::hours(1)));
    (came, closed)
}

/// Whether a closed lead converted.
pub(crate) fn lead_converts(rng: &mut DemoRng, lead: &LeadTraits<'_>) -> bool {
    rng.gen_range(0..100u32) < conversion_percent(lead)
}

/// Times of a lead's first-month activities: spread over its first 30 days, before it was closed and before now.
pub(crate) fn engagement_times(
    rng: &mut DemoRng,
    count: usize,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
) -> Vec<DateTime<Utc>> {
    let end = (created_at + Duration::days(30)).min(closed_at.unwrap_or(reference_time())).min(reference_time());
    let span = (end - created_at).num_minutes();
    if span <= 0 {
        return Vec::new();
    }
    let mut times: Vec<DateTime<Utc>> =
        (0..count).map(|_| created_at + Duration::minutes(rng.gen_range(0..span))).collect();
    times.sort();
    times
}
