//! Reports and dashboards, stored and run. The rules of a report (what may
//! be grouped, measured, bucketed) are `rapport_core::reports`'s; this
//! module runs them as one `GROUP BY` per report and keeps saved reports and
//! dashboards with their sharing rules.

mod cache;
mod dashboards;
mod run;
mod saved;
mod schedules;
pub(crate) mod schema;

pub use cache::{DashboardResult, FRESH_FOR, dashboard_result, refresh_stale};
pub use dashboards::{
    Dashboard, DashboardInput, DefaultReport, MAX_WIDGETS, Widget, WidgetSize, arrange_widgets, create_dashboard,
    default_dashboard, delete_dashboard, get_dashboard, list_dashboards, update_dashboard,
};
pub use run::{GroupKey, ReportResult, ReportRow, ResultGroup, ResultMeasure, check, run};
pub use saved::{
    MAX_DESCRIPTION, MAX_NAME, ReportInput, SavedReport, create_report, delete_report, get_report, list_reports,
    run_saved, update_report,
};
pub(crate) use schedules::deliver;
pub use schedules::{
    DeliverySummary, ReportFileRequest, ReportFileWriter, ReportSchedule, ScheduleInput, create_schedule,
    delete_schedule, list_schedules, possible_recipients, queue_due,
};
