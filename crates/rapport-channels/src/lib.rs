//! Rapport's ways to the outside world: SMTP out, through lettre on tokio
//! with rustls (STARTTLS, TLS from the first byte, or a plain connection to
//! a local relay); WhatsApp messages through Meta's Cloud API (`whatsapp`).

mod smtp;
#[cfg(feature = "test-smtp")]
pub mod testing;
#[cfg(feature = "test-whatsapp")]
pub mod testing_whatsapp;
mod whatsapp;

pub use smtp::LettreTransport;
pub use whatsapp::CloudApiTransport;
