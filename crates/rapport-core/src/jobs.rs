//! The kinds of background job: what a write can ask the worker to do.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    ActivityReminder,
    LeadAssigned,
    /// Someone moved a deal another user owns to another stage.
    DealMoved,
    /// Look for likely duplicates among every record of a kind.
    DuplicateScan,
    /// Send a message of the e-mail outbox.
    SendEmail,
    /// Apply the automatic return rules that depend on the date (daily).
    ReturnRules,
    /// Record the current month's and quarter's forecasts (weekly).
    ForecastSnapshot,
    /// Move contracts to expiring or expired, remind their owners of
    /// renewals and renew the automatic ones (daily).
    ContractRenewals,
    /// Create the due step of a cadence enrollment.
    CadenceStep,
    /// Send a message of the WhatsApp outbox.
    SendWhatsapp,
    /// Recompute the stored customer analytics (daily, or on request).
    AnalyticsRefresh,
    /// Score the open leads: retrain the model and re-score them all
    /// (weekly, or when an administrator asks), or score only the leads
    /// changed since the last pass (hourly).
    LeadScoring,
    /// E-mail a scheduled report, due at a given time, to its recipients.
    ReportDelivery,
}

impl JobKind {
    const ALL: [JobKind; 13] = [
        Self::ActivityReminder,
        Self::LeadAssigned,
        Self::DealMoved,
        Self::DuplicateScan,
        Self::SendEmail,
        Self::ReturnRules,
        Self::ForecastSnapshot,
        Self::ContractRenewals,
        Self::CadenceStep,
        Self::SendWhatsapp,
        Self::AnalyticsRefresh,
        Self::LeadScoring,
        Self::ReportDelivery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActivityReminder => "activity_reminder",
            Self::LeadAssigned => "lead_assigned",
            Self::DealMoved => "deal_moved",
            Self::DuplicateScan => "duplicate_scan",
            Self::SendEmail => "send_email",
            Self::ReturnRules => "return_rules",
            Self::ForecastSnapshot => "forecast_snapshot",
            Self::ContractRenewals => "contract_renewals",
            Self::CadenceStep => "cadence_step",
            Self::SendWhatsapp => "send_whatsapp",
            Self::AnalyticsRefresh => "analytics_refresh",
            Self::LeadScoring => "lead_scoring",
            Self::ReportDelivery => "report_delivery",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input)
    }
}
