//! Who may see and change which records.
//!
//! Services ask this module for a [`ReadScope`] and storage ANDs it into every
//! query, so records the actor may not see are never loaded.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Member,
    ReadOnly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Manager => "manager",
            Self::Member => "member",
            Self::ReadOnly => "read_only",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Admin, Self::Manager, Self::Member, Self::ReadOnly].into_iter().find(|r| r.as_str() == input)
    }
}

/// Who may see records of one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The owner and managers of the owner's team.
    Private,
    /// Everyone in the owner's team.
    Team,
    Everyone,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Team => "team",
            Self::Everyone => "everyone",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Private, Self::Team, Self::Everyone].into_iter().find(|v| v.as_str() == input)
    }
}

/// What a credential allows, on top of the user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    ReadWrite,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read_write",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Read, Self::ReadWrite].into_iter().find(|s| s.as_str() == input)
    }
}

/// The authenticated user a service acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    pub team_ids: Vec<Uuid>,
    pub scope: Scope,
    pub credential: Credential,
}

/// The credential a request came with. `Idempotency-Key`s are scoped to it:
/// one token never replays the answer another credential of the same user
/// got (a read token's refusal, say).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Credential {
    /// The command line, demo data, tests: no request at all.
    #[default]
    Internal,
    Token(crate::ids::TokenId),
    /// A session, by the hash of its id (never the id itself).
    Session(String),
}

impl Credential {
    /// A short stable name, to scope what is stored per credential.
    pub fn scope_key(&self) -> String {
        match self {
            Self::Internal => "internal".into(),
            Self::Token(id) => format!("token:{}", id.0.simple()),
            Self::Session(hash) => format!("session:{}", &hash[..hash.len().min(32)]),
        }
    }
}

/// The rows an actor may read, as storage must filter them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    All,
    /// `owner_id = user OR team_id IN teams`.
    OwnedOrTeams {
        user: Uuid,
        teams: Vec<Uuid>,
    },
}

impl ReadScope {
    /// Whether a record with this owner and team is inside the scope.
    pub fn contains(&self, owner: Option<Uuid>, team: Option<Uuid>) -> bool {
        match self {
            Self::All => true,
            Self::OwnedOrTeams { user, teams } => owner == Some(*user) || team.is_some_and(|t| teams.contains(&t)),
        }
    }
}

impl Actor {
    /// The acting user's id, typed for the user services.
    pub fn user(&self) -> crate::ids::UserId {
        crate::ids::UserId(self.user_id)
    }

    /// The scope of records of a type with the given visibility.
    pub fn read_scope(&self, visibility: Visibility) -> ReadScope {
        match (self.role, visibility) {
            (Role::Admin, _) | (_, Visibility::Everyone) => ReadScope::All,
            (_, Visibility::Team) | (Role::Manager, Visibility::Private) => {
                ReadScope::OwnedOrTeams { user: self.user_id, teams: self.team_ids.clone() }
            }
            (Role::Member | Role::ReadOnly, Visibility::Private) => {
                ReadScope::OwnedOrTeams { user: self.user_id, teams: Vec::new() }
            }
        }
    }

    /// Creating and editing needs a writing role and a read-write credential.
    fn ensure_can_write(&self) -> Result<(), DomainError> {
        if self.role == Role::ReadOnly {
            return Err(DomainError::Forbidden("read-only users cannot change records"));
        }
        if self.scope == Scope::Read {
            return Err(DomainError::Forbidden("this token is read-only"));
        }
        Ok(())
    }

    /// Members delete what they own; managers and admins anything they can see.
    pub fn ensure_can_delete(&self, owner: Option<Uuid>) -> Result<(), DomainError> {
        if self.role == Role::Member && owner != Some(self.user_id) {
            return Err(DomainError::Forbidden("members can only delete records they own"));
        }
        Ok(())
    }

    fn ensure_admin(&self) -> Result<(), DomainError> {
        if self.role != Role::Admin {
            return Err(DomainError::Forbidden("only administrators can do this"));
        }
        if self.scope == Scope::Read {
            return Err(DomainError::Forbidden("this token is read-only"));
        }
        Ok(())
    }

    /// Whether the actor may make `new_owner` (whose records go to
    /// `new_owner_team`) the owner of a record that `current_owner` owns
    /// (`None` for a record being created). Giving a record away is its own
    /// right: members give only records they own (or create), and only to
    /// themselves or users of their own teams; taking over someone else's
    /// record, or assigning across teams, needs a manager or an administrator.
    pub fn check_assignment(
        &self,
        current_owner: Option<Option<Uuid>>,
        new_owner: Uuid,
        new_owner_team: Option<Uuid>,
    ) -> Result<(), crate::FieldError> {
        if self.is_manager_or_admin() {
            return Ok(());
        }
        let refuse = |why: &str| Err(crate::FieldError::new("owner_id", "assignment_not_allowed", why));
        if current_owner.is_some_and(|owner| owner != Some(self.user_id)) {
            return refuse("only managers and administrators can take over someone else's record");
        }
        if new_owner != self.user_id && !new_owner_team.is_some_and(|team| self.team_ids.contains(&team)) {
            return refuse("you can assign records to users of your own team; ask a manager for others");
        }
        Ok(())
    }

    pub fn is_manager_or_admin(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }
}

/// Coarse rights as types. A service that changes records takes a [`Writer`];
/// one that administers the account takes an [`Admin`]. They are made only
/// by checking the actor (`TryFrom<Actor>`), so holding one is the proof:
/// the HTTP layer's extractors make them, and services never check roles
/// again. Each derefs to the [`Actor`] for record visibility.
macro_rules! right {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(Actor);

        impl $name {
            pub fn actor(&self) -> &Actor {
                &self.0
            }
        }

        impl TryFrom<Actor> for $name {
            type Error = DomainError;

            fn try_from(actor: Actor) -> Result<Self, DomainError> {
                let check: fn(&Actor) -> Result<(), DomainError> = $check;
                check(&actor)?;
                Ok(Self(actor))
            }
        }

        impl std::ops::Deref for $name {
            type Target = Actor;

            fn deref(&self) -> &Actor {
                &self.0
            }
        }
    };
}

right!(
    /// May create, change and delete records: a writing role and a
    /// read-write credential.
    Writer,
    Actor::ensure_can_write
);
right!(
    /// May change their own account (password, tokens, notifications): a
    /// read-write credential, whatever the role. A read-scope token changes nothing.
    AccountHolder,
    |actor| {
        if actor.scope == Scope::Read {
            return Err(DomainError::Forbidden("this token is read-only"));
        }
        Ok(())
    }
);
right!(
    /// A manager or an administrator, with a read-write credential.
    Manager,
    |actor| {
        actor.ensure_can_write()?;
        if actor.is_manager_or_admin() { Ok(()) } else { Err(DomainError::Forbidden("only managers and administrators can do this")) }
    }
);
right!(
    /// An administrator, with a read-write credential.
    Admin,
    Actor::ensure_admin
);

impl From<Admin> for Writer {
    fn from(admin: Admin) -> Self {
        Self(admin.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Uuid::from_u128(1),
            role,
            team_ids: vec![Uuid::from_u128(10)],
            scope: Scope::ReadWrite,
            credential: Credential::Internal,
        }
    }

    #[test]
    fn members_see_only_their_own_private_records() {
        let scope = actor(Role::Member).read_scope(Visibility::Private);
        assert!(scope.contains(Some(Uuid::from_u128(1)), None));
        assert!(!scope.contains(Some(Uuid::from_u128(2)), Some(Uuid::from_u128(10))));
    }

    #[test]
    fn managers_see_their_teams_private_records() {
        let scope = actor(Role::Manager).read_scope(Visibility::Private);
        assert!(scope.contains(Some(Uuid::from_u128(2)), Some(Uuid::from_u128(10))));
        assert!(!scope.contains(Some(Uuid::from_u128(2)), Some(Uuid::from_u128(11))));
    }

    #[test]
    fn team_visibility_includes_teammates_records_for_members() {
        let scope = actor(Role::Member).read_scope(Visibility::Team);
        assert!(scope.contains(Some(Uuid::from_u128(2)), Some(Uuid::from_u128(10))));
    }

    #[test]
    fn read_only_users_and_tokens_get_no_right_to_write() {
        assert!(Writer::try_from(actor(Role::ReadOnly)).is_err());
        let mut admin_with_read_token = actor(Role::Admin);
        admin_with_read_token.scope = Scope::Read;
        assert!(Writer::try_from(admin_with_read_token.clone()).is_err());
        assert!(Admin::try_from(admin_with_read_token).is_err());
        assert!(Writer::try_from(actor(Role::Member)).is_ok());
        assert!(actor(Role::Member).ensure_can_delete(Some(Uuid::from_u128(2))).is_err());
    }

    #[test]
    fn read_only_users_hold_their_account_with_a_session_but_read_tokens_change_nothing() {
        assert!(AccountHolder::try_from(actor(Role::ReadOnly)).is_ok());
        let mut with_read_token = actor(Role::Admin);
        with_read_token.scope = Scope::Read;
        assert!(AccountHolder::try_from(with_read_token).is_err());
    }

    #[test]
    fn members_give_only_their_own_records_and_only_within_their_teams() {
        let member = actor(Role::Member);
        let (me, teammate, outsider) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let (my_team, other_team) = (Some(Uuid::from_u128(10)), Some(Uuid::from_u128(11)));
        assert!(member.check_assignment(None, me, my_team).is_ok());
        assert!(member.check_assignment(None, teammate, my_team).is_ok());
        assert!(member.check_assignment(Some(Some(me)), teammate, my_team).is_ok());
        // Planting a record in another team, or taking over a teammate's.
        assert!(member.check_assignment(None, outsider, other_team).is_err());
        assert!(member.check_assignment(Some(Some(teammate)), me, my_team).is_err());
        assert!(member.check_assignment(Some(Some(me)), outsider, other_team).is_err());
        let manager = actor(Role::Manager);
        assert!(manager.check_assignment(Some(Some(teammate)), outsider, other_team).is_ok());
    }

    #[test]
    fn only_managers_and_admins_get_the_manager_right_and_only_admins_the_admin_right() {
        assert!(Manager::try_from(actor(Role::Member)).is_err());
        assert!(Manager::try_from(actor(Role::Manager)).is_ok());
        assert!(Manager::try_from(actor(Role::Admin)).is_ok());
        assert!(Admin::try_from(actor(Role::Manager)).is_err());
        let admin = Admin::try_from(actor(Role::Admin)).expect("an admin");
        assert_eq!(Writer::from(admin.clone()).actor(), admin.actor());
    }
}
