//! Record services: every read and write checks the actor's rights here.

use rapport_core::access::{Actor, ReadScope, Writer};
use rapport_core::audit::{AuditAction, FieldChange, diff};
use rapport_core::custom_fields::validate_custom;
use rapport_core::ids::RecordId;
use rapport_core::query::ListQuery;
use rapport_core::schema::{Mode, RecordType, record_links, validate_fields};
use rapport_core::{DomainError, FieldError, ValidationErrors};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Page, Record, hooks, keys, repo};
use crate::error::{Error, Result, StorageContext};
use crate::idempotency::Completion;
use crate::settings::{Ctx, Snapshot};

pub(crate) fn scope(actor: &Actor, snapshot: &Snapshot, record_type: RecordType) -> ReadScope {
    actor.read_scope(snapshot.settings.visibility(record_type))
}

/// A record the actor may see, live (`deleted: false`) or in the trash;
/// otherwise "not found", whether it is missing or not theirs.
pub(crate) async fn fetch_visible(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    record_type: RecordType,
    id: RecordId,
    deleted: bool,
) -> Result<Record> {
    let found = repo::fetch(conn, record_type, id, &scope(actor, snapshot, record_type), deleted).await?;
    found_or_not_found(found, record_type)
}

fn found_or_not_found(found: Option<Record>, record_type: RecordType) -> Result<Record> {
    found.ok_or_else(|| DomainError::not_found(record_type.as_str()).into())
}

fn expect_object(input: &Value) -> Result<&Map<String, Value>> {
    input.as_object().ok_or_else(|| DomainError::invalid("", "wrong_type", "expected a JSON object").into())
}

#[tracing::instrument(skip_all, fields(record_type = %record_type, %id), err(level = "debug"))]
pub async fn get(ctx: &Ctx, actor: &Actor, record_type: RecordType, id: RecordId) -> Result<Record> {
    let snapshot = ctx.snapshot().await?;
    let found = repo::fetch_committed(&ctx.db, record_type, id, &scope(actor, &snapshot, record_type), false).await?;
    found_or_not_found(found, record_type)
}

#[tracing::instrument(skip_all, fields(record_type = %record_type), err(level = "debug"))]
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    pairs: &[(String, String)],
) -> Result<Page<Record>> {
    let snapshot = ctx.snapshot().await?;
    let query =
        ListQuery::parse(record_type, snapshot.custom_fields_of(record_type), pairs).map_err(DomainError::from)?;
    repo::list(&ctx.db, record_type, &query, &scope(actor, &snapshot, record_type)).await
}

/// Checks create inputs and builds the records they would store; one entry
/// per input, in order. Storage is read once per batch, not per record.
pub(crate) async fn prepare_new(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    record_type: RecordType,
    inputs: &[Value],
) -> Result<Vec<Result<Record>>> {
    let hook_data = hooks::load(conn, record_type).await?;
    let now = ctx.now();
    let mut records: Vec<Result<Record>> =
        inputs.iter().map(|input| build_new(actor, snapshot, record_type, input, &hook_data, now)).collect();
    let mut pending: Vec<(Option<&Record>, &mut Record)> =
        records.iter_mut().filter_map(|r| r.as_mut().ok()).map(|r| (None, r)).collect();
    let failures = resolve(conn, actor, snapshot, &mut pending).await?;
    drop(pending);
    let mut failures = failures.into_iter();
    for slot in records.iter_mut().filter(|r| r.is_ok()) {
        if let Some(Some(error)) = failures.next() {
            *slot = Err(DomainError::from(error).into());
        }
    }
    Ok(records)
}

/// Validation, defaults and cross-field rules of one create input: no I/O.
pub(super) fn build_new(
    actor: &Actor,
    snapshot: &Snapshot,
    record_type: RecordType,
    input: &Value,
    hook_data: &hooks::HookData,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Record> {
    let input = expect_object(input)?;
    let vctx = snapshot.settings.validation_context();
    let mut errors = ValidationErrors::default();
    let mut fields = validate_fields(record_type, input, Mode::Create, &vctx).unwrap_or_else(|e| {
        errors.0.extend(e.0);
        Map::new()
    });
    let custom = validate_custom(snapshot.custom_fields_of(record_type), input.get("custom"), None, &vctx)
        .unwrap_or_else(|e| {
            errors.0.extend(e.0);
            Map::new()
        });
    let tags = parse_tags(input.get("tags")).unwrap_or_else(|e| {
        errors.push(e);
        Vec::new()
    });
    let owner_id = match input.get("owner_id") {
        None | Some(Value::Null) => actor.user_id,
        Some(v) => match v.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
            Some(id) => id,
            None => {
                errors.push(FieldError::new("owner_id", "invalid_id", "expected a user id"));
                actor.user_id
            }
        },
    };
    errors.into_result().map_err(DomainError::from)?;
    for spec in record_type.fields() {
        fields.entry(spec.name).or_insert(Value::Null);
    }
    let mut record = Record {
        record_type,
        id: RecordId::new(),
        version: 1,
        owner_id: Some(owner_id),
        team_id: None,
        tags,
        custom,
        created_at: now,
        created_by: Some(actor.user_id),
        updated_at: now,
        updated_by: Some(actor.user_id),
        deleted_at: None,
        fields,
    };
    hooks::before_write(hook_data, None, &mut record, input)?;
    Ok(record)
}

/// Checks references and ownership of records about to be written, each
/// against its previous version if any. Returns, per record, the errors
/// found (`None` when it is fine); sets each record's team from its owner.
///
/// Every referenced record must exist and be visible to the actor; only
/// references that changed are checked, so losing sight of an old link does
/// not block unrelated edits. One query per referenced type and one per
/// distinct owner serve the whole batch.
pub(super) async fn resolve(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    records: &mut [(Option<&Record>, &mut Record)],
) -> Result<Vec<Option<ValidationErrors>>> {
    // (record index, field path, target type, id)
    let mut refs: Vec<(usize, &'static str, RecordType, Uuid)> = Vec::new();
    let mut errors: Vec<ValidationErrors> = vec![ValidationErrors::default(); records.len()];
    for (index, (old, record)) in records.iter().enumerate() {
        for spec in record.record_type.fields() {
            let Some(target) = spec.kind.ref_target() else { continue };
            let Some(id) = record.uuid(spec.name) else { continue };
            if old.and_then(|o| o.uuid(spec.name)) == Some(id) {
                continue;
            }
            if target == record.record_type && id == record.id {
                errors[index].push(FieldError::new(spec.name, "self_reference", "a record cannot refer to itself"));
                continue;
            }
            refs.push((index, spec.name, target, id));
        }
        let old_links = old.map(|o| record_links(o.record_type, &o.fields)).unwrap_or_default();
        for link in record_links(record.record_type, &record.fields) {
            if !old_links.iter().any(|l| l.id == link.id) {
                refs.push((index, "related", link.record_type, link.id));
            }
        }
    }
    for target in RecordType::all() {
        let mut ids: Vec<Uuid> = refs.iter().filter(|r| r.2 == target).map(|r| r.3).collect();
        if ids.is_empty() {
            continue;
        }
        ids.sort_unstable();
        ids.dedup();
        let mut visible = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            visible.extend(repo::visible_ids(conn, target, chunk, &scope(actor, snapshot, target)).await?);
        }
        for (index, field, _, id) in refs.iter().filter(|r| r.2 == target && !visible.contains(&r.3)) {
            errors[*index].push(FieldError::new(
                *field,
                "unknown_reference",
                format!("no {target} with id {id} was found"),
            ));
        }
    }
    let mut teams: std::collections::HashMap<Uuid, Option<Option<Uuid>>> = std::collections::HashMap::new();
    for (index, (old, record)) in records.iter_mut().enumerate() {
        if old.and_then(|o| o.owner_id) == record.owner_id {
            continue;
        }
        let owner = record.owner_id.unwrap_or(actor.user_id);
        let team = match teams.get(&owner) {
            Some(team) => *team,
            None => {
                let team = crate::users::assignable_team(conn, owner).await?;
                teams.insert(owner, team);
                team
            }
        };
        let Some(team) = team else {
            errors[index].push(FieldError::new("owner_id", "unknown_user", "no active user has this id"));
            continue;
        };
        match actor.check_assignment(old.map(|o| o.owner_id), owner, team) {
            Ok(()) => record.team_id = team,
            Err(refused) => errors[index].push(refused),
        }
    }
    Ok(errors.into_iter().map(|e| (!e.is_empty()).then_some(e)).collect())
}

fn parse_tags(value: Option<&Value>) -> Result<Vec<String>, FieldError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(FieldError::new("tags", "wrong_type", "expected a list of tags")),
    };
    if items.len() > 50 {
        return Err(FieldError::new("tags", "too_many", "at most 50 tags"));
    }
    let mut tags: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let tag = item
            .as_str()
            .map(str::trim)
            .ok_or_else(|| FieldError::new(format!("tags[{i}]"), "wrong_type", "a tag is text"))?;
        if tag.is_empty() || tag.chars().count() > 50 {
            return Err(FieldError::new(format!("tags[{i}]"), "out_of_range", "a tag has 1 to 50 characters"));
        }
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag.to_owned());
        }
    }
    Ok(tags)
}

/// Stores a prepared record and everything its creation causes.
pub(crate) async fn store_new(conn: &impl ConnectionTrait, actor: &Actor, records: &mut [Record]) -> Result<()> {
    hooks::number_new(conn, records).await?;
    let last_search_row = crate::backend::last_search_row(conn).await?;
    let mut inserts = Vec::new();
    new_record_inserts(conn.get_database_backend(), actor.user_id, None, records, |writes, insert| {
        inserts.push((writes, insert));
        true
    });
    for (writes, insert) in inserts {
        conn.execute_raw(insert).await.context(writes)?;
    }
    after_store(conn, actor, records, last_search_row).await
}

/// [`store_new`] for a large batch: the inserts are built on a blocking
/// thread, each while the previous one runs, so that SQLite's thread does
/// not wait for each to be built. The records come back for the caller to
/// count and free. The audit log names `import_id` as their author.
pub(super) async fn store_new_overlapped(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    import_id: Option<Uuid>,
    mut records: Vec<Record>,
) -> Result<Vec<Record>> {
    hooks::number_new(conn, &mut records).await?;
    let last_search_row = crate::backend::last_search_row(conn).await?;
    let (sender, mut inserts) = tokio::sync::mpsc::channel(4);
    let (backend, actor_id) = (conn.get_database_backend(), actor.user_id);
    let builder = tokio::task::spawn_blocking(move || {
        // Stops early when the writer has given up on an error.
        new_record_inserts(backend, actor_id, import_id, &records, |writes, insert| {
            sender.blocking_send((writes, insert)).is_ok()
        });
        records
    });
    while let Some((writes, insert)) = inserts.recv().await {
        conn.execute_raw(insert).await.context(writes)?;
    }
    let records = builder
        .await
        .map_err(|e| Error::Storage { context: "build the inserts", source: sea_orm::DbErr::Custom(e.to_string()) })?;
    after_store(conn, actor, &records, last_search_row).await?;
    Ok(records)
}

/// Every insert that stores new records, with what it writes: the records,
/// their side tables and their audit entries, built without the database.
/// `emit` returns whether to go on.
fn new_record_inserts(
    backend: DbBackend,
    actor_id: Uuid,
    import_id: Option<Uuid>,
    records: &[Record],
    mut emit: impl FnMut(&'static str, Statement) -> bool,
) {
    let entries: Vec<crate::audit::NewEntry> = records
        .iter()
        .map(|record| crate::audit::NewEntry {
            at: record.created_at,
            actor: Some(actor_id),
            record_type: record.record_type,
            record_id: record.id.0,
            action: AuditAction::Create,
            // The created values are the record's first version; every later
            // update logs old and new values, so the history can be replayed
            // from the record backwards without copying each record here.
            changes: Vec::new(),
            import_id,
        })
        .collect();
    let inserts = repo::inserts(records)
        .map(|insert| ("insert records", insert))
        .chain(keys::inserts(records))
        .chain(crate::audit::inserts(&entries).map(|insert| ("write the audit log", insert)));
    for (writes, insert) in inserts {
        if !emit(writes, crate::backend::bulk_insert(backend, &insert)) {
            return;
        }
    }
}

/// What follows the inserts of new records: the SQLite full-text index of
/// the search rows written after `last_search_row`, and each type's hooks.
async fn after_store(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    records: &[Record],
    last_search_row: Option<i64>,
) -> Result<()> {
    crate::backend::index_search_rows(conn, last_search_row).await?;
    for record in records {
        hooks::after_write(conn, actor, None, record).await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(record_type = %record_type), err(level = "debug"))]
pub async fn create(ctx: &Ctx, writer: &Writer, record_type: RecordType, input: &Value) -> Result<Record> {
    create_idempotent(ctx, writer, record_type, input, None).await
}

/// [`create`] that also stores the answer to an `Idempotency-Key` in its transaction.
pub async fn create_idempotent(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    input: &Value,
    completion: Option<&Completion<'_, Record>>,
) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let mut record =
        prepare_new(ctx, &*tx, actor, &snapshot, record_type, std::slice::from_ref(input)).await?.remove(0)?;
    store_new(&*tx, actor, std::slice::from_mut(&mut record)).await?;
    crate::idempotency::complete_in(&*tx, completion, &record).await?;
    tx.commit().await?;
    Ok(record)
}

/// Applies a partial update. With `if_match`, a stale version changes nothing.
#[tracing::instrument(skip_all, fields(record_type = %record_type, %id), err(level = "debug"))]
pub async fn update(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    id: RecordId,
    patch: &Value,
    if_match: Option<i64>,
) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let record = update_in(ctx, &*tx, actor, &snapshot, record_type, id, patch, if_match, None).await?;
    tx.commit().await?;
    Ok(record)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn update_in(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    record_type: RecordType,
    id: RecordId,
    patch: &Value,
    if_match: Option<i64>,
    import_id: Option<Uuid>,
) -> Result<Record> {
    let input = expect_object(patch)?;
    let old = fetch_visible(conn, actor, snapshot, record_type, id, false).await?;
    if let Some(expected) = if_match {
        if expected != old.version {
            return Err(DomainError::VersionMismatch { current: old.version }.into());
        }
    }
    let vctx = snapshot.settings.validation_context();
    let mut errors = ValidationErrors::default();
    let changes = validate_fields(record_type, input, Mode::Patch, &vctx).unwrap_or_else(|e| {
        errors.0.extend(e.0);
        Map::new()
    });
    let custom = validate_custom(snapshot.custom_fields_of(record_type), input.get("custom"), Some(&old.custom), &vctx)
        .unwrap_or_else(|e| {
            errors.0.extend(e.0);
            Map::new()
        });
    let tags = match input.get("tags") {
        None => Ok(old.tags.clone()),
        some => parse_tags(some),
    }
    .unwrap_or_else(|e| {
        errors.push(e);
        Vec::new()
    });
    let owner_id = match input.get("owner_id") {
        None => old.owner_id,
        Some(v) => match v.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
            Some(id) => Some(id),
            None => {
                errors.push(FieldError::new("owner_id", "invalid_id", "expected a user id"));
                old.owner_id
            }
        },
    };
    errors.into_result().map_err(DomainError::from)?;
    let mut record = old.clone();
    record.fields.extend(changes);
    record.custom = custom;
    record.tags = tags;
    record.owner_id = owner_id;
    write_update(ctx, conn, actor, snapshot, old, record, input, import_id).await
}

/// Stores `record` as the next version of `old` (the same record, changed
/// by validated input or by a service): the kind's hooks with the client's
/// `input` (empty for a service's own change), reference checks, the audit
/// entry. Unchanged, `old` comes back and nothing is written.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_update(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    old: Record,
    mut record: Record,
    input: &Map<String, Value>,
    import_id: Option<Uuid>,
) -> Result<Record> {
    let (record_type, id) = (record.record_type, record.id);
    let hook_data = hooks::load(conn, record_type).await?;
    // The hooks date what this write does (a deal's `closed_at`) by it.
    record.updated_at = ctx.now();
    hooks::before_write(&hook_data, Some(&old), &mut record, input)?;
    if let Some(Some(errors)) = resolve(conn, actor, snapshot, &mut [(Some(&old), &mut record)]).await?.pop() {
        return Err(DomainError::from(errors).into());
    }
    let changes: Vec<FieldChange> = diff(&old.audited(), &record.audited());
    if changes.is_empty() {
        return Ok(old);
    }
    record.version = old.version + 1;
    record.updated_by = Some(actor.user_id);
    if !repo::update(conn, &record, old.version).await? {
        return Err(DomainError::VersionMismatch { current: old.version + 1 }.into());
    }
    keys::index(conn, &record).await?;
    let entry = crate::audit::NewEntry {
        at: record.updated_at,
        actor: Some(actor.user_id),
        record_type,
        record_id: id.0,
        action: AuditAction::Update,
        changes,
        import_id,
    };
    crate::audit::record_many(conn, std::slice::from_ref(&entry)).await?;
    hooks::after_write(conn, actor, Some(&old), &record).await?;
    Ok(record)
}

/// Moves a record to the trash.
#[tracing::instrument(skip_all, fields(record_type = %record_type, %id), err(level = "debug"))]
pub async fn delete(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    id: RecordId,
    if_match: Option<i64>,
) -> Result<()> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    delete_in(ctx, &*tx, actor, &snapshot, record_type, id, if_match).await?;
    tx.commit().await
}

pub(super) async fn delete_in(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    record_type: RecordType,
    id: RecordId,
    if_match: Option<i64>,
) -> Result<()> {
    let record = fetch_visible(conn, actor, snapshot, record_type, id, false).await?;
    if if_match.is_some_and(|v| v != record.version) {
        return Err(DomainError::VersionMismatch { current: record.version }.into());
    }
    actor.ensure_can_delete(record.owner_id)?;
    let now = ctx.now();
    if !repo::set_deleted(conn, &record, Some((now, actor.user_id))).await? {
        return Err(DomainError::VersionMismatch { current: record.version + 1 }.into());
    }
    keys::unindex(conn, id.0).await?;
    crate::audit::record(conn, now, Some(actor.user_id), record_type, id.0, AuditAction::Delete, &[]).await
}

/// Brings a record back from the trash.
#[tracing::instrument(skip_all, fields(record_type = %record_type, %id), err(level = "debug"))]
pub async fn restore(ctx: &Ctx, writer: &Writer, record_type: RecordType, id: RecordId) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let mut record = fetch_visible(&*tx, actor, &snapshot, record_type, id, true).await?;
    actor.ensure_can_delete(record.owner_id)?;
    if !repo::set_deleted(&*tx, &record, None).await? {
        return Err(DomainError::VersionMismatch { current: record.version + 1 }.into());
    }
    record.version += 1;
    record.deleted_at = None;
    keys::index(&*tx, &record).await?;
    crate::audit::record(&*tx, ctx.now(), Some(actor.user_id), record_type, id.0, AuditAction::Restore, &[]).await?;
    tx.commit().await?;
    Ok(record)
}
