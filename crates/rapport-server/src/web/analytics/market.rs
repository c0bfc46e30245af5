//! `/analytics/market`: the customer base as a market — age bands, the
//! world's countries and Brazil's states on tile maps, industries, company
//! sizes, channels, growth of each segment, and the competitors met in deals.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use rapport_analytics::market::Growth;
use rapport_core::forecast::Period;
use rapport_db::analytics::market::Distribution;

use super::{brazil_map, percent, world_map};
use crate::state::AppState;
use crate::web::charts::{self, ChartData, ChartKind, ChartText, Series, ValueFormat};
use crate::web::i18n::{Arg, Tr};
use crate::web::session::WebUser;
use crate::web::{Frame, WebResult, forecast, format, html};

pub struct Panel {
    pub id: &'static str,
    pub title: String,
    pub chart: String,
}

pub struct CompetitorRow {
    pub name: String,
    pub deals: String,
    pub won: String,
    pub lost: String,
    pub rate: String,
    pub lost_amount: String,
    pub reasons: String,
}

/// A country's row in the world map's table.
pub struct CountryRow {
    pub code: String,
    pub href: String,
    pub contacts: String,
    pub share: String,
}

/// The world map with what reads it: the shades' ranges, a table of the
/// same counts, and the contacts it cannot place.
pub struct World {
    pub svg: String,
    /// (shade, counts it stands for)
    pub legend: Vec<(u64, String)>,
    pub rows: Vec<CountryRow>,
    /// "12 contacts have no country; 3 a code that is no country's."
    pub unplaced: Option<String>,
}

#[derive(Template)]
#[template(path = "analytics/market.html")]
struct MarketPage {
    frame: Frame,
    figures: Vec<(String, String)>,
    world: World,
    map: String,
    panels: Vec<Panel>,
    growth: Vec<Panel>,
    competitors: Vec<CompetitorRow>,
}

fn link(path: &str, pairs: &[(&str, String)]) -> String {
    format!("{path}?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// A distribution as bars, each linked to the list of its records.
fn bars(
    tr: &Tr,
    id: &'static str,
    kind: ChartKind,
    distribution: &Distribution,
    title: String,
    help: String,
    href: impl Fn(&str) -> String,
) -> Panel {
    let shown: Vec<&(Option<String>, u64)> = distribution.iter().take(12).collect();
    let data = ChartData::new(
        shown.iter().map(|(v, _)| v.clone().unwrap_or_else(|| tr.t("analytics.not_set"))).collect(),
        vec![Series { name: title.clone(), values: shown.iter().map(|(_, n)| *n as f64).collect() }],
    )
    .with_links(shown.iter().map(|(v, _)| v.as_deref().map(&href)).collect());
    let text = ChartText::new(tr, title.clone(), help, ValueFormat::Number).with_id(format!("an-chart-{id}"));
    Panel { id, title, chart: charts::render(kind, &data, &text) }
}

fn growth_panel(tr: &Tr, id: &'static str, growth: &Growth, title: String, region: bool) -> Panel {
    let name = |segment: &Option<String>| match segment {
        None => tr.t("analytics.others"),
        Some(s) if region => s.strip_prefix("BR-").map_or_else(|| s.clone(), |uf| format!("{uf} (BR)")),
        Some(s) => s.clone(),
    };
    // "2026-Q4" as the language writes a quarter ("4º tri 2026", "T4 2026").
    let quarter = |q: &String| Period::parse(q).map_or_else(|_| q.clone(), |p| forecast::period_label(tr, p));
    let data = ChartData::new(
        growth.quarters.iter().map(quarter).collect(),
        growth
            .segments
            .iter()
            .map(|(segment, counts)| Series { name: name(segment), values: counts.iter().map(|n| *n as f64).collect() })
            .collect(),
    );
    let text = ChartText::new(tr, title.clone(), tr.t("analytics.growth_help"), ValueFormat::Number)
        .with_id(format!("an-chart-{id}"));
    Panel { id, title, chart: charts::render(ChartKind::StackedBar, &data, &text) }
}

fn world(tr: &Tr, countries: &Distribution, contacts: u64) -> World {
    let int = |n: u64| format::integer(n as i64, tr.locale);
    let href = |code: &str| link("/contacts", &[("filter[country][eq]", code.into())]);
    let counted: Vec<(String, u64)> = countries.iter().filter_map(|(c, n)| c.clone().map(|c| (c, *n))).collect();
    let map = world_map::render(
        &counted,
        &tr.t("analytics.world_map"),
        &tr.t("analytics.world_map_help"),
        |code, n| {
            tr.t_with(
                "analytics.country_count",
                &[("country", Arg::Text(code.to_owned())), ("count", Arg::Text(int(n)))],
            )
        },
        href,
    );
    let mut legend = vec![(0, int(0))];
    legend.extend(map.legend.iter().map(|(shade, low, high)| {
        (*shade, if low == high { int(*low) } else { format!("{}–{}", int(*low), int(*high)) })
    }));
    let not_set = countries.iter().filter(|(c, _)| c.is_none()).map(|(_, n)| n).sum::<u64>();
    let unplaced = match (not_set, map.elsewhere) {
        (0, 0) => None,
        (not_set, elsewhere) => Some(tr.t_with(
            "analytics.world_unplaced",
            &[("none", Arg::Text(int(not_set))), ("other", Arg::Text(int(elsewhere)))],
        )),
    };
    let rows = counted
        .iter()
        .map(|(code, n)| CountryRow {
            code: code.clone(),
            href: href(code),
            contacts: int(*n),
            share: percent((contacts > 0).then(|| *n as f64 / contacts as f64), tr.locale),
        })
        .collect();
    World { svg: map.svg, legend, rows, unplaced }
}

pub async fn market_page(State(state): State<AppState>, user: WebUser) -> WebResult {
    let tr = &user.tr;
    let today = state.ctx.now().with_timezone(&user.zone).date_naive();
    let view = rapport_db::analytics::market::view(&state.ctx, &user.actor, today).await.map_err(|e| user.fail(e))?;
    let int = |n: u64| format::integer(n as i64, tr.locale);
    let states: Vec<(String, u64)> =
        view.brazil_states.iter().filter_map(|(s, n)| s.clone().map(|s| (s, *n))).collect();
    let map = brazil_map::render(
        &states,
        &tr.t("analytics.brazil_map"),
        &tr.t("analytics.brazil_map_help"),
        |uf, n| {
            tr.t_with("analytics.state_count", &[("state", Arg::Text(uf.to_owned())), ("count", Arg::Text(int(n)))])
        },
        |uf| link("/contacts", &[("filter[country][eq]", "BR".into()), ("filter[state][eq]", uf.into())]),
    );
    let ages: Distribution =
        view.age_bands.iter().map(|(band, n)| (Some(tr.t(&format!("analytics.age_{band}"))), *n)).collect();
    let age_panel = {
        let data = ChartData::new(
            ages.iter().map(|(b, _)| b.clone().unwrap_or_default()).collect(),
            vec![Series { name: tr.t("analytics.contacts"), values: ages.iter().map(|(_, n)| *n as f64).collect() }],
        );
        let help = tr.t_with("analytics.age_help", &[("unknown", Arg::Text(int(view.contacts_without_birth_date)))]);
        let text = ChartText::new(tr, tr.t("analytics.by_age"), help, ValueFormat::Number).with_id("an-chart-age");
        Panel { id: "age", title: tr.t("analytics.by_age"), chart: charts::render(ChartKind::Bar, &data, &text) }
    };
    let panels = vec![
        age_panel,
        bars(
            tr,
            "industry",
            ChartKind::HorizontalBar,
            &view.industries,
            tr.t("analytics.by_industry_companies"),
            tr.t("analytics.companies_help"),
            |i| link("/companies", &[("filter[industry][eq]", i.into())]),
        ),
        bars(
            tr,
            "size",
            ChartKind::Bar,
            &view.sizes,
            tr.t("analytics.by_size_companies"),
            tr.t("analytics.companies_help"),
            |s| link("/companies", &[("filter[size_band][eq]", s.into())]),
        ),
        bars(
            tr,
            "channel",
            ChartKind::Donut,
            &view.channels,
            tr.t("analytics.by_channel"),
            tr.t("analytics.contacts_help"),
            |c| link("/contacts", &[("filter[source_channel][eq]", c.into())]),
        ),
    ];
    let growth = vec![
        growth_panel(tr, "growth-industry", &view.growth_by_industry, tr.t("analytics.growth_by_industry"), false),
        growth_panel(tr, "growth-region", &view.growth_by_region, tr.t("analytics.growth_by_region"), true),
    ];
    let money = |m: i64| format::money(m, &view.currency, tr.locale);
    let competitors = view
        .competitors
        .iter()
        .take(15)
        .map(|c| CompetitorRow {
            name: c.competitor.clone(),
            deals: int(c.deals),
            won: int(c.won),
            lost: int(c.lost),
            rate: percent(c.win_rate, tr.locale),
            lost_amount: money(c.lost_minor),
            reasons: c.top_lost_reasons.iter().map(|(r, n)| format!("{r} ({n})")).collect::<Vec<_>>().join(", "),
        })
        .collect();
    let page = MarketPage {
        frame: user.frame("analytics", tr.t("analytics.market_title")),
        figures: vec![
            (tr.t("analytics.contacts"), int(view.contacts)),
            (tr.t("analytics.companies"), int(view.companies)),
            (
                tr.t("analytics.brazil_share"),
                percent(
                    (view.contacts > 0)
                        .then(|| states.iter().map(|(_, n)| n).sum::<u64>() as f64 / view.contacts as f64),
                    tr.locale,
                ),
            ),
        ],
        world: world(tr, &view.countries, view.contacts),
        map,
        panels,
        growth,
        competitors,
    };
    Ok(html(StatusCode::OK, &page))
}
