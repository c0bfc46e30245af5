//! `/analytics/attribution`: where the revenue of won deals came from, under
//! five attribution models side by side.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use rapport_db::analytics::attribution::{AttributionQuery, Dimension};
use serde::Deserialize;

use super::{PeriodQuery, RANGES, period_of};
use crate::state::AppState;
use crate::web::charts::{self, ChartData, ChartKind, ChartText, Series, ValueFormat};
use crate::web::i18n::{Arg, Tr};
use crate::web::session::WebUser;
use crate::web::{Frame, WebResult, format, html};

#[derive(Debug, Default, Deserialize)]
pub struct AttributionParams {
    #[serde(flatten)]
    period: PeriodQuery,
    by: Option<String>,
    activities: Option<String>,
}

pub struct Row {
    pub source: String,
    pub cells: Vec<String>,
    pub touched: String,
}

#[derive(Template)]
#[template(path = "analytics/attribution.html")]
struct AttributionPage {
    frame: Frame,
    ranges: Vec<(&'static str, String, bool)>,
    from: String,
    to: String,
    by_campaign: bool,
    with_activities: bool,
    period_text: String,
    summary: String,
    models: Vec<(String, String)>,
    rows: Vec<Row>,
    chart: String,
}

fn source_name(tr: &Tr, source: &Option<String>) -> String {
    match source.as_deref() {
        None => tr.t("analytics.unknown_source"),
        Some(s) => match s.strip_prefix("activity:") {
            Some(kind) => {
                tr.t_with("analytics.sales_touch", &[("kind", Arg::Text(tr.t(&format!("enum.kind.{kind}"))))])
            }
            None => s.to_owned(),
        },
    }
}

pub async fn attribution_page(
    State(state): State<AppState>,
    user: WebUser,
    Query(params): Query<AttributionParams>,
) -> WebResult {
    let tr = &user.tr;
    let today = state.ctx.now().with_timezone(&user.zone).date_naive();
    let (range, from, to) = period_of(&params.period, today);
    let by_campaign = params.by.as_deref() == Some("campaign");
    let with_activities = params.activities.as_deref() == Some("1");
    let query = AttributionQuery {
        from,
        to,
        dimension: if by_campaign { Dimension::Campaign } else { Dimension::Channel },
        with_activities,
    };
    let result = rapport_db::analytics::attribution::attribute(&state.ctx, &user.actor, &query)
        .await
        .map_err(|e| user.fail(e))?;
    let money = |m: i64| format::money(m, &result.currency, tr.locale);
    let int = |n: u64| format::integer(n as i64, tr.locale);
    let rows: Vec<Row> = result
        .rows
        .iter()
        .take(20)
        .map(|r| Row {
            source: source_name(tr, &r.source),
            cells: r.revenue_minor.iter().map(|m| money(*m)).collect(),
            touched: int(u64::from(r.journeys_touched)),
        })
        .collect();
    let models: Vec<(String, String)> = result
        .models
        .iter()
        .map(|m| (tr.t(&format!("analytics.model_{m}")), tr.t(&format!("analytics.model_{m}_help"))))
        .collect();
    let shown: Vec<_> = result.rows.iter().take(10).collect();
    let chart = charts::render(
        ChartKind::Bar,
        &ChartData::new(
            shown.iter().map(|r| source_name(tr, &r.source)).collect(),
            models
                .iter()
                .enumerate()
                .map(|(i, (name, _))| Series {
                    name: name.clone(),
                    values: shown.iter().map(|r| r.revenue_minor.get(i).copied().unwrap_or(0) as f64).collect(),
                })
                .collect(),
        ),
        &ChartText::new(
            tr,
            tr.t("analytics.attribution_chart"),
            tr.t("analytics.attribution_chart_help"),
            ValueFormat::Money { currency: result.currency.clone() },
        )
        .with_id("an-chart-attribution"),
    );
    let last = to.pred_opt().unwrap_or(to);
    let page = AttributionPage {
        frame: user.frame("analytics", tr.t("analytics.attribution_title")),
        ranges: RANGES.iter().map(|r| (*r, tr.t(&format!("analytics.range_{r}")), *r == range)).collect(),
        from: from.to_string(),
        to: last.to_string(),
        by_campaign,
        with_activities,
        period_text: tr.t_with(
            "analytics.period",
            &[("from", Arg::Text(format::date(from, tr.locale))), ("to", Arg::Text(format::date(last, tr.locale)))],
        ),
        summary: tr.t_with(
            "analytics.attribution_summary",
            &[
                ("deals", Arg::Text(int(result.deals))),
                ("revenue", Arg::Text(money(result.revenue_minor))),
                ("without", Arg::Text(int(result.without_touches))),
                ("other", Arg::Text(int(result.other_currency_deals))),
            ],
        ),
        models,
        rows,
        chart,
    };
    Ok(html(StatusCode::OK, &page))
}
