//! The kinds of background job: what a write can ask the worker to do.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    ActivityReminder,
    LeadAssigned,
}

impl JobKind {
    const ALL: [JobKind; 2] = [Self::ActivityReminder, Self::LeadAssigned];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActivityReminder => "activity_reminder",
            Self::LeadAssigned => "lead_assigned",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input)
    }
}
