//! Contacts as vCard 3.0 (RFC 2426), the version every address book reads
//! (Google Contacts, Outlook, iPhone), or 4.0 (RFC 6350).

use serde_json::{Map, Value};

mod read;

pub use read::{
    Address, Card, CardWarning, MAX_PHOTO_BYTES, NoteLabels, Photo, VcardFileError, image_type, parse, unescape,
};

/// The vCard versions written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Version {
    #[default]
    V3,
    V4,
}

impl Version {
    /// `3.0` or `4.0`, as the `VERSION` property and the export's `version` parameter write them.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "3.0" | "3" => Some(Self::V3),
            "4.0" | "4" => Some(Self::V4),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::V3 => "3.0",
            Self::V4 => "4.0",
        }
    }
}

/// A value's special characters escaped (RFC 2426 §4, RFC 6350 §3.4: `\`,
/// `,`, `;`, line breaks); shared with the iCalendar writer (RFC 5545 §3.3.11).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

/// A content line folded at 75 octets (RFC 2425 §5.8.1, RFC 5545 §3.1),
/// never inside a character, ending in CRLF.
pub fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// An ISO 8601 date or UTC timestamp in the basic format vCard 4.0 uses
/// (`1985-04-03` → `19850403`, `2026-03-02T09:00:00.123456Z` → `20260302T090000Z`).
fn basic_format(text: &str) -> String {
    let (date, time) = text.split_once('T').unwrap_or((text, ""));
    let mut out: String = date.chars().filter(|c| *c != '-').collect();
    if !time.is_empty() {
        let clock: String =
            time.split(['.', 'Z', '+']).next().unwrap_or_default().chars().filter(|c| *c != ':').collect();
        out.push('T');
        out.push_str(&clock);
        out.push('Z');
    }
    out
}

/// A contact as the API shows it (`Record::to_json`), as one vCard 3.0.
pub fn contact(record: &Map<String, Value>) -> String {
    contact_as(record, Version::V3)
}

/// A contact as the API shows it (`Record::to_json`), as one vCard of `version`.
pub fn contact_as(record: &Map<String, Value>, version: Version) -> String {
    let v4 = version == Version::V4;
    let text = |key: &str| record.get(key).and_then(Value::as_str).unwrap_or_default();
    let list = |key: &str| -> Vec<&str> {
        record
            .get(key)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let (first, last) = (text("first_name"), text("last_name"));
    let full = [first, last].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
    let emails = list("emails");
    let full = if full.is_empty() { emails.first().copied().unwrap_or_default().to_owned() } else { full };
    let mut out = String::new();
    push_line(&mut out, "BEGIN:VCARD");
    push_line(&mut out, &format!("VERSION:{}", version.as_str()));
    if v4 {
        push_line(&mut out, "KIND:individual");
    }
    push_line(&mut out, &format!("N:{};{};;;", escape(last), escape(first)));
    push_line(&mut out, &format!("FN:{}", escape(&full)));
    for email in emails {
        let kind = if v4 { "EMAIL" } else { "EMAIL;TYPE=INTERNET" };
        push_line(&mut out, &format!("{kind}:{}", escape(email)));
    }
    for phone in list("phones") {
        if v4 {
            let uri: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            push_line(&mut out, &format!("TEL;VALUE=uri;TYPE=voice:tel:{uri}"));
        } else {
            push_line(&mut out, &format!("TEL;TYPE=VOICE:{}", escape(phone)));
        }
    }
    if !text("job_title").is_empty() {
        push_line(&mut out, &format!("TITLE:{}", escape(text("job_title"))));
    }
    let address = ["street", "city", "state", "postal_code", "country"].map(text);
    if address.iter().any(|part| !part.is_empty()) {
        let [street, city, state, postal, country] = address.map(escape);
        let kind = if v4 { "work" } else { "WORK" };
        push_line(&mut out, &format!("ADR;TYPE={kind}:;;{street};{city};{state};{postal};{country}"));
    }
    if !text("birth_date").is_empty() {
        let date = if v4 { basic_format(text("birth_date")) } else { text("birth_date").to_owned() };
        push_line(&mut out, &format!("BDAY:{date}"));
    }
    let tags = list("tags");
    if !tags.is_empty() {
        let categories: Vec<String> = tags.iter().map(|t| escape(t)).collect();
        push_line(&mut out, &format!("CATEGORIES:{}", categories.join(",")));
    }
    push_line(&mut out, &format!("UID:urn:uuid:{}", text("id")));
    if !text("updated_at").is_empty() {
        let rev = if v4 { basic_format(text("updated_at")) } else { text("updated_at").to_owned() };
        push_line(&mut out, &format!("REV:{rev}"));
    }
    push_line(&mut out, "END:VCARD");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_reads_as_an_address_book_expects() {
        let record = serde_json::json!({
            "id": "0193d1a8-0000-7000-8000-000000000001",
            "first_name": "José", "last_name": "Ávila; Filho",
            "emails": ["jose@example.com.br"], "phones": ["+5511999990000", "+551133334444"],
            "job_title": "Diretor, Compras", "street": "Rua Augusta, 1500\napto 12", "city": "São Paulo",
            "country": "BR", "tags": ["vip"], "updated_at": "2026-03-02T09:00:00Z",
        });
        let card = contact(record.as_object().unwrap());
        assert!(card.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"), "{card}");
        assert!(card.contains("N:Ávila\\; Filho;José;;;\r\n"), "{card}");
        assert!(card.contains("FN:José Ávila\\; Filho\r\n"));
        assert!(card.contains("TITLE:Diretor\\, Compras\r\n"));
        assert!(card.contains("ADR;TYPE=WORK:;;Rua Augusta\\, 1500\\napto 12;São Paulo;;;BR\r\n"), "{card}");
        assert_eq!(card.matches("TEL;TYPE=VOICE:").count(), 2);
        assert!(card.ends_with("END:VCARD\r\n"));
        assert!(card.split("\r\n").all(|line| line.len() <= 75), "{card}");
    }

    #[test]
    fn version_4_writes_uris_types_and_basic_dates() {
        let record = serde_json::json!({
            "id": "0193d1a8-0000-7000-8000-000000000001", "first_name": "Ana", "emails": ["ana@example.com"],
            "phones": ["+55 11 99999-0000"], "birth_date": "1985-04-03", "city": "Recife",
            "updated_at": "2026-03-02T09:00:00.123456Z",
        });
        let card = contact_as(record.as_object().unwrap(), Version::V4);
        assert!(card.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:individual\r\n"), "{card}");
        assert!(card.contains("\r\nEMAIL:ana@example.com\r\n"), "{card}");
        assert!(card.contains("\r\nTEL;VALUE=uri;TYPE=voice:tel:+5511999990000\r\n"), "{card}");
        assert!(card.contains("\r\nADR;TYPE=work:;;;Recife;;;\r\n"), "{card}");
        assert!(card.contains("\r\nBDAY:19850403\r\n"), "{card}");
        assert!(card.contains("\r\nREV:20260302T090000Z\r\n"), "{card}");
        assert_eq!(Version::parse("4.0"), Some(Version::V4));
        assert_eq!(Version::parse("2.1"), None);
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let record = serde_json::json!({"id": "x", "first_name": "Ã".repeat(60)});
        let card = contact(record.as_object().unwrap());
        let folded = card.split("\r\n").find(|l| l.starts_with("FN:")).expect("the name line");
        assert!(folded.len() <= 75);
        let unfolded = card.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("FN:{}\r\n", "Ã".repeat(60))), "{unfolded}");
    }
}
