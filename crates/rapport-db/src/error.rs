use rapport_core::DomainError;
use sea_orm::DbErr;

/// An error from a service or repository.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("storage failed while trying to {context}")]
    Storage {
        context: &'static str,
        #[source]
        source: DbErr,
    },
    #[error("invalid database configuration: {0}")]
    Config(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds what was being attempted to a storage error.
pub trait StorageContext<T> {
    fn context(self, context: &'static str) -> Result<T>;
}

impl<T> StorageContext<T> for std::result::Result<T, DbErr> {
    fn context(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Storage { context, source })
    }
}

impl Error {
    /// Whether the storage error is a violated unique constraint.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Error::Storage { source, .. } if matches!(source.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))))
    }
}
