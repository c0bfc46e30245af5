//! Contacts from vCard files as Google Contacts, Outlook and iPhone write
//! them, and vCard 4.0; fixtures made here.

use base64::Engine as _;
use rapport_core::schema::RecordType;
use rapport_core::vcard::NoteLabels;
use rapport_db::records;
use serde_json::json;

use crate::common::{pairs, run_on_both_backends};

const LABELS: NoteLabels<'static> = NoteLabels { address: "Address", organization: "Organization" };

/// The first bytes of a real JPEG file (SOI, JFIF APP0 segment, EOI).
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00, 0xFF, 0xD9,
];

/// One file with a card of each flavour, a duplicate and a broken card.
fn fixture() -> Vec<u8> {
    let photo = base64::engine::general_purpose::STANDARD.encode(JPEG);
    let mut file = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Souza\r\nN:Souza;Ana;;;\r\nEMAIL;TYPE=INTERNET;TYPE=WORK:ana@example.com.br\r\n\
        EMAIL;TYPE=INTERNET;TYPE=HOME:ana.casa@example.com\r\nTEL;TYPE=CELL:+55 11 98765-4321\r\n\
        ADR;TYPE=WORK:;;Av. Paulista\\, 1000;São Paulo;SP;01310-100;BR\r\nADR;TYPE=HOME:;;Rua Augusta\\, 1500;São Paulo;SP;;BR\r\n\
        ORG:Padaria Pão Quente\r\nBDAY:1985-04-03\r\nNOTE:Prefere WhatsApp\r\nCATEGORIES:vip,Clientes\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\nN:Lima;Rui;;;\r\nFN:Rui Lima\r\n\
        item1.EMAIL;type=INTERNET;type=pref:rui@example.com\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n\
        PHOTO;ENCODING=b;TYPE=JPEG:{}\r\n {}\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Eva Dias\r\nEMAIL:eva@example.com\r\nPHOTO:data:image/jpeg;base64,{photo}\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Existing Person\r\nEMAIL:EXISTING@example.com\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken Mail\r\nEMAIL:not-an-email\r\nEND:VCARD\r\n",
        &photo[..8],
        &photo[8..],
    )
    .into_bytes();
    file.extend_from_slice(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:Gon\xE7alves;Jo\xE3o\r\n\
        EMAIL;PREF;INTERNET:joao@example.com\r\n\
        ADR;HOME;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Pra=E7a da S=E9, 10;S=E3o Pa=\r\nulo;SP;;BR\r\nEND:VCARD\r\n",
    );
    file
}

#[tokio::test]
async fn a_vcard_file_from_every_address_book_imports_with_photos_notes_and_a_report() {
    run_on_both_backends("vcard import", |t| async move {
        let (_, writer) = t.admin().await;
        t.contact(&writer, json!({"first_name": "Already", "emails": ["existing@example.com"]})).await;

        let report = records::import_vcards(&t.ctx, &writer, &fixture(), LABELS).await.expect("import");
        let outcomes: Vec<(&str, &str)> = report.cards.iter().map(|c| (c.name.as_str(), c.outcome.as_str())).collect();
        assert_eq!(
            outcomes,
            [
                ("Ana Souza", "created"),
                ("Rui Lima", "created"),
                ("Eva Dias", "created"),
                ("Existing Person", "skipped"),
                ("Broken Mail", "rejected"),
                ("João Gonçalves", "created"),
            ]
        );
        assert_eq!((report.created, report.skipped, report.rejected, report.photos), (4, 1, 1, 2));
        assert_eq!(report.cards[4].errors[0].field, "emails[0]", "{:?}", report.cards[4]);
        assert_eq!(report.cards[0].line, 1);

        let ana = records::get(
            &t.ctx,
            &writer,
            RecordType::CONTACT,
            rapport_core::ids::RecordId(report.cards[0].contact_id.expect("id")),
        )
        .await
        .expect("ana");
        assert_eq!(ana.fields["emails"], json!(["ana@example.com.br", "ana.casa@example.com"]));
        assert_eq!(ana.text("street"), Some("Av. Paulista, 1000"));
        assert_eq!(ana.text("birth_date"), Some("1985-04-03"));
        assert_eq!(ana.tags, ["vip", "Clientes"]);
        let timeline =
            records::timeline(&t.ctx, &writer, RecordType::CONTACT, ana.id, None, 10).await.expect("timeline");
        let note = timeline.items.iter().find(|e| e.kind == "activity").expect("a note keeps the rest");
        let body = note.data["body"].as_str().expect("a body");
        assert!(body.contains("Prefere WhatsApp") && body.contains("Organization: Padaria Pão Quente"), "{body}");
        assert!(body.contains("Address (home): Rua Augusta, 1500, São Paulo, SP, BR"), "{body}");

        let joao =
            records::list(&t.ctx, &writer, RecordType::CONTACT, &pairs(&[("filter[last_name][eq]", "Gonçalves")]))
                .await
                .expect("list");
        assert_eq!(joao.items.len(), 1, "Latin-1 names read right");
        assert_eq!(joao.items[0].text("first_name"), Some("João"));

        let rui = rapport_core::ids::RecordId(report.cards[1].contact_id.expect("id"));
        let (content_type, bytes) = records::contact_photo(&t.ctx, &writer, rui).await.expect("read").expect("a photo");
        assert_eq!((content_type.as_str(), bytes.as_slice()), ("image/jpeg", JPEG));
        assert!(records::has_photo(&t.ctx, rui).await.expect("has"));
        let document =
            records::personal_data(&t.ctx, &crate::common::as_admin(&writer), rui).await.expect("personal data");
        assert_eq!(document["photo"]["content_type"], "image/jpeg", "the photo is part of the person's data");

        // Importing the same file again creates nothing.
        let again = records::import_vcards(&t.ctx, &writer, &fixture(), LABELS).await.expect("again");
        assert_eq!((again.created, again.skipped, again.rejected), (0, 5, 1));
    })
    .await;
}

#[tokio::test]
async fn a_file_that_is_not_a_vcard_is_refused_whole() {
    run_on_both_backends("vcard refused", |t| async move {
        let (_, writer) = t.admin().await;
        for file in [&b""[..], b"name,email\nAna,a@example.com\n", &[0x00, 0xFF, 0xFE]] {
            let refused = records::import_vcards(&t.ctx, &writer, file, LABELS).await;
            assert!(
                matches!(refused, Err(rapport_db::Error::Domain(rapport_core::DomainError::Validation(_)))),
                "{refused:?}"
            );
        }
        assert_eq!(t.count("contacts").await, 0);
    })
    .await;
}
