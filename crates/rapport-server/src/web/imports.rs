//! The import wizard: upload a file, check the mapping and formats against a
//! preview of the first rows, start it, follow its progress, download the
//! rows it left out, undo it. Every step is a plain form; a small script
//! only refreshes the progress without reloading the page.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use rapport_core::access::Writer;
use rapport_core::descriptor::MatchKey;
use rapport_core::import::{CellFormats, DateOrder, DecimalMark, mapping_targets};
use rapport_core::schema::{FieldKind, RecordType};
use rapport_db::imports::{self, Import, ImportSettings, ImportStatus};
use rapport_db::records::{Encoding, MatchBy, OnDuplicate};
use uuid::Uuid;

use super::session::{FormPost, WebUser};
use super::{WebResult, format, html};
use crate::auth::constant_time_eq;
use crate::state::AppState;

/// An option of a select: value, label, selected.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<T: PartialEq + Copy>(options: &[(T, &str, String)], current: T) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, name, label)| Choice {
            value: (*name).to_owned(),
            label: label.clone(),
            selected: *value == current,
        })
        .collect()
}

/// The keys a row of `kind` can be matched to a stored record by: those of
/// its fields, and the record id; the kind's own key stands for the default.
fn match_choices(user: &WebUser, kind: RecordType, current: MatchBy) -> Vec<Choice> {
    let has = |wanted: &[FieldKind]| kind.fields().iter().any(|f| wanted.contains(&f.kind));
    let own = kind.descriptor().duplicate_key.unwrap_or(MatchKey::Email);
    let mut options = Vec::new();
    for (key, by, name, kinds) in [
        (MatchKey::Email, MatchBy::Email, "email", &[FieldKind::Email, FieldKind::EmailList][..]),
        (MatchKey::Phone, MatchBy::Phone, "phone", &[FieldKind::Phone, FieldKind::PhoneList][..]),
        (MatchKey::Domain, MatchBy::Domain, "domain", &[FieldKind::Domain][..]),
    ] {
        if has(kinds) {
            let selected = current == by || (current == MatchBy::Default && key == own);
            options.push(Choice { value: name.into(), label: user.tr.t(&format!("imports.match_{name}")), selected });
        }
    }
    options.push(Choice { value: "id".into(), label: user.tr.t("imports.match_id"), selected: current == MatchBy::Id });
    options
}

pub struct ImportLine {
    pub href: String,
    pub file_name: String,
    pub kind: String,
    pub status: &'static str,
    pub status_label: String,
    pub summary: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "imports/list.html")]
struct ListPage {
    frame: super::Frame,
    imports: Vec<ImportLine>,
    kinds: Vec<Choice>,
    encodings: Vec<Choice>,
    error: Option<String>,
}

/// A column of the file and the field it fills.
pub struct ColumnRow {
    pub index: usize,
    pub header: String,
    pub samples: String,
    pub targets: Vec<Choice>,
}

pub struct PreviewLine {
    pub line: u64,
    pub outcome: &'static str,
    pub outcome_label: String,
    pub cells: Vec<String>,
    pub problem: String,
}

#[derive(Template)]
#[template(path = "imports/show.html")]
struct ShowPage {
    frame: super::Frame,
    id: Uuid,
    file_name: String,
    kind_plural: &'static str,
    kind_label: String,
    status: &'static str,
    status_label: String,
    columns: Vec<ColumnRow>,
    decimals: Vec<Choice>,
    dates: Vec<Choice>,
    duplicates: Vec<Choice>,
    match_by: Vec<Choice>,
    create_missing: bool,
    encodings: Vec<Choice>,
    preview_headers: Vec<String>,
    preview: Vec<PreviewLine>,
    percent: u8,
    counts: Vec<(&'static str, String, u64)>,
    cancel_requested: bool,
    left_out: Vec<(u64, String, String)>,
    has_left_out: bool,
    can_undo: bool,
    failure: Option<String>,
    error: Option<String>,
}

fn status_label(user: &WebUser, status: ImportStatus) -> String {
    user.tr.t(&format!("imports.status_{}", status.as_str()))
}

fn kind_label(user: &WebUser, plural: &str) -> String {
    user.tr.t(&format!("nav.{plural}"))
}

fn writer(user: &WebUser) -> Result<Writer, super::WebError> {
    Writer::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

fn encodings(user: &WebUser, current: Encoding) -> Vec<Choice> {
    let options = [
        (Encoding::Auto, "auto", user.tr.t("imports.encoding_auto")),
        (Encoding::Utf8, "utf-8", "UTF-8".to_owned()),
        (Encoding::Windows1252, "windows-1252", "Windows-1252 / Latin-1".to_owned()),
    ];
    choices(&options, current)
}

fn parse_encoding(value: Option<&str>) -> Encoding {
    match value {
        Some("utf-8") => Encoding::Utf8,
        Some("windows-1252") => Encoding::Windows1252,
        _ => Encoding::Auto,
    }
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
}

async fn render_list(state: &AppState, user: &WebUser, kind: Option<&str>, error: Option<String>) -> WebResult {
    let list = imports::list(&state.ctx, &user.actor, 50).await.map_err(|e| user.fail(e))?;
    let imports = list
        .iter()
        .map(|import| ImportLine {
            href: format!("/imports/{}", import.id),
            file_name: import.file_name.clone(),
            kind: kind_label(user, &import.record_type),
            status: import.status.as_str(),
            status_label: status_label(user, import.status),
            summary: counts_summary(user, import),
            when: format::datetime(import.created_at, user.zone, user.tr.locale),
        })
        .collect();
    let kinds = RecordType::all()
        .map(|k| Choice {
            value: k.plural().to_owned(),
            label: kind_label(user, k.plural()),
            selected: Some(k.plural()) == kind,
        })
        .collect();
    let page = ListPage {
        frame: user.frame("", user.tr.t("imports.title")),
        imports,
        kinds,
        encodings: encodings(user, Encoding::Auto),
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(html(status, &page))
}

fn counts_summary(user: &WebUser, import: &Import) -> String {
    let c = &import.counts;
    if import.status == ImportStatus::Draft {
        return String::new();
    }
    user.tr.t_with(
        "imports.summary",
        &[
            ("rows", super::i18n::Arg::Number(c.rows as i64)),
            ("created", super::i18n::Arg::Number(c.created as i64)),
            ("skipped", super::i18n::Arg::Number(c.skipped as i64)),
            ("rejected", super::i18n::Arg::Number(c.rejected as i64)),
        ],
    )
}

/// The user's imports and the form to start one.
pub async fn list(State(state): State<AppState>, user: WebUser, Query(query): Query<ListQuery>) -> WebResult {
    render_list(&state, &user, query.kind.as_deref(), None).await
}

/// Takes the uploaded file (a multipart form with the page's CSRF token)
/// and opens its mapping.
pub async fn upload(State(state): State<AppState>, user: WebUser, mut form: Multipart) -> WebResult {
    let (mut csrf, mut kind, mut encoding, mut file) = (None, None, None, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                let error =
                    user.tr.t1("imports.too_large", "size", (imports::MAX_FILE_BYTES / (1024 * 1024)).to_string());
                return render_list(&state, &user, None, Some(error)).await;
            }
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("kind") => kind = field.text().await.ok(),
            Some("encoding") => encoding = field.text().await.ok(),
            Some("file") => {
                let name = field.file_name().unwrap_or("import.csv").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(_) => {
                        let error = user.tr.t1(
                            "imports.too_large",
                            "size",
                            (imports::MAX_FILE_BYTES / (1024 * 1024)).to_string(),
                        );
                        return render_list(&state, &user, None, Some(error)).await;
                    }
                }
            }
            _ => {}
        }
    }
    if !csrf.as_deref().is_some_and(|token| constant_time_eq(token, &user.csrf)) {
        return Err(user.error(StatusCode::FORBIDDEN, "error.csrf"));
    }
    let writer = writer(&user)?;
    let Some(record_type) = kind.as_deref().and_then(RecordType::from_plural) else {
        return Err(user.error(StatusCode::NOT_FOUND, "error.not_found"));
    };
    let Some((name, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        return render_list(&state, &user, Some(record_type.plural()), Some(user.tr.t("imports.no_file"))).await;
    };
    if super::vcards::is_vcard(&name, &bytes) {
        if record_type != RecordType::CONTACT {
            let error = user.tr.t("imports.vcard_contacts_only");
            return render_list(&state, &user, Some(record_type.plural()), Some(error)).await;
        }
        return match super::vcards::import(&state, &user, &writer, &name, &bytes).await {
            Ok(page) => page,
            Err(error) => render_list(&state, &user, Some("contacts"), Some(problem_text(&user, &error))).await,
        };
    }
    let encoding = parse_encoding(encoding.as_deref());
    match imports::upload(&state.ctx, &writer, record_type, &name, bytes.to_vec(), encoding).await {
        Ok(import) => Ok(Redirect::to(&format!("/imports/{}", import.id)).into_response()),
        Err(rapport_db::Error::Domain(error)) => {
            let message = problem_text(&user, &error);
            render_list(&state, &user, Some(record_type.plural()), Some(message)).await
        }
        Err(other) => Err(user.fail(other)),
    }
}

/// A refusal in the user's words: each field error by its code where the
/// catalogue has one.
fn problem_text(user: &WebUser, error: &rapport_core::DomainError) -> String {
    match error {
        rapport_core::DomainError::Validation(errors) => {
            errors.0.iter().map(|e| super::fields::error_message(&user.tr, e)).collect::<Vec<_>>().join(" ")
        }
        rapport_core::DomainError::Conflict { code, message } => {
            user.tr.try_t(&format!("imports.{code}")).unwrap_or_else(|| message.clone())
        }
        other => other.to_string(),
    }
}

fn import_id(user: &WebUser, segment: &str) -> Result<Uuid, super::WebError> {
    Uuid::parse_str(segment).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))
}

/// An import: its mapping and preview while a draft, its progress while it
/// runs, its outcome once done.
pub async fn show(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let id = import_id(&user, &id)?;
    render_show(&state, &user, id, None).await
}

async fn render_show(state: &AppState, user: &WebUser, id: Uuid, error: Option<String>) -> WebResult {
    let import = imports::get(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let record_type = RecordType::from_plural(&import.record_type)
        .ok_or_else(|| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let custom = snapshot.custom_fields_of(record_type);
    let settings = &import.settings;
    let (mut columns, mut preview_headers, mut preview) = (Vec::new(), Vec::new(), Vec::new());
    let mut error = error;
    if import.status == ImportStatus::Draft {
        let targets = mapping_targets(record_type, custom);
        let label_of = |target: &str| match target.strip_prefix("custom.") {
            Some(key) => custom.iter().find(|d| d.key == key).map_or_else(|| key.to_owned(), |d| d.label.clone()),
            None => match target {
                "tags" => user.tr.t("field.tags"),
                "owner_id" => user.tr.t("field.owner_id"),
                name => user.tr.field(record_type, name),
            },
        };
        let rows = match imports::preview(&state.ctx, &writer(user)?, id).await {
            Ok(rows) => rows,
            Err(rapport_db::Error::Domain(problem)) => {
                error.get_or_insert_with(|| problem_text(user, &problem));
                Vec::new()
            }
            Err(other) => return Err(user.fail(other)),
        };
        for (index, header) in import.columns.iter().enumerate() {
            let mapped = settings.mapping.get(index).cloned().flatten();
            let samples: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.cells.get(index).map(String::as_str))
                .filter(|c| !c.is_empty())
                .take(3)
                .collect();
            let mut options = vec![Choice {
                value: String::new(),
                label: user.tr.t("imports.skip_column"),
                selected: mapped.is_none(),
            }];
            options.extend(targets.iter().map(|t| Choice {
                value: t.clone(),
                label: label_of(t),
                selected: mapped.as_deref() == Some(t.as_str()),
            }));
            if mapped.is_none() && user.actor.role == rapport_core::access::Role::Admin {
                options.push(Choice {
                    value: imports::NEW_CUSTOM_FIELD.into(),
                    label: user.tr.t1("imports.new_custom_field", "name", header.clone()),
                    selected: false,
                });
            }
            columns.push(ColumnRow { index, header: header.clone(), samples: samples.join(" · "), targets: options });
        }
        let mapped: Vec<usize> =
            settings.mapping.iter().enumerate().filter(|(_, m)| m.is_some()).map(|(i, _)| i).take(6).collect();
        preview_headers = mapped.iter().filter_map(|i| settings.mapping[*i].as_deref()).map(label_of).collect();
        preview = rows
            .into_iter()
            .map(|row| PreviewLine {
                line: row.line,
                outcome: row.outcome,
                outcome_label: user.tr.t(&format!("imports.outcome_{}", row.outcome)),
                cells: mapped.iter().map(|i| row.cells.get(*i).cloned().unwrap_or_default()).collect(),
                problem: match row.outcome {
                    "reject" => row
                        .errors
                        .iter()
                        .map(|e| {
                            let field = e.field.split(['[', '.']).next().unwrap_or_default();
                            let message = super::fields::error_message(&user.tr, e);
                            if field.is_empty() { message } else { format!("{}: {message}", label_of(field)) }
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    "skip" => user.tr.t("imports.duplicate"),
                    _ => String::new(),
                },
            })
            .collect();
    }
    let finished = !import.status.is_pending() && import.status != ImportStatus::Draft;
    let left_out = if finished {
        imports::first_left_out(&state.ctx, &user.actor, id, 10)
            .await
            .map_err(|e| user.fail(e))?
            .into_iter()
            .map(|(line, outcome, reason)| (line, user.tr.t(&format!("imports.left_{outcome}")), reason))
            .collect()
    } else {
        Vec::new()
    };
    let c = import.counts;
    let page = ShowPage {
        frame: user.frame("", import.file_name.clone()),
        id,
        file_name: import.file_name.clone(),
        kind_plural: record_type.plural(),
        kind_label: kind_label(user, record_type.plural()),
        status: import.status.as_str(),
        status_label: status_label(user, import.status),
        columns,
        decimals: choices(
            &[
                (DecimalMark::Comma, "comma", user.tr.t("imports.decimal_comma")),
                (DecimalMark::Point, "point", user.tr.t("imports.decimal_point")),
            ],
            settings.formats.decimal,
        ),
        dates: choices(
            &[
                (DateOrder::DayFirst, "day_first", user.tr.t("imports.dates_day_first")),
                (DateOrder::MonthFirst, "month_first", user.tr.t("imports.dates_month_first")),
                (DateOrder::YearFirst, "year_first", user.tr.t("imports.dates_year_first")),
            ],
            settings.formats.dates,
        ),
        duplicates: choices(
            &[
                (OnDuplicate::Skip, "skip", user.tr.t("imports.duplicates_skip")),
                (OnDuplicate::Update, "update", user.tr.t("imports.duplicates_update")),
                (OnDuplicate::Create, "create", user.tr.t("imports.duplicates_create")),
            ],
            settings.on_duplicate,
        ),
        match_by: match_choices(user, record_type, settings.match_by),
        create_missing: settings.create_missing,
        encodings: encodings(user, settings.encoding),
        preview_headers,
        preview,
        percent: import.percent_done,
        counts: vec![
            ("rows", user.tr.t("imports.rows"), c.rows),
            ("created", user.tr.t("imports.created"), c.created),
            ("updated", user.tr.t("imports.updated"), c.updated),
            ("skipped", user.tr.t("imports.skipped"), c.skipped),
            ("rejected", user.tr.t("imports.rejected"), c.rejected),
        ],
        cancel_requested: import.cancel_requested,
        has_left_out: c.skipped + c.rejected > 0,
        left_out,
        can_undo: import.status.can_undo() && c.created + c.updated > 0,
        failure: import.error.clone(),
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(html(status, &page))
}

/// The settings a wizard form posts: a field per column (`map_0`…), the
/// formats, what to do with duplicates and the encoding.
fn posted_settings(form: &FormPost, import: &Import) -> ImportSettings {
    let mapping = (0..import.columns.len())
        .map(|i| form.value(&format!("map_{i}")).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned))
        .collect();
    let current = import.settings.formats;
    let formats = CellFormats {
        decimal: match form.value("decimal") {
            Some("comma") => DecimalMark::Comma,
            Some("point") => DecimalMark::Point,
            _ => current.decimal,
        },
        dates: match form.value("dates") {
            Some("day_first") => DateOrder::DayFirst,
            Some("month_first") => DateOrder::MonthFirst,
            Some("year_first") => DateOrder::YearFirst,
            _ => current.dates,
        },
    };
    let on_duplicate = match form.value("on_duplicate") {
        Some("create") => OnDuplicate::Create,
        Some("update") => OnDuplicate::Update,
        _ => OnDuplicate::Skip,
    };
    let match_by = match form.value("match_by") {
        Some("email") => MatchBy::Email,
        Some("phone") => MatchBy::Phone,
        Some("domain") => MatchBy::Domain,
        Some("id") => MatchBy::Id,
        _ => MatchBy::Default,
    };
    ImportSettings {
        encoding: parse_encoding(form.value("encoding")),
        mapping,
        formats,
        on_duplicate,
        match_by,
        create_missing: form.value("create_missing") == Some("true"),
    }
}

/// Saves the mapping and formats, and starts the import when asked.
pub async fn save(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = import_id(user, &id)?;
    let writer = writer(user)?;
    let import = imports::get(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let mut settings = posted_settings(&form, &import);
    if settings.mapping.iter().any(|m| m.as_deref() == Some(imports::NEW_CUSTOM_FIELD)) {
        let admin = rapport_core::access::Admin::try_from(user.actor.clone())
            .map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))?;
        if let Err(error) = imports::create_fields_for_columns(&state.ctx, &admin, &import, &mut settings.mapping).await
        {
            return match error {
                rapport_db::Error::Domain(problem) => {
                    render_show(&state, user, id, Some(problem_text(user, &problem))).await
                }
                other => Err(user.fail(other)),
            };
        }
    }
    let saved = imports::update_settings(&state.ctx, &writer, id, &settings).await;
    let outcome = match saved {
        Ok(_) if form.value("start").is_some() => imports::start(&state.ctx, &writer, id).await.map(|_| ()),
        other => other.map(|_| ()),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
        Err(rapport_db::Error::Domain(problem)) => {
            render_show(&state, user, id, Some(problem_text(user, &problem))).await
        }
        Err(other) => Err(user.fail(other)),
    }
}

/// Cancels or undoes an import, as the button says.
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let id = import_id(user, &id)?;
    let writer = writer(user)?;
    let done = match action.as_str() {
        "cancel" => imports::cancel(&state.ctx, &writer, id).await,
        "undo" => imports::undo(&state.ctx, &writer, id).await,
        _ => return Err(user.error(StatusCode::NOT_FOUND, "error.not_found")),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
        Err(rapport_db::Error::Domain(problem)) => {
            render_show(&state, user, id, Some(problem_text(user, &problem))).await
        }
        Err(other) => Err(user.fail(other)),
    }
}

/// The rows an import left out, as CSV to fix and import again.
pub async fn report(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let id = import_id(&user, &id)?;
    let csv = imports::left_out_report(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
        (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"import-report.csv\"")),
    ];
    Ok((headers, csv).into_response())
}
