//! Real PDFs read back by poppler's `pdftotext` (Debian's poppler-utils,
//! which `.ci/run` installs): what a customer's PDF reader extracts is what
//! the quote says, accents and all, on as many pages as it takes.

use std::process::Command;

use rapport_documents::{Columns, Document, Line, Party, Rgb, TableColumn, TableDocument, Total, render, render_table};

fn quote(lines: usize) -> Document {
    Document {
        language: "pt-BR".into(),
        title: "Orçamento".into(),
        number: "Q-2026-0007 · rev. 2".into(),
        seller: Party {
            name: "Açaí Comércio de Alimentos Ltda.".into(),
            lines: vec![
                "Av. Paulista, 1578 — Bela Vista".into(),
                "São Paulo, SP · 01310-200".into(),
                "CNPJ 12.345.678/0001-90".into(),
            ],
        },
        customer_heading: "Para".into(),
        customer: Party {
            name: "João Ávila".into(),
            lines: vec!["Grupo Pão de Açúcar S.A.".into(), "joao.avila@example.com.br".into()],
        },
        facts: vec![
            ("Data".into(), "3 de dez. de 2026".into()),
            ("Válido até".into(), "2 de jan. de 2027".into()),
            ("Vendedor".into(), "Mariana Souza".into()),
        ],
        columns: Columns {
            description: "Descrição".into(),
            quantity: "Qtd.".into(),
            unit_price: "Preço unit.".into(),
            discount: "Desconto".into(),
            tax: "Imposto".into(),
            total: "Total".into(),
        },
        lines: (1..=lines)
            .map(|n| Line {
                description: format!("Item {n:03} — Licença anual do plano Profissional com implantação e treinamento"),
                details: vec![format!("SKU PRO-{n:03} · Suporte 24×7, Usuários adicionais: 5")],
                quantity: "2".into(),
                unit_price: "R$ 1.234,56".into(),
                discount: if n % 2 == 0 { "−10 %".into() } else { String::new() },
                tax: String::new(),
                total: "R$ 2.469,12".into(),
            })
            .collect(),
        totals: vec![
            Total { label: "Subtotal".into(), value: "R$ 2.469,12".into(), emphasis: false },
            Total { label: "Desconto".into(), value: "−R$ 246,91".into(), emphasis: false },
            Total { label: "Total".into(), value: "R$ 2.222,21".into(), emphasis: true },
        ],
        sections: vec![("Condições".into(), "Pagamento em 30 dias. Preços em reais (BRL), impostos inclusos.".into())],
        footer: "Açaí Comércio de Alimentos Ltda. · www.acai.example".into(),
        page_label: "Página {page} de {pages}".into(),
        accent: Rgb(0x0f, 0x76, 0x6e),
        logo: None,
    }
}

fn pdftotext(pdf: &[u8], name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).expect("write the PDF");
    let output = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (Debian package poppler-utils)");
    assert!(output.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 text")
}

#[test]
fn a_one_page_quote_reads_back_with_its_lines_totals_and_accents() {
    let mut document = quote(2);
    document.logo = Some(logo());
    let pdf = render(&document).expect("a PDF");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf, "one-page-quote");
    for expected in [
        "Orçamento",
        "Q-2026-0007 · rev. 2",
        "Açaí Comércio de Alimentos Ltda.",
        "São Paulo, SP · 01310-200",
        "PARA",
        "João Ávila",
        "Grupo Pão de Açúcar S.A.",
        "Válido até",
        "DESCRIÇÃO",
        "Item 001 — Licença anual do plano Profissional",
        "SKU PRO-002 · Suporte 24×7",
        "R$ 1.234,56",
        "-10 %",
        "Subtotal",
        "R$ 2.222,21",
        "Condições",
        "Pagamento em 30 dias.",
        "Página 1 de 1",
    ] {
        assert!(text.contains(expected), "{expected:?} is missing from:\n{text}");
    }
    // No line has a tax: the column is left out.
    assert!(!text.contains("IMPOSTO"), "{text}");
    // A line's figures sit on the line of its description.
    let row = text.lines().find(|l| l.contains("Item 002")).expect("the second line");
    assert!(row.contains("R$ 1.234,56") && row.contains("R$ 2.469,12"), "{row}");
    // Nothing embedded: a one-page quote with a logo stays small.
    assert!(pdf.len() < 16 * 1024, "{} bytes", pdf.len());
}

#[test]
fn a_long_quote_flows_over_pages_with_the_table_heading_repeated() {
    let pdf = render(&quote(90)).expect("a PDF");
    let text = pdftotext(&pdf, "long-quote");
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    let count = pages.len();
    assert!(count >= 3, "{count} pages");
    for (n, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Página {} de {count}", n + 1)), "page {}:\n{page}", n + 1);
        assert!(page.contains("DESCRIÇÃO"), "page {} lacks the table heading", n + 1);
    }
    for n in 1..=90 {
        assert_eq!(text.matches(&format!("Item {n:03} ")).count(), 1, "item {n}");
    }
    assert!(pages[count - 1].contains("R$ 2.222,21"), "the totals end the last page");
}

#[test]
fn the_same_quote_gives_the_same_bytes_and_hostile_text_is_drawn_not_obeyed() {
    let mut document = quote(1);
    document.lines[0].description = "Parênteses (abertos e ) fechados \\ e Łódź 😀 e\ttab".into();
    document.sections = vec![("Notas".into(), "x".repeat(5000))];
    let first = render(&document).expect("a PDF");
    assert_eq!(first, render(&document).expect("a PDF"), "rendering is deterministic");
    let text = pdftotext(&first, "hostile-quote");
    assert!(
        text.contains("Parênteses (abertos e ) fechados \\ e ?�d? ? e tab")
            || text.contains("Parênteses (abertos e ) fechados \\ e ?ód? ? e tab"),
        "{text}"
    );
    let wrapped: usize =
        text.lines().map(str::trim).filter(|l| !l.is_empty() && l.chars().all(|c| c == 'x')).map(str::len).sum();
    assert_eq!(wrapped, 5000, "an unbroken word wraps inside itself, nothing lost");

    document.lines[0].description = "y".repeat(rapport_documents::MAX_TEXT_CHARS + 1);
    assert!(matches!(render(&document), Err(rapport_documents::DocumentError::TooLong(_))));
    document.lines[0].description = "ok".into();
    document.logo = Some(b"GIF89a not a logo".to_vec());
    assert!(matches!(render(&document), Err(rapport_documents::DocumentError::Logo(_))));
}

fn report(rows: usize) -> TableDocument {
    TableDocument {
        language: "pt-BR".into(),
        title: "Negócios ganhos por responsável".into(),
        description: "Valor ganho no trimestre, por vendedor e moeda.".into(),
        facts: vec![("Registros".into(), "Negócios".into()), ("Em".into(), "4 de dez. de 2026, 08:00".into())],
        columns: vec![
            TableColumn { heading: "Responsável".into(), numeric: false },
            TableColumn { heading: "Moeda".into(), numeric: false },
            TableColumn { heading: "Quantidade".into(), numeric: true },
            TableColumn { heading: "Soma de Valor".into(), numeric: true },
        ],
        rows: (1..=rows)
            .map(|n| vec![format!("Vendedora {n:03} São João"), "BRL".into(), n.to_string(), format!("R$ {n}.000,00")])
            .collect(),
        bars: (1..=rows).map(|n| Some(n as f64)).collect(),
        note: "Só as primeiras linhas são mostradas.".into(),
        footer: "Rapport".into(),
        page_label: "Página {page} de {pages}".into(),
        author: "Ana".into(),
        accent: Rgb(0x0f, 0x76, 0x6e),
    }
}

#[test]
fn a_report_table_reads_back_row_by_row_over_pages() {
    let pdf = render_table(&report(3)).expect("a PDF");
    let text = pdftotext(&pdf, "short-report");
    for expected in [
        "Negócios ganhos por responsável",
        "Valor ganho no trimestre",
        "Registros",
        "RESPONSÁVEL",
        "SOMA DE VALOR",
        "Só as primeiras linhas",
    ] {
        assert!(text.contains(expected), "{expected:?} is missing from:\n{text}");
    }
    let row = text.lines().find(|l| l.contains("Vendedora 002")).expect("the second row");
    assert!(row.contains("BRL") && row.contains("R$ 2.000,00"), "a row's cells sit on one line: {row}");

    let pdf = render_table(&report(150)).expect("a PDF");
    let text = pdftotext(&pdf, "long-report");
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for (n, page) in pages.iter().enumerate() {
        assert!(page.contains("RESPONSÁVEL"), "page {} lacks the table heading", n + 1);
        assert!(page.contains(&format!("Página {} de {}", n + 1, pages.len())), "page {}", n + 1);
    }
    for n in 1..=150 {
        assert_eq!(text.matches(&format!("Vendedora {n:03} ")).count(), 1, "row {n}");
    }
    let mut too_long = report(1);
    too_long.rows[0][0] = "z".repeat(rapport_documents::MAX_TEXT_CHARS + 1);
    assert!(matches!(render_table(&too_long), Err(rapport_documents::DocumentError::TooLong(_))));
}

/// A small two-colour PNG logo, made here.
fn logo() -> Vec<u8> {
    let (width, height) = (120u32, 40u32);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("png header");
    let pixels: Vec<u8> = (0..width * height)
        .flat_map(|i| if (i % width) < 40 { [0x0f, 0x76, 0x6e, 255] } else { [0xf5, 0x9e, 0x0b, 200] })
        .collect();
    writer.write_image_data(&pixels).expect("png data");
    writer.finish().expect("png end");
    out
}
