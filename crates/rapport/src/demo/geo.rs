//! Countries, cities, phone numbers, postal codes and street addresses.

use std::fmt::Write;

use rand::Rng;

use super::tables::Tables;
use super::util::{DemoRng, pct, push_pattern};

/// Language indices used by the per-language tables.
pub(super) const PT: usize = 0;
pub(super) const ES: usize = 1;
pub(super) const EN: usize = 2;

pub(super) struct City {
    pub name: &'static str,
    pub state: &'static str,
    /// Area code as dialled after the country code (Colombia: the `60x` landline prefix).
    pub area: &'static str,
    pub weight: u32,
    /// Inclusive range of the numeric part of the postal code.
    pub postal: (u32, u32),
    /// Argentina only: the province letter that starts a CPA code.
    pub postal_prefix: &'static str,
}

const fn city(name: &'static str, state: &'static str, area: &'static str, weight: u32, lo: u32, hi: u32) -> City {
    City { name, state, area, weight, postal: (lo, hi), postal_prefix: "" }
}

const fn ar(name: &'static str, state: &'static str, area: &'static str, weight: u32, prefix: &'static str) -> City {
    City { name, state, area, weight, postal: (1000, 1499), postal_prefix: prefix }
}

pub(super) struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    pub lang: usize,
    pub currency: &'static str,
    pub tld: &'static str,
    /// Share of companies and contacts, in percent.
    pub weight: u32,
    /// Hours to add to local business hours to get UTC.
    pub utc_offset: u32,
    /// Weighted legal-form suffixes for company names.
    pub legal: &'static str,
    pub cities: &'static [City],
}

pub(super) static COUNTRIES: [Country; 8] = [
    Country {
        code: "BR",
        lang: PT,
        currency: "BRL",
        tld: ".com.br",
        weight: 55,
        utc_offset: 3,
        legal: "Ltda.:70|S.A.:18|ME:6|Eireli:2|EPP:4",
        cities: &[
            city("São Paulo", "SP", "11", 30, 1000, 5999),
            city("Rio de Janeiro", "RJ", "21", 14, 20000, 23799),
            city("Belo Horizonte", "MG", "31", 8, 30000, 31999),
            city("Curitiba", "PR", "41", 6, 80000, 82999),
            city("Porto Alegre", "RS", "51", 6, 90000, 91999),
            city("Brasília", "DF", "61", 6, 70000, 72799),
            city("Salvador", "BA", "71", 5, 40000, 42499),
            city("Recife", "PE", "81", 5, 50000, 52999),
            city("Fortaleza", "CE", "85", 5, 60000, 61599),
            city("Florianópolis", "SC", "48", 4, 88000, 88099),
            city("Campinas", "SP", "19", 4, 13000, 13139),
            city("Goiânia", "GO", "62", 3, 74000, 74899),
            city("Manaus", "AM", "92", 3, 69000, 69099),
            city("Belém", "PA", "91", 2, 66000, 66999),
            city("Vitória", "ES", "27", 2, 29000, 29099),
        ],
    },
    Country {
        code: "MX",
        lang: ES,
        currency: "MXN",
        tld: ".com.mx",
        weight: 10,
        utc_offset: 6,
        legal: "S.A. de C.V.:70|S. de R.L. de C.V.:25|S.A.P.I. de C.V.:5",
        cities: &[
            city("Ciudad de México", "CDMX", "55", 50, 1000, 16999),
            city("Guadalajara", "JAL", "33", 20, 44100, 44990),
            city("Monterrey", "NL", "81", 20, 64000, 64999),
            city("Querétaro", "QRO", "442", 5, 76000, 76249),
            city("Puebla", "PUE", "222", 5, 72000, 72599),
        ],
    },
    Country {
        code: "AR",
        lang: ES,
        currency: "ARS",
        tld: ".com.ar",
        weight: 5,
        utc_offset: 3,
        legal: "S.A.:50|S.R.L.:35|S.A.S.:15",
        cities: &[
            ar("Buenos Aires", "CABA", "11", 60, "C"),
            ar("Córdoba", "CBA", "351", 15, "X"),
            ar("Rosario", "SF", "341", 12, "S"),
            ar("Mendoza", "MZA", "261", 8, "M"),
            ar("La Plata", "BA", "221", 5, "B"),
        ],
    },
    Country {
        code: "CO",
        lang: ES,
        currency: "COP",
        tld: ".com.co",
        weight: 6,
        utc_offset: 5,
        legal: "S.A.S.:70|S.A.:20|Ltda.:10",
        cities: &[
            city("Bogotá", "DC", "601", 45, 110111, 111166),
            city("Medellín", "ANT", "604", 20, 50001, 50041),
            city("Cali", "VAC", "602", 15, 760001, 760045),
            city("Barranquilla", "ATL", "605", 12, 80001, 80020),
            city("Bucaramanga", "SAN", "607", 8, 680001, 680011),
        ],
    },
    Country {
        code: "CL",
        lang: ES,
        currency: "CLP",
        tld: ".cl",
        weight: 3,
        utc_offset: 3,
        legal: "SpA:50|Ltda.:25|S.A.:25",
        cities: &[
            city("Santiago", "RM", "2", 65, 7500000, 8900000),
            city("Valparaíso", "VS", "32", 15, 2340000, 2390000),
            city("Concepción", "BI", "41", 12, 4030000, 4100000),
            city("Antofagasta", "AN", "55", 8, 1240000, 1270000),
        ],
    },
    Country {
        code: "ES",
        lang: ES,
        currency: "EUR",
        tld: ".es",
        weight: 3,
        utc_offset: 0,
        legal: "S.L.:75|S.A.:25",
        cities: &[
            city("Madrid", "MD", "91", 40, 28001, 28055),
            city("Barcelona", "CT", "93", 30, 8001, 8042),
            city("Valencia", "VC", "96", 12, 46001, 46026),
            city("Sevilla", "AN", "95", 10, 41001, 41020),
            city("Bilbao", "PV", "94", 8, 48001, 48015),
        ],
    },
    Country {
        code: "PE",
        lang: ES,
        currency: "PEN",
        tld: ".com.pe",
        weight: 3,
        utc_offset: 5,
        legal: "S.A.C.:60|S.A.:25|E.I.R.L.:15",
        cities: &[
            city("Lima", "LIM", "1", 70, 15001, 15088),
            city("Arequipa", "ARE", "54", 15, 4001, 4017),
            city("Trujillo", "LAL", "44", 10, 13001, 13013),
            city("Cusco", "CUS", "84", 5, 8001, 8007),
        ],
    },
    Country {
        code: "US",
        lang: EN,
        currency: "USD",
        tld: ".com",
        weight: 15,
        utc_offset: 5,
        legal: "Inc.:60|LLC:30|Corp.:10",
        cities: &[
            city("New York", "NY", "212", 22, 10001, 10282),
            city("San Francisco", "CA", "415", 14, 94102, 94134),
            city("Austin", "TX", "512", 10, 78701, 78759),
            city("Chicago", "IL", "312", 12, 60601, 60661),
            city("Boston", "MA", "617", 10, 2108, 2137),
            city("Miami", "FL", "305", 12, 33101, 33199),
            city("Seattle", "WA", "206", 10, 98101, 98199),
            city("Los Angeles", "CA", "213", 10, 90001, 90089),
        ],
    },
];

/// Index into [`COUNTRIES`] for an ISO code.
pub(super) fn country_index(code: &str) -> Option<usize> {
    COUNTRIES.iter().position(|c| c.code == code)
}

/// A mobile number in international form.
pub(super) fn mobile(country: usize, city: &City, rng: &mut DemoRng) -> String {
    let mut s = String::with_capacity(20);
    match COUNTRIES[country].code {
        "BR" => {
            s.push_str("+55 ");
            s.push_str(city.area);
            push_pattern(&mut s, rng, " 9MXXX-XXXX");
        }
        "AR" => {
            s.push_str("+54 9 ");
            s.push_str(city.area);
            push_pattern(&mut s, rng, if city.area.len() == 2 { " LXXX-XXXX" } else { " LXX-XXXX" });
        }
        "CO" => {
            const PREFIXES: [&str; 12] =
                ["300", "301", "302", "304", "310", "311", "312", "313", "315", "316", "320", "350"];
            s.push_str("+57 ");
            s.push_str(PREFIXES[rng.gen_range(0..PREFIXES.len())]);
            push_pattern(&mut s, rng, " NXX XXXX");
        }
        "CL" => push_pattern(&mut s, rng, "+56 9 5XXX XXXX"),
        "ES" => push_pattern(&mut s, rng, "+34 6XX XXX XXX"),
        "PE" => push_pattern(&mut s, rng, "+51 9HX XXX XXX"),
        _ => return landline(country, city, rng),
    }
    s
}

/// A fixed-line (office) number in international form.
pub(super) fn landline(country: usize, city: &City, rng: &mut DemoRng) -> String {
    let mut s = String::with_capacity(20);
    let short_area = city.area.len() <= 2;
    let (prefix, pattern) = match COUNTRIES[country].code {
        "BR" => ("+55 ", " LXXX-XXXX"),
        "MX" => ("+52 ", if short_area { " NXXX XXXX" } else { " NXX XXXX" }),
        "AR" => ("+54 ", if short_area { " LXXX-XXXX" } else { " LXX-XXXX" }),
        "CO" => ("+57 ", " NXX XXXX"),
        "CL" => ("+56 ", if city.area.len() == 1 { " 2XXX XXXX" } else { " 2XX XXXX" }),
        "ES" => ("+34 ", " NXX XX XX"),
        "PE" => ("+51 ", if city.area.len() == 1 { " LXX XXXX" } else { " LXX XXX" }),
        _ => {
            // NANP: exchange 2xx–9xx, never 555 (fictional) nor an N11 service code.
            let exchange = loop {
                let e = rng.gen_range(200..1000u32);
                if e != 555 && e % 100 != 11 {
                    break e;
                }
            };
            s.push_str("+1 (");
            s.push_str(city.area);
            s.push_str(") ");
            let _ = write!(s, "{exchange}");
            push_pattern(&mut s, rng, "-XXXX");
            return s;
        }
    };
    s.push_str(prefix);
    s.push_str(city.area);
    push_pattern(&mut s, rng, pattern);
    s
}

/// A postal code in the country's format.
pub(super) fn postal_code(country: usize, city: &City, rng: &mut DemoRng) -> String {
    let n = rng.gen_range(city.postal.0..=city.postal.1);
    match COUNTRIES[country].code {
        "BR" => format!("{n:05}-{:03}", rng.gen_range(0..1000u32)),
        "AR" => {
            let mut s = format!("{}{n:04}", city.postal_prefix);
            for _ in 0..3 {
                s.push(char::from(b'A' + rng.gen_range(0..26u8)));
            }
            s
        }
        "CO" => format!("{n:06}"),
        "CL" => format!("{n:07}"),
        _ => format!("{n:05}"),
    }
}

/// A street address line in the local style.
pub(super) fn street(t: &Tables, country: usize, rng: &mut DemoRng) -> String {
    let lang = COUNTRIES[country].lang;
    let kind = t.street_types[lang].pick(rng);
    let name = t.street_names[lang].pick(rng);
    let number = rng.gen_range(10..3000u32);
    match lang {
        PT => match rng.gen_range(0..10u32) {
            0..=2 => {
                format!("{kind} {name}, {number}, sala {}", rng.gen_range(1..30u32) * 100 + rng.gen_range(1..12u32))
            }
            3..=4 => format!("{kind} {name}, {number}, conj. {}", rng.gen_range(1..200u32)),
            _ => format!("{kind} {name}, {number}"),
        },
        ES if pct(rng, 35) => format!("{kind} {name} {number}, piso {}", rng.gen_range(1..25u32)),
        ES => format!("{kind} {name} {number}"),
        _ if pct(rng, 35) => format!("{number} {name} {kind}, Suite {}", rng.gen_range(1..40u32) * 100),
        _ => format!("{number} {name} {kind}"),
    }
}
