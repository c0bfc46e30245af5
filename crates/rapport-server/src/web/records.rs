//! The screens every record kind gets from its descriptor: list, record
//! page, new and edit forms, timeline, and the activity composer.

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::DomainError;
use rapport_core::FieldError;
use rapport_core::access::Writer;
use rapport_core::custom_fields::{CustomFieldDefinition, CustomFieldType};
use rapport_core::ids::RecordId;
use rapport_core::query::{FieldRef, SystemField};
use rapport_core::schema::{FieldKind, FieldSpec, RecordType};
use rapport_db::records::{self, Record, TimelineEntry};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::fields::{self, Cell, FormValues, Names, Section};
use super::format;
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, html};
use crate::state::AppState;

/// The kind a URL segment names, or a 404 page.
pub(super) fn kind(user: &WebUser, segment: &str) -> Result<RecordType, super::WebError> {
    RecordType::from_plural(segment).ok_or_else(|| user.error(StatusCode::NOT_FOUND, "error.not_found"))
}

pub(super) fn record_id(user: &WebUser, segment: &str) -> Result<RecordId, super::WebError> {
    Uuid::parse_str(segment).map(RecordId).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))
}

pub(super) fn writer(user: &WebUser) -> Result<Writer, super::WebError> {
    Writer::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

/// A column a list can show besides the name: a field of the kind's
/// descriptor, one of every record's own, or a custom field.
enum ListColumn<'a> {
    Field(&'static FieldSpec),
    System(SystemField),
    Custom(&'a CustomFieldDefinition),
}

/// Every record's own fields a list can show.
const SYSTEM_COLUMNS: [SystemField; 4] =
    [SystemField::OwnerId, SystemField::Tags, SystemField::CreatedAt, SystemField::UpdatedAt];

impl ListColumn<'_> {
    /// The name the API gives the field (`city`, `created_at`, `custom.region`).
    fn name(&self) -> String {
        match self {
            Self::Field(spec) => spec.name.to_owned(),
            Self::System(field) => field.column().to_owned(),
            Self::Custom(definition) => format!("custom.{}", definition.key),
        }
    }

    fn label(&self, tr: &super::i18n::Tr) -> String {
        match self {
            Self::Field(spec) => tr.t(&spec.label_key()),
            Self::System(field) => tr.t(&format!("field.{}", field.column())),
            Self::Custom(definition) => definition.label.clone(),
        }
    }

    /// Whether sorting by it reads an index (the only sorts a list offers:
    /// any other would sort the whole table on every page).
    fn sortable(&self, record_type: RecordType) -> bool {
        match self {
            Self::Field(spec) => spec.indexed && spec.sortable(),
            Self::System(field) => FieldRef::System(*field).indexed(record_type),
            Self::Custom(_) => false,
        }
    }

    fn cell(&self, user: &WebUser, names: &Names, record: &Record) -> Cell {
        match self {
            Self::Field(spec) => fields::display(&user.tr, user.zone, names, record, spec),
            Self::Custom(definition) => fields::display_custom(&user.tr, definition, record),
            Self::System(SystemField::OwnerId) => Cell {
                text: record.owner_id.and_then(|id| names.users.get(&id).cloned()).unwrap_or_default(),
                href: None,
            },
            Self::System(SystemField::Tags) => Cell { text: record.tags.join(", "), href: None },
            Self::System(SystemField::UpdatedAt) => {
                Cell { text: format::datetime(record.updated_at, user.zone, user.tr.locale), href: None }
            }
            Self::System(_) => {
                Cell { text: format::datetime(record.created_at, user.zone, user.tr.locale), href: None }
            }
        }
    }
}

/// Every column a list of the kind can show, in the order the chooser offers them.
fn all_columns(record_type: RecordType, names: &Names) -> Vec<ListColumn<'_>> {
    let shown_in_list = |spec: &&FieldSpec| {
        !record_type.descriptor().display_name.contains(&spec.name)
            && !matches!(
                spec.kind,
                FieldKind::RefList | FieldKind::Consents | FieldKind::LineItems | FieldKind::Structured(_)
            )
    };
    let fields = record_type.fields().iter().filter(shown_in_list).map(ListColumn::Field);
    let custom = names.custom_of(record_type).map(ListColumn::Custom);
    fields.chain(SYSTEM_COLUMNS.into_iter().map(ListColumn::System)).chain(custom).collect()
}

/// The columns a list shows: the chosen ones, in the chooser's order, or the
/// descriptor's listed fields when none are chosen.
fn shown_columns<'a>(record_type: RecordType, names: &'a Names, chosen: &[String]) -> Vec<ListColumn<'a>> {
    let all = all_columns(record_type, names);
    if chosen.is_empty() {
        return all.into_iter().filter(|c| matches!(c, ListColumn::Field(spec) if spec.listed)).collect();
    }
    all.into_iter().filter(|column| chosen.contains(&column.name())).collect()
}

pub struct Row {
    pub id: String,
    pub href: String,
    pub name: String,
    pub cells: Vec<Cell>,
}

pub struct Column {
    pub label: String,
    /// The list sorted by it (the other way round when it already is);
    /// none when it cannot be sorted by.
    pub sort_href: Option<String>,
    /// `asc`, `desc`, or empty when the list is not sorted by it.
    pub sorted: &'static str,
}

/// A saved view, as a tab above the list.
pub struct ViewTab {
    pub name: String,
    pub href: String,
    pub shared: bool,
    pub current: bool,
    /// Where its delete form posts, for the person who may delete it.
    pub delete_href: Option<String>,
}

/// A column the chooser offers.
pub struct ColumnChoice {
    pub name: String,
    pub label: String,
    pub shown: bool,
}

/// A filter in force, shown as a chip that removes it.
pub struct Chip {
    pub label: String,
    pub remove_href: String,
}

#[derive(Template)]
#[template(path = "records/list.html")]
struct ListPage {
    frame: Frame,
    plural: &'static str,
    /// The kind has a review list of likely duplicates.
    duplicates_compared: bool,
    new_label: String,
    empty_text: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
    more_href: Option<String>,
    chips: Vec<Chip>,
    filter_fields: Vec<(String, String)>,
    operators: Vec<(&'static str, String)>,
    sort: String,
    shown: String,
    can_write: bool,
    /// People records can be given to, for the bulk "assign" action.
    owners: Vec<(String, String)>,
    /// What the last bulk action did.
    notice: Option<String>,
    /// The list's own address, to come back to after a bulk action.
    back: String,
    views: Vec<ViewTab>,
    /// Whether the list shows everything: no view, no filter.
    all_current: bool,
    /// The current list's query and columns, for "save as a view" and the export.
    view_query: String,
    view_columns: String,
    column_choices: Vec<ColumnChoice>,
    /// Fields the bulk "set a field" action can set.
    settable: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "records/rows_page.html")]
struct RowsFragment {
    frame: Frame,
    rows: Vec<Row>,
    more_href: Option<String>,
    can_write: bool,
}

fn row(user: &WebUser, names: &Names, record: &Record, columns: &[ListColumn<'_>]) -> Row {
    Row {
        id: record.id.0.to_string(),
        href: format!("/{}/{}", record.record_type.plural(), record.id.0),
        name: record.display_name(),
        cells: columns.iter().map(|column| column.cell(user, names, record)).collect(),
    }
}

/// Fields the bulk "set a field" action offers (name, label): plain values
/// one input can hold.
fn settable(user: &WebUser, record_type: RecordType, names: &Names) -> Vec<(String, String)> {
    let plain = |spec: &&FieldSpec| {
        fields::editable(spec)
            && !spec.name.ends_with("_minor")
            && matches!(
                spec.kind,
                FieldKind::Text { .. }
                    | FieldKind::Enum(_)
                    | FieldKind::Country
                    | FieldKind::Date
                    | FieldKind::Bool
                    | FieldKind::Integer { .. }
                    | FieldKind::Email
                    | FieldKind::Phone
                    | FieldKind::Url
                    | FieldKind::Currency
            )
    };
    let standard =
        record_type.fields().iter().filter(plain).map(|spec| (spec.name.to_owned(), user.tr.t(&spec.label_key())));
    let custom = names.custom_of(record_type).filter(|d| d.field_type != CustomFieldType::Money);
    standard.chain(custom.map(|d| (format!("custom.{}", d.key), d.label.clone()))).collect()
}

/// The URL of the list with `pairs` as its query.
fn list_href(record_type: RecordType, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return format!("/{}", record_type.plural());
    }
    format!("/{}?{}", record_type.plural(), serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// The API's list query from the page's: `f`, `op` and `v` (the filter form)
/// become `filter[f][op]=v`; everything else passes as the API takes it.
pub(super) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    let take = |pairs: &mut Vec<(String, String)>, name: &str| {
        let at = pairs.iter().position(|(k, _)| k == name)?;
        Some(pairs.remove(at).1)
    };
    if let (Some(field), Some(op), value) = (take(&mut pairs, "f"), take(&mut pairs, "op"), take(&mut pairs, "v")) {
        if !field.is_empty() {
            pairs.push((format!("filter[{field}][{op}]"), value.unwrap_or_default()));
        }
    }
    pairs.retain(|(k, v)| !(k.is_empty() || k == "sort" && v.is_empty()));
    pairs
}

pub async fn list(
    State(state): State<AppState>,
    user: WebUser,
    Path(segment): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    let record_type = kind(&user, &segment)?;
    let pairs = query_pairs(raw.as_deref());
    let fragment = pairs.iter().any(|(k, _)| k == "fragment");
    let api_pairs = api_pairs(&pairs);
    let view_id = pairs.iter().find(|(k, _)| k == "view").and_then(|(_, v)| Uuid::parse_str(v).ok());
    let page = match records::list(&state.ctx, &user.actor, record_type, &api_pairs).await {
        Ok(page) => page,
        // A filter the list cannot apply (a bad date, say): show the list without it.
        Err(rapport_db::Error::Domain(DomainError::Validation(_))) if !api_pairs.is_empty() => {
            return Ok(Redirect::to(&list_href(record_type, &[])).into_response());
        }
        Err(error) => return Err(user.fail(error)),
    };
    let refs: Vec<&Record> = page.items.iter().collect();
    let names = Names::load(&state, &user.actor, &refs).await.map_err(|e| user.fail(e))?;
    let views = rapport_db::views::list(&state.ctx, &user.actor, record_type).await.map_err(|e| user.fail(e))?;
    let current_view = view_id.and_then(|id| views.iter().find(|v| v.id == id));
    let chosen = match current_view.filter(|v| !v.columns.is_empty()) {
        Some(view) => view.columns.clone(),
        None => rapport_db::views::columns(&state.ctx, &user.actor, record_type)
            .await
            .map_err(|e| user.fail(e))?
            .unwrap_or_default(),
    };
    let shown = shown_columns(record_type, &names, &chosen);
    let rows: Vec<Row> = page.items.iter().map(|r| row(&user, &names, r, &shown)).collect();
    // The list's query as the page keeps it: the API's, and the view it came from.
    let mut without_cursor: Vec<(String, String)> = api_pairs.iter().filter(|(k, _)| k != "cursor").cloned().collect();
    let view_query = serde_urlencoded::to_string(&without_cursor).unwrap_or_default();
    if let Some(view) = current_view {
        without_cursor.push(("view".into(), view.id.to_string()));
    }
    let more_href = page.next_cursor.as_ref().map(|cursor| {
        let mut next = without_cursor.clone();
        next.push(("cursor".into(), cursor.clone()));
        list_href(record_type, &next)
    });
    let title = user.tr.t(&format!("kind.{}", record_type.plural()));
    let frame = user.frame(section_of(record_type), title);
    if fragment {
        let can_write = writer(&user).is_ok();
        return Ok(html(StatusCode::OK, &RowsFragment { frame, rows, more_href, can_write }));
    }
    let sort = api_pairs.iter().find(|(k, _)| k == "sort").map(|(_, v)| v.clone()).unwrap_or_default();
    let chips: Vec<Chip> = without_cursor
        .iter()
        .enumerate()
        .filter_map(|(i, (key, value))| {
            let (field, op) = key.strip_prefix("filter[")?.strip_suffix(']')?.split_once("][")?;
            let rest: Vec<(String, String)> =
                without_cursor.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| p.clone()).collect();
            let label = format!("{} {} {value}", user.tr.field(record_type, field), user.tr.t(&format!("op.{op}")));
            Some(Chip { label, remove_href: list_href(record_type, &rest) })
        })
        .collect();
    let view_tabs = views
        .iter()
        .map(|view| {
            let mut pairs = rapport_core::views::query_pairs(&view.query);
            pairs.push(("view".into(), view.id.to_string()));
            ViewTab {
                name: view.name.clone(),
                href: list_href(record_type, &pairs),
                shared: view.shared,
                current: Some(view.id) == view_id,
                delete_href: view
                    .editable_by(&user.actor)
                    .then(|| format!("/{}/views/{}/delete", record_type.plural(), view.id)),
            }
        })
        .collect();
    let column_choices = all_columns(record_type, &names)
        .iter()
        .map(|column| ColumnChoice {
            shown: shown.iter().any(|c| c.name() == column.name()),
            name: column.name(),
            label: column.label(&user.tr),
        })
        .collect();
    let view_columns = shown.iter().map(ListColumn::name).collect::<Vec<_>>().join(",");
    let single = user.tr.t(&format!("kind.{}.one", record_type.plural()));
    let columns = shown
        .iter()
        .map(|column| {
            let name = column.name();
            let sorted = if sort == name {
                "asc"
            } else if sort == format!("-{name}") {
                "desc"
            } else {
                ""
            };
            let sort_href = column.sortable(record_type).then(|| {
                let mut pairs: Vec<(String, String)> =
                    without_cursor.iter().filter(|(k, _)| k != "sort").cloned().collect();
                pairs.push(("sort".into(), if sorted == "asc" { format!("-{name}") } else { name.clone() }));
                list_href(record_type, &pairs)
            });
            Column { label: column.label(&user.tr), sort_href, sorted }
        })
        .collect();
    let filter_fields = record_type
        .fields()
        .iter()
        .filter(|f| f.indexed && !matches!(f.kind, FieldKind::Ref(_) | FieldKind::StageRef | FieldKind::PipelineRef))
        .map(|f| (f.name.to_owned(), user.tr.t(&f.label_key())))
        .collect();
    let operators = ["eq", "ne", "contains", "starts_with", "gt", "lt", "is_empty"]
        .into_iter()
        .map(|op| (op, user.tr.t(&format!("op.{op}"))))
        .collect();
    let shown = user.tr.count("list.shown", rows.len() as i64);
    let notice = pairs.iter().find(|(k, _)| k == "done").map(|(_, v)| {
        let (changed, refused) = v.split_once('-').unwrap_or((v, "0"));
        let args = [
            ("changed", super::i18n::Arg::Number(changed.parse().unwrap_or(0))),
            ("refused", super::i18n::Arg::Number(refused.parse().unwrap_or(0))),
        ];
        user.tr.t_with("bulk.done", &args)
    });
    let settable = settable(&user, record_type, &names);
    let page = ListPage {
        duplicates_compared: super::duplicates::compared(record_type),
        all_current: current_view.is_none() && chips.is_empty(),
        views: view_tabs,
        view_query,
        view_columns,
        column_choices,
        settable,
        owners: names.colleagues.iter().filter(|c| !c.disabled).map(|c| (c.id.0.to_string(), c.name.clone())).collect(),
        notice,
        back: list_href(record_type, &without_cursor),
        new_label: user.tr.t1("action.new", "kind", single),
        empty_text: user.tr.t(&format!("kind.{}.empty", record_type.plural())),
        can_write: writer(&user).is_ok(),
        frame,
        plural: record_type.plural(),
        columns,
        rows,
        more_href,
        chips,
        filter_fields,
        operators,
        sort,
        shown,
    };
    Ok(html(StatusCode::OK, &page))
}

/// Parameters of the list page that are not the API's.
const PAGE_PARAMETERS: [&str; 3] = ["fragment", "done", "view"];

/// The API's list query within the list page's.
pub(super) fn api_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs.iter().filter(|(k, _)| !PAGE_PARAMETERS.contains(&k.as_str())).cloned().collect()
}

/// The list as it is filtered and sorted, as a CSV file.
pub async fn export_csv(
    State(state): State<AppState>,
    user: WebUser,
    Path(segment): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    let record_type = kind(&user, &segment)?;
    let pairs = api_pairs(&query_pairs(raw.as_deref()));
    crate::export::csv(&state, &user.actor, record_type, &pairs).await.map_err(|e| user.fail(e))
}

/// The contacts list as it is filtered and sorted, as vCards.
pub async fn export_vcf(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> WebResult {
    let pairs = api_pairs(&query_pairs(raw.as_deref()));
    crate::export::vcards(&state, &user.actor, &pairs).await.map_err(|e| user.fail(e))
}

/// Keeps the columns the user chose for lists of a kind (none: the defaults).
pub async fn choose_columns(State(state): State<AppState>, Path(segment): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let chosen: Vec<String> = match form.value("reset") {
        Some(_) => Vec::new(),
        None => form.fields.iter().filter(|(k, _)| k == "col").map(|(_, v)| v.clone()).collect(),
    };
    rapport_db::views::set_columns(&state.ctx, &user.actor, record_type, &chosen).await.map_err(|e| user.fail(e))?;
    let back = super::safe_next(form.value("_back")).to_owned();
    Ok(Redirect::to(&back).into_response())
}

/// Saves the list as it is (filters, sort, columns) as a view, and opens it.
pub async fn save_view(State(state): State<AppState>, Path(segment): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let input = rapport_core::views::ViewInput {
        name: form.value("name").unwrap_or_default().to_owned(),
        query: form.value("query").unwrap_or_default().to_owned(),
        columns: form
            .value("columns")
            .unwrap_or_default()
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        shared: form.value("shared") == Some("true"),
    };
    let view =
        rapport_db::views::create(&state.ctx, &user.actor, record_type, &input).await.map_err(|e| user.fail(e))?;
    let mut pairs = rapport_core::views::query_pairs(&view.query);
    pairs.push(("view".into(), view.id.to_string()));
    Ok(Redirect::to(&list_href(record_type, &pairs)).into_response())
}

pub async fn delete_view(
    State(state): State<AppState>,
    Path((segment, id)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let id = Uuid::parse_str(&id).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    rapport_db::views::delete(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&list_href(record_type, &[])).into_response())
}

pub(super) fn section_of(record_type: RecordType) -> &'static str {
    match record_type.plural() {
        "contacts" => "contacts",
        "companies" => "companies",
        "leads" => "leads",
        "deals" => "deals",
        "activities" => "activities",
        "orders" | "returns" => "orders",
        "quotes" => "quotes",
        "products" => "products",
        "contracts" => "contracts",
        _ => "",
    }
}

#[derive(Template)]
#[template(path = "records/form.html")]
struct FormPage {
    frame: Frame,
    action: String,
    cancel_href: String,
    sections: Vec<Section>,
    version: Option<i64>,
    summary: Option<String>,
    /// Set when someone else saved first: their values, field by field.
    conflict: Vec<(String, String)>,
}

/// The form for a new record: empty, or as typed with what to fix.
async fn new_form(
    state: &AppState,
    user: &WebUser,
    record_type: RecordType,
    typed: &FormValues<'_>,
    errors: &[FieldError],
) -> WebResult {
    let names = Names::load(state, &user.actor, &[]).await.map_err(|e| user.fail(e))?;
    let single = user.tr.t(&format!("kind.{}.one", record_type.plural()));
    let page = FormPage {
        frame: user.frame(section_of(record_type), user.tr.t1("action.new", "kind", single)),
        action: format!("/{}", record_type.plural()),
        cancel_href: format!("/{}", record_type.plural()),
        sections: fields::form_sections(&user.tr, user.zone, &names, record_type, typed, errors, user.actor.user_id),
        version: None,
        summary: (!errors.is_empty()).then(|| user.tr.t("error.form")),
        conflict: Vec::new(),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(html(status, &page))
}

pub async fn new(State(state): State<AppState>, user: WebUser, Path(segment): Path<String>) -> WebResult {
    let record_type = kind(&user, &segment)?;
    writer(&user)?;
    new_form(&state, &user, record_type, &FormValues::Empty, &[]).await
}

/// The form's reference fields as ids: a name typed without the type-ahead
/// (no JavaScript) finds the visible record of that name.
async fn resolve_references(
    state: &AppState,
    user: &WebUser,
    record_type: RecordType,
    fields_in: &mut Vec<(String, String)>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for spec in record_type.fields().iter().filter(|s| fields::editable(s)) {
        let FieldKind::Ref(target) = spec.kind else { continue };
        let Some(target) = RecordType::parse(target) else { continue };
        let label_key = format!("{}__label", spec.name);
        let Some(label) = fields_in.iter().rev().find(|(k, _)| *k == label_key).map(|(_, v)| v.trim().to_owned())
        else {
            continue;
        };
        let id = fields_in.iter().rev().find(|(k, _)| k == spec.name).map(|(_, v)| v.clone()).unwrap_or_default();
        let resolved = if label.is_empty() {
            String::new()
        } else {
            let kept = match Uuid::parse_str(&id) {
                Ok(id) => records::get(&state.ctx, &user.actor, target, RecordId(id))
                    .await
                    .ok()
                    .filter(|r| r.display_name() == label)
                    .map(|r| r.id.0.to_string()),
                Err(_) => None,
            };
            match kept {
                Some(id) => id,
                None => {
                    let hits = rapport_db::search::search(&state.ctx, &user.actor, &label, &[target], 10).await;
                    let exact =
                        hits.ok().and_then(|hits| hits.into_iter().find(|h| h.label.eq_ignore_ascii_case(&label)));
                    match exact {
                        Some(hit) => hit.id.0.to_string(),
                        None => {
                            errors.push(FieldError::new(spec.name, "not_found", "no such record"));
                            continue;
                        }
                    }
                }
            }
        };
        fields_in.retain(|(k, _)| k != spec.name);
        fields_in.push((spec.name.to_owned(), resolved));
    }
    errors
}

/// The API's input from a form, custom fields included.
async fn form_input(
    state: &AppState,
    user: &WebUser,
    record_type: RecordType,
    fields: &[(String, String)],
) -> Result<Value, super::WebError> {
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let custom: Vec<_> = snapshot.custom_fields_of(record_type).iter().collect();
    Ok(fields::form_input(record_type, &custom, fields, user.zone))
}

pub async fn create(State(state): State<AppState>, Path(segment): Path<String>, form: FormPost) -> WebResult {
    let FormPost { user, mut fields } = form;
    let record_type = kind(&user, &segment)?;
    let writer = writer(&user)?;
    let mut errors = resolve_references(&state, &user, record_type, &mut fields).await;
    if errors.is_empty() {
        let input = form_input(&state, &user, record_type, &fields).await?;
        match records::create(&state.ctx, &writer, record_type, &input).await {
            Ok(record) => {
                // A record with likely duplicates opens with a warning over its panel.
                let warn = super::duplicates::compared(record_type)
                    && !records::duplicates_of(&state.ctx, &user.actor, record_type, record.id)
                        .await
                        .map_err(|e| user.fail(e))?
                        .is_empty();
                let to =
                    format!("/{}/{}{}", record_type.plural(), record.id.0, if warn { "?duplicates=1" } else { "" });
                return Ok(Redirect::to(&to).into_response());
            }
            Err(rapport_db::Error::Domain(DomainError::Validation(found))) => errors = found.0,
            Err(error) => return Err(user.fail(error)),
        }
    }
    new_form(&state, &user, record_type, &FormValues::Typed(&fields), &errors).await
}

pub async fn edit(
    State(state): State<AppState>,
    user: WebUser,
    Path((segment, id)): Path<(String, String)>,
) -> WebResult {
    let record_type = kind(&user, &segment)?;
    let id = record_id(&user, &id)?;
    writer(&user)?;
    let record = records::get(&state.ctx, &user.actor, record_type, id).await.map_err(|e| user.fail(e))?;
    let names = Names::load(&state, &user.actor, &[&record]).await.map_err(|e| user.fail(e))?;
    let page = FormPage {
        frame: user.frame(section_of(record_type), record.display_name()),
        action: format!("/{}/{}", record_type.plural(), id.0),
        cancel_href: format!("/{}/{}", record_type.plural(), id.0),
        sections: fields::form_sections(
            &user.tr,
            user.zone,
            &names,
            record_type,
            &FormValues::Record(&record),
            &[],
            user.actor.user_id,
        ),
        version: Some(record.version),
        summary: None,
        conflict: Vec::new(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// Saves an edit against the version the form was read at: if someone else
/// saved meanwhile, the form comes back with their values beside the typed
/// ones, and saving again (at their version) is the user's choice.
pub async fn update(
    State(state): State<AppState>,
    Path((segment, id)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let FormPost { user, mut fields } = form;
    let record_type = kind(&user, &segment)?;
    let id = record_id(&user, &id)?;
    let writer = writer(&user)?;
    let version = fields.iter().rev().find(|(k, _)| k == "_version").and_then(|(_, v)| v.parse::<i64>().ok());
    let mut errors = resolve_references(&state, &user, record_type, &mut fields).await;
    let mut conflict = Vec::new();
    let mut current_version = version;
    if errors.is_empty() {
        let input = form_input(&state, &user, record_type, &fields).await?;
        match records::update(&state.ctx, &writer, record_type, id, &input, version).await {
            Ok(record) => {
                let back = fields.iter().find(|(k, _)| k == "_back").map(|(_, v)| super::safe_next(Some(v)).to_owned());
                let to = back.unwrap_or_else(|| format!("/{}/{}", record_type.plural(), record.id.0));
                return Ok(Redirect::to(&to).into_response());
            }
            Err(rapport_db::Error::Domain(DomainError::Validation(found))) => errors = found.0,
            Err(rapport_db::Error::Domain(DomainError::VersionMismatch { .. })) => {
                let theirs = records::get(&state.ctx, &user.actor, record_type, id).await.map_err(|e| user.fail(e))?;
                let names = Names::load(&state, &user.actor, &[&theirs]).await.map_err(|e| user.fail(e))?;
                let typed = form_input(&state, &user, record_type, &fields).await?;
                for spec in record_type.fields().iter().filter(|s| fields::editable(s)) {
                    // An edit of one field (on the record page) speaks for that field only.
                    let Some(mine) = typed.get(spec.name).cloned() else { continue };
                    let stored = theirs.fields.get(spec.name).cloned().unwrap_or(Value::Null);
                    let differs = mine != stored && !(mine.is_null() && stored.as_array().is_some_and(Vec::is_empty));
                    if differs {
                        let shown = fields::display(&user.tr, user.zone, &names, &theirs, spec);
                        conflict.push((user.tr.t(&spec.label_key()), shown.text));
                    }
                }
                current_version = Some(theirs.version);
            }
            Err(error) => return Err(user.fail(error)),
        }
    }
    // What was typed over what is stored: an edit of one field comes back
    // as the whole form, the other fields as they are.
    let stored = records::get(&state.ctx, &user.actor, record_type, id).await.map_err(|e| user.fail(e))?;
    let names = Names::load(&state, &user.actor, &[&stored]).await.map_err(|e| user.fail(e))?;
    let summary = if conflict.is_empty() { user.tr.t("error.form") } else { user.tr.t("record.conflict_title") };
    let page = FormPage {
        frame: user.frame(section_of(record_type), user.tr.t(&format!("kind.{}.one", record_type.plural()))),
        action: format!("/{}/{}", record_type.plural(), id.0),
        cancel_href: format!("/{}/{}", record_type.plural(), id.0),
        sections: fields::form_sections(
            &user.tr,
            user.zone,
            &names,
            record_type,
            &FormValues::Edited(&stored, &fields),
            &errors,
            user.actor.user_id,
        ),
        version: current_version,
        summary: Some(summary),
        conflict,
    };
    let status = if page.conflict.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::CONFLICT };
    Ok(html(status, &page))
}

pub async fn delete(
    State(state): State<AppState>,
    Path((segment, id)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let id = record_id(user, &id)?;
    let writer = writer(user)?;
    records::delete(&state.ctx, &writer, record_type, id, None).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/{}", record_type.plural())).into_response())
}

/// A field on the record page, with its input when it can be edited in place.
pub struct Fact {
    pub label: String,
    pub cell: Cell,
    pub edit: Option<fields::Input>,
}

pub struct FactGroup {
    pub title: String,
    pub facts: Vec<Fact>,
}

/// One entry of the timeline, as it reads.
pub struct Entry {
    pub when: String,
    pub kind: &'static str,
    pub icon: String,
    pub title: String,
    pub body: String,
    pub href: Option<String>,
}

pub struct Related {
    pub title: String,
    pub items: Vec<(String, String, String)>,
    pub more_href: String,
    /// Where a form posts to make a new related record, and its label.
    pub new_action: Option<(String, String)>,
}

/// A lead's conversion panel: what it would link to.
pub struct Conversion {
    pub contact: Option<(String, String)>,
    pub company: Option<(String, String)>,
    pub deal_name: String,
    /// Likely duplicates of the contact and company it would create.
    pub candidates: Vec<super::duplicates::ConversionCandidate>,
}

#[derive(Template)]
#[template(path = "records/show.html")]
struct ShowPage {
    conversion: Option<Conversion>,
    /// Likely duplicates of the record.
    duplicates: Vec<super::duplicates::PanelItem>,
    /// Just created with likely duplicates: say so.
    warn_duplicates: bool,
    /// Just merged: the merge to undo.
    merged: Option<String>,
    unmerged: bool,
    frame: Frame,
    plural: &'static str,
    id: String,
    name: String,
    kind_label: String,
    headline: Vec<Fact>,
    groups: Vec<FactGroup>,
    entries: Vec<Entry>,
    timeline_more: Option<String>,
    related: Vec<Related>,
    can_write: bool,
    activity_kinds: Vec<(String, String)>,
    meta: String,
    /// The version inline edits are made against.
    version: i64,
    /// A contact's photo (imported from a vCard).
    photo: bool,
    /// Whether the page offers to write an e-mail to the record's person.
    can_email: bool,
    /// Purchases, an order's actions or a return's decisions.
    panel: Option<super::orders::Panel>,
    /// A contract's status, versions, documents and actions.
    contract: Option<super::contracts::ContractPanel>,
    /// A lead's, contact's or deal's cadences.
    cadences: Option<super::cadences::Panel>,
    /// A lead's score and its reasons.
    score_panel: Option<super::analytics::lead_scoring::ScorePanel>,
}

#[derive(Template)]
#[template(path = "records/timeline.html")]
struct TimelineFragment {
    frame: Frame,
    entries: Vec<Entry>,
    timeline_more: Option<String>,
}

const TIMELINE_PAGE: u64 = 25;

fn entries(user: &WebUser, names: &Names, record_type: RecordType, items: &[TimelineEntry]) -> Vec<Entry> {
    items
        .iter()
        .map(|entry| {
            let when = format::datetime(entry.at, user.zone, user.tr.locale);
            let who = |data: &Value, key: &str| {
                data.get(key)
                    .and_then(Value::as_str)
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .and_then(|id| names.users.get(&id).cloned())
                    .unwrap_or_else(|| user.tr.t("timeline.someone"))
            };
            match entry.kind.as_str() {
                "activity" => {
                    let data = &entry.data;
                    let kind = data.get("kind").and_then(Value::as_str).unwrap_or("note").to_owned();
                    let done = data.get("done").and_then(Value::as_bool) == Some(true);
                    Entry {
                        when,
                        kind: "activity",
                        title: data.get("subject").and_then(Value::as_str).unwrap_or_default().to_owned(),
                        body: data.get("body").and_then(Value::as_str).unwrap_or_default().to_owned(),
                        icon: if done { format!("{kind} done") } else { kind.clone() },
                        href: data.get("id").and_then(Value::as_str).map(|id| format!("/activities/{id}")),
                    }
                }
                "email" => super::email::timeline_entry(user, when, &entry.data),
                "stage_change" => {
                    let stage = |key: &str| {
                        entry
                            .data
                            .get(key)
                            .and_then(Value::as_str)
                            .and_then(|s| Uuid::parse_str(s).ok())
                            .and_then(|id| names.stages.get(&id).cloned())
                            .unwrap_or_else(|| "—".into())
                    };
                    let title = user.tr.t_with(
                        "timeline.stage",
                        &[
                            ("from", super::i18n::Arg::Text(stage("from_stage_id"))),
                            ("to", super::i18n::Arg::Text(stage("to_stage_id"))),
                        ],
                    );
                    Entry { when, kind: "stage", icon: "stage".into(), title, body: String::new(), href: None }
                }
                "order" => super::orders::timeline_entry(&user.tr, when, &entry.data),
                _ => {
                    let data = &entry.data;
                    let actor = who(data, "actor_id");
                    let action = data.get("action").and_then(Value::as_str).unwrap_or_default();
                    let title = if action == "create" {
                        user.tr.t1("timeline.created", "who", actor)
                    } else if action == "erase" {
                        user.tr.t1("timeline.erased", "who", actor)
                    } else if action == "merge" {
                        user.tr.t1("dup.timeline.merged", "who", actor)
                    } else {
                        let changed: Vec<String> = data
                            .get("changes")
                            .and_then(Value::as_array)
                            .map(|changes| {
                                changes
                                    .iter()
                                    .filter_map(|c| c.get("field").and_then(Value::as_str))
                                    .map(|f| user.tr.field(record_type, f).to_lowercase())
                                    .collect()
                            })
                            .unwrap_or_default();
                        user.tr.t_with(
                            "timeline.change",
                            &[
                                ("who", super::i18n::Arg::Text(actor)),
                                ("fields", super::i18n::Arg::Text(changed.join(", "))),
                            ],
                        )
                    };
                    Entry { when, kind: "change", icon: "change".into(), title, body: String::new(), href: None }
                }
            }
        })
        .collect()
}

async fn related_lists(state: &AppState, user: &WebUser, record: &Record) -> rapport_db::Result<Vec<Related>> {
    let id = record.id.0.to_string();
    let lists: &[(RecordType, &str, &str)] = match record.record_type.plural() {
        "companies" => &[
            (RecordType::CONTACT, "company_id", "related.contacts"),
            (RecordType::DEAL, "company_id", "related.deals"),
            (RecordType::ORDER, "company_id", "related.orders"),
            (RecordType::CONTRACT, "company_id", "contract.related"),
        ],
        "contacts" => {
            &[(RecordType::DEAL, "contact_id", "related.deals"), (RecordType::ORDER, "contact_id", "related.orders")]
        }
        "orders" => &[(RecordType::RETURN, "order_id", "related.returns")],
        "deals" => &[(RecordType::QUOTE, "deal_id", "related.quotes")],
        _ => &[],
    };
    let mut related = Vec::new();
    for (kind, field, title) in lists {
        let pairs = vec![(format!("filter[{field}][eq]"), id.clone()), ("limit".to_owned(), "10".to_owned())];
        let page = records::list(&state.ctx, &user.actor, *kind, &pairs).await?;
        related.push(Related {
            title: user.tr.t(title),
            items: page
                .items
                .iter()
                .map(|r| {
                    let second = match kind.plural() {
                        "deals" => fields::deal_amount(r, &user.tr),
                        "orders" => super::orders::order_summary(r, &user.tr),
                        "returns" => user.tr.choice("status", r.text("status").unwrap_or_default()),
                        "quotes" => super::quotes::summary(r, &user.tr),
                        "contracts" => super::contracts::summary(r, &user.tr),
                        _ => r
                            .fields
                            .get("emails")
                            .and_then(|e| e.get(0))
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                    };
                    (format!("/{}/{}", kind.plural(), r.id.0), r.display_name(), second)
                })
                .collect(),
            more_href: list_href(*kind, &pairs[..1]),
            // A deal's quotes are made from the deal, which they belong to.
            new_action: (*kind == RecordType::QUOTE && writer(user).is_ok()).then(|| {
                let one = user.tr.t(&format!("kind.{}.one", kind.plural()));
                (format!("/deals/{}/quotes", record.id.0), user.tr.t1("action.new", "kind", one))
            }),
        });
    }
    Ok(related)
}

/// What the page was sent to say after a create, a merge or its undo.
#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    duplicates: Option<String>,
    merged: Option<Uuid>,
    unmerged: Option<String>,
    /// Why a contract's document upload was refused.
    document_error: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: WebUser,
    Path((segment, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    // Anything else in the address is ignored, as before.
    let query: ShowQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).unwrap_or_default();
    let record_type = kind(&user, &segment)?;
    let id = record_id(&user, &id)?;
    let record = records::get(&state.ctx, &user.actor, record_type, id).await.map_err(|e| user.fail(e))?;
    if record_type == RecordType::QUOTE {
        // Lines, figures and status actions: a page of its own.
        return super::quotes::page(&state, &user, &record).await;
    }
    let timeline = records::timeline(&state.ctx, &user.actor, record_type, id, None, TIMELINE_PAGE)
        .await
        .map_err(|e| user.fail(e))?;
    let names = Names::load(&state, &user.actor, &[&record]).await.map_err(|e| user.fail(e))?;
    let related = related_lists(&state, &user, &record).await.map_err(|e| user.fail(e))?;
    let panel = super::orders::panel(&state, &user, &record).await.map_err(|e| user.fail(e))?;
    let contract = super::contracts::panel(&state, &user, &record, query.document_error.as_deref())
        .await
        .map_err(|e| user.fail(e))?;
    let cadences = super::cadences::panel(&state, &user, &record).await.map_err(|e| user.fail(e))?;
    let score_panel = super::analytics::lead_scoring::panel(&state, &user, &record).await.map_err(|e| user.fail(e))?;
    let can_write = writer(&user).is_ok();
    // Inputs of the fields edited in place: plain values (amounts and links
    // to other records are edited with the whole form).
    let mut inputs: Vec<fields::Input> = if can_write {
        let values = FormValues::Record(&record);
        fields::form_sections(&user.tr, user.zone, &names, record_type, &values, &[], user.actor.user_id)
            .into_iter()
            .flat_map(|section| section.inputs)
            .filter(|input| !matches!(input.control, "money" | "ref"))
            .collect()
    } else {
        Vec::new()
    };
    let mut edit_of = |name: &str| inputs.iter().position(|i| i.name == name).map(|at| inputs.swap_remove(at));
    let mut groups: Vec<FactGroup> = Vec::new();
    let mut headline = Vec::new();
    for spec in record_type.fields() {
        let cell = fields::display(&user.tr, user.zone, &names, &record, spec);
        if record_type.descriptor().display_name.contains(&spec.name) {
            continue;
        }
        let fact = Fact { label: user.tr.t(&spec.label_key()), cell, edit: edit_of(spec.name) };
        if spec.listed && !fact.cell.is_empty() && headline.len() < 4 {
            headline.push(Fact {
                label: fact.label.clone(),
                cell: Cell { text: fact.cell.text.clone(), href: fact.cell.href.clone() },
                edit: None,
            });
        }
        let title = user.tr.t(&format!("group.{}", spec.group));
        match groups.iter_mut().find(|g| g.title == title) {
            Some(group) => group.facts.push(fact),
            None => groups.push(FactGroup { title, facts: vec![fact] }),
        }
    }
    let custom: Vec<Fact> = names
        .custom_of(record_type)
        .map(|definition| Fact {
            label: definition.label.clone(),
            cell: fields::display_custom(&user.tr, definition, &record),
            edit: edit_of(&format!("custom.{}", definition.key)),
        })
        .collect();
    if !custom.is_empty() {
        groups.push(FactGroup { title: user.tr.t("group.custom"), facts: custom });
    }
    // Home's "recently viewed"; a page that cannot note it still shows.
    if let Err(error) = rapport_db::views::record_visit(&state.ctx, &user.actor, record_type, id.0).await {
        tracing::warn!(%error, "could not note a visit");
    }
    if let Some(owner) = record.owner_id.and_then(|id| names.users.get(&id)) {
        let cell = Cell { text: owner.clone(), href: None };
        headline.insert(0, Fact { label: user.tr.t("field.owner_id"), cell, edit: None });
    }
    let timeline_more = timeline.next_cursor.as_ref().map(|c| {
        format!(
            "/{}/{}/timeline?{}",
            record_type.plural(),
            id.0,
            serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()
        )
    });
    let meta = user.tr.t1("record.created", "when", format::datetime(record.created_at, user.zone, user.tr.locale));
    let convertible =
        record_type == RecordType::LEAD && record.text("status") != Some("converted") && writer(&user).is_ok();
    let conversion =
        if convertible { Some(conversion(&state, &user, &record).await.map_err(|e| user.fail(e))?) } else { None };
    let photo =
        record_type == RecordType::CONTACT && records::has_photo(&state.ctx, id).await.map_err(|e| user.fail(e))?;
    let duplicates = super::duplicates::panel(&state, &user, &record).await.map_err(|e| user.fail(e))?;
    let page = ShowPage {
        can_email: rapport_db::mail::kind_can_email(record_type),
        photo,
        conversion,
        duplicates,
        warn_duplicates: query.duplicates.is_some(),
        merged: query.merged.map(|m| m.to_string()),
        unmerged: query.unmerged.is_some(),
        plural: record_type.plural(),
        id: id.0.to_string(),
        name: record.display_name(),
        kind_label: user.tr.t(&format!("kind.{}.one", record_type.plural())),
        entries: entries(&user, &names, record_type, &timeline.items),
        timeline_more,
        headline,
        groups,
        related,
        panel,
        contract,
        cadences,
        score_panel,
        version: record.version,
        can_write,
        activity_kinds: rapport_core::records::activity::KINDS
            .iter()
            .map(|k| ((*k).to_owned(), user.tr.choice("kind", k)))
            .collect(),
        meta,
        frame: user.frame(section_of(record_type), record.display_name()),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct TimelineQuery {
    cursor: Option<String>,
}

/// More of the timeline, as a fragment the page appends.
pub async fn timeline(
    State(state): State<AppState>,
    user: WebUser,
    Path((segment, id)): Path<(String, String)>,
    Query(query): Query<TimelineQuery>,
) -> WebResult {
    let record_type = kind(&user, &segment)?;
    let id = record_id(&user, &id)?;
    let page = records::timeline(&state.ctx, &user.actor, record_type, id, query.cursor.as_deref(), TIMELINE_PAGE)
        .await
        .map_err(|e| user.fail(e))?;
    let names = Names::load(&state, &user.actor, &[]).await.map_err(|e| user.fail(e))?;
    let timeline_more = page.next_cursor.as_ref().map(|c| {
        format!(
            "/{}/{}/timeline?{}",
            record_type.plural(),
            id.0,
            serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()
        )
    });
    let fragment = TimelineFragment {
        entries: entries(&user, &names, record_type, &page.items),
        timeline_more,
        frame: user.frame("", ""),
    };
    Ok(html(StatusCode::OK, &fragment))
}

/// The composer: logs a call, note, meeting or task about the record.
pub async fn log_activity(
    State(state): State<AppState>,
    Path((segment, id)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let id = record_id(user, &id)?;
    let writer = writer(user)?;
    let kind_value = form.value("kind").unwrap_or("note").to_owned();
    let mut input = fields::form_input(RecordType::ACTIVITY, &[], &form.fields, user.zone);
    if let Value::Object(map) = &mut input {
        map.insert("kind".into(), Value::String(kind_value.clone()));
        map.insert("related".into(), json!([{"type": record_type.as_str(), "id": id.0}]));
        if kind_value != "task" {
            map.insert("done".into(), Value::Bool(true));
        }
    }
    let back = format!("/{}/{}", record_type.plural(), id.0);
    match records::create(&state.ctx, &writer, RecordType::ACTIVITY, &input).await {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message = errors.0.first().map(|e| fields::error_message(&user.tr, e)).unwrap_or_default();
            Err(super::WebError::new(
                user.frame("", user.tr.t("error.title")),
                StatusCode::UNPROCESSABLE_ENTITY,
                &message,
            ))
        }
        Err(error) => Err(user.fail(error)),
    }
}

async fn conversion(state: &AppState, user: &WebUser, lead: &Record) -> rapport_db::Result<Conversion> {
    let matches = records::conversion_matches(&state.ctx, &user.actor, lead.id).await?;
    let named = async |kind: RecordType, id: Option<RecordId>| -> rapport_db::Result<Option<(String, String)>> {
        match id {
            Some(id) => {
                let record = records::get(&state.ctx, &user.actor, kind, id).await?;
                Ok(Some((format!("/{}/{}", kind.plural(), id.0), record.display_name())))
            }
            None => Ok(None),
        }
    };
    let candidates = super::duplicates::conversion_candidates(user, &matches);
    Ok(Conversion {
        candidates,
        contact: named(RecordType::CONTACT, matches.contact).await?,
        company: named(RecordType::COMPANY, matches.company).await?,
        deal_name: lead.text("company_name").map_or_else(|| lead.display_name(), str::to_owned),
    })
}

/// Converts a lead: to the existing contact it found, or to a new one, as
/// the user chose; a deal too if asked. The contact's page follows.
pub async fn convert(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = record_id(user, &id)?;
    let writer = writer(user)?;
    let create_deal = form.value("create_deal") == Some("true");
    let currency = form.value("currency").filter(|c| !c.is_empty()).unwrap_or("BRL").to_owned();
    let input = records::ConversionInput {
        create_deal,
        deal_name: form.value("deal_name").map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned),
        amount_minor: form.value("amount").and_then(|a| fields::parse_decimal(a, &currency)),
        currency: create_deal.then_some(currency),
        pipeline_id: None,
        create_new_contact: form.value("contact") == Some("new"),
    };
    match records::convert_lead(&state.ctx, &writer, id, &input).await {
        Ok(result) => Ok(Redirect::to(&format!("/contacts/{}", result.contact_id.0)).into_response()),
        Err(error) => Err(user.fail(error)),
    }
}

/// A bulk action on the rows the user ticked: give them to someone, add or
/// remove a tag, or move them to the trash. Each row is its own write, so
/// the ones the user may not change are counted, not fatal.
/// A choice typed as the user reads it ("Cliente") as the value the API
/// takes ("customer"); anything else as typed.
fn choice_code(user: &WebUser, record_type: RecordType, field: &str, typed: &str) -> String {
    let typed = typed.trim();
    if let Some(FieldKind::Enum(options)) = record_type.field(field).map(|spec| spec.kind) {
        let wanted = typed.to_lowercase();
        if let Some(code) = options.iter().find(|o| user.tr.choice(field, o).to_lowercase() == wanted) {
            return (*code).to_owned();
        }
    }
    typed.to_owned()
}

pub async fn bulk(State(state): State<AppState>, Path(segment): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let writer = writer(user)?;
    let ids: Vec<RecordId> = form
        .fields
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| Uuid::parse_str(v).ok())
        .map(RecordId)
        .take(100)
        .collect();
    let back = super::safe_next(form.value("_back")).to_owned();
    if ids.is_empty() {
        return Ok(Redirect::to(&back).into_response());
    }
    let tag = form.value("tag").map(str::trim).unwrap_or_default().to_owned();
    let results = match form.value("action").unwrap_or_default() {
        "delete" => records::bulk_delete(&state.ctx, &writer, record_type, &ids).await,
        "assign" => {
            let owner = form.value("owner_id").unwrap_or_default();
            let items: Vec<records::BulkPatch> = ids
                .iter()
                .map(|id| records::BulkPatch { id: *id, version: None, patch: json!({ "owner_id": owner }) })
                .collect();
            records::bulk_update(&state.ctx, &writer, record_type, &items).await
        }
        action @ ("add_tag" | "remove_tag") if !tag.is_empty() => {
            let list = ids.iter().map(|id| id.0.to_string()).collect::<Vec<_>>().join(",");
            let pairs = [("filter[id][in]".to_owned(), list), ("limit".to_owned(), "100".to_owned())];
            let current =
                records::list(&state.ctx, &user.actor, record_type, &pairs).await.map_err(|e| user.fail(e))?;
            let items: Vec<records::BulkPatch> = current
                .items
                .iter()
                .map(|record| {
                    let mut tags: Vec<String> = record.tags.iter().filter(|t| **t != tag).cloned().collect();
                    if action == "add_tag" {
                        tags.push(tag.clone());
                    }
                    records::BulkPatch { id: record.id, version: Some(record.version), patch: json!({ "tags": tags }) }
                })
                .collect();
            if items.is_empty() {
                return Ok(Redirect::to(&back).into_response());
            }
            records::bulk_update(&state.ctx, &writer, record_type, &items).await
        }
        "set_field" => {
            let field = form.value("field").unwrap_or_default();
            let names = Names::load(&state, &user.actor, &[]).await.map_err(|e| user.fail(e))?;
            if !settable(user, record_type, &names).iter().any(|(name, _)| name == field) {
                return Ok(Redirect::to(&back).into_response());
            }
            let value = choice_code(user, record_type, field, form.value("value").unwrap_or_default());
            let custom: Vec<_> = names.custom_of(record_type).collect();
            let patch = fields::form_input(record_type, &custom, &[(field.to_owned(), value)], user.zone);
            let items: Vec<records::BulkPatch> =
                ids.iter().map(|id| records::BulkPatch { id: *id, version: None, patch: patch.clone() }).collect();
            records::bulk_update(&state.ctx, &writer, record_type, &items).await
        }
        _ => return Ok(Redirect::to(&back).into_response()),
    }
    .map_err(|e| user.fail(e))?;
    let changed = results.iter().filter(|r| r.outcome.is_ok()).count();
    let refused = results.len() - changed;
    let separator = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{separator}done={changed}-{refused}")).into_response())
}
