//! The kinds of background job: what a write can ask the worker to do.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    ActivityReminder,
    LeadAssigned,
    /// Someone moved a deal another user owns to another stage.
    DealMoved,
}

impl JobKind {
    const ALL: [JobKind; 3] = [Self::ActivityReminder, Self::LeadAssigned, Self::DealMoved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActivityReminder => "activity_reminder",
            Self::LeadAssigned => "lead_assigned",
            Self::DealMoved => "deal_moved",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input)
    }
}
