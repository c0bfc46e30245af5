//! Company tax identifiers with the real check-digit rules where a country has one.

use rand::Rng;

use super::util::{DemoRng, push_pattern};

/// Appends the decimal digits of `value`, left-padded with zeros to `width`, to `digits`.
fn push_digits(digits: &mut Vec<u8>, value: u64, width: u32) {
    for i in (0..width).rev() {
        digits.push(((value / 10u64.pow(i)) % 10) as u8);
    }
}

fn weighted_sum(digits: &[u8], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(&d, &w)| u32::from(d) * w).sum()
}

/// Writes `digits` into `template`, replacing each `#` in order.
fn render(template: &str, digits: &[u8]) -> String {
    let mut it = digits.iter();
    template.chars().map(|c| if c == '#' { char::from(b'0' + it.next().copied().unwrap_or(0)) } else { c }).collect()
}

/// CNPJ check digit: 11 − (sum mod 11), or 0 when the remainder is below 2.
fn cnpj_digit(digits: &[u8], weights: &[u32]) -> u8 {
    let r = weighted_sum(digits, weights) % 11;
    if r < 2 { 0 } else { (11 - r) as u8 }
}

/// Brazilian CNPJ `12.345.678/0001-95` for an 8-digit root and a 4-digit branch number.
pub(super) fn cnpj(root: u32, branch: u32) -> String {
    let mut d = Vec::with_capacity(14);
    push_digits(&mut d, u64::from(root), 8);
    push_digits(&mut d, u64::from(branch), 4);
    let first = cnpj_digit(&d, &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
    d.push(first);
    let second = cnpj_digit(&d, &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
    d.push(second);
    render("##.###.###/####-##", &d)
}

/// A plausible tax id for a company in `country` (`root` is unique per company and used for Brazil;
/// `name_parts` are the slugs of the company's name words, used for Mexico).
pub(super) fn tax_id(country: &str, root: u32, name_parts: [&str; 2], rng: &mut DemoRng) -> String {
    match country {
        "BR" => cnpj(root, if rng.gen_range(0..10u32) == 0 { rng.gen_range(2..6) } else { 1 }),
        "MX" => rfc(name_parts, rng),
        "AR" => cuit(rng),
        "CO" => nit(rng),
        "CL" => rut(rng),
        "ES" => cif(rng),
        "PE" => ruc(rng),
        _ => ein(rng),
    }
}

/// Mexican RFC for a legal entity: 3 letters from the name (two from the first word, one from the second),
/// incorporation date YYMMDD and a 3-character homoclave.
fn rfc([first, second]: [&str; 2], rng: &mut DemoRng) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    let letters = first.chars().filter(char::is_ascii_alphabetic).take(2);
    let mut s: String = letters.chain(second.chars().filter(char::is_ascii_alphabetic).take(1)).collect();
    while s.len() < 3 {
        s.push('X');
    }
    s.make_ascii_uppercase();
    s.push_str(&format!(
        "{:02}{:02}{:02}",
        rng.gen_range(85..125u32) % 100,
        rng.gen_range(1..13u32),
        rng.gen_range(1..29u32)
    ));
    for _ in 0..3 {
        s.push(char::from(ALNUM[rng.gen_range(0..ALNUM.len())]));
    }
    s
}

/// Argentine CUIT `30-12345678-9` (mod 11 check digit; bodies whose digit would be 10 are re-drawn).
fn cuit(rng: &mut DemoRng) -> String {
    loop {
        let mut d = Vec::with_capacity(11);
        push_digits(&mut d, if rng.gen_range(0..4u32) == 0 { 33 } else { 30 }, 2);
        push_digits(&mut d, rng.gen_range(50_000_000..72_000_000u64), 8);
        let r = 11 - weighted_sum(&d, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11;
        let check = match r {
            11 => 0,
            10 => continue,
            r => r as u8,
        };
        d.push(check);
        return render("##-########-#", &d);
    }
}

/// Colombian NIT `900.123.456-7` with the DIAN check digit.
fn nit(rng: &mut DemoRng) -> String {
    let mut d = Vec::with_capacity(10);
    push_digits(&mut d, rng.gen_range(800_000_000..902_000_000u64), 9);
    let r = weighted_sum(&d, &[41, 37, 29, 23, 19, 17, 13, 7, 3]) % 11;
    d.push(if r > 1 { (11 - r) as u8 } else { r as u8 });
    render("###.###.###-#", &d)
}

/// Chilean RUT `76.123.456-K` (mod 11 with the 2..7 weight cycle).
fn rut(rng: &mut DemoRng) -> String {
    let body = rng.gen_range(76_000_000..78_000_000u64);
    let mut d = Vec::with_capacity(8);
    push_digits(&mut d, body, 8);
    let sum: u32 = d.iter().rev().zip([2u32, 3, 4, 5, 6, 7].iter().cycle()).map(|(&x, &w)| u32::from(x) * w).sum();
    let check = match 11 - sum % 11 {
        11 => '0',
        10 => 'K',
        v => char::from(b'0' + v as u8),
    };
    let mut s = render("##.###.###-", &d);
    s.push(check);
    s
}

/// Spanish CIF `B28123456` (company letter, province, serial and control digit).
fn cif(rng: &mut DemoRng) -> String {
    const PROVINCES: [u64; 5] = [28, 8, 46, 41, 48];
    let letter = if rng.gen_range(0..4u32) == 0 { 'A' } else { 'B' };
    let mut d = Vec::with_capacity(8);
    push_digits(&mut d, PROVINCES[rng.gen_range(0..PROVINCES.len())], 2);
    push_digits(&mut d, rng.gen_range(0..100_000u64), 5);
    let even: u32 = d.iter().skip(1).step_by(2).map(|&x| u32::from(x)).sum();
    let odd: u32 = d.iter().step_by(2).map(|&x| u32::from(x) * 2).map(|x| x / 10 + x % 10).sum();
    d.push(((10 - (even + odd) % 10) % 10) as u8);
    let mut s = String::with_capacity(9);
    s.push(letter);
    s.push_str(&render("########", &d));
    s
}

/// Peruvian RUC `20123456789` for a legal entity (mod 11 check digit).
fn ruc(rng: &mut DemoRng) -> String {
    let mut d = Vec::with_capacity(11);
    push_digits(&mut d, 20, 2);
    push_digits(&mut d, rng.gen_range(10_000_000..61_000_000u64), 8);
    let check = match 11 - weighted_sum(&d, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11 {
        10 => 0,
        11 => 1,
        v => v as u8,
    };
    d.push(check);
    render("###########", &d)
}

/// US EIN `12-3456789` with a prefix the IRS actually assigns.
fn ein(rng: &mut DemoRng) -> String {
    const PREFIXES: [&str; 16] =
        ["12", "13", "20", "22", "26", "27", "30", "35", "36", "45", "46", "47", "52", "81", "84", "94"];
    let mut s = PREFIXES[rng.gen_range(0..PREFIXES.len())].to_owned();
    push_pattern(&mut s, rng, "-XXXXXXX");
    s
}
