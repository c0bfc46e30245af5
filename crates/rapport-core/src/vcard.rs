//! Contacts as vCard 3.0 (RFC 2426), the version every address book reads:
//! Google Contacts, Outlook, iPhone.

use serde_json::{Map, Value};

/// A value's special characters escaped (RFC 2426 §4: `\`, `,`, `;`, line breaks).
fn escape(text: &str) -> String {
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

/// A content line folded at 75 octets (RFC 2425 §5.8.1), never inside a
/// character, ending in CRLF.
fn push_line(out: &mut String, line: &str) {
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

/// A contact as the API shows it (`Record::to_json`), as one vCard.
pub fn contact(record: &Map<String, Value>) -> String {
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
    push_line(&mut out, "VERSION:3.0");
    push_line(&mut out, &format!("N:{};{};;;", escape(last), escape(first)));
    push_line(&mut out, &format!("FN:{}", escape(&full)));
    for email in emails {
        push_line(&mut out, &format!("EMAIL;TYPE=INTERNET:{}", escape(email)));
    }
    for phone in list("phones") {
        push_line(&mut out, &format!("TEL;TYPE=VOICE:{}", escape(phone)));
    }
    if !text("job_title").is_empty() {
        push_line(&mut out, &format!("TITLE:{}", escape(text("job_title"))));
    }
    let address = ["street", "city", "state", "postal_code", "country"].map(text);
    if address.iter().any(|part| !part.is_empty()) {
        let [street, city, state, postal, country] = address.map(escape);
        push_line(&mut out, &format!("ADR;TYPE=WORK:;;{street};{city};{state};{postal};{country}"));
    }
    if !text("birth_date").is_empty() {
        push_line(&mut out, &format!("BDAY:{}", text("birth_date")));
    }
    let tags = list("tags");
    if !tags.is_empty() {
        let categories: Vec<String> = tags.iter().map(|t| escape(t)).collect();
        push_line(&mut out, &format!("CATEGORIES:{}", categories.join(",")));
    }
    push_line(&mut out, &format!("UID:urn:uuid:{}", text("id")));
    if !text("updated_at").is_empty() {
        push_line(&mut out, &format!("REV:{}", text("updated_at")));
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
    fn long_lines_fold_between_characters() {
        let record = serde_json::json!({"id": "x", "first_name": "Ã".repeat(60)});
        let card = contact(record.as_object().unwrap());
        let folded = card.split("\r\n").find(|l| l.starts_with("FN:")).expect("the name line");
        assert!(folded.len() <= 75);
        let unfolded = card.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("FN:{}\r\n", "Ã".repeat(60))), "{unfolded}");
    }
}
