//! `/analytics/customers`: customer value in plain words — the headline
//! figures, RFM segments (chart and table, each linking to its customers),
//! the top customers by lifetime value, cohort retention, and the lifetime
//! value model explained. Everything comes from what the last refresh
//! stored; nothing is computed when the page opens.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_analytics::cohorts::{CohortTable, first_day_of_month};
use rapport_analytics::purchases::date_of;
use rapport_analytics::rfm::Segment;
use rapport_core::forecast::{Period, PeriodKind};
use rapport_db::analytics::customers::{self as store, ClvOutcome, CustomerAnalysis, CustomerLine};
use serde::Deserialize;

use super::{meter, percent};
use crate::state::AppState;
use crate::web::charts::{self, ChartData, ChartKind, ChartText, Series, ValueFormat};
use crate::web::i18n::{Arg, Tr};
use crate::web::session::{FormPost, WebUser};
use crate::web::{Frame, WebResult, format, html};

pub use super::customer_lists::{segment_csv, segment_page};

/// Cohorts the table shows (the most recent), and months after the first.
const COHORT_ROWS: usize = 24;
const COHORT_MONTHS: usize = 13;
/// Customers in the "top by lifetime value" table.
const TOP: u64 = 20;

pub struct Figure {
    pub key: &'static str,
    pub label: String,
    pub value: String,
    pub note: String,
}

pub struct SegmentRow {
    pub key: &'static str,
    pub name: String,
    pub help: String,
    pub customers: String,
    pub share: String,
    pub meter: i64,
    pub revenue: String,
    pub recency: String,
    pub purchases: String,
}

pub struct CustomerRow {
    pub href: String,
    pub name: String,
    pub segment: String,
    pub segment_key: &'static str,
    pub purchases: String,
    pub total: String,
    pub last_purchase: String,
    pub clv: String,
    pub p_alive: String,
}

pub struct CohortCellView {
    pub text: String,
    /// 0..=5, the shade of the cell (`an-heat-N`); none past the data.
    pub heat: Option<u8>,
}

pub struct CohortRowView {
    pub label: String,
    pub size: String,
    pub cells: Vec<CohortCellView>,
}

#[derive(Template)]
#[template(path = "analytics/customers.html")]
struct CustomersPage {
    frame: Frame,
    can_refresh: bool,
    queued: bool,
    /// None: never refreshed.
    refreshed: Option<String>,
    has_customers: bool,
    figures: Vec<Figure>,
    left_out: Option<String>,
    chart: String,
    segments: Vec<SegmentRow>,
    top: Vec<CustomerRow>,
    cohort_offsets: Vec<String>,
    cohorts: Vec<CohortRowView>,
    /// The model in sentences, or why there is none.
    clv_lines: Vec<String>,
    clv_failed: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub queued: Option<String>,
}

pub(super) fn segment_name(tr: &Tr, segment: Segment) -> String {
    tr.t(&format!("segment.{}", segment.as_str()))
}

pub(super) fn customer_href(line: &CustomerLine) -> String {
    let kind = match line.customer_type {
        store::CustomerType::Company => "companies",
        store::CustomerType::Contact => "contacts",
    };
    format!("/{kind}/{}", line.customer_id)
}

pub(super) fn money_or_dash(minor: Option<i64>, currency: &str, tr: &Tr) -> String {
    minor.map_or_else(|| "—".to_owned(), |m| format::money(m, currency, tr.locale))
}

pub(super) fn customer_row(tr: &Tr, line: &CustomerLine) -> CustomerRow {
    CustomerRow {
        href: customer_href(line),
        name: if line.name.trim().is_empty() { tr.t("customers.unnamed") } else { line.name.clone() },
        segment: line.segment.map(|s| segment_name(tr, s)).unwrap_or_default(),
        segment_key: line.segment.map_or("", Segment::as_str),
        purchases: format::integer(i64::try_from(line.purchases).unwrap_or(i64::MAX), tr.locale),
        total: format::money(line.total_minor, &line.currency, tr.locale),
        last_purchase: format::date(line.last_purchase, tr.locale),
        clv: money_or_dash(line.clv_12m_minor, &line.currency, tr),
        p_alive: percent(line.p_alive, tr.locale),
    }
}

fn text(value: String) -> Arg {
    Arg::Text(value)
}

fn figures(tr: &Tr, a: &CustomerAnalysis) -> Vec<Figure> {
    let int = |n: u64| format::integer(i64::try_from(n).unwrap_or(i64::MAX), tr.locale);
    let average_clv = match &a.clv {
        ClvOutcome::Fitted { average_clv_minor, .. } => money_or_dash(*average_clv_minor, &a.currency, tr),
        ClvOutcome::Failed { .. } => "—".to_owned(),
    };
    vec![
        Figure {
            key: "customers",
            label: tr.t("customers.customers"),
            value: int(a.customers),
            note: tr.t_with("customers.purchases_note", &[("purchases", text(int(a.purchases)))]),
        },
        Figure {
            key: "repeat_rate",
            label: tr.t("customers.repeat_rate"),
            value: percent(a.repeat_purchase_rate, tr.locale),
            note: tr.t_with("customers.repeat_note", &[("customers", text(int(a.repeat_customers)))]),
        },
        Figure {
            key: "revenue",
            label: tr.t("customers.revenue"),
            value: format::money(a.revenue_minor, &a.currency, tr.locale),
            note: String::new(),
        },
        Figure {
            key: "average_clv",
            label: tr.t("customers.average_clv"),
            value: average_clv,
            note: tr.t("customers.average_clv_note"),
        },
    ]
}

/// What the figures leave out, in words, every count grouped per locale.
fn left_out(tr: &Tr, l: &store::LeftOut, currency: &str) -> Option<String> {
    if l.other_currency_orders == 0 && l.orders_without_customer == 0 {
        return None;
    }
    let currencies = l
        .other_currencies
        .iter()
        .map(|(code, n)| format!("{code} {}", format::integer(i64::try_from(*n).unwrap_or(i64::MAX), tr.locale)))
        .collect::<Vec<_>>()
        .join(", ");
    let count = |n: u64| Arg::Number(i64::try_from(n).unwrap_or(i64::MAX));
    let mut parts = Vec::new();
    if l.other_currency_orders > 0 {
        parts.push(tr.t_with(
            "customers.left_out_currency",
            &[
                ("orders", count(l.other_currency_orders)),
                ("currency", text(currency.to_owned())),
                ("currencies", text(currencies)),
            ],
        ));
    }
    if l.orders_without_customer > 0 {
        parts.push(tr.t_with("customers.left_out_no_customer", &[("orders", count(l.orders_without_customer))]));
    }
    Some(parts.join(" "))
}

fn segment_rows(tr: &Tr, a: &CustomerAnalysis) -> Vec<SegmentRow> {
    a.segments
        .iter()
        .map(|s| SegmentRow {
            key: s.segment.as_str(),
            name: segment_name(tr, s.segment),
            help: tr.t(&format!("segment.{}_help", s.segment.as_str())),
            customers: format::integer(i64::try_from(s.customers).unwrap_or(i64::MAX), tr.locale),
            share: percent(Some(s.share), tr.locale),
            meter: meter(Some(s.share)),
            revenue: format::money(s.total_minor, &a.currency, tr.locale),
            recency: super::days(tr, (s.customers > 0).then_some(s.average_recency_days)),
            purchases: if s.customers > 0 {
                format::scaled((s.average_purchases * 10.0).round() as i64, 1, tr.locale)
            } else {
                "—".to_owned()
            },
        })
        .collect()
}

fn segment_chart(tr: &Tr, a: &CustomerAnalysis) -> String {
    let data = ChartData::new(
        a.segments.iter().map(|s| segment_name(tr, s.segment)).collect(),
        vec![Series {
            name: tr.t("customers.customers"),
            values: a.segments.iter().map(|s| s.customers as f64).collect(),
        }],
    )
    .with_links(
        a.segments.iter().map(|s| Some(format!("/analytics/customers/segments/{}", s.segment.as_str()))).collect(),
    );
    let text =
        ChartText::new(tr, tr.t("customers.segments"), tr.t("customers.segments_chart_help"), ValueFormat::Number)
            .with_id("customers-segments");
    charts::render(ChartKind::HorizontalBar, &data, &text)
}

fn month_label(tr: &Tr, month: i32) -> String {
    match date_of(first_day_of_month(month)) {
        Some(day) => crate::web::forecast::period_label(tr, Period::containing(PeriodKind::Month, day)),
        None => "—".to_owned(),
    }
}

/// The retention triangle: the latest cohorts, the first months after each.
fn cohort_rows(tr: &Tr, table: &CohortTable) -> (Vec<String>, Vec<CohortRowView>) {
    let skip = table.cohorts.len().saturating_sub(COHORT_ROWS);
    let shown = &table.cohorts[skip..];
    let months = shown.iter().map(|c| c.months.len()).max().unwrap_or(0).min(COHORT_MONTHS);
    let offsets = (0..months).map(|m| format::integer(m as i64, tr.locale)).collect();
    let rows = shown
        .iter()
        .map(|cohort| CohortRowView {
            label: month_label(tr, cohort.cohort_month),
            size: format::integer(i64::from(cohort.size), tr.locale),
            cells: (0..months)
                .map(|offset| match cohort.months.get(offset) {
                    Some(month) => CohortCellView {
                        text: percent(month.retention, tr.locale),
                        heat: month.retention.filter(|r| r.is_finite()).map(heat),
                    },
                    None => CohortCellView { text: String::new(), heat: None },
                })
                .collect(),
        })
        .collect();
    (offsets, rows)
}

/// Shade steps: 0 for nobody, then fifths up to 5 for everyone.
fn heat(retention: f64) -> u8 {
    if retention <= 0.0 { 0 } else { (retention * 5.0).ceil().clamp(1.0, 5.0) as u8 }
}

fn clv_lines(tr: &Tr, a: &CustomerAnalysis) -> (Vec<String>, Option<String>) {
    match &a.clv {
        ClvOutcome::Failed { code } => {
            let reason = tr.try_t(&format!("clv.error_{code}")).unwrap_or_else(|| tr.t("clv.error_other"));
            (Vec::new(), Some(reason))
        }
        ClvOutcome::Fitted {
            model,
            purchases_per_year,
            dropout_per_purchase,
            share_alive,
            mean_order_value_minor,
            ..
        } => {
            let tenths = |v: f64| text(format::scaled((v * 10.0).round() as i64, 1, tr.locale));
            let mut lines = Vec::new();
            if let Some(rate) = purchases_per_year {
                lines.push(tr.t_with("clv.purchases_per_year", &[("purchases", tenths(*rate))]));
            }
            // Below half a percent a share reads as "0 %": say it in words.
            match dropout_per_purchase {
                Some(dropout) if *dropout < 0.005 => lines.push(tr.t("clv.dropout_rare")),
                Some(dropout) => {
                    lines.push(tr.t_with("clv.dropout", &[("share", text(percent(Some(*dropout), tr.locale)))]));
                }
                None => {}
            }
            match share_alive {
                Some(alive) if *alive >= 0.995 => lines.push(tr.t("clv.share_alive_all")),
                Some(alive) => {
                    lines.push(tr.t_with("clv.share_alive", &[("share", text(percent(Some(*alive), tr.locale)))]));
                }
                None => {}
            }
            match mean_order_value_minor {
                Some(value) => lines.push(
                    tr.t_with("clv.order_value", &[("value", text(format::money(*value, &a.currency, tr.locale)))]),
                ),
                None => lines.push(tr.t("clv.order_value_own")),
            }
            let fitted = i64::try_from(model.customers_fitted).unwrap_or(i64::MAX);
            lines.push(tr.t_with("clv.fitted_on", &[("customers", Arg::Number(fitted))]));
            (lines, None)
        }
    }
}

pub async fn customers_page(State(state): State<AppState>, user: WebUser, Query(query): Query<PageQuery>) -> WebResult {
    let tr = &user.tr;
    let analysis = store::stored(&state.ctx).await.map_err(|e| user.fail(e))?;
    let mut page = CustomersPage {
        frame: user.frame("analytics", tr.t("analytics.customers_title")),
        can_refresh: user.actor.role == rapport_core::access::Role::Admin,
        queued: query.queued.is_some(),
        refreshed: None,
        has_customers: false,
        figures: Vec::new(),
        left_out: None,
        chart: String::new(),
        segments: Vec::new(),
        top: Vec::new(),
        cohort_offsets: Vec::new(),
        cohorts: Vec::new(),
        clv_lines: Vec::new(),
        clv_failed: None,
    };
    if let Some(a) = analysis {
        page.refreshed = Some(
            tr.t_with("customers.refreshed", &[("at", text(format::datetime(a.computed_at, user.zone, tr.locale)))]),
        );
        page.has_customers = a.customers > 0;
        page.left_out = left_out(tr, &a.left_out, &a.currency);
        if page.has_customers {
            let top = store::top_by_clv(&state.ctx, &user.actor, TOP).await.map_err(|e| user.fail(e))?;
            page.figures = figures(tr, &a);
            page.chart = segment_chart(tr, &a);
            page.segments = segment_rows(tr, &a);
            page.top = top.iter().map(|line| customer_row(tr, line)).collect();
            (page.cohort_offsets, page.cohorts) = cohort_rows(tr, &a.cohorts);
            (page.clv_lines, page.clv_failed) = clv_lines(tr, &a);
        }
    }
    Ok(html(StatusCode::OK, &page))
}

/// An administrator's "Refresh now": queues the job and comes back.
pub async fn refresh_now(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = rapport_core::access::Admin::try_from(user.actor.clone())
        .map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))?;
    store::request_refresh_now(&state.ctx, &admin).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to("/analytics/customers?queued=1").into_response())
}

#[cfg(test)]
mod tests {
    use super::{Tr, heat, left_out, store};
    use crate::web::i18n::Locale;

    #[test]
    fn left_out_orders_are_counted_with_the_locales_grouping() {
        let many = store::LeftOut {
            other_currencies: vec![("USD".into(), 12_000), ("EUR".into(), 345)],
            other_currency_orders: 12_345,
            orders_without_customer: 2_500,
        };
        let en = left_out(&Tr::new(Locale::En), &many, "BRL").expect("a note");
        assert!(
            en.contains("12,345 orders in other currencies than BRL") && en.contains("USD 12,000, EUR 345"),
            "{en}"
        );
        assert!(en.contains("2,500 orders name no company"), "{en}");
        let pt = left_out(&Tr::new(Locale::PtBr), &many, "BRL").expect("a note");
        assert!(pt.contains("12.345 pedidos") && pt.contains("2.500 pedidos"), "{pt}");
        let one = store::LeftOut { orders_without_customer: 1, ..Default::default() };
        assert_eq!(
            left_out(&Tr::new(Locale::Es), &one, "BRL").as_deref(),
            Some("Un pedido sin empresa ni contacto queda fuera.")
        );
        assert_eq!(left_out(&Tr::new(Locale::En), &store::LeftOut::default(), "BRL"), None);
    }

    #[test]
    fn retention_shades_in_fifths_and_nobody_is_blank() {
        let shades: Vec<u8> = [0.0, 0.01, 0.2, 0.21, 0.5, 0.99, 1.0, 1.5].into_iter().map(heat).collect();
        assert_eq!(shades, [0, 1, 1, 2, 3, 5, 5, 5]);
    }
}
