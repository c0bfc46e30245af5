//! The account's logo: a JPEG goes into the PDF as it is; a PNG is decoded
//! and its pixels (and transparency, as a soft mask) compressed again.

/// A larger logo is refused: it would bloat every document it is on.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
/// Pixels on each side; bounds the memory a PNG decodes into.
pub const MAX_LOGO_SIDE: u32 = 4_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LogoError {
    #[error("the logo is larger than 2 MB")]
    TooLarge,
    #[error("the logo is wider or taller than 4,000 pixels")]
    TooManyPixels,
    #[error("the logo is neither a PNG nor a JPEG image")]
    NotAnImage,
    #[error("the logo could not be read: {0}")]
    Damaged(String),
}

pub struct Logo {
    pub width: u32,
    pub height: u32,
    pub pixels: Pixels,
}

pub enum Pixels {
    /// A JPEG file, drawn by the reader (`DCTDecode`).
    Jpeg { data: Vec<u8>, components: u8 },
    /// Zlib-compressed 8-bit samples (`FlateDecode`), with an optional
    /// compressed 8-bit alpha channel.
    Flate { data: Vec<u8>, gray: bool, alpha: Option<Vec<u8>> },
}

impl Logo {
    pub fn decode(bytes: &[u8]) -> Result<Self, LogoError> {
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(LogoError::TooLarge);
        }
        let logo = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            png_logo(bytes)?
        } else if bytes.starts_with(&[0xff, 0xd8]) {
            jpeg_logo(bytes)?
        } else {
            return Err(LogoError::NotAnImage);
        };
        if logo.width == 0 || logo.height == 0 {
            return Err(LogoError::Damaged("it has no pixels".into()));
        }
        Ok(logo)
    }
}

fn png_logo(bytes: &[u8]) -> Result<Logo, LogoError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let damaged = |e: png::DecodingError| LogoError::Damaged(e.to_string());
    let mut reader = decoder.read_info().map_err(damaged)?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE {
        return Err(LogoError::TooManyPixels);
    }
    let size = reader.output_buffer_size().ok_or_else(|| LogoError::Damaged("its size overflows".into()))?;
    let mut buffer = vec![0; size];
    let frame = reader.next_frame(&mut buffer).map_err(damaged)?;
    let samples = &buffer[..frame.buffer_size()];
    let (colour, alpha): (Vec<u8>, Option<Vec<u8>>) = match frame.color_type {
        png::ColorType::Rgb | png::ColorType::Grayscale => (samples.to_vec(), None),
        png::ColorType::Rgba => split_alpha(samples, 4),
        png::ColorType::GrayscaleAlpha => split_alpha(samples, 2),
        png::ColorType::Indexed => return Err(LogoError::Damaged("its palette was not expanded".into())),
    };
    let gray = matches!(frame.color_type, png::ColorType::Grayscale | png::ColorType::GrayscaleAlpha);
    let compress = |data: &[u8]| miniz_oxide::deflate::compress_to_vec_zlib(data, 8);
    Ok(Logo {
        width,
        height,
        pixels: Pixels::Flate { data: compress(&colour), gray, alpha: alpha.map(|a| compress(&a)) },
    })
}

/// Splits interleaved samples into colour and alpha; an alpha that is opaque
/// everywhere is dropped.
fn split_alpha(samples: &[u8], stride: usize) -> (Vec<u8>, Option<Vec<u8>>) {
    let colour = samples.chunks_exact(stride).flat_map(|px| px[..stride - 1].iter().copied()).collect();
    let alpha: Vec<u8> = samples.chunks_exact(stride).map(|px| px[stride - 1]).collect();
    let opaque = alpha.iter().all(|&a| a == u8::MAX);
    (colour, (!opaque).then_some(alpha))
}

/// Reads a JPEG's size and colour components from its frame header (SOFn).
fn jpeg_logo(bytes: &[u8]) -> Result<Logo, LogoError> {
    let damaged = || LogoError::Damaged("its JPEG header is incomplete".into());
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xff {
            return Err(damaged());
        }
        let marker = bytes[at + 1];
        if marker == 0xff {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        // Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC).
        if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
            let header = bytes.get(at + 4..at + 10).ok_or_else(damaged)?;
            let height = u32::from(u16::from_be_bytes([header[1], header[2]]));
            let width = u32::from(u16::from_be_bytes([header[3], header[4]]));
            let components = header[5];
            if width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE {
                return Err(LogoError::TooManyPixels);
            }
            if components != 1 && components != 3 {
                return Err(LogoError::Damaged("only grey and RGB JPEG images are supported".into()));
            }
            return Ok(Logo { width, height, pixels: Pixels::Jpeg { data: bytes.to_vec(), components } });
        }
        if length < 2 {
            return Err(damaged());
        }
        at += 2 + length;
    }
    Err(damaged())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A `width` × `height` RGBA PNG, half transparent on its right side.
    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        let pixels: Vec<u8> = (0..width * height)
            .flat_map(|i| {
                let x = i % width;
                [0x1d, 0x4e, 0xd8, if x < width / 2 { 255 } else { 0 }]
            })
            .collect();
        writer.write_image_data(&pixels).expect("png data");
        writer.finish().expect("png end");
        out
    }

    #[test]
    fn a_png_logo_is_decoded_with_its_transparency() {
        let logo = Logo::decode(&png(40, 20)).expect("a logo");
        assert_eq!((logo.width, logo.height), (40, 20));
        let Pixels::Flate { data, gray, alpha } = logo.pixels else { panic!("a PNG is re-compressed") };
        assert!(!gray);
        assert_eq!(miniz_oxide::inflate::decompress_to_vec_zlib(&data).expect("zlib").len(), 40 * 20 * 3);
        assert!(alpha.is_some());
    }

    #[test]
    fn a_jpeg_header_gives_its_size() {
        // SOI, an APP0 segment, then SOF0 for 300 × 120 RGB.
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend([0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x78, 0x01, 0x2c, 0x03]);
        jpeg.extend([0u8; 9]);
        let logo = Logo::decode(&jpeg).expect("a logo");
        assert_eq!((logo.width, logo.height), (300, 120));
        assert!(matches!(logo.pixels, Pixels::Jpeg { components: 3, .. }));
    }

    #[test]
    fn what_is_not_a_small_image_is_refused() {
        assert_eq!(Logo::decode(b"GIF89a").err(), Some(LogoError::NotAnImage));
        assert_eq!(Logo::decode(&vec![0; MAX_LOGO_BYTES + 1]).err(), Some(LogoError::TooLarge));
        assert_eq!(Logo::decode(&png(MAX_LOGO_SIDE + 1, 1)).err(), Some(LogoError::TooManyPixels));
        assert!(matches!(Logo::decode(&[0xff, 0xd8, 0xff]), Err(LogoError::Damaged(_))));
        let mut truncated = png(10, 10);
        truncated.truncate(40);
        assert!(matches!(Logo::decode(&truncated), Err(LogoError::Damaged(_))));
    }
}
