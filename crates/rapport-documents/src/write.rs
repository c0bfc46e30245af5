//! The laid-out pages as a PDF file.

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::image::{Logo, Pixels};
use crate::layout::{MUTED, Op, PAGE_HEIGHT, PAGE_WIDTH, Page};
use crate::text::Font;

const CATALOG: Ref = Ref::new(1);
const PAGE_TREE: Ref = Ref::new(2);
const REGULAR: Ref = Ref::new(3);
const BOLD: Ref = Ref::new(4);
const INFO: Ref = Ref::new(5);
const LOGO: Ref = Ref::new(6);
const LOGO_ALPHA: Ref = Ref::new(7);
const LOGO_NAME: Name<'static> = Name(b"Logo");
/// Page `i` is object `FIRST_PAGE + 2i`, its content stream the next one.
const FIRST_PAGE: i32 = 10;

/// What the file says about itself: its language, title and author, and
/// the "Page {page} of {pages}" label.
pub struct Meta<'a> {
    pub language: &'a str,
    pub title: String,
    pub author: &'a str,
    pub page_label: &'a str,
}

pub fn pdf(meta: &Meta<'_>, pages: &[Page], logo: Option<&Logo>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(FIRST_PAGE + 2 * i as i32)).collect();
    let mut catalog = pdf.catalog(CATALOG);
    catalog.pages(PAGE_TREE);
    if !meta.language.is_empty() {
        catalog.lang(TextStr(meta.language));
    }
    catalog.finish();
    pdf.pages(PAGE_TREE).kids(page_ids.iter().copied()).count(pages.len() as i32);
    let mut info = pdf.document_info(INFO);
    info.title(TextStr(&meta.title));
    info.author(TextStr(meta.author));
    info.creator(TextStr("Rapport"));
    info.finish();
    for font in [Font::Regular, Font::Bold] {
        let id = if font == Font::Regular { REGULAR } else { BOLD };
        pdf.type1_font(id).base_font(Name(font.base_font())).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    if let Some(logo) = logo {
        write_logo(&mut pdf, logo);
    }

    for (index, page) in pages.iter().enumerate() {
        let content_id = Ref::new(FIRST_PAGE + 2 * index as i32 + 1);
        let mut writer = pdf.page(page_ids[index]);
        writer.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        writer.parent(PAGE_TREE);
        writer.contents(content_id);
        let mut resources = writer.resources();
        resources.fonts().pair(Name(Font::Regular.resource()), REGULAR).pair(Name(Font::Bold.resource()), BOLD);
        if logo.is_some() {
            resources.x_objects().pair(LOGO_NAME, LOGO);
        }
        resources.finish();
        writer.finish();
        let label =
            meta.page_label.replace("{page}", &(index + 1).to_string()).replace("{pages}", &pages.len().to_string());
        let content = content(page, &label);
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&content, 6);
        pdf.stream(content_id, &compressed).filter(Filter::FlateDecode);
    }
    pdf.finish()
}

fn content(page: &Page, page_label: &str) -> Vec<u8> {
    let flip = |y: f32| PAGE_HEIGHT - y;
    let mut content = Content::new();
    for op in &page.ops {
        match op {
            Op::Text { x, y, font, size, color, text } => {
                show(&mut content, *x, flip(*y), *font, *size, *color, text);
            }
            Op::PageLabel { right, y } => {
                let x = right - Font::Regular.width(page_label, 7.5);
                show(&mut content, x, flip(*y), Font::Regular, 7.5, MUTED, page_label);
            }
            Op::Rule { x1, x2, y, width, color } => {
                content.set_stroke_rgb(unit(color.0), unit(color.1), unit(color.2));
                content.set_line_width(*width);
                content.move_to(*x1, flip(*y));
                content.line_to(*x2, flip(*y));
                content.stroke();
            }
            Op::Band { x, y, width, height, color } => {
                content.set_fill_rgb(unit(color.0), unit(color.1), unit(color.2));
                content.rect(*x, flip(*y + *height), *width, *height);
                content.fill_nonzero();
            }
            Op::Logo { x, y, width, height } => {
                content.save_state();
                content.transform([*width, 0.0, 0.0, *height, *x, flip(*y + *height)]);
                content.x_object(LOGO_NAME);
                content.restore_state();
            }
        }
    }
    content.finish().into_vec()
}

fn show(content: &mut Content, x: f32, y: f32, font: Font, size: f32, color: crate::Rgb, text: &str) {
    content.set_fill_rgb(unit(color.0), unit(color.1), unit(color.2));
    content.begin_text();
    content.set_font(Name(font.resource()), size);
    content.next_line(x, y);
    content.show(Str(&font.encode(text)));
    content.end_text();
}

fn unit(channel: u8) -> f32 {
    f32::from(channel) / 255.0
}

fn write_logo(pdf: &mut Pdf, logo: &Logo) {
    let (width, height) = (logo.width as i32, logo.height as i32);
    match &logo.pixels {
        Pixels::Jpeg { data, components } => {
            let mut image = pdf.image_xobject(LOGO, data);
            image.filter(Filter::DctDecode);
            image.width(width).height(height).bits_per_component(8);
            if *components == 1 {
                image.color_space().device_gray();
            } else {
                image.color_space().device_rgb();
            }
        }
        Pixels::Flate { data, gray, alpha } => {
            let mut image = pdf.image_xobject(LOGO, data);
            image.filter(Filter::FlateDecode);
            image.width(width).height(height).bits_per_component(8);
            if *gray {
                image.color_space().device_gray();
            } else {
                image.color_space().device_rgb();
            }
            if alpha.is_some() {
                image.s_mask(LOGO_ALPHA);
            }
            image.finish();
            if let Some(alpha) = alpha {
                let mut mask = pdf.image_xobject(LOGO_ALPHA, alpha);
                mask.filter(Filter::FlateDecode);
                mask.width(width).height(height).bits_per_component(8);
                mask.color_space().device_gray();
            }
        }
    }
}
