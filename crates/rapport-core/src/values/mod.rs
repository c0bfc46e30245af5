//! Value types that can only hold valid values ("parse, don't validate").

mod cnpj;
mod currency;
mod email;
pub mod money;
mod phone;
mod url;

pub use cnpj::Cnpj;
pub use currency::Currency;
pub use email::Email;
pub use money::Money;
pub use phone::{PhoneE164, Region};
pub use url::WebUrl;

pub(crate) use email::truncate as email_truncate;
