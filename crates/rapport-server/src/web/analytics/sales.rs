//! `/analytics/sales`: the funnel, time in stage, win rates, the sales cycle,
//! velocity, lost reasons, competitors and forecast accuracy of a pipeline.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use rapport_analytics::sales::{Durations, GroupRate};
use rapport_db::analytics::sales::{SalesAnalysis, SalesQuery};
use uuid::Uuid;

use super::{PeriodQuery, RANGES, days, meter, percent, period_of};
use crate::state::AppState;
use crate::web::charts::{self, ChartData, ChartKind, ChartText, Series, ValueFormat};
use crate::web::i18n::Tr;
use crate::web::session::WebUser;
use crate::web::{Frame, WebResult, format, html};

pub struct Figure {
    pub key: &'static str,
    pub label: String,
    pub value: String,
    pub note: String,
}

pub struct FunnelRow {
    pub name: String,
    pub reached: String,
    pub meter: i64,
    pub of_total: String,
    pub conversion: String,
    pub drop_off: String,
}

pub struct StageRow {
    pub name: String,
    pub median: String,
    pub mean: String,
    pub p90: String,
    pub stays: String,
    pub open_now: String,
    pub longest: String,
}

pub struct RateRow {
    pub name: String,
    pub won: String,
    pub lost: String,
    pub rate: String,
    pub meter: i64,
    pub average: String,
    pub href: Option<String>,
}

pub struct RateTable {
    pub id: &'static str,
    pub title: String,
    pub rows: Vec<RateRow>,
    /// Win rate per group as bars (SVG markup), none without closed deals.
    pub chart: Option<String>,
}

pub struct ReasonRow {
    pub name: String,
    pub deals: String,
    pub share: String,
    pub meter: i64,
    pub amount: String,
}

pub struct CompetitorRow {
    pub name: String,
    pub deals: String,
    pub won: String,
    pub lost: String,
    pub open: String,
    pub rate: String,
    pub won_amount: String,
    pub lost_amount: String,
    pub reasons: String,
}

pub struct AccuracyRow {
    pub period: String,
    pub taken_on: String,
    pub commit: String,
    pub best_case: String,
    pub weighted: String,
    pub actual: String,
    pub commit_error: String,
    pub weighted_error: String,
    pub within: bool,
}

#[derive(Template)]
#[template(path = "analytics/sales.html")]
struct SalesPage {
    frame: Frame,
    /// (value, name, selected)
    ranges: Vec<(&'static str, String, bool)>,
    from: String,
    to: String,
    /// (id, name, selected)
    pipelines: Vec<(String, String, bool)>,
    period_text: String,
    figures: Vec<Figure>,
    funnel: Vec<FunnelRow>,
    funnel_chart: String,
    stages: Vec<StageRow>,
    rates: Vec<RateTable>,
    reasons: Vec<ReasonRow>,
    reasons_chart: Option<String>,
    competitors: Vec<CompetitorRow>,
    accuracy: Option<(Vec<AccuracyRow>, String, String)>,
}

fn signed_percent(share: Option<f64>, tr: &Tr) -> String {
    match share {
        Some(s) if s > 0.0 => format!("+{}", percent(Some(s), tr.locale)),
        other => percent(other, tr.locale),
    }
}

/// Win rates as horizontal bars in percent, linked like the table's rows.
fn rate_chart(tr: &Tr, id: &str, title: &str, rows: &[RateRow], rates: &[GroupRate<Option<String>>]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let data = ChartData::new(
        rows.iter().map(|r| r.name.clone()).collect(),
        vec![Series {
            name: tr.t("analytics.win_rate"),
            values: rates.iter().take(rows.len()).map(|r| r.win_rate.unwrap_or(0.0) * 100.0).collect(),
        }],
    )
    .with_links(rows.iter().map(|r| r.href.clone()).collect());
    let text = ChartText::new(tr, title, tr.t("analytics.win_rate_chart"), ValueFormat::Percent)
        .with_id(format!("an-chart-{id}"));
    Some(charts::render(ChartKind::HorizontalBar, &data, &text))
}

fn rate_rows(
    tr: &Tr,
    rates: &[GroupRate<Option<String>>],
    currency: &str,
    link: impl Fn(&Option<String>) -> Option<String>,
) -> Vec<RateRow> {
    rates
        .iter()
        .take(12)
        .map(|r| RateRow {
            name: r.key.clone().unwrap_or_else(|| tr.t("analytics.not_set")),
            won: format::integer(r.won as i64, tr.locale),
            lost: format::integer(r.lost as i64, tr.locale),
            rate: percent(r.win_rate, tr.locale),
            meter: meter(r.win_rate),
            average: r.average_won_minor.map_or_else(|| "—".to_owned(), |m| format::money(m, currency, tr.locale)),
            href: link(&r.key),
        })
        .collect()
}

fn deals_link(pairs: &[(&str, String)]) -> String {
    format!("/deals?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

fn figures(tr: &Tr, a: &SalesAnalysis) -> Vec<Figure> {
    let money = |m: Option<i64>| m.map_or_else(|| "—".to_owned(), |m| format::money(m, &a.currency, tr.locale));
    let int = |n: u64| format::integer(n as i64, tr.locale);
    let cycle = |d: &Option<Durations>| days(tr, d.as_ref().map(|d| d.median_days));
    vec![
        Figure { key: "created", label: tr.t("analytics.deals_created"), value: int(a.created), note: String::new() },
        Figure {
            key: "win_rate",
            label: tr.t("analytics.win_rate"),
            value: percent(a.win_rate, tr.locale),
            note: tr.t_with(
                "analytics.won_lost",
                &[("won", crate::web::i18n::Arg::Text(int(a.won))), ("lost", crate::web::i18n::Arg::Text(int(a.lost)))],
            ),
        },
        Figure {
            key: "average",
            label: tr.t("analytics.average_deal"),
            value: money(a.average_won_minor),
            note: String::new(),
        },
        Figure {
            key: "cycle",
            label: tr.t("analytics.sales_cycle"),
            value: cycle(&a.won_cycle),
            note: tr.t("analytics.median_won"),
        },
        Figure {
            key: "velocity",
            label: tr.t("analytics.velocity"),
            value: a
                .velocity
                .as_ref()
                .map_or_else(|| "—".to_owned(), |v| format::money(v.per_day_minor, &a.currency, tr.locale)),
            note: tr.t_with("analytics.velocity_note", &[("open", crate::web::i18n::Arg::Text(int(a.open_deals)))]),
        },
    ]
}

pub async fn sales_page(State(state): State<AppState>, user: WebUser, Query(query): Query<PeriodQuery>) -> WebResult {
    let tr = &user.tr;
    let today = state.ctx.now().with_timezone(&user.zone).date_naive();
    let (range, from, to) = period_of(&query, today);
    let pipeline = match query.pipeline.as_deref().filter(|p| !p.is_empty()) {
        Some(id) => Some(Uuid::parse_str(id).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?),
        None => None,
    };
    let analysis = rapport_db::analytics::sales::analyse(&state.ctx, &user.actor, &SalesQuery { pipeline, from, to })
        .await
        .map_err(|e| user.fail(e))?;
    let pipelines = rapport_db::pipelines::list(state.ctx.db.conn()).await.map_err(|e| user.fail(e))?;
    let currency = analysis.currency.clone();
    let money = |m: i64| format::money(m, &currency, tr.locale);
    let int = |n: u64| format::integer(n as i64, tr.locale);
    let last = to.pred_opt().unwrap_or(to);

    let funnel = analysis
        .funnel
        .iter()
        .map(|s| FunnelRow {
            name: s.stage.clone().unwrap_or_else(|| tr.t("analytics.won")),
            reached: int(s.reached),
            meter: meter(s.of_total),
            of_total: percent(s.of_total, tr.locale),
            conversion: percent(s.conversion, tr.locale),
            drop_off: percent(s.conversion.map(|c| 1.0 - c), tr.locale),
        })
        .collect();
    let stages = analysis
        .stage_times
        .iter()
        .map(|s| StageRow {
            name: s.stage.clone(),
            median: days(tr, s.durations.as_ref().map(|d| d.median_days)),
            mean: days(tr, s.durations.as_ref().map(|d| d.mean_days)),
            p90: days(tr, s.durations.as_ref().map(|d| d.p90_days)),
            stays: int(s.durations.as_ref().map_or(0, |d| d.count)),
            open_now: int(s.open_now),
            longest: days(tr, s.longest_open_days),
        })
        .collect();
    let closed_in_period = |field: &str, value: &Option<String>| -> Option<String> {
        let value = value.clone()?;
        Some(deals_link(&[
            (field, value),
            ("filter[closed_at][gt]", format!("{}T00:00:00Z", from.pred_opt().unwrap_or(from))),
            ("filter[closed_at][lt]", format!("{to}T00:00:00Z")),
        ]))
    };
    let owner_ids: std::collections::HashMap<String, Uuid> = rapport_db::users::list(&state.ctx)
        .await
        .map_err(|e| user.fail(e))?
        .into_iter()
        .map(|u| (u.name, u.id.0))
        .collect();
    let rates = vec![
        RateTable {
            id: "owner",
            title: tr.t("analytics.by_owner"),
            rows: rate_rows(tr, &analysis.by_owner, &currency, |k| {
                let id = k.as_ref().and_then(|name| owner_ids.get(name))?;
                closed_in_period("filter[owner_id][eq]", &Some(id.to_string()))
            }),
            chart: None,
        },
        RateTable {
            id: "source",
            title: tr.t("analytics.by_source"),
            rows: rate_rows(tr, &analysis.by_source, &currency, |k| closed_in_period("filter[source_channel][eq]", k)),
            chart: None,
        },
        RateTable {
            id: "industry",
            title: tr.t("analytics.by_industry"),
            rows: rate_rows(tr, &analysis.by_industry, &currency, |_| None),
            chart: None,
        },
        RateTable {
            id: "size",
            title: tr.t("analytics.by_size"),
            rows: rate_rows(tr, &analysis.by_size_band, &currency, |_| None),
            chart: None,
        },
    ];
    let reasons = analysis
        .lost_reasons
        .iter()
        .take(12)
        .map(|r| ReasonRow {
            name: r.reason.clone().unwrap_or_else(|| tr.t("analytics.not_set")),
            deals: int(r.deals),
            share: percent(Some(r.share), tr.locale),
            meter: meter(Some(r.share)),
            amount: money(r.amount_minor),
        })
        .collect();
    let competitors = analysis
        .competitors
        .iter()
        .take(15)
        .map(|c| CompetitorRow {
            name: c.competitor.clone(),
            deals: int(c.deals),
            won: int(c.won),
            lost: int(c.lost),
            open: int(c.open),
            rate: percent(c.win_rate, tr.locale),
            won_amount: money(c.won_minor),
            lost_amount: money(c.lost_minor),
            reasons: c.top_lost_reasons.iter().map(|(r, n)| format!("{r} ({n})")).collect::<Vec<_>>().join(", "),
        })
        .collect();
    let accuracy = analysis.forecast.as_ref().map(|f| {
        let rows = f
            .checks
            .iter()
            .map(|c| AccuracyRow {
                period: rapport_core::forecast::Period::parse(&c.period)
                    .map_or_else(|_| c.period.clone(), |p| crate::web::forecast::period_label(tr, p)),
                taken_on: format::date(c.taken_on, tr.locale),
                commit: money(c.commit_minor),
                best_case: money(c.best_case_minor),
                weighted: money(c.weighted_minor),
                actual: money(c.actual_minor),
                commit_error: signed_percent(c.commit_error, tr),
                weighted_error: signed_percent(c.weighted_error, tr),
                within: c.within_range,
            })
            .collect();
        (rows, percent(f.commit_mean_error, tr.locale), percent(f.weighted_mean_error, tr.locale))
    });
    let funnel_chart = charts::render(
        ChartKind::Funnel,
        &ChartData::new(
            analysis.funnel.iter().map(|s| s.stage.clone().unwrap_or_else(|| tr.t("analytics.won"))).collect(),
            vec![Series {
                name: tr.t("analytics.reached"),
                values: analysis.funnel.iter().map(|s| s.reached as f64).collect(),
            }],
        ),
        &ChartText::new(tr, tr.t("analytics.funnel"), tr.t("analytics.funnel_help"), ValueFormat::Number)
            .with_id("an-chart-funnel"),
    );
    let reasons_chart = (!analysis.lost_reasons.is_empty()).then(|| {
        let shown: Vec<_> = analysis.lost_reasons.iter().take(8).collect();
        charts::render(
            ChartKind::Donut,
            &ChartData::new(
                shown.iter().map(|r| r.reason.clone().unwrap_or_else(|| tr.t("analytics.not_set"))).collect(),
                vec![Series { name: tr.t("analytics.deals"), values: shown.iter().map(|r| r.deals as f64).collect() }],
            ),
            &ChartText::new(
                tr,
                tr.t("analytics.lost_reasons"),
                tr.t("analytics.lost_reasons_chart"),
                ValueFormat::Number,
            )
            .with_id("an-chart-reasons"),
        )
    });
    let rates = rates
        .into_iter()
        .map(|mut table| {
            let source = match table.id {
                "owner" => &analysis.by_owner,
                "source" => &analysis.by_source,
                "industry" => &analysis.by_industry,
                _ => &analysis.by_size_band,
            };
            table.chart = rate_chart(tr, table.id, &table.title, &table.rows, source);
            table
        })
        .collect();
    let page = SalesPage {
        frame: user.frame("analytics", tr.t("analytics.sales_title")),
        ranges: RANGES.iter().map(|r| (*r, tr.t(&format!("analytics.range_{r}")), *r == range)).collect(),
        from: from.to_string(),
        to: last.to_string(),
        pipelines: pipelines.iter().map(|p| (p.id.to_string(), p.name.clone(), p.id == analysis.pipeline_id)).collect(),
        period_text: tr.t_with(
            "analytics.period",
            &[
                ("from", crate::web::i18n::Arg::Text(format::date(from, tr.locale))),
                ("to", crate::web::i18n::Arg::Text(format::date(last, tr.locale))),
            ],
        ),
        figures: figures(tr, &analysis),
        funnel,
        funnel_chart,
        stages,
        rates,
        reasons,
        reasons_chart,
        competitors,
        accuracy,
    };
    Ok(html(StatusCode::OK, &page))
}
