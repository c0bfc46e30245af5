//! `/analytics/personas`: customers clustered into personas on the features
//! the user ticks, each described in plain words from its centroid, with
//! its size and value; any persona can be saved as a segment.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_analytics::features::CategoryLevel;
use rapport_analytics::personas::{Level, Trait};
use rapport_core::DomainError;
use rapport_db::analytics::personas::{DEFAULT_FEATURES, FeatureChoice, PersonaRequest, PersonaView};
use uuid::Uuid;

use super::percent;
use crate::state::AppState;
use crate::web::fields::error_message;
use crate::web::i18n::{Arg, Tr};
use crate::web::session::{FormPost, WebUser};
use crate::web::{Frame, WebResult, format, html};

pub struct Choice {
    pub key: String,
    pub label: String,
    pub checked: bool,
}

pub struct PersonaCard {
    pub index: usize,
    pub name: String,
    pub size: String,
    pub share: String,
    pub value: String,
    pub traits: Vec<String>,
}

#[derive(Template)]
#[template(path = "analytics/personas.html")]
struct PersonasPage {
    frame: Frame,
    choices: Vec<Choice>,
    /// (value, label, selected)
    ks: Vec<(String, String, bool)>,
    error: Option<String>,
    summary: String,
    quality: String,
    tried: Vec<(String, String, bool)>,
    cards: Vec<PersonaCard>,
    /// Hidden inputs repeating the request, for the save forms.
    request: Vec<(&'static str, String)>,
    segments: Vec<(Uuid, String, String)>,
    can_save: bool,
}

fn feature_label(tr: &Tr, choice: &FeatureChoice) -> String {
    choice.label.clone().unwrap_or_else(|| tr.t(&format!("persona.feature_{}", choice.key)))
}

/// A trait in words: "bought recently", "high spend", "in SP", "25–34".
fn trait_words(tr: &Tr, view: &PersonaView, t: &Trait) -> Option<String> {
    let choice = view.features.iter().find(|f| f.key == t.key())?;
    match t {
        Trait::Number { key, level, .. } => {
            let level = match level {
                Level::High => "high",
                Level::Low => "low",
                Level::Average => return None,
            };
            match choice.label.as_ref() {
                Some(label) => {
                    Some(tr.t_with(&format!("persona.custom_{level}"), &[("field", Arg::Text(label.clone()))]))
                }
                None => Some(tr.t(&format!("persona.trait_{key}_{level}"))),
            }
        }
        Trait::Category { key, value, share_in_cluster, .. } => {
            let value = match value {
                CategoryLevel::Value(v) if key == "age_band" => tr.t(&format!("analytics.age_{v}")),
                CategoryLevel::Value(v) => v.clone(),
                CategoryLevel::Other => tr.t("persona.other_values"),
                CategoryLevel::Missing => tr.t("persona.not_given"),
            };
            Some(tr.t_with(
                "persona.trait_category",
                &[
                    ("field", Arg::Text(feature_label(tr, choice))),
                    ("value", Arg::Text(value)),
                    ("share", Arg::Text(percent(Some(*share_in_cluster), tr.locale))),
                ],
            ))
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn request_of(pairs: &[(String, String)]) -> (PersonaRequest, bool) {
    let features: Vec<String> = pairs.iter().filter(|(k, _)| k == "features").map(|(_, v)| v.clone()).collect();
    let asked = !features.is_empty() || pairs.iter().any(|(k, _)| k == "k");
    let k = pairs.iter().rev().find(|(k, _)| k == "k").and_then(|(_, v)| v.parse().ok());
    let features = if asked { features } else { DEFAULT_FEATURES.iter().map(|f| (*f).to_owned()).collect() };
    (PersonaRequest { features, k }, asked)
}

async fn render(
    state: &AppState,
    user: &WebUser,
    request: PersonaRequest,
    status: StatusCode,
    saving_error: Option<String>,
) -> WebResult {
    let tr = &user.tr;
    let choices = rapport_db::analytics::personas::feature_choices(&state.ctx).await.map_err(|e| user.fail(e))?;
    let result = rapport_db::analytics::personas::cluster(&state.ctx, &user.actor, &request).await;
    let (view, mut error) = match result {
        Ok(view) => (Some(view), None),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            (None, errors.0.first().map(|e| error_message(tr, e)))
        }
        Err(e) => return Err(user.fail(e)),
    };
    if saving_error.is_some() {
        error = saving_error;
    }
    let int = |n: u64| format::integer(n as i64, tr.locale);
    let mut ks = vec![("".to_owned(), tr.t("persona.k_auto"), request.k.is_none())];
    ks.extend((2..=8).map(|k| (k.to_string(), k.to_string(), request.k == Some(k))));
    let (summary, quality, tried, cards) = match &view {
        None => (String::new(), String::new(), Vec::new(), Vec::new()),
        Some(view) => {
            let quality_key = match view.silhouette {
                s if s >= 0.5 => "persona.quality_strong",
                s if s >= 0.25 => "persona.quality_fair",
                _ => "persona.quality_weak",
            };
            let score = format::scaled((view.silhouette * 100.0).round() as i64, 2, tr.locale);
            let cards = view
                .clusters
                .iter()
                .enumerate()
                .map(|(index, c)| {
                    let words: Vec<String> = c.traits.iter().filter_map(|t| trait_words(tr, view, t)).collect();
                    PersonaCard {
                        index,
                        name: if words.is_empty() {
                            tr.t("persona.average_customers")
                        } else {
                            capitalised(&words.iter().take(3).cloned().collect::<Vec<_>>().join(" · "))
                        },
                        size: int(c.size as u64),
                        share: percent(Some(c.share), tr.locale),
                        // No line break between "R$" and the number on a narrow card.
                        value: format::money(c.value_minor, &view.currency, tr.locale).replace(' ', "\u{a0}"),
                        traits: words,
                    }
                })
                .collect();
            (
                tr.t_with(
                    "persona.summary",
                    &[("customers", Arg::Text(int(view.customers))), ("k", Arg::Text(view.k.to_string()))],
                ),
                tr.t_with(quality_key, &[("score", Arg::Text(score))]),
                view.tried
                    .iter()
                    .map(|(k, s)| {
                        (k.to_string(), format::scaled((s * 100.0).round() as i64, 2, tr.locale), *k == view.k)
                    })
                    .collect(),
                cards,
            )
        }
    };
    let mut hidden: Vec<(&'static str, String)> = request.features.iter().map(|f| ("features", f.clone())).collect();
    if let Some(k) = request.k {
        hidden.push(("k", k.to_string()));
    }
    let segments = rapport_db::analytics::personas::saved_segments(&state.ctx)
        .await
        .map_err(|e| user.fail(e))?
        .into_iter()
        .map(|(id, name, n)| (id, name, int(n)))
        .collect();
    let page = PersonasPage {
        frame: user.frame("analytics", tr.t("analytics.personas_title")),
        choices: choices
            .iter()
            .map(|c| Choice {
                key: c.key.clone(),
                label: feature_label(tr, c),
                checked: request.features.contains(&c.key),
            })
            .collect(),
        ks,
        error,
        summary,
        quality,
        tried,
        cards,
        request: hidden,
        segments,
        can_save: rapport_core::access::Writer::try_from(user.actor.clone()).is_ok(),
    };
    Ok(html(status, &page))
}

pub async fn personas_page(State(state): State<AppState>, user: WebUser, RawQuery(query): RawQuery) -> WebResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let (request, _) = request_of(&pairs);
    render(&state, &user, request, StatusCode::OK, None).await
}

pub async fn save_persona(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let (request, _) = request_of(&form.fields);
    let writer = rapport_core::access::Writer::try_from(user.actor.clone())
        .map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))?;
    let index = form.value("persona").and_then(|p| p.parse().ok()).unwrap_or(usize::MAX);
    let name = form.value("name").unwrap_or_default();
    match rapport_db::analytics::personas::save_segment(&state.ctx, &writer, &request, index, name).await {
        Ok(id) => Ok(Redirect::to(&format!("/analytics/segments/{id}")).into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message = errors.0.first().map(|e| error_message(&user.tr, e));
            render(&state, user, request, StatusCode::UNPROCESSABLE_ENTITY, message).await
        }
        Err(e) => Err(user.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "analytics/segment.html")]
struct SegmentPage {
    frame: Frame,
    count: String,
    traits: String,
    members: Vec<(String, String)>,
}

pub async fn segment_page(State(state): State<AppState>, user: WebUser, Path(id): Path<Uuid>) -> WebResult {
    let tr = &user.tr;
    let segment = rapport_db::analytics::personas::saved_segment(&state.ctx, &user.actor, id, 500)
        .await
        .map_err(|e| user.fail(e))?;
    let count = tr.t_with(
        "persona.segment_count",
        &[
            ("count", Arg::Text(format::integer(segment.customers as i64, tr.locale))),
            ("shown", Arg::Text(segment.members.len().to_string())),
        ],
    );
    let features: Vec<String> = segment.definition["features"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|v| v.as_str())
                .map(|k| tr.try_t(&format!("persona.feature_{k}")).unwrap_or_else(|| k.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let page = SegmentPage {
        frame: user.frame("analytics", segment.name.clone()),
        count,
        traits: tr.t_with("persona.segment_made_from", &[("features", Arg::Text(features.join(", ")))]),
        members: segment
            .members
            .iter()
            .map(|(kind, id, name)| {
                let plural = if kind == "company" { "companies" } else { "contacts" };
                (format!("/{plural}/{id}"), name.clone())
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}
