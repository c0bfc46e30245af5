//! Rapport's ways to the outside world. For now: SMTP out, through lettre
//! on tokio with rustls (STARTTLS, TLS from the first byte, or a plain
//! connection to a local relay).

mod smtp;
#[cfg(feature = "test-smtp")]
pub mod testing;

pub use smtp::LettreTransport;
