//! Reading vCards as address books write them: Google Contacts (3.0),
//! Outlook (2.1, with `CHARSET=` and quoted-printable values and soft line
//! breaks), iPhone (3.0, `item1.` groups, `X-ABLabel`, base64 photos) and
//! 4.0 (`data:` URI photos). Lines are unfolded and values unescaped with
//! the rules the writer in [`super`] follows.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Value, json};

use crate::text::windows_1252_char;

/// Photos larger than this are left out (a contact photo is a thumbnail).
pub const MAX_PHOTO_BYTES: usize = 512 * 1024;

/// Why a file is not read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VcardFileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file holds no vCard (no BEGIN:VCARD line)")]
    NoCards,
}

impl VcardFileError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty_file",
            Self::NoCards => "not_a_vcard",
        }
    }
}

/// One property: `group.NAME;PARAM=a,b:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Property {
    group: Option<String>,
    /// Upper case.
    name: String,
    /// Keys upper case; a vCard 2.1 bare parameter (`TEL;WORK:`) is a `TYPE`.
    params: Vec<(String, String)>,
    /// The value's octets, quoted-printable already decoded.
    value: Vec<u8>,
}

impl Property {
    fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The `TYPE`s, lower case (`home`, `work`, `pref`…).
    fn types(&self) -> Vec<String> {
        self.params
            .iter()
            .filter(|(k, _)| k == "TYPE")
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The value as text, in its `CHARSET` (UTF-8 unless it does not read as such).
    fn text(&self) -> String {
        let charset = self.param("CHARSET").map(str::to_ascii_uppercase);
        let latin = matches!(charset.as_deref(), Some("ISO-8859-1" | "WINDOWS-1252" | "CP1252" | "LATIN1" | "LATIN-1"));
        match std::str::from_utf8(&self.value) {
            Ok(text) if !latin => text.to_owned(),
            _ => self.value.iter().copied().map(windows_1252_char).collect(),
        }
    }
}

/// A postal address; the components as the vCard gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// `home`, `work`, or an iPhone label.
    pub label: String,
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

impl Address {
    /// One line, the parts that are there joined by commas.
    pub fn one_line(&self) -> String {
        [&self.street, &self.city, &self.region, &self.postal_code, &self.country]
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A photo whose content is an image of a known type (checked by its first bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Something of a card that could not be kept as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardWarning {
    /// The photo is larger than [`MAX_PHOTO_BYTES`].
    PhotoTooLarge,
    /// The photo is not base64 of a JPEG, PNG, GIF or WebP image (or a link).
    PhotoUnreadable,
}

impl CardWarning {
    pub fn code(self) -> &'static str {
        match self {
            Self::PhotoTooLarge => "photo_too_large",
            Self::PhotoUnreadable => "photo_unreadable",
        }
    }
}

/// One contact as read from a vCard.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Card {
    /// The line of its `BEGIN:VCARD`, for the report.
    pub line: usize,
    pub formatted_name: String,
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub addresses: Vec<Address>,
    /// `YYYY-MM-DD`, when the card gives a full date.
    pub birth_date: Option<String>,
    pub title: String,
    pub organization: String,
    pub notes: Vec<String>,
    pub categories: Vec<String>,
    pub photo: Option<Photo>,
    pub warnings: Vec<CardWarning>,
}

/// The words of the note that keeps what a contact has no field for.
#[derive(Debug, Clone, Copy)]
pub struct NoteLabels<'a> {
    pub address: &'a str,
    pub organization: &'a str,
}

impl Card {
    /// The name shown in a report: the formatted name, else the first e-mail.
    pub fn label(&self) -> String {
        let name = [self.first_name.as_str(), self.last_name.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        [name, self.formatted_name.clone(), self.emails.first().cloned().unwrap_or_default()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    }

    /// The contact to create: names, e-mails, phones, title, the first
    /// address, birthday and categories as tags.
    pub fn contact_input(&self) -> Value {
        let (mut first, mut last) = (self.first_name.clone(), self.last_name.clone());
        if first.is_empty() && last.is_empty() && !self.formatted_name.is_empty() {
            let mut words = self.formatted_name.splitn(2, ' ');
            first = words.next().unwrap_or_default().to_owned();
            last = words.next().unwrap_or_default().trim().to_owned();
        }
        let mut input = serde_json::Map::new();
        let mut put = |key: &str, value: &str| {
            if !value.trim().is_empty() {
                input.insert(key.to_owned(), Value::String(value.trim().to_owned()));
            }
        };
        put("first_name", &first);
        put("last_name", &last);
        put("job_title", &self.title);
        if let Some(address) = self.addresses.first() {
            put("street", &address.street);
            put("city", &address.city);
            put("state", &address.region);
            put("postal_code", &address.postal_code);
            if let Some(code) = country_code(&address.country) {
                put("country", &code);
            }
        }
        if let Some(date) = &self.birth_date {
            put("birth_date", date);
        }
        if !self.emails.is_empty() {
            input.insert("emails".into(), json!(self.emails));
        }
        if !self.phones.is_empty() {
            input.insert("phones".into(), json!(self.phones));
        }
        if !self.categories.is_empty() {
            input.insert("tags".into(), json!(self.categories));
        }
        Value::Object(input)
    }

    /// What the contact has no field for, as the text of a note so that
    /// nothing is lost: the card's notes, the organization, every address
    /// after the first (and the first one's country when it is not a code).
    pub fn note(&self, labels: NoteLabels<'_>) -> Option<String> {
        let mut parts: Vec<String> = self.notes.iter().filter(|n| !n.trim().is_empty()).cloned().collect();
        if !self.organization.is_empty() {
            parts.push(format!("{}: {}", labels.organization, self.organization));
        }
        let first_country_lost =
            self.addresses.first().is_some_and(|a| !a.country.is_empty() && country_code(&a.country).is_none());
        let skip = usize::from(!first_country_lost);
        for address in self.addresses.iter().skip(skip) {
            let label = if address.label.is_empty() {
                labels.address.to_owned()
            } else {
                format!("{} ({})", labels.address, address.label)
            };
            parts.push(format!("{label}: {}", address.one_line()));
        }
        (!parts.is_empty()).then(|| parts.join("\n\n"))
    }
}

/// A country as a two-letter code, when it is one already.
fn country_code(country: &str) -> Option<String> {
    let country = country.trim();
    (country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic())).then(|| country.to_ascii_uppercase())
}

/// The cards of a file. A card without a name, an e-mail or a phone is
/// still returned: the caller's validation says why it is left out.
pub fn parse(file: &[u8]) -> Result<Vec<Card>, VcardFileError> {
    let file = file.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file);
    if file.iter().all(u8::is_ascii_whitespace) {
        return Err(VcardFileError::Empty);
    }
    let mut cards = Vec::new();
    let mut current: Option<(Card, Vec<Property>)> = None;
    for (line, raw) in unfold(file) {
        let Some(property) = property(&raw) else { continue };
        let value_upper = || String::from_utf8_lossy(&property.value).trim().to_ascii_uppercase();
        match property.name.as_str() {
            "BEGIN" if value_upper() == "VCARD" => {
                current = Some((Card { line, ..Card::default() }, Vec::new()));
            }
            "END" if value_upper() == "VCARD" => {
                if let Some((card, properties)) = current.take() {
                    cards.push(build(card, &properties));
                }
            }
            _ => {
                if let Some((_, properties)) = current.as_mut() {
                    properties.push(property);
                }
            }
        }
    }
    if let Some((card, properties)) = current.take() {
        cards.push(build(card, &properties));
    }
    if cards.is_empty() {
        return Err(VcardFileError::NoCards);
    }
    Ok(cards)
}

/// Logical lines with the number of their first physical line: folded
/// lines (a leading space or tab) joined, quoted-printable soft line breaks
/// (a trailing `=`) joined, blank lines dropped.
fn unfold(file: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
    for (index, raw) in file.split(|b| *b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some((_, last)) = lines.last_mut() {
            if is_quoted_printable(last) && last.ends_with(b"=") {
                last.pop();
                last.extend_from_slice(line.strip_prefix(b" ").unwrap_or(line));
                continue;
            }
            if let Some(rest) = line.strip_prefix(b" ").or_else(|| line.strip_prefix(b"\t")) {
                last.extend_from_slice(rest);
                continue;
            }
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines.push((index + 1, line.to_vec()));
        }
    }
    lines
}

/// Whether a line's parameters (before its first `:`) say quoted-printable.
fn is_quoted_printable(line: &[u8]) -> bool {
    let head = line.split(|b| *b == b':').next().unwrap_or_default();
    String::from_utf8_lossy(head).to_ascii_uppercase().contains("QUOTED-PRINTABLE")
}

/// A content line split into group, name, parameters and value.
fn property(line: &[u8]) -> Option<Property> {
    let mut quoted = false;
    let colon = line.iter().position(|b| {
        if *b == b'"' {
            quoted = !quoted;
        }
        *b == b':' && !quoted
    })?;
    let head = String::from_utf8_lossy(&line[..colon]).into_owned();
    let value = &line[colon + 1..];
    let mut pieces = head.split(';');
    let full_name = pieces.next()?.trim();
    let (group, name) = match full_name.rsplit_once('.') {
        Some((group, name)) => (Some(group.to_owned()), name),
        None => (None, full_name),
    };
    let params: Vec<(String, String)> = pieces
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_owned()),
            None if p.eq_ignore_ascii_case("QUOTED-PRINTABLE") || p.eq_ignore_ascii_case("BASE64") => {
                ("ENCODING".to_owned(), p.to_owned())
            }
            None => ("TYPE".to_owned(), p.trim().to_owned()),
        })
        .collect();
    let quoted_printable = params.iter().any(|(k, v)| k == "ENCODING" && v.eq_ignore_ascii_case("QUOTED-PRINTABLE"));
    let value = if quoted_printable { decode_quoted_printable(value) } else { value.to_vec() };
    Some(Property { group, name: name.to_ascii_uppercase(), params, value })
}

fn decode_quoted_printable(value: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'=' {
            if let (Some(high), Some(low)) =
                (value.get(i + 1).copied().and_then(hex), value.get(i + 2).copied().and_then(hex))
            {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
        }
        out.push(value[i]);
        i += 1;
    }
    out
}

/// Splits a value at unescaped `separator`s, then unescapes each part.
fn split_unescape(value: &str, separator: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => part.push('\n'),
                Some(other) => part.push(other),
                None => {}
            },
            c if c == separator => parts.push(std::mem::take(&mut part)),
            c => part.push(c),
        }
    }
    parts.push(part);
    parts
}

/// A text value unescaped (`\,` `\;` `\\` `\n`), the inverse of [`super::escape`].
pub fn unescape(value: &str) -> String {
    split_unescape(value, '\u{0}').concat()
}

fn build(mut card: Card, properties: &[Property]) -> Card {
    let label_of = |group: &Option<String>| -> Option<String> {
        let group = group.as_ref()?;
        properties
            .iter()
            .find(|p| p.group.as_ref() == Some(group) && p.name == "X-ABLABEL")
            .map(|p| apple_label(&unescape(&p.text())))
    };
    for property in properties {
        let text = property.text();
        match property.name.as_str() {
            "FN" => card.formatted_name = unescape(&text).trim().to_owned(),
            "N" => {
                let parts = split_unescape(&text, ';');
                card.last_name = parts.first().map(|s| s.trim().to_owned()).unwrap_or_default();
                let given: Vec<&str> =
                    parts.iter().skip(1).take(2).map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
                card.first_name = given.join(" ");
            }
            "EMAIL" => {
                let email = unescape(&text).trim().to_owned();
                if !email.is_empty() && !card.emails.iter().any(|e| e.eq_ignore_ascii_case(&email)) {
                    card.emails.push(email);
                }
            }
            "TEL" => {
                let phone = unescape(&text).trim().trim_start_matches("tel:").to_owned();
                if !phone.is_empty() && !card.phones.contains(&phone) {
                    card.phones.push(phone);
                }
            }
            "ADR" => {
                let parts = split_unescape(&text, ';');
                let part = |i: usize| parts.get(i).map(|s| s.trim().replace('\n', ", ")).unwrap_or_default();
                let street = [part(1), part(2)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ");
                let label = label_of(&property.group).unwrap_or_else(|| {
                    property.types().into_iter().filter(|t| t != "pref").collect::<Vec<_>>().join(", ")
                });
                let address =
                    Address { label, street, city: part(3), region: part(4), postal_code: part(5), country: part(6) };
                if !address.one_line().is_empty() {
                    card.addresses.push(address);
                }
            }
            "BDAY" => card.birth_date = birth_date(&unescape(&text)),
            "TITLE" => card.title = unescape(&text).trim().to_owned(),
            "ORG" => {
                card.organization = split_unescape(&text, ';')
                    .into_iter()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
            }
            "NOTE" => card.notes.push(unescape(&text).trim().to_owned()),
            "CATEGORIES" => {
                for tag in split_unescape(&text, ',') {
                    let tag = tag.trim().to_owned();
                    if !tag.is_empty() && !card.categories.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                        card.categories.push(tag);
                    }
                }
            }
            "PHOTO" => match photo(property) {
                Ok(Some(photo)) => card.photo = Some(photo),
                Ok(None) => {}
                Err(warning) => card.warnings.push(warning),
            },
            _ => {}
        }
    }
    card
}

/// An iPhone label without Apple's wrapping: `_$!<Home>!$_` is `Home`.
fn apple_label(label: &str) -> String {
    label.trim().trim_start_matches("_$!<").trim_end_matches(">!$_").to_owned()
}

/// `1985-04-03`, `19850403` or `1985-04-03T00:00:00Z` as `1985-04-03`; no
/// date for a birthday without a year (`--0403`) or anything else.
fn birth_date(value: &str) -> Option<String> {
    let date = value.trim().split('T').next().unwrap_or_default();
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    if date.starts_with("--") || digits.len() != 8 {
        return None;
    }
    let text = format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..]);
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok().map(|_| text)
}

/// The photo of a `PHOTO` property: inline base64 (3.0 `ENCODING=b`, 2.1
/// `ENCODING=BASE64`, 4.0 `data:` URI); `None` for a link to elsewhere.
fn photo(property: &Property) -> Result<Option<Photo>, CardWarning> {
    let value = String::from_utf8_lossy(&property.value);
    let value = value.trim();
    let encoded = if let Some(uri) = value.strip_prefix("data:") {
        match uri.split_once(',') {
            Some((meta, data)) if meta.ends_with(";base64") => data,
            _ => return Err(CardWarning::PhotoUnreadable),
        }
    } else if property
        .param("ENCODING")
        .is_some_and(|e| e.eq_ignore_ascii_case("b") || e.eq_ignore_ascii_case("base64"))
    {
        value
    } else if property.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("uri") || v.eq_ignore_ascii_case("url"))
        || value.starts_with("http")
    {
        return Ok(None);
    } else {
        value
    };
    let compact: String = encoded.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.len() / 4 * 3 > MAX_PHOTO_BYTES + 3 {
        return Err(CardWarning::PhotoTooLarge);
    }
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(compact.as_bytes()).map_err(|_| CardWarning::PhotoUnreadable)?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(CardWarning::PhotoTooLarge);
    }
    let content_type = image_type(&bytes).ok_or(CardWarning::PhotoUnreadable)?;
    Ok(Some(Photo { content_type, bytes }))
}

/// The type of an image by its first bytes (never by what the file says it is).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first bytes of a real JPEG file (SOI, JFIF APP0), enough for the magic check.
    pub const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
        0x00, 0x00, 0xFF, 0xD9,
    ];

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn google_contacts_cards_read_with_every_email_phone_and_address() {
        let file = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Souza\r\nN:Souza;Ana;;;\r\n\
            EMAIL;TYPE=INTERNET;TYPE=WORK:ana@example.com.br\r\nEMAIL;TYPE=INTERNET;TYPE=HOME:ana.home@example.com\r\n\
            TEL;TYPE=CELL:+55 11 98765-4321\r\nTEL;TYPE=WORK:+55 11 3333-4444\r\n\
            ADR;TYPE=WORK:;;Av. Paulista\\, 1000;São Paulo;SP;01310-100;BR\r\n\
            ADR;TYPE=HOME:;;Rua Augusta\\, 1500\\napto 12;São Paulo;SP;01304-001;Brasil\r\n\
            ORG:Padaria Pão Quente;Vendas\r\nTITLE:Compradora\r\nBDAY:1985-04-03\r\n\
            NOTE:Prefere WhatsApp\\; liga depois das 14h\r\nCATEGORIES:vip,myContacts\r\nEND:VCARD\r\n";
        let cards = parse(file.as_bytes()).expect("cards");
        assert_eq!(cards.len(), 1);
        let card = &cards[0];
        assert_eq!((card.first_name.as_str(), card.last_name.as_str()), ("Ana", "Souza"));
        assert_eq!(card.emails, ["ana@example.com.br", "ana.home@example.com"]);
        assert_eq!(card.phones.len(), 2);
        assert_eq!(card.addresses.len(), 2);
        assert_eq!(card.addresses[1].street, "Rua Augusta, 1500, apto 12");
        assert_eq!(card.birth_date.as_deref(), Some("1985-04-03"));
        let input = card.contact_input();
        assert_eq!(input["street"], "Av. Paulista, 1000");
        assert_eq!(input["country"], "BR");
        assert_eq!(input["tags"], json!(["vip", "myContacts"]));
        assert_eq!(input["job_title"], "Compradora");
        let note = card.note(NoteLabels { address: "Address", organization: "Organization" }).expect("a note");
        assert!(note.contains("Prefere WhatsApp; liga depois das 14h"), "{note}");
        assert!(note.contains("Organization: Padaria Pão Quente, Vendas"), "{note}");
        assert!(
            note.contains("Address (home): Rua Augusta, 1500, apto 12, São Paulo, SP, 01304-001, Brasil"),
            "{note}"
        );
    }

    #[test]
    fn outlook_21_cards_read_latin_1_quoted_printable_with_soft_line_breaks() {
        let mut file = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=Windows-1252:Gon\xE7alves;Jo\xE3o\r\n".to_vec();
        file.extend_from_slice(
            b"FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Jo=E3o Gon=E7alves\r\n\
            TEL;WORK;VOICE:+55 21 2222-3333\r\nEMAIL;PREF;INTERNET:joao@example.com\r\n\
            ADR;HOME;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Pra=E7a da S=E9, 10;S=E3o Pa=\r\nulo;SP;01001-000;=\r\nBR\r\n\
            NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Linha 1=0D=0ALinha 2 =C3=A9 ok\r\nEND:VCARD\r\n",
        );
        let card = &parse(&file).expect("cards")[0];
        assert_eq!(card.first_name, "João");
        assert_eq!(card.last_name, "Gonçalves");
        assert_eq!(card.formatted_name, "João Gonçalves");
        assert_eq!(card.phones, ["+55 21 2222-3333"]);
        assert_eq!(card.addresses[0].street, "Praça da Sé, 10");
        assert_eq!(card.addresses[0].city, "São Paulo");
        assert_eq!(card.addresses[0].country, "BR");
        assert_eq!(card.addresses[0].label, "home");
        assert_eq!(card.notes, ["Linha 1\r\nLinha 2 é ok"]);
    }

    #[test]
    fn iphone_cards_read_grouped_labels_and_a_base64_photo() {
        let encoded = b64(JPEG);
        let (head, tail) = encoded.split_at(10);
        let file = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\nN:Lima;Rui;;;\r\nFN:Rui Lima\r\n\
            item1.EMAIL;type=INTERNET;type=pref:rui@example.com\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n\
            item2.ADR;type=HOME;type=pref:;;Rua A\\, 1;Recife;PE;50000-000;Brasil\r\nitem2.X-ABLabel:_$!<Home>!$_\r\n\
            item3.ADR:;;Rua B\\, 2;Olinda;PE;53000-000;BR\r\nitem3.X-ABLabel:Casa de praia\r\n\
            BDAY;VALUE=date:--04-03\r\nPHOTO;ENCODING=b;TYPE=JPEG:{head}\r\n {tail}\r\nEND:VCARD\r\n"
        );
        let card = &parse(file.as_bytes()).expect("cards")[0];
        assert_eq!(card.emails, ["rui@example.com"]);
        assert_eq!(card.addresses[0].label, "Home");
        assert_eq!(card.addresses[1].label, "Casa de praia");
        assert_eq!(card.birth_date, None, "a birthday without a year is no date");
        let photo = card.photo.as_ref().expect("a photo");
        assert_eq!(photo.content_type, "image/jpeg");
        assert_eq!(photo.bytes, JPEG);
        let input = card.contact_input();
        assert!(input.get("country").is_none(), "'Brasil' is not a code: {input}");
        let note = card.note(NoteLabels { address: "Endereço", organization: "Empresa" }).expect("a note");
        assert!(note.contains("Endereço (Home): Rua A, 1, Recife, PE, 50000-000, Brasil"), "{note}");
        assert!(note.contains("Endereço (Casa de praia): Rua B, 2, Olinda"), "{note}");
    }

    #[test]
    fn version_4_cards_read_data_uri_photos_and_tel_uris() {
        let file = format!(
            "BEGIN:VCARD\nVERSION:4.0\nFN:Eva\nTEL;VALUE=uri;TYPE=voice:tel:+5581999990000\nBDAY:19900102\n\
            PHOTO:data:image/jpeg;base64,{}\nEND:VCARD\n",
            b64(JPEG)
        );
        let card = &parse(file.as_bytes()).expect("cards")[0];
        assert_eq!(card.contact_input()["first_name"], "Eva");
        assert_eq!(card.phones, ["+5581999990000"]);
        assert_eq!(card.birth_date.as_deref(), Some("1990-01-02"));
        assert_eq!(card.photo.as_ref().map(|p| p.content_type), Some("image/jpeg"));
    }

    #[test]
    fn a_photo_that_is_not_an_image_is_left_out_with_a_warning() {
        let file = format!(
            "BEGIN:VCARD\nVERSION:3.0\nFN:X\nPHOTO;ENCODING=b;TYPE=JPEG:{}\nEND:VCARD\n",
            b64(b"MZ not a jpeg")
        );
        let card = &parse(file.as_bytes()).expect("cards")[0];
        assert_eq!(card.photo, None);
        assert_eq!(card.warnings, [CardWarning::PhotoUnreadable]);
        let big = vec![0xFF; MAX_PHOTO_BYTES + 10];
        let file = format!("BEGIN:VCARD\nVERSION:3.0\nFN:X\nPHOTO;ENCODING=b:{}\nEND:VCARD\n", b64(&big));
        assert_eq!(parse(file.as_bytes()).expect("cards")[0].warnings, [CardWarning::PhotoTooLarge]);
    }

    #[test]
    fn what_the_writer_escapes_and_folds_reads_back_the_same() {
        let record = json!({"id": "x", "first_name": "Ã; b, c\\d".repeat(12), "last_name": "Multi\nline"});
        for version in [super::super::Version::V3, super::super::Version::V4] {
            let written = super::super::contact_as(record.as_object().unwrap(), version);
            let card = &parse(written.as_bytes()).expect("cards")[0];
            assert_eq!(card.first_name, "Ã; b, c\\d".repeat(12));
            assert_eq!(card.last_name, "Multi\nline");
        }
    }

    #[test]
    fn files_without_cards_are_refused_whole() {
        assert_eq!(parse(b"  \r\n"), Err(VcardFileError::Empty));
        assert_eq!(parse(b"name,email\nAna,a@example.com\n"), Err(VcardFileError::NoCards));
        assert_eq!(parse(&[0x00, 0xFF, 0x10]), Err(VcardFileError::NoCards));
    }

    #[test]
    fn unescape_reverses_escape() {
        let text = "a,b;c\\d\ne";
        assert_eq!(unescape(&super::super::escape(text)), text);
    }
}
