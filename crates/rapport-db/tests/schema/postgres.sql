column activities.id: uuid not null
column activities.version: bigint not null
column activities.owner_id: uuid
column activities.team_id: uuid
column activities.tags: jsonb not null
column activities.custom: jsonb not null
column activities.created_at: timestamp with time zone not null
column activities.created_by: uuid
column activities.updated_at: timestamp with time zone not null
column activities.updated_by: uuid
column activities.deleted_at: timestamp with time zone
column activities.deleted_by: uuid
column activities.kind: text
column activities.subject: text
column activities.body: text
column activities.due_at: timestamp with time zone
column activities.starts_at: timestamp with time zone
column activities.ends_at: timestamp with time zone
column activities.done: boolean
column activities.outcome: text
column activities.duration_minutes: bigint
column activities.related: jsonb
column activities.participants: jsonb
column activities.reminder_at: timestamp with time zone
column analytics_results.key: text not null
column analytics_results.computed_at: timestamp with time zone not null
column analytics_results.payload: jsonb not null
column analytics_results.generation: bigint not null default 0
column api_tokens.id: uuid not null
column api_tokens.user_id: uuid not null
column api_tokens.name: text not null
column api_tokens.secret_hash: text not null
column api_tokens.scope: text not null
column api_tokens.created_at: timestamp with time zone not null
column api_tokens.last_used_at: timestamp with time zone
column api_tokens.expires_at: timestamp with time zone
column api_tokens.revoked_at: timestamp with time zone
column audit_log.id: uuid not null
column audit_log.at: timestamp with time zone not null
column audit_log.actor_id: uuid
column audit_log.record_type: text not null
column audit_log.record_id: uuid not null
column audit_log.action: text not null
column audit_log.changes: jsonb not null
column audit_log.import_id: uuid
column cadence_enrollments.id: uuid not null
column cadence_enrollments.cadence_id: uuid not null
column cadence_enrollments.record_type: text not null
column cadence_enrollments.record_id: uuid not null
column cadence_enrollments.owner_id: uuid
column cadence_enrollments.steps: jsonb not null
column cadence_enrollments.started_at: timestamp with time zone not null
column cadence_enrollments.started_by: uuid
column cadence_enrollments.next_step: bigint not null
column cadence_enrollments.status: text not null
column cadence_enrollments.stop_reason: text
column cadence_enrollments.stopped_by: uuid
column cadence_enrollments.ended_at: timestamp with time zone
column cadence_step_runs.enrollment_id: uuid not null
column cadence_step_runs.step: bigint not null
column cadence_step_runs.activity_id: uuid
column cadence_step_runs.created_at: timestamp with time zone not null
column cadences.id: uuid not null
column cadences.name: text not null
column cadences.active: boolean not null
column cadences.steps: jsonb not null
column cadences.created_at: timestamp with time zone not null
column cadences.created_by: uuid
column cadences.updated_at: timestamp with time zone not null
column calendar_feeds.user_id: uuid not null
column calendar_feeds.token_hash: text not null
column calendar_feeds.created_at: timestamp with time zone not null
column companies.id: uuid not null
column companies.version: bigint not null
column companies.owner_id: uuid
column companies.team_id: uuid
column companies.tags: jsonb not null
column companies.custom: jsonb not null
column companies.created_at: timestamp with time zone not null
column companies.created_by: uuid
column companies.updated_at: timestamp with time zone not null
column companies.updated_by: uuid
column companies.deleted_at: timestamp with time zone
column companies.deleted_by: uuid
column companies.name: text
column companies.domain: text
column companies.industry: text
column companies.size_band: text
column companies.phones: jsonb
column companies.tax_id: text
column companies.website: text
column companies.parent_company_id: uuid
column companies.street: text
column companies.city: text
column companies.state: text
column companies.postal_code: text
column companies.country: text
column contact_photos.contact_id: uuid not null
column contact_photos.content_type: text not null
column contact_photos.bytes: bytea not null
column contact_photos.updated_at: timestamp with time zone not null
column contacts.id: uuid not null
column contacts.version: bigint not null
column contacts.owner_id: uuid
column contacts.team_id: uuid
column contacts.tags: jsonb not null
column contacts.custom: jsonb not null
column contacts.created_at: timestamp with time zone not null
column contacts.created_by: uuid
column contacts.updated_at: timestamp with time zone not null
column contacts.updated_by: uuid
column contacts.deleted_at: timestamp with time zone
column contacts.deleted_by: uuid
column contacts.first_name: text
column contacts.last_name: text
column contacts.emails: jsonb
column contacts.phones: jsonb
column contacts.company_id: uuid
column contacts.job_title: text
column contacts.birth_date: date
column contacts.preferred_channel: text
column contacts.language: text
column contacts.lifecycle_stage: text
column contacts.consents: jsonb
column contacts.street: text
column contacts.city: text
column contacts.state: text
column contacts.postal_code: text
column contacts.country: text
column contacts.source_channel: text
column contacts.source_campaign: text
column contacts.utm_source: text
column contacts.utm_medium: text
column contacts.utm_campaign: text
column contract_documents.id: uuid not null
column contract_documents.contract_id: uuid not null
column contract_documents.file_name: text not null
column contract_documents.content_type: text not null
column contract_documents.size_bytes: bigint not null
column contract_documents.sha256: text not null
column contract_documents.bytes: bytea not null
column contract_documents.created_at: timestamp with time zone not null
column contract_documents.created_by: uuid
column contracts.id: uuid not null
column contracts.version: bigint not null
column contracts.owner_id: uuid
column contracts.team_id: uuid
column contracts.tags: jsonb not null
column contracts.custom: jsonb not null
column contracts.created_at: timestamp with time zone not null
column contracts.created_by: uuid
column contracts.updated_at: timestamp with time zone not null
column contracts.updated_by: uuid
column contracts.deleted_at: timestamp with time zone
column contracts.deleted_by: uuid
column contracts.number: text
column contracts.version_number: bigint
column contracts.previous_contract_id: uuid
column contracts.name: text
column contracts.status: text
column contracts.company_id: uuid
column contracts.contact_id: uuid
column contracts.deal_id: uuid
column contracts.quote_id: uuid
column contracts.start_date: date
column contracts.end_date: date
column contracts.value_minor: bigint
column contracts.currency: text
column contracts.billing_frequency: text
column contracts.signed_on: date
column contracts.auto_renew: boolean
column contracts.renewal_notice_days: bigint
column contracts.terminated_on: date
column contracts.terms: text
column contracts.notes: text
column contracts.reminder_activity_id: uuid
column custom_fields.id: uuid not null
column custom_fields.record_type: text not null
column custom_fields.key: text not null
column custom_fields.label: text not null
column custom_fields.field_type: text not null
column custom_fields.options: jsonb not null
column custom_fields.required: boolean not null
column custom_fields.created_at: timestamp with time zone not null
column customer_metrics.generation: bigint not null
column customer_metrics.customer_type: text not null
column customer_metrics.customer_id: uuid not null
column customer_metrics.first_day: date not null
column customer_metrics.last_day: date not null
column customer_metrics.purchases: bigint not null
column customer_metrics.total_minor: bigint not null
column customer_metrics.currency: text not null
column customer_metrics.recency_score: bigint not null
column customer_metrics.frequency_score: bigint not null
column customer_metrics.monetary_score: bigint not null
column customer_metrics.recency_days: bigint not null
column customer_metrics.segment: text not null
column customer_metrics.expected_purchases_12m: double precision
column customer_metrics.p_alive: double precision
column customer_metrics.clv_12m_minor: bigint
column customer_metrics.refreshed_at: timestamp with time zone not null
column dashboards.id: uuid not null
column dashboards.owner_id: uuid not null
column dashboards.team_id: uuid
column dashboards.name: text not null
column dashboards.widgets: jsonb not null
column dashboards.default_for: uuid
column dashboards.created_at: timestamp with time zone not null
column dashboards.updated_at: timestamp with time zone not null
column deal_stage_changes.id: uuid not null
column deal_stage_changes.deal_id: uuid not null
column deal_stage_changes.pipeline_id: uuid not null
column deal_stage_changes.from_stage_id: uuid
column deal_stage_changes.to_stage_id: uuid not null
column deal_stage_changes.changed_at: timestamp with time zone not null
column deal_stage_changes.changed_by: uuid
column deals.id: uuid not null
column deals.version: bigint not null
column deals.owner_id: uuid
column deals.team_id: uuid
column deals.tags: jsonb not null
column deals.custom: jsonb not null
column deals.created_at: timestamp with time zone not null
column deals.created_by: uuid
column deals.updated_at: timestamp with time zone not null
column deals.updated_by: uuid
column deals.deleted_at: timestamp with time zone
column deals.deleted_by: uuid
column deals.name: text
column deals.company_id: uuid
column deals.contact_id: uuid
column deals.contacts: jsonb
column deals.pipeline_id: uuid
column deals.stage_id: uuid
column deals.amount_minor: bigint
column deals.currency: text
column deals.expected_close_date: date
column deals.probability: bigint
column deals.probability_overridden: boolean
column deals.competitor: text
column deals.lost_reason: text
column deals.status: text
column deals.closed_at: timestamp with time zone
column deals.forecast_category: text
column deals.forecast_category_overridden: boolean
column deals.source_channel: text
column deals.source_campaign: text
column deals.utm_source: text
column deals.utm_medium: text
column deals.utm_campaign: text
column duplicate_pairs.record_type: text not null
column duplicate_pairs.record_id: uuid not null
column duplicate_pairs.other_id: uuid not null
column duplicate_pairs.score: bigint not null
column duplicate_pairs.reasons: text not null
column duplicate_pairs.found_at: timestamp with time zone not null
column duplicate_pairs.dismissed_at: timestamp with time zone
column duplicate_pairs.dismissed_by: uuid
column email_attachments.email_id: uuid not null
column email_attachments.position: bigint not null
column email_attachments.file_name: text not null
column email_attachments.content_type: text not null
column email_attachments.bytes: bytea not null
column email_messages.id: uuid not null
column email_messages.message_id: text not null
column email_messages.related_type: text
column email_messages.related_id: uuid
column email_messages.queued_by: uuid
column email_messages.recipients: jsonb not null
column email_messages.subject: text not null
column email_messages.body_text: text not null
column email_messages.body_html: text
column email_messages.template_key: text
column email_messages.language: text
column email_messages.status: text not null
column email_messages.attempts: bigint not null default 0
column email_messages.next_attempt_at: timestamp with time zone
column email_messages.last_error: text
column email_messages.created_at: timestamp with time zone not null
column email_messages.sending_since: timestamp with time zone
column email_messages.sent_at: timestamp with time zone
column email_messages.failed_at: timestamp with time zone
column email_templates.key: text not null
column email_templates.language: text not null
column email_templates.subject: text not null
column email_templates.body: text not null
column email_templates.updated_at: timestamp with time zone not null
column email_templates.updated_by: uuid
column exports.id: uuid not null
column exports.user_id: uuid not null
column exports.record_type: text not null
column exports.format: text not null
column exports.query: text not null
column exports.status: text not null
column exports.rows_done: bigint not null default 0
column exports.file: bytea
column exports.error: text
column exports.leased_until: timestamp with time zone
column exports.created_at: timestamp with time zone not null
column exports.finished_at: timestamp with time zone
column forecast_snapshots.id: uuid not null
column forecast_snapshots.period: text not null
column forecast_snapshots.scope: text not null
column forecast_snapshots.taken_on: date not null
column forecast_snapshots.currency: text not null
column forecast_snapshots.forecast: jsonb not null
column forecast_snapshots.taken_at: timestamp with time zone not null
column idempotency_keys.user_id: uuid not null
column idempotency_keys.key: text not null
column idempotency_keys.request_hash: text not null
column idempotency_keys.status_code: bigint
column idempotency_keys.response: jsonb
column idempotency_keys.created_at: timestamp with time zone not null
column import_left_out.import_id: uuid not null
column import_left_out.line: bigint not null
column import_left_out.outcome: text not null
column import_left_out.cells: text not null
column import_left_out.reason: text not null
column import_reports.id: uuid not null
column import_reports.user_id: uuid not null
column import_reports.record_type: text not null
column import_reports.created_at: timestamp with time zone not null
column import_reports.csv: text not null
column imports.id: uuid not null
column imports.user_id: uuid not null
column imports.record_type: text not null
column imports.file_name: text not null
column imports.file: bytea
column imports.file_bytes: bigint not null default 0
column imports.status: text not null
column imports.settings: text not null
column imports.columns: text not null
column imports.next_line: bigint not null default 0
column imports.bytes_done: bigint not null default 0
column imports.rows_read: bigint not null default 0
column imports.created: bigint not null default 0
column imports.updated: bigint not null default 0
column imports.skipped: bigint not null default 0
column imports.rejected: bigint not null default 0
column imports.error: text
column imports.cancel_requested: boolean not null default false
column imports.leased_until: timestamp with time zone
column imports.created_at: timestamp with time zone not null
column imports.started_at: timestamp with time zone
column imports.finished_at: timestamp with time zone
column imports.undone_at: timestamp with time zone
column jobs.id: uuid not null
column jobs.kind: text not null
column jobs.payload: jsonb not null
column jobs.run_at: timestamp with time zone not null
column jobs.status: text not null
column jobs.attempts: bigint not null
column jobs.max_attempts: bigint not null
column jobs.leased_until: timestamp with time zone
column jobs.last_error: text
column jobs.dedup_key: text
column jobs.created_at: timestamp with time zone not null
column jobs.finished_at: timestamp with time zone
column lead_scores.lead_id: uuid not null
column lead_scores.points: bigint not null
column lead_scores.reasons: jsonb not null
column lead_scores.method: text not null
column lead_scores.model_id: uuid
column lead_scores.scored_at: timestamp with time zone not null
column lead_scoring_models.id: uuid not null
column lead_scoring_models.trained_at: timestamp with time zone not null
column lead_scoring_models.closed: bigint not null
column lead_scoring_models.converted: bigint not null
column lead_scoring_models.cv_auc: double precision not null
column lead_scoring_models.fold_aucs: jsonb not null
column lead_scoring_models.model: jsonb not null
column lead_scoring_models.active: boolean not null
column leads.id: uuid not null
column leads.version: bigint not null
column leads.owner_id: uuid
column leads.team_id: uuid
column leads.tags: jsonb not null
column leads.custom: jsonb not null
column leads.created_at: timestamp with time zone not null
column leads.created_by: uuid
column leads.updated_at: timestamp with time zone not null
column leads.updated_by: uuid
column leads.deleted_at: timestamp with time zone
column leads.deleted_by: uuid
column leads.first_name: text
column leads.last_name: text
column leads.company_name: text
column leads.email: text
column leads.phone: text
column leads.job_title: text
column leads.website: text
column leads.status: text
column leads.disqualified_reason: text
column leads.score: bigint
column leads.converted_contact_id: uuid
column leads.converted_company_id: uuid
column leads.converted_deal_id: uuid
column leads.source_channel: text
column leads.source_campaign: text
column leads.utm_source: text
column leads.utm_medium: text
column leads.utm_campaign: text
column list_columns.user_id: uuid not null
column list_columns.record_type: text not null
column list_columns.columns: text not null
column login_attempts.id: uuid not null
column login_attempts.at: timestamp with time zone not null
column login_attempts.email_normalized: text not null
column login_attempts.ip: text not null
column login_attempts.success: boolean not null
column merged_records.merge_id: uuid not null
column merged_records.record_id: uuid not null
column merged_records.moved: jsonb not null
column merges.id: uuid not null
column merges.record_type: text not null
column merges.survivor_id: uuid not null
column merges.actor_id: uuid not null
column merges.at: timestamp with time zone not null
column merges.survivor_before: jsonb not null
column merges.undone_at: timestamp with time zone
column merges.undone_by: uuid
column notifications.id: uuid not null
column notifications.user_id: uuid not null
column notifications.kind: text not null
column notifications.title: text not null
column notifications.body: text
column notifications.record_type: text
column notifications.record_id: uuid
column notifications.created_at: timestamp with time zone not null
column notifications.read_at: timestamp with time zone
column notifications.dedup_key: text not null
column notifications.params: text
column number_sequences.key: text not null
column number_sequences.year: bigint not null
column number_sequences.last: bigint not null
column orders.id: uuid not null
column orders.version: bigint not null
column orders.owner_id: uuid
column orders.team_id: uuid
column orders.tags: jsonb not null
column orders.custom: jsonb not null
column orders.created_at: timestamp with time zone not null
column orders.created_by: uuid
column orders.updated_at: timestamp with time zone not null
column orders.updated_by: uuid
column orders.deleted_at: timestamp with time zone
column orders.deleted_by: uuid
column orders.number: text
column orders.status: text
column orders.contact_id: uuid
column orders.company_id: uuid
column orders.deal_id: uuid
column orders.quote_id: uuid
column orders.currency: text
column orders.lines: jsonb
column orders.discount_bp: bigint
column orders.subtotal_minor: bigint
column orders.discount_minor: bigint
column orders.tax_minor: bigint
column orders.total_minor: bigint
column orders.ordered_at: timestamp with time zone
column orders.invoice_number: text
column orders.invoice_due_date: date
column orders.paid_minor: bigint
column orders.refunded_minor: bigint
column orders.payment_status: text
column orders.tracking_code: text
column orders.promised_delivery_date: date
column orders.delivered_on: date
column orders.notes: text
column pipelines.id: uuid not null
column pipelines.name: text not null
column pipelines.is_default: boolean not null
column pipelines.position: bigint not null
column pipelines.created_at: timestamp with time zone not null
column products.id: uuid not null
column products.version: bigint not null
column products.owner_id: uuid
column products.team_id: uuid
column products.tags: jsonb not null
column products.custom: jsonb not null
column products.created_at: timestamp with time zone not null
column products.created_by: uuid
column products.updated_at: timestamp with time zone not null
column products.updated_by: uuid
column products.deleted_at: timestamp with time zone
column products.deleted_by: uuid
column products.name: text
column products.sku: text
column products.description: text
column products.unit: text
column products.prices: jsonb
column products.tax_rate_bp: bigint
column products.active: boolean
column products.options: jsonb
column public_links.id: uuid not null
column public_links.token_hash: text not null
column public_links.record_type: text not null
column public_links.record_id: uuid not null
column public_links.purpose: text not null
column public_links.created_at: timestamp with time zone not null
column public_links.created_by: uuid
column public_links.expires_at: timestamp with time zone not null
column public_links.revoked_at: timestamp with time zone
column quotas.id: uuid not null
column quotas.subject_type: text not null
column quotas.subject_id: uuid not null
column quotas.period_kind: text not null
column quotas.period_start: date not null
column quotas.amount_minor: bigint not null
column quotas.currency: text not null
column quotas.updated_at: timestamp with time zone not null
column quotas.updated_by: uuid
column quotes.id: uuid not null
column quotes.version: bigint not null
column quotes.owner_id: uuid
column quotes.team_id: uuid
column quotes.tags: jsonb not null
column quotes.custom: jsonb not null
column quotes.created_at: timestamp with time zone not null
column quotes.created_by: uuid
column quotes.updated_at: timestamp with time zone not null
column quotes.updated_by: uuid
column quotes.deleted_at: timestamp with time zone
column quotes.deleted_by: uuid
column quotes.number: text
column quotes.revision: bigint
column quotes.title: text
column quotes.deal_id: uuid
column quotes.contact_id: uuid
column quotes.company_id: uuid
column quotes.currency: text
column quotes.lines: jsonb
column quotes.discount_bp: bigint
column quotes.valid_until: date
column quotes.status: text
column quotes.primary: boolean
column quotes.superseded_by: uuid
column quotes.subtotal_minor: bigint
column quotes.discount_minor: bigint
column quotes.tax_minor: bigint
column quotes.total_minor: bigint
column quotes.sent_at: timestamp with time zone
column quotes.decided_at: timestamp with time zone
column quotes.notes: text
column recent_records.user_id: uuid not null
column recent_records.record_id: uuid not null
column recent_records.record_type: text not null
column recent_records.viewed_at: timestamp with time zone not null
column record_keys.record_type: text not null
column record_keys.record_id: uuid not null
column record_keys.kind: text not null
column record_keys.value: text not null
column record_links.source_type: text not null
column record_links.source_id: uuid not null
column record_links.target_type: text not null
column record_links.target_id: uuid not null
column record_links.role: text
column report_deliveries.schedule_id: uuid not null
column report_deliveries.due_at: timestamp with time zone not null
column report_deliveries.user_id: uuid not null
column report_deliveries.status: text not null
column report_deliveries.email_id: uuid
column report_deliveries.reason: text
column report_deliveries.created_at: timestamp with time zone not null
column report_results.report_id: uuid not null
column report_results.user_id: uuid not null
column report_results.scope_key: text not null
column report_results.result: jsonb not null
column report_results.computed_at: timestamp with time zone not null
column report_results.viewed_at: timestamp with time zone not null
column report_schedules.id: uuid not null
column report_schedules.report_id: uuid not null
column report_schedules.owner_id: uuid not null
column report_schedules.frequency: text not null
column report_schedules.weekday: bigint
column report_schedules.month_day: bigint
column report_schedules.hour: bigint not null
column report_schedules.time_zone: text not null
column report_schedules.format: text not null
column report_schedules.recipients: jsonb not null
column report_schedules.link: text not null
column report_schedules.next_run_at: timestamp with time zone not null
column report_schedules.last_run_at: timestamp with time zone
column report_schedules.created_at: timestamp with time zone not null
column report_schedules.updated_at: timestamp with time zone not null
column reports.id: uuid not null
column reports.owner_id: uuid not null
column reports.name: text not null
column reports.description: text
column reports.definition: jsonb not null
column reports.shared_team_id: uuid
column reports.created_at: timestamp with time zone not null
column reports.updated_at: timestamp with time zone not null
column return_rules.id: uuid not null
column return_rules.condition: text not null
column return_rules.amount: bigint not null
column return_rules.currency: text
column return_rules.enabled: boolean not null
column return_rules.created_at: timestamp with time zone not null
column return_rules.created_by: uuid
column returns.id: uuid not null
column returns.version: bigint not null
column returns.owner_id: uuid
column returns.team_id: uuid
column returns.tags: jsonb not null
column returns.custom: jsonb not null
column returns.created_at: timestamp with time zone not null
column returns.created_by: uuid
column returns.updated_at: timestamp with time zone not null
column returns.updated_by: uuid
column returns.deleted_at: timestamp with time zone
column returns.deleted_by: uuid
column returns.number: text
column returns.order_id: uuid
column returns.status: text
column returns.lines: jsonb
column returns.reason: text
column returns.reason_detail: text
column returns.desired_outcome: text
column returns.refund_minor: bigint
column returns.refunded_at: timestamp with time zone
column returns.requested_by_customer: boolean
column returns.decided_by_rule: text
column returns.decision_note: text
column saved_segment_members.segment_id: uuid not null
column saved_segment_members.customer_type: text not null
column saved_segment_members.customer_id: uuid not null
column saved_segments.id: uuid not null
column saved_segments.name: text not null
column saved_segments.source: text not null
column saved_segments.definition: jsonb not null
column saved_segments.customers: bigint not null
column saved_segments.created_by: uuid
column saved_segments.created_at: timestamp with time zone not null
column saved_views.id: uuid not null
column saved_views.user_id: uuid not null
column saved_views.record_type: text not null
column saved_views.name: text not null
column saved_views.query: text not null
column saved_views.columns: text not null
column saved_views.shared: boolean not null
column saved_views.created_at: timestamp with time zone not null
column saved_views.updated_at: timestamp with time zone not null
column schema_migrations.version: bigint not null
column schema_migrations.name: text not null
column schema_migrations.applied_at: timestamp with time zone not null
column search_rows.id: bigint not null default nextval('search_rows_id_seq'::regclass)
column search_rows.record_type: text not null
column search_rows.record_id: uuid not null
column search_rows.owner_id: uuid
column search_rows.team_id: uuid
column search_rows.label: text not null
column search_rows.title: text not null
column search_rows.body: text not null
column search_rows.tsv: tsvector generated to_tsvector('simple'::regconfig, ((title || ' '::text) || body))
column search_title_terms.term: text not null
column search_title_terms.row_id: bigint not null
column sessions.id_hash: text not null
column sessions.user_id: uuid not null
column sessions.csrf_token: text not null
column sessions.created_at: timestamp with time zone not null
column sessions.expires_at: timestamp with time zone not null
column sessions.last_used_at: timestamp with time zone
column settings.key: text not null
column settings.value: jsonb not null
column stages.id: uuid not null
column stages.pipeline_id: uuid not null
column stages.name: text not null
column stages.position: bigint not null
column stages.probability: bigint not null
column stages.is_won: boolean not null
column stages.is_lost: boolean not null
column team_members.team_id: uuid not null
column team_members.user_id: uuid not null
column teams.id: uuid not null
column teams.name: text not null
column teams.name_normalized: text not null
column teams.created_at: timestamp with time zone not null
column users.id: uuid not null
column users.email: text not null
column users.email_normalized: text not null
column users.name: text not null
column users.password_hash: text
column users.role: text not null
column users.locale: text not null
column users.primary_team_id: uuid
column users.disabled: boolean not null default false
column users.created_at: timestamp with time zone not null
column users.updated_at: timestamp with time zone not null
column users.time_zone: text
column whatsapp_messages.id: uuid not null
column whatsapp_messages.dedup_key: text not null
column whatsapp_messages.user_id: uuid
column whatsapp_messages.to_phone: text not null
column whatsapp_messages.body: jsonb not null
column whatsapp_messages.related_type: text
column whatsapp_messages.related_id: uuid
column whatsapp_messages.status: text not null
column whatsapp_messages.attempts: bigint not null default 0
column whatsapp_messages.last_error: text
column whatsapp_messages.provider_message_id: text
column whatsapp_messages.created_at: timestamp with time zone not null
column whatsapp_messages.sending_since: timestamp with time zone
column whatsapp_messages.sent_at: timestamp with time zone
column whatsapp_messages.failed_at: timestamp with time zone
column whatsapp_numbers.user_id: uuid not null
column whatsapp_numbers.phone: text not null
column whatsapp_numbers.updated_at: timestamp with time zone not null
index activities_created_at: CREATE INDEX activities_created_at ON public.activities USING btree (created_at, id)
index activities_done: CREATE INDEX activities_done ON public.activities USING btree (done, id)
index activities_due_at: CREATE INDEX activities_due_at ON public.activities USING btree (due_at, id)
index activities_kind: CREATE INDEX activities_kind ON public.activities USING btree (kind, id)
index activities_owner_id: CREATE INDEX activities_owner_id ON public.activities USING btree (owner_id, id)
index activities_pkey: CREATE UNIQUE INDEX activities_pkey ON public.activities USING btree (id)
index activities_team_id: CREATE INDEX activities_team_id ON public.activities USING btree (team_id, id)
index activities_trash: CREATE INDEX activities_trash ON public.activities USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index activities_updated_at: CREATE INDEX activities_updated_at ON public.activities USING btree (updated_at, id)
index analytics_results_pkey: CREATE UNIQUE INDEX analytics_results_pkey ON public.analytics_results USING btree (key)
index api_tokens_pkey: CREATE UNIQUE INDEX api_tokens_pkey ON public.api_tokens USING btree (id)
index audit_log_import: CREATE INDEX audit_log_import ON public.audit_log USING btree (import_id) WHERE (import_id IS NOT NULL)
index audit_log_pkey: CREATE UNIQUE INDEX audit_log_pkey ON public.audit_log USING btree (id)
index audit_log_record: CREATE INDEX audit_log_record ON public.audit_log USING btree (record_id, at)
index cadence_enrollments_one_active: CREATE UNIQUE INDEX cadence_enrollments_one_active ON public.cadence_enrollments USING btree (cadence_id, record_id) WHERE (status = 'active'::text)
index cadence_enrollments_pkey: CREATE UNIQUE INDEX cadence_enrollments_pkey ON public.cadence_enrollments USING btree (id)
index cadence_enrollments_record: CREATE INDEX cadence_enrollments_record ON public.cadence_enrollments USING btree (record_id, started_at)
index cadence_step_runs_pkey: CREATE UNIQUE INDEX cadence_step_runs_pkey ON public.cadence_step_runs USING btree (enrollment_id, step)
index cadences_pkey: CREATE UNIQUE INDEX cadences_pkey ON public.cadences USING btree (id)
index calendar_feeds_pkey: CREATE UNIQUE INDEX calendar_feeds_pkey ON public.calendar_feeds USING btree (user_id)
index calendar_feeds_token: CREATE UNIQUE INDEX calendar_feeds_token ON public.calendar_feeds USING btree (token_hash)
index companies_city: CREATE INDEX companies_city ON public.companies USING btree (city, id)
index companies_country: CREATE INDEX companies_country ON public.companies USING btree (country, id)
index companies_created_at: CREATE INDEX companies_created_at ON public.companies USING btree (created_at, id)
index companies_domain: CREATE INDEX companies_domain ON public.companies USING btree (domain, id)
index companies_industry: CREATE INDEX companies_industry ON public.companies USING btree (industry, id)
index companies_name: CREATE INDEX companies_name ON public.companies USING btree (name, id)
index companies_owner_id: CREATE INDEX companies_owner_id ON public.companies USING btree (owner_id, id)
index companies_pkey: CREATE UNIQUE INDEX companies_pkey ON public.companies USING btree (id)
index companies_tax_id: CREATE INDEX companies_tax_id ON public.companies USING btree (tax_id, id)
index companies_team_id: CREATE INDEX companies_team_id ON public.companies USING btree (team_id, id)
index companies_trash: CREATE INDEX companies_trash ON public.companies USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index companies_updated_at: CREATE INDEX companies_updated_at ON public.companies USING btree (updated_at, id)
index contact_photos_pkey: CREATE UNIQUE INDEX contact_photos_pkey ON public.contact_photos USING btree (contact_id)
index contacts_city: CREATE INDEX contacts_city ON public.contacts USING btree (city, id)
index contacts_company_id: CREATE INDEX contacts_company_id ON public.contacts USING btree (company_id, id)
index contacts_country: CREATE INDEX contacts_country ON public.contacts USING btree (country, id)
index contacts_country_city: CREATE INDEX contacts_country_city ON public.contacts USING btree (country, city, id)
index contacts_created_at: CREATE INDEX contacts_created_at ON public.contacts USING btree (created_at, id)
index contacts_first_name: CREATE INDEX contacts_first_name ON public.contacts USING btree (first_name, id)
index contacts_last_name: CREATE INDEX contacts_last_name ON public.contacts USING btree (last_name, id)
index contacts_lifecycle_stage: CREATE INDEX contacts_lifecycle_stage ON public.contacts USING btree (lifecycle_stage, id)
index contacts_owner_id: CREATE INDEX contacts_owner_id ON public.contacts USING btree (owner_id, id)
index contacts_pkey: CREATE UNIQUE INDEX contacts_pkey ON public.contacts USING btree (id)
index contacts_source_channel: CREATE INDEX contacts_source_channel ON public.contacts USING btree (source_channel, id)
index contacts_team_id: CREATE INDEX contacts_team_id ON public.contacts USING btree (team_id, id)
index contacts_trash: CREATE INDEX contacts_trash ON public.contacts USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index contacts_updated_at: CREATE INDEX contacts_updated_at ON public.contacts USING btree (updated_at, id)
index contract_documents_contract: CREATE INDEX contract_documents_contract ON public.contract_documents USING btree (contract_id, created_at)
index contract_documents_pkey: CREATE UNIQUE INDEX contract_documents_pkey ON public.contract_documents USING btree (id)
index contracts_auto_renew: CREATE INDEX contracts_auto_renew ON public.contracts USING btree (auto_renew, id)
index contracts_billing_frequency: CREATE INDEX contracts_billing_frequency ON public.contracts USING btree (billing_frequency, id)
index contracts_company_id: CREATE INDEX contracts_company_id ON public.contracts USING btree (company_id, id)
index contracts_contact_id: CREATE INDEX contracts_contact_id ON public.contracts USING btree (contact_id, id)
index contracts_created_at: CREATE INDEX contracts_created_at ON public.contracts USING btree (created_at, id)
index contracts_deal_id: CREATE INDEX contracts_deal_id ON public.contracts USING btree (deal_id, id)
index contracts_end_date: CREATE INDEX contracts_end_date ON public.contracts USING btree (end_date, id)
index contracts_number: CREATE UNIQUE INDEX contracts_number ON public.contracts USING btree (number, version_number)
index contracts_owner_id: CREATE INDEX contracts_owner_id ON public.contracts USING btree (owner_id, id)
index contracts_pkey: CREATE UNIQUE INDEX contracts_pkey ON public.contracts USING btree (id)
index contracts_previous_contract_id: CREATE UNIQUE INDEX contracts_previous_contract_id ON public.contracts USING btree (previous_contract_id)
index contracts_quote_id: CREATE INDEX contracts_quote_id ON public.contracts USING btree (quote_id, id)
index contracts_start_date: CREATE INDEX contracts_start_date ON public.contracts USING btree (start_date, id)
index contracts_status: CREATE INDEX contracts_status ON public.contracts USING btree (status, id)
index contracts_status_end_date: CREATE INDEX contracts_status_end_date ON public.contracts USING btree (status, end_date, id)
index contracts_team_id: CREATE INDEX contracts_team_id ON public.contracts USING btree (team_id, id)
index contracts_trash: CREATE INDEX contracts_trash ON public.contracts USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index contracts_updated_at: CREATE INDEX contracts_updated_at ON public.contracts USING btree (updated_at, id)
index contracts_value_minor: CREATE INDEX contracts_value_minor ON public.contracts USING btree (value_minor, id)
index custom_fields_key: CREATE UNIQUE INDEX custom_fields_key ON public.custom_fields USING btree (record_type, key)
index custom_fields_pkey: CREATE UNIQUE INDEX custom_fields_pkey ON public.custom_fields USING btree (id)
index customer_metrics_clv: CREATE INDEX customer_metrics_clv ON public.customer_metrics USING btree (generation, clv_12m_minor, customer_id)
index customer_metrics_pkey: CREATE UNIQUE INDEX customer_metrics_pkey ON public.customer_metrics USING btree (generation, customer_type, customer_id)
index customer_metrics_segment_value: CREATE INDEX customer_metrics_segment_value ON public.customer_metrics USING btree (generation, segment, total_minor, customer_id)
index dashboards_default_for: CREATE UNIQUE INDEX dashboards_default_for ON public.dashboards USING btree (default_for)
index dashboards_owner: CREATE INDEX dashboards_owner ON public.dashboards USING btree (owner_id)
index dashboards_pkey: CREATE UNIQUE INDEX dashboards_pkey ON public.dashboards USING btree (id)
index dashboards_team: CREATE INDEX dashboards_team ON public.dashboards USING btree (team_id)
index deal_stage_changes_deal: CREATE INDEX deal_stage_changes_deal ON public.deal_stage_changes USING btree (deal_id, changed_at)
index deal_stage_changes_pkey: CREATE UNIQUE INDEX deal_stage_changes_pkey ON public.deal_stage_changes USING btree (id)
index deals_amount_minor: CREATE INDEX deals_amount_minor ON public.deals USING btree (amount_minor, id)
index deals_company_id: CREATE INDEX deals_company_id ON public.deals USING btree (company_id, id)
index deals_contact_id: CREATE INDEX deals_contact_id ON public.deals USING btree (contact_id, id)
index deals_created_at: CREATE INDEX deals_created_at ON public.deals USING btree (created_at, id)
index deals_expected_close_date: CREATE INDEX deals_expected_close_date ON public.deals USING btree (expected_close_date, id)
index deals_name: CREATE INDEX deals_name ON public.deals USING btree (name, id)
index deals_owner_id: CREATE INDEX deals_owner_id ON public.deals USING btree (owner_id, id)
index deals_pipeline_id: CREATE INDEX deals_pipeline_id ON public.deals USING btree (pipeline_id, id)
index deals_pkey: CREATE UNIQUE INDEX deals_pkey ON public.deals USING btree (id)
index deals_source_channel: CREATE INDEX deals_source_channel ON public.deals USING btree (source_channel, id)
index deals_stage_id: CREATE INDEX deals_stage_id ON public.deals USING btree (stage_id, id)
index deals_status: CREATE INDEX deals_status ON public.deals USING btree (status, id)
index deals_status_closed_at: CREATE INDEX deals_status_closed_at ON public.deals USING btree (status, closed_at, id)
index deals_status_expected_close_date: CREATE INDEX deals_status_expected_close_date ON public.deals USING btree (status, expected_close_date, id)
index deals_team_id: CREATE INDEX deals_team_id ON public.deals USING btree (team_id, id)
index deals_trash: CREATE INDEX deals_trash ON public.deals USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index deals_updated_at: CREATE INDEX deals_updated_at ON public.deals USING btree (updated_at, id)
index duplicate_pairs_other: CREATE INDEX duplicate_pairs_other ON public.duplicate_pairs USING btree (other_id)
index duplicate_pairs_pkey: CREATE UNIQUE INDEX duplicate_pairs_pkey ON public.duplicate_pairs USING btree (record_id, other_id)
index duplicate_pairs_review: CREATE INDEX duplicate_pairs_review ON public.duplicate_pairs USING btree (record_type, score, record_id, other_id)
index email_attachments_pkey: CREATE UNIQUE INDEX email_attachments_pkey ON public.email_attachments USING btree (email_id, "position")
index email_messages_message_id_key: CREATE UNIQUE INDEX email_messages_message_id_key ON public.email_messages USING btree (message_id)
index email_messages_pkey: CREATE UNIQUE INDEX email_messages_pkey ON public.email_messages USING btree (id)
index email_messages_related: CREATE INDEX email_messages_related ON public.email_messages USING btree (related_id, created_at)
index email_templates_pkey: CREATE UNIQUE INDEX email_templates_pkey ON public.email_templates USING btree (key, language)
index exports_pkey: CREATE UNIQUE INDEX exports_pkey ON public.exports USING btree (id)
index exports_status: CREATE INDEX exports_status ON public.exports USING btree (status)
index exports_user: CREATE INDEX exports_user ON public.exports USING btree (user_id, created_at)
index forecast_snapshots_period_scope_day: CREATE UNIQUE INDEX forecast_snapshots_period_scope_day ON public.forecast_snapshots USING btree (period, scope, taken_on)
index forecast_snapshots_pkey: CREATE UNIQUE INDEX forecast_snapshots_pkey ON public.forecast_snapshots USING btree (id)
index idempotency_keys_created: CREATE INDEX idempotency_keys_created ON public.idempotency_keys USING btree (created_at)
index idempotency_keys_pkey: CREATE UNIQUE INDEX idempotency_keys_pkey ON public.idempotency_keys USING btree (user_id, key)
index import_left_out_pkey: CREATE UNIQUE INDEX import_left_out_pkey ON public.import_left_out USING btree (import_id, line)
index import_reports_created: CREATE INDEX import_reports_created ON public.import_reports USING btree (created_at)
index import_reports_pkey: CREATE UNIQUE INDEX import_reports_pkey ON public.import_reports USING btree (id)
index imports_pkey: CREATE UNIQUE INDEX imports_pkey ON public.imports USING btree (id)
index imports_status: CREATE INDEX imports_status ON public.imports USING btree (status)
index imports_user: CREATE INDEX imports_user ON public.imports USING btree (user_id, created_at)
index jobs_dedup_key_key: CREATE UNIQUE INDEX jobs_dedup_key_key ON public.jobs USING btree (dedup_key)
index jobs_due: CREATE INDEX jobs_due ON public.jobs USING btree (status, run_at)
index jobs_pkey: CREATE UNIQUE INDEX jobs_pkey ON public.jobs USING btree (id)
index lead_scores_pkey: CREATE UNIQUE INDEX lead_scores_pkey ON public.lead_scores USING btree (lead_id)
index lead_scoring_models_pkey: CREATE UNIQUE INDEX lead_scoring_models_pkey ON public.lead_scoring_models USING btree (id)
index lead_scoring_models_trained_at: CREATE INDEX lead_scoring_models_trained_at ON public.lead_scoring_models USING btree (trained_at)
index leads_company_name: CREATE INDEX leads_company_name ON public.leads USING btree (company_name, id)
index leads_created_at: CREATE INDEX leads_created_at ON public.leads USING btree (created_at, id)
index leads_email: CREATE INDEX leads_email ON public.leads USING btree (email, id)
index leads_last_name: CREATE INDEX leads_last_name ON public.leads USING btree (last_name, id)
index leads_owner_id: CREATE INDEX leads_owner_id ON public.leads USING btree (owner_id, id)
index leads_pkey: CREATE UNIQUE INDEX leads_pkey ON public.leads USING btree (id)
index leads_score: CREATE INDEX leads_score ON public.leads USING btree (score, id)
index leads_source_channel: CREATE INDEX leads_source_channel ON public.leads USING btree (source_channel, id)
index leads_status: CREATE INDEX leads_status ON public.leads USING btree (status, id)
index leads_team_id: CREATE INDEX leads_team_id ON public.leads USING btree (team_id, id)
index leads_trash: CREATE INDEX leads_trash ON public.leads USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index leads_updated_at: CREATE INDEX leads_updated_at ON public.leads USING btree (updated_at, id)
index list_columns_pkey: CREATE UNIQUE INDEX list_columns_pkey ON public.list_columns USING btree (user_id, record_type)
index login_attempts_at: CREATE INDEX login_attempts_at ON public.login_attempts USING btree (at)
index login_attempts_email: CREATE INDEX login_attempts_email ON public.login_attempts USING btree (email_normalized, at)
index login_attempts_ip: CREATE INDEX login_attempts_ip ON public.login_attempts USING btree (ip, at)
index login_attempts_pkey: CREATE UNIQUE INDEX login_attempts_pkey ON public.login_attempts USING btree (id)
index merged_records_pkey: CREATE UNIQUE INDEX merged_records_pkey ON public.merged_records USING btree (merge_id, record_id)
index merged_records_record: CREATE INDEX merged_records_record ON public.merged_records USING btree (record_id)
index merges_pkey: CREATE UNIQUE INDEX merges_pkey ON public.merges USING btree (id)
index merges_survivor: CREATE INDEX merges_survivor ON public.merges USING btree (survivor_id, at)
index notifications_dedup_key_key: CREATE UNIQUE INDEX notifications_dedup_key_key ON public.notifications USING btree (dedup_key)
index notifications_pkey: CREATE UNIQUE INDEX notifications_pkey ON public.notifications USING btree (id)
index notifications_user: CREATE INDEX notifications_user ON public.notifications USING btree (user_id, id)
index number_sequences_pkey: CREATE UNIQUE INDEX number_sequences_pkey ON public.number_sequences USING btree (key, year)
index orders_company_id: CREATE INDEX orders_company_id ON public.orders USING btree (company_id, id)
index orders_contact_id: CREATE INDEX orders_contact_id ON public.orders USING btree (contact_id, id)
index orders_created_at: CREATE INDEX orders_created_at ON public.orders USING btree (created_at, id)
index orders_deal_id: CREATE INDEX orders_deal_id ON public.orders USING btree (deal_id, id)
index orders_invoice_due_date: CREATE INDEX orders_invoice_due_date ON public.orders USING btree (invoice_due_date, id)
index orders_invoice_number: CREATE INDEX orders_invoice_number ON public.orders USING btree (invoice_number, id)
index orders_number: CREATE INDEX orders_number ON public.orders USING btree (number, id)
index orders_ordered_at: CREATE INDEX orders_ordered_at ON public.orders USING btree (ordered_at, id)
index orders_owner_id: CREATE INDEX orders_owner_id ON public.orders USING btree (owner_id, id)
index orders_payment_status: CREATE INDEX orders_payment_status ON public.orders USING btree (payment_status, id)
index orders_pkey: CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)
index orders_promised_delivery_date: CREATE INDEX orders_promised_delivery_date ON public.orders USING btree (promised_delivery_date, id)
index orders_quote_id: CREATE INDEX orders_quote_id ON public.orders USING btree (quote_id, id)
index orders_status: CREATE INDEX orders_status ON public.orders USING btree (status, id)
index orders_team_id: CREATE INDEX orders_team_id ON public.orders USING btree (team_id, id)
index orders_total_minor: CREATE INDEX orders_total_minor ON public.orders USING btree (total_minor, id)
index orders_trash: CREATE INDEX orders_trash ON public.orders USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index orders_updated_at: CREATE INDEX orders_updated_at ON public.orders USING btree (updated_at, id)
index pipelines_pkey: CREATE UNIQUE INDEX pipelines_pkey ON public.pipelines USING btree (id)
index products_active: CREATE INDEX products_active ON public.products USING btree (active, id)
index products_created_at: CREATE INDEX products_created_at ON public.products USING btree (created_at, id)
index products_name: CREATE INDEX products_name ON public.products USING btree (name, id)
index products_owner_id: CREATE INDEX products_owner_id ON public.products USING btree (owner_id, id)
index products_pkey: CREATE UNIQUE INDEX products_pkey ON public.products USING btree (id)
index products_sku: CREATE INDEX products_sku ON public.products USING btree (sku, id)
index products_team_id: CREATE INDEX products_team_id ON public.products USING btree (team_id, id)
index products_trash: CREATE INDEX products_trash ON public.products USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index products_updated_at: CREATE INDEX products_updated_at ON public.products USING btree (updated_at, id)
index public_links_pkey: CREATE UNIQUE INDEX public_links_pkey ON public.public_links USING btree (id)
index public_links_record: CREATE INDEX public_links_record ON public.public_links USING btree (record_id, purpose, created_at)
index public_links_token: CREATE UNIQUE INDEX public_links_token ON public.public_links USING btree (token_hash)
index quotas_period_start: CREATE INDEX quotas_period_start ON public.quotas USING btree (period_start)
index quotas_pkey: CREATE UNIQUE INDEX quotas_pkey ON public.quotas USING btree (id)
index quotas_subject_period: CREATE UNIQUE INDEX quotas_subject_period ON public.quotas USING btree (subject_type, subject_id, period_kind, period_start)
index quotes_company_id: CREATE INDEX quotes_company_id ON public.quotes USING btree (company_id, id)
index quotes_contact_id: CREATE INDEX quotes_contact_id ON public.quotes USING btree (contact_id, id)
index quotes_created_at: CREATE INDEX quotes_created_at ON public.quotes USING btree (created_at, id)
index quotes_deal_id: CREATE INDEX quotes_deal_id ON public.quotes USING btree (deal_id, id)
index quotes_number: CREATE UNIQUE INDEX quotes_number ON public.quotes USING btree (number, revision)
index quotes_owner_id: CREATE INDEX quotes_owner_id ON public.quotes USING btree (owner_id, id)
index quotes_pkey: CREATE UNIQUE INDEX quotes_pkey ON public.quotes USING btree (id)
index quotes_status: CREATE INDEX quotes_status ON public.quotes USING btree (status, id)
index quotes_team_id: CREATE INDEX quotes_team_id ON public.quotes USING btree (team_id, id)
index quotes_total_minor: CREATE INDEX quotes_total_minor ON public.quotes USING btree (total_minor, id)
index quotes_trash: CREATE INDEX quotes_trash ON public.quotes USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index quotes_updated_at: CREATE INDEX quotes_updated_at ON public.quotes USING btree (updated_at, id)
index quotes_valid_until: CREATE INDEX quotes_valid_until ON public.quotes USING btree (valid_until, id)
index recent_records_pkey: CREATE UNIQUE INDEX recent_records_pkey ON public.recent_records USING btree (user_id, record_id)
index recent_records_user: CREATE INDEX recent_records_user ON public.recent_records USING btree (user_id, viewed_at)
index record_keys_record: CREATE INDEX record_keys_record ON public.record_keys USING btree (record_id)
index record_keys_value: CREATE INDEX record_keys_value ON public.record_keys USING btree (kind, value, record_type)
index record_links_pkey: CREATE UNIQUE INDEX record_links_pkey ON public.record_links USING btree (source_id, target_id)
index record_links_target: CREATE INDEX record_links_target ON public.record_links USING btree (target_id, source_id)
index report_deliveries_pkey: CREATE UNIQUE INDEX report_deliveries_pkey ON public.report_deliveries USING btree (schedule_id, due_at, user_id)
index report_results_computed: CREATE INDEX report_results_computed ON public.report_results USING btree (computed_at)
index report_results_pkey: CREATE UNIQUE INDEX report_results_pkey ON public.report_results USING btree (report_id, user_id)
index report_schedules_due: CREATE INDEX report_schedules_due ON public.report_schedules USING btree (next_run_at)
index report_schedules_pkey: CREATE UNIQUE INDEX report_schedules_pkey ON public.report_schedules USING btree (id)
index report_schedules_report: CREATE INDEX report_schedules_report ON public.report_schedules USING btree (report_id)
index reports_owner: CREATE INDEX reports_owner ON public.reports USING btree (owner_id)
index reports_pkey: CREATE UNIQUE INDEX reports_pkey ON public.reports USING btree (id)
index reports_shared_team: CREATE INDEX reports_shared_team ON public.reports USING btree (shared_team_id)
index return_rules_pkey: CREATE UNIQUE INDEX return_rules_pkey ON public.return_rules USING btree (id)
index returns_created_at: CREATE INDEX returns_created_at ON public.returns USING btree (created_at, id)
index returns_desired_outcome: CREATE INDEX returns_desired_outcome ON public.returns USING btree (desired_outcome, id)
index returns_number: CREATE INDEX returns_number ON public.returns USING btree (number, id)
index returns_order_id: CREATE INDEX returns_order_id ON public.returns USING btree (order_id, id)
index returns_owner_id: CREATE INDEX returns_owner_id ON public.returns USING btree (owner_id, id)
index returns_pkey: CREATE UNIQUE INDEX returns_pkey ON public.returns USING btree (id)
index returns_reason: CREATE INDEX returns_reason ON public.returns USING btree (reason, id)
index returns_status: CREATE INDEX returns_status ON public.returns USING btree (status, id)
index returns_team_id: CREATE INDEX returns_team_id ON public.returns USING btree (team_id, id)
index returns_trash: CREATE INDEX returns_trash ON public.returns USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)
index returns_updated_at: CREATE INDEX returns_updated_at ON public.returns USING btree (updated_at, id)
index saved_segment_members_pkey: CREATE UNIQUE INDEX saved_segment_members_pkey ON public.saved_segment_members USING btree (segment_id, customer_type, customer_id)
index saved_segments_pkey: CREATE UNIQUE INDEX saved_segments_pkey ON public.saved_segments USING btree (id)
index saved_views_kind: CREATE INDEX saved_views_kind ON public.saved_views USING btree (record_type, name)
index saved_views_pkey: CREATE UNIQUE INDEX saved_views_pkey ON public.saved_views USING btree (id)
index schema_migrations_pkey: CREATE UNIQUE INDEX schema_migrations_pkey ON public.schema_migrations USING btree (version)
index search_rows_pkey: CREATE UNIQUE INDEX search_rows_pkey ON public.search_rows USING btree (id)
index search_rows_record_id_key: CREATE UNIQUE INDEX search_rows_record_id_key ON public.search_rows USING btree (record_id)
index search_rows_title_trgm: CREATE INDEX search_rows_title_trgm ON public.search_rows USING gin (title gin_trgm_ops)
index search_rows_tsv: CREATE INDEX search_rows_tsv ON public.search_rows USING gin (tsv)
index search_title_terms_pkey: CREATE UNIQUE INDEX search_title_terms_pkey ON public.search_title_terms USING btree (term, row_id)
index sessions_expires: CREATE INDEX sessions_expires ON public.sessions USING btree (expires_at)
index sessions_pkey: CREATE UNIQUE INDEX sessions_pkey ON public.sessions USING btree (id_hash)
index sessions_user: CREATE INDEX sessions_user ON public.sessions USING btree (user_id)
index settings_pkey: CREATE UNIQUE INDEX settings_pkey ON public.settings USING btree (key)
index stages_pipeline: CREATE INDEX stages_pipeline ON public.stages USING btree (pipeline_id, "position")
index stages_pkey: CREATE UNIQUE INDEX stages_pkey ON public.stages USING btree (id)
index team_members_pkey: CREATE UNIQUE INDEX team_members_pkey ON public.team_members USING btree (team_id, user_id)
index team_members_user: CREATE INDEX team_members_user ON public.team_members USING btree (user_id)
index teams_name_normalized_key: CREATE UNIQUE INDEX teams_name_normalized_key ON public.teams USING btree (name_normalized)
index teams_pkey: CREATE UNIQUE INDEX teams_pkey ON public.teams USING btree (id)
index users_email_normalized_key: CREATE UNIQUE INDEX users_email_normalized_key ON public.users USING btree (email_normalized)
index users_pkey: CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)
index whatsapp_messages_created: CREATE INDEX whatsapp_messages_created ON public.whatsapp_messages USING btree (created_at)
index whatsapp_messages_dedup_key_key: CREATE UNIQUE INDEX whatsapp_messages_dedup_key_key ON public.whatsapp_messages USING btree (dedup_key)
index whatsapp_messages_pkey: CREATE UNIQUE INDEX whatsapp_messages_pkey ON public.whatsapp_messages USING btree (id)
index whatsapp_numbers_pkey: CREATE UNIQUE INDEX whatsapp_numbers_pkey ON public.whatsapp_numbers USING btree (user_id)
constraint activities_pkey on activities: PRIMARY KEY (id)
constraint analytics_results_pkey on analytics_results: PRIMARY KEY (key)
constraint api_tokens_pkey on api_tokens: PRIMARY KEY (id)
constraint audit_log_pkey on audit_log: PRIMARY KEY (id)
constraint cadence_enrollments_pkey on cadence_enrollments: PRIMARY KEY (id)
constraint cadence_step_runs_pkey on cadence_step_runs: PRIMARY KEY (enrollment_id, step)
constraint cadences_pkey on cadences: PRIMARY KEY (id)
constraint calendar_feeds_pkey on calendar_feeds: PRIMARY KEY (user_id)
constraint companies_pkey on companies: PRIMARY KEY (id)
constraint contact_photos_pkey on contact_photos: PRIMARY KEY (contact_id)
constraint contacts_pkey on contacts: PRIMARY KEY (id)
constraint contract_documents_pkey on contract_documents: PRIMARY KEY (id)
constraint contracts_pkey on contracts: PRIMARY KEY (id)
constraint custom_fields_pkey on custom_fields: PRIMARY KEY (id)
constraint customer_metrics_pkey on customer_metrics: PRIMARY KEY (generation, customer_type, customer_id)
constraint dashboards_pkey on dashboards: PRIMARY KEY (id)
constraint deal_stage_changes_pkey on deal_stage_changes: PRIMARY KEY (id)
constraint deals_pkey on deals: PRIMARY KEY (id)
constraint duplicate_pairs_pkey on duplicate_pairs: PRIMARY KEY (record_id, other_id)
constraint email_attachments_pkey on email_attachments: PRIMARY KEY (email_id, "position")
constraint email_messages_message_id_key on email_messages: UNIQUE (message_id)
constraint email_messages_pkey on email_messages: PRIMARY KEY (id)
constraint email_templates_pkey on email_templates: PRIMARY KEY (key, language)
constraint exports_pkey on exports: PRIMARY KEY (id)
constraint forecast_snapshots_pkey on forecast_snapshots: PRIMARY KEY (id)
constraint idempotency_keys_pkey on idempotency_keys: PRIMARY KEY (user_id, key)
constraint import_left_out_pkey on import_left_out: PRIMARY KEY (import_id, line)
constraint import_reports_pkey on import_reports: PRIMARY KEY (id)
constraint imports_pkey on imports: PRIMARY KEY (id)
constraint jobs_dedup_key_key on jobs: UNIQUE (dedup_key)
constraint jobs_pkey on jobs: PRIMARY KEY (id)
constraint lead_scores_pkey on lead_scores: PRIMARY KEY (lead_id)
constraint lead_scoring_models_pkey on lead_scoring_models: PRIMARY KEY (id)
constraint leads_pkey on leads: PRIMARY KEY (id)
constraint list_columns_pkey on list_columns: PRIMARY KEY (user_id, record_type)
constraint login_attempts_pkey on login_attempts: PRIMARY KEY (id)
constraint merged_records_pkey on merged_records: PRIMARY KEY (merge_id, record_id)
constraint merges_pkey on merges: PRIMARY KEY (id)
constraint notifications_dedup_key_key on notifications: UNIQUE (dedup_key)
constraint notifications_pkey on notifications: PRIMARY KEY (id)
constraint number_sequences_pkey on number_sequences: PRIMARY KEY (key, year)
constraint orders_pkey on orders: PRIMARY KEY (id)
constraint pipelines_pkey on pipelines: PRIMARY KEY (id)
constraint products_pkey on products: PRIMARY KEY (id)
constraint public_links_pkey on public_links: PRIMARY KEY (id)
constraint quotas_pkey on quotas: PRIMARY KEY (id)
constraint quotes_pkey on quotes: PRIMARY KEY (id)
constraint recent_records_pkey on recent_records: PRIMARY KEY (user_id, record_id)
constraint record_links_pkey on record_links: PRIMARY KEY (source_id, target_id)
constraint report_deliveries_pkey on report_deliveries: PRIMARY KEY (schedule_id, due_at, user_id)
constraint report_results_pkey on report_results: PRIMARY KEY (report_id, user_id)
constraint report_schedules_pkey on report_schedules: PRIMARY KEY (id)
constraint reports_pkey on reports: PRIMARY KEY (id)
constraint return_rules_pkey on return_rules: PRIMARY KEY (id)
constraint returns_pkey on returns: PRIMARY KEY (id)
constraint saved_segment_members_pkey on saved_segment_members: PRIMARY KEY (segment_id, customer_type, customer_id)
constraint saved_segments_pkey on saved_segments: PRIMARY KEY (id)
constraint saved_views_pkey on saved_views: PRIMARY KEY (id)
constraint schema_migrations_pkey on schema_migrations: PRIMARY KEY (version)
constraint search_rows_pkey on search_rows: PRIMARY KEY (id)
constraint search_rows_record_id_key on search_rows: UNIQUE (record_id)
constraint search_title_terms_pkey on search_title_terms: PRIMARY KEY (term, row_id)
constraint sessions_pkey on sessions: PRIMARY KEY (id_hash)
constraint settings_pkey on settings: PRIMARY KEY (key)
constraint stages_pipeline_id_fkey on stages: FOREIGN KEY (pipeline_id) REFERENCES pipelines(id)
constraint stages_pkey on stages: PRIMARY KEY (id)
constraint team_members_pkey on team_members: PRIMARY KEY (team_id, user_id)
constraint teams_name_normalized_key on teams: UNIQUE (name_normalized)
constraint teams_pkey on teams: PRIMARY KEY (id)
constraint users_email_normalized_key on users: UNIQUE (email_normalized)
constraint users_pkey on users: PRIMARY KEY (id)
constraint whatsapp_messages_dedup_key_key on whatsapp_messages: UNIQUE (dedup_key)
constraint whatsapp_messages_pkey on whatsapp_messages: PRIMARY KEY (id)
constraint whatsapp_numbers_pkey on whatsapp_numbers: PRIMARY KEY (user_id)
trigger search_rows_title_terms_ad: CREATE TRIGGER search_rows_title_terms_ad AFTER DELETE ON public.search_rows REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_title_terms_remove()
trigger search_rows_title_terms_ai: CREATE TRIGGER search_rows_title_terms_ai AFTER INSERT ON public.search_rows REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_title_terms_add()
function search_title_terms_add: CREATE OR REPLACE FUNCTION public.search_title_terms_add()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$ BEGIN INSERT INTO search_title_terms (term, row_id) SELECT t.lexeme, n.id FROM new_rows n, unnest(to_tsvector('simple', n.title)) t; RETURN NULL; END $function$
function search_title_terms_remove: CREATE OR REPLACE FUNCTION public.search_title_terms_remove()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$ BEGIN DELETE FROM search_title_terms s USING old_rows o, unnest(to_tsvector('simple', o.title)) t WHERE s.term = t.lexeme AND s.row_id = o.id; RETURN NULL; END $function$
