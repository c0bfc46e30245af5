//! The account as its customers see it: the name, address and colour on
//! quotes and on the pages a customer opens from a link.

use serde::{Deserialize, Serialize};

use crate::values::{Email, WebUrl};
use crate::{FieldError, ValidationErrors};

/// A logo larger than this is refused: it goes into every quote.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Branding {
    /// The name customers know: "Açaí Comércio de Alimentos Ltda.".
    pub name: String,
    /// The postal address, one line per line.
    pub address: String,
    /// CNPJ, CUIT, RFC, VAT number…, printed as given.
    pub tax_id: String,
    pub website: String,
    pub email: String,
    pub phone: String,
    /// The colour of titles and rules on documents, `#0f766e`.
    pub accent: String,
    /// Printed under every quote unless the quote has its own terms.
    pub quote_terms: String,
}

impl Branding {
    /// Trims every field and checks lengths, the e-mail, the web address
    /// and the colour.
    pub fn normalized(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let fields: [(&str, &mut String, usize); 8] = [
            ("name", &mut self.name, 200),
            ("address", &mut self.address, 500),
            ("tax_id", &mut self.tax_id, 40),
            ("website", &mut self.website, 200),
            ("email", &mut self.email, 254),
            ("phone", &mut self.phone, 40),
            ("accent", &mut self.accent, 7),
            ("quote_terms", &mut self.quote_terms, 4000),
        ];
        for (name, value, max) in fields {
            *value = value.trim().replace("\r\n", "\n");
            if value.chars().count() > max {
                errors.push(FieldError::new(name, "too_long", format!("at most {max} characters")).with("max", max));
            }
        }
        if !self.email.is_empty() {
            match Email::parse(&self.email) {
                Ok(email) => self.email = email.as_str().to_owned(),
                Err(e) => errors.push(e.nested("email")),
            }
        }
        if !self.website.is_empty() {
            match WebUrl::parse(&self.website) {
                Ok(url) => self.website = url.as_str().to_owned(),
                Err(e) => errors.push(e.nested("website")),
            }
        }
        if !self.accent.is_empty() {
            match parse_colour(&self.accent) {
                Some(_) => self.accent = self.accent.to_lowercase(),
                None => errors.push(FieldError::new("accent", "invalid_colour", "a colour like #0f766e")),
            }
        }
        if errors.0.is_empty() { Ok(self) } else { Err(errors) }
    }

    /// The accent as red, green and blue, when one is set.
    pub fn accent_rgb(&self) -> Option<(u8, u8, u8)> {
        parse_colour(&self.accent)
    }

    pub fn address_lines(&self) -> impl Iterator<Item = &str> {
        self.address.lines().map(str::trim).filter(|l| !l.is_empty())
    }
}

fn parse_colour(text: &str) -> Option<(u8, u8, u8)> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((channel(0)?, channel(2)?, channel(4)?))
}

/// The image types a logo may be, by their first bytes.
pub fn logo_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_is_trimmed_and_checked() {
        let branding = Branding {
            name: "  Açaí Comércio Ltda. ".into(),
            address: "Av. Paulista, 1578\r\nSão Paulo, SP\n\n".into(),
            website: "acai.example".into(),
            email: "Vendas@Acai.Example".into(),
            accent: "#0F766E".into(),
            ..Branding::default()
        }
        .normalized()
        .expect("valid");
        assert_eq!(branding.name, "Açaí Comércio Ltda.");
        assert_eq!(branding.address_lines().collect::<Vec<_>>(), ["Av. Paulista, 1578", "São Paulo, SP"]);
        assert_eq!(branding.website, "https://acai.example");
        assert_eq!(branding.accent_rgb(), Some((0x0f, 0x76, 0x6e)));
        assert_eq!(branding.accent, "#0f766e");

        let bad = Branding {
            name: "x".repeat(201),
            email: "vendas@".into(),
            website: "not a site".into(),
            accent: "teal".into(),
            ..Branding::default()
        };
        let errors = bad.normalized().expect_err("invalid");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "website", "accent"]);
    }

    #[test]
    fn only_png_and_jpeg_are_logos() {
        assert_eq!(logo_content_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(logo_content_type(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(logo_content_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(logo_content_type(b"GIF89a"), None);
    }
}
