//! Every chart kind over awkward data: well-formed markup, escaped text, no
//! NaN, no inline style, the accessible names wired, and numbers that match.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::kpi::Change;
use super::*;

fn tr() -> Tr {
    Tr::new(Locale::En)
}

fn text(title: &str) -> ChartText {
    ChartText::new(&tr(), title, "A description", ValueFormat::Number)
}

fn data(categories: &[&str], values: &[f64]) -> ChartData {
    ChartData::new(
        categories.iter().map(|c| (*c).to_owned()).collect(),
        vec![Series { name: "Deals".into(), values: values.to_vec() }],
    )
}

/// The elements of `markup` as (name, attributes), failing on malformed XML.
fn elements(markup: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = Reader::from_str(markup);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                out.push(element(&e));
            }
            Ok(Event::Empty(e)) => out.push(element(&e)),
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Text(t)) => {
                t.decode().expect("utf-8 text");
            }
            Ok(Event::GeneralRef(r)) => {
                let name = r.decode().expect("utf-8 entity").into_owned();
                let known = ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_str())
                    || r.resolve_char_ref().ok().flatten().is_some();
                assert!(known, "unknown entity &{name};");
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("malformed markup at {}: {error}\n{markup}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unbalanced markup: {markup}");
    out
}

fn element(e: &quick_xml::events::BytesStart) -> (String, Vec<(String, String)>) {
    let name = String::from_utf8(e.name().as_ref().to_vec()).expect("utf-8 name");
    let attributes = e
        .attributes()
        .map(|a| {
            let a = a.expect("a well-formed attribute");
            let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).expect("an escaped value").into_owned();
            (String::from_utf8(a.key.as_ref().to_vec()).expect("utf-8 key"), value)
        })
        .collect();
    (name, attributes)
}

fn attribute<'a>(element: &'a (String, Vec<(String, String)>), name: &str) -> Option<&'a str> {
    element.1.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn awkward_data() -> Vec<ChartData> {
    let fifty: Vec<String> = (0..50).map(|i| format!("Company number {i} with a long name")).collect();
    vec![
        data(&["Won", "Lost", "Open"], &[12.0, 3.0, 7.0]),
        data(&["Only"], &[42.0]),
        data(&["a", "b", "c"], &[0.0, 0.0, 0.0]),
        data(&["a", "b"], &[-15.0, 40.0]),
        data(&["a", "b"], &[-15.0, -40.0]),
        data(&["a", "b", "c"], &[f64::NAN, f64::INFINITY, 5.0]),
        data(&[], &[]),
        ChartData::new(vec!["x".into()], vec![]),
        data(&["Uma etapa com um nome muito, muito comprido mesmo"], &[1.5]),
        ChartData::new(
            fifty.clone(),
            vec![Series { name: "S".into(), values: (0..50).map(|i| (i * 37 % 11) as f64).collect() }],
        ),
        ChartData::new(
            vec!["Q1".into(), "Q2".into(), "Q3".into()],
            vec![
                Series { name: "BRL".into(), values: vec![100.0, -20.0, 30.0] },
                Series { name: "USD".into(), values: vec![50.0, 60.0] },
                Series { name: "EUR".into(), values: vec![1.0, 2.0, 3.0, 4.0] },
            ],
        ),
        data(&["1e300", "tiny"], &[1e300, 1e-300]),
    ]
}

#[test]
fn every_kind_over_awkward_data_is_well_formed_accessible_and_finite() {
    for kind in ChartKind::ALL {
        for (index, data) in awkward_data().iter().enumerate() {
            let text = text("Pipeline").with_id(format!("c{index}"));
            let markup = render(kind, data, &text);
            let context = format!("{kind:?} on data #{index}");
            let elements = elements(&markup);
            assert!(!markup.contains("NaN") && !markup.contains("inf"), "{context}: {markup}");
            assert!(!markup.contains("style="), "{context}: inline style");
            let svg = elements.iter().find(|e| e.0 == "svg").expect("an svg");
            assert_eq!(attribute(svg, "role"), Some("img"), "{context}");
            assert_eq!(attribute(svg, "aria-labelledby"), Some(format!("c{index}-title c{index}-desc").as_str()));
            let ids: Vec<&str> = elements.iter().filter_map(|e| attribute(e, "id")).collect();
            assert_eq!(ids, vec![format!("c{index}-title"), format!("c{index}-desc")], "{context}");
            assert!(elements.iter().any(|e| e.0 == "table" && attribute(e, "class") == Some("visually-hidden")));
            for element in &elements {
                for (key, value) in &element.1 {
                    if ["x", "y", "width", "height", "cx", "cy", "r"].contains(&key.as_str()) {
                        let number: f64 = value.parse().unwrap_or_else(|_| panic!("{context}: {key}={value}"));
                        assert!(number.is_finite(), "{context}");
                        if key == "width" || key == "height" {
                            assert!(number >= 0.0, "{context}: negative {key}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn data_text_is_escaped_everywhere() {
    let hostile = r#"<script>alert("x")</script> & Sons"#;
    let chart = ChartData::new(vec![hostile.into()], vec![Series { name: hostile.into(), values: vec![3.0] }])
        .with_links(vec![Some("/deals?filter[name][eq]=a&b=\"c\"".into())]);
    let title = ChartText::new(&tr(), hostile, hostile, ValueFormat::Number);
    for kind in ChartKind::ALL {
        let markup = render(kind, &chart, &title);
        elements(&markup);
        assert!(!markup.contains("<script"), "{kind:?}");
        assert!(markup.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons"), "{kind:?}");
    }
}

#[test]
fn empty_or_all_zero_data_says_so_instead_of_drawing() {
    let no_data = tr().t("chart.no_data");
    assert_ne!(no_data, "chart.no_data", "the catalogue has the message");
    for data in [data(&[], &[]), data(&["a", "b"], &[0.0, 0.0]), ChartData::new(vec!["a".into()], vec![])] {
        for kind in ChartKind::ALL.into_iter().filter(|k| *k != ChartKind::Kpi) {
            let markup = render(kind, &data, &text("Empty"));
            assert!(markup.contains(&no_data), "{kind:?}");
            assert!(!markup.contains("<rect x=\"0\""), "{kind:?}: no bars");
        }
    }
    assert!(render(ChartKind::Kpi, &data(&[], &[]), &text("K")).contains(&no_data));
}

#[test]
fn bar_heights_are_proportional_and_negative_bars_hang_below_zero() {
    let markup = render(ChartKind::Bar, &data(&["a", "b", "c"], &[10.0, 20.0, -10.0]), &text("Bars"));
    let bars: Vec<(f64, f64)> = elements(&markup)
        .iter()
        .filter(|e| e.0 == "rect" && attribute(e, "class") == Some("chart-s0"))
        .map(|e| (attribute(e, "y").unwrap().parse().unwrap(), attribute(e, "height").unwrap().parse().unwrap()))
        .collect();
    assert_eq!(bars.len(), 3);
    assert!((bars[1].1 - 2.0 * bars[0].1).abs() < 0.2, "{bars:?}");
    assert!((bars[2].1 - bars[0].1).abs() < 0.2, "{bars:?}");
    let zero = bars[0].0 + bars[0].1;
    assert!((bars[2].0 - zero).abs() < 0.2, "the negative bar starts at zero: {bars:?}");
}

#[test]
fn stacked_bars_pile_up_to_the_category_total() {
    let chart = ChartData::new(
        vec!["a".into(), "b".into()],
        vec![
            Series { name: "x".into(), values: vec![10.0, 5.0] },
            Series { name: "y".into(), values: vec![30.0, 5.0] },
        ],
    );
    let markup = render(ChartKind::StackedBar, &chart, &text("Stack"));
    let heights: Vec<f64> = elements(&markup)
        .iter()
        .filter(|e| {
            e.0 == "rect"
                && attribute(e, "class").is_some_and(|c| c.starts_with("chart-s"))
                && attribute(e, "width") != Some("10")
        })
        .map(|e| attribute(e, "height").unwrap().parse().unwrap())
        .collect();
    assert_eq!(heights.len(), 4, "{markup}");
    assert!((heights[1] - 3.0 * heights[0]).abs() < 0.2);
    assert!(((heights[0] + heights[1]) - 4.0 * (heights[2] + heights[3])).abs() < 0.5);
}

#[test]
fn links_wrap_the_shapes_of_their_categories() {
    let chart = data(&["Won", "Lost", "Open"], &[1.0, 2.0, 3.0]).with_links(vec![
        Some("/deals?filter[stage][eq]=won".into()),
        None,
        Some("/deals?filter[stage][eq]=open".into()),
    ]);
    for kind in [ChartKind::Bar, ChartKind::HorizontalBar, ChartKind::Line, ChartKind::Donut, ChartKind::Funnel] {
        let markup = render(kind, &chart, &text("Links"));
        let hrefs: Vec<String> =
            elements(&markup).iter().filter_map(|e| attribute(e, "href").map(str::to_owned)).collect();
        assert!(hrefs.contains(&"/deals?filter[stage][eq]=won".to_owned()), "{kind:?}");
        assert!(hrefs.contains(&"/deals?filter[stage][eq]=open".to_owned()), "{kind:?}");
        assert!(hrefs.iter().all(|h| !h.contains("lost")), "{kind:?}");
    }
}

#[test]
fn the_hidden_table_has_the_same_numbers() {
    let chart = data(&["Won", "Lost"], &[1234.0, 5.5]);
    let markup = render(ChartKind::Bar, &chart, &text("Table"));
    let table = &markup[markup.find("<table").unwrap()..];
    assert!(table.contains("<th scope=\"row\">Won</th><td>1,234</td>"), "{table}");
    assert!(table.contains("<th scope=\"row\">Lost</th><td>5.5</td>"), "{table}");
}

#[test]
fn money_reads_per_locale_and_ticks_drop_zero_cents() {
    let brl = ChartText::new(&Tr::new(Locale::PtBr), "Ganho", "", ValueFormat::Money { currency: "BRL".into() });
    assert_eq!(brl.value(123_456.0), "R$ 1.234,56");
    assert_eq!(brl.tick(500_000.0), "R$ 5.000");
    let eur = ChartText::new(&Tr::new(Locale::Es), "Ganado", "", ValueFormat::Money { currency: "EUR".into() });
    assert_eq!(eur.tick(100_000.0), "1.000 €");
    assert_eq!(eur.tick(150.0), "1,50 €");
    let percent = ChartText::new(&tr(), "Rate", "", ValueFormat::Percent);
    assert_eq!(percent.value(12.5), "12.5%");
    assert_eq!(text("n").value(2.0 / 3.0), "0.67");
}

#[test]
fn kpi_change_against_the_previous_period() {
    assert_eq!(Change::between(5.0, None), Change::NoPrevious);
    assert_eq!(Change::between(5.0, Some(5.0)), Change::Flat);
    assert_eq!(Change::between(15.0, Some(12.0)), Change::Up { delta: 3.0, percent: Some(25.0) });
    assert_eq!(Change::between(9.0, Some(12.0)), Change::Down { delta: 3.0, percent: Some(25.0) });
    assert_eq!(Change::between(4.0, Some(0.0)), Change::Up { delta: 4.0, percent: None });
    assert_eq!(Change::between(-5.0, Some(-10.0)), Change::Up { delta: 5.0, percent: Some(50.0) });

    let up = render(ChartKind::Kpi, &data(&["Q3", "Q4"], &[12.0, 15.0]), &text("Won"));
    assert!(up.contains(">15<") && up.contains("▲ 25%") && up.contains("chart-up"), "{up}");
    let down = render(ChartKind::Kpi, &data(&["Q3", "Q4"], &[12.0, 9.0]), &text("Won"));
    assert!(down.contains("▼ 25%") && down.contains("chart-down"), "{down}");
    let first = render(ChartKind::Kpi, &data(&["Q4"], &[7.0]), &text("Won"));
    assert!(first.contains(&tr().t("chart.no_previous")), "{first}");
    let from_zero = render(ChartKind::Kpi, &data(&["Q3", "Q4"], &[0.0, 4.0]), &text("Won"));
    assert!(from_zero.contains("▲ +4"), "{from_zero}");
}

#[test]
fn donut_shares_add_up_and_one_category_is_a_full_ring() {
    let markup = render(ChartKind::Donut, &data(&["a", "b", "c"], &[1.0, 1.0, 2.0]), &text("Share"));
    assert!(markup.contains("25%") && markup.contains("50%"));
    assert_eq!(elements(&markup).iter().filter(|e| e.0 == "path").count(), 3);
    let ring = render(ChartKind::Donut, &data(&["all"], &[9.0]), &text("Ring"));
    let paths: Vec<_> = elements(&ring).into_iter().filter(|e| e.0 == "path").collect();
    assert_eq!(paths.len(), 1);
    assert_eq!(attribute(&paths[0], "d").map(|d| d.matches('A').count()), Some(4));
}

#[test]
fn funnel_shows_each_stage_against_the_first() {
    let markup = render(ChartKind::Funnel, &data(&["Lead", "Qualified", "Won"], &[200.0, 50.0, 10.0]), &text("Funnel"));
    assert!(markup.contains("50 · 25%") && markup.contains("10 · 5%"), "{markup}");
}

#[test]
fn stages_that_do_not_narrow_show_their_share_of_the_whole_never_above_100_percent() {
    let open = data(&["Qualification", "Proposal", "Negotiation"], &[10.0, 25.0, 15.0]);
    let markup = render(ChartKind::Funnel, &open, &text("Open deals by stage"));
    assert!(markup.contains("10 · 20%") && markup.contains("25 · 50%") && markup.contains("15 · 30%"), "{markup}");
    assert!(!markup.contains("250%"), "{markup}");
}

#[test]
fn fifty_categories_label_every_few_bars_and_cut_long_names() {
    let fifty = &awkward_data()[9];
    let markup = render(ChartKind::Bar, fifty, &text("Many"));
    let labels: Vec<_> = elements(&markup).into_iter().filter(|e| attribute(e, "transform").is_some()).collect();
    assert!(labels.len() < 50 && labels.len() >= 10, "{} labels", labels.len());
    assert!(markup.contains("Company numbe…"));
}

#[test]
fn chart_kinds_round_trip_through_their_names() {
    for kind in ChartKind::ALL {
        assert_eq!(ChartKind::parse(kind.as_str()), Some(kind));
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
    }
    assert_eq!(ChartKind::parse("pie"), None);
}

/// A sum of money (in cents) and a count over the same owners.
fn money_and_count() -> (ChartData, ChartText) {
    let chart = ChartData::new(
        vec!["Ana".into(), "Bia".into(), "Caio".into()],
        vec![
            Series { name: "Sum of Amount".into(), values: vec![350_000.0, 100_000.0, 50_000.0] },
            Series { name: "Count".into(), values: vec![2.0, 4.0, 1.0] },
        ],
    );
    let money = ValueFormat::Money { currency: "BRL".into() };
    let text = ChartText::new(&tr(), "By owner", "", money.clone())
        .with_series_formats(vec![money, ValueFormat::Number])
        .with_id("m");
    (chart, text)
}

/// The (y, height) of each column of the `series`th colour.
fn columns(markup: &str, series: usize) -> Vec<(f64, f64)> {
    elements(markup)
        .iter()
        .filter(|e| e.0 == "rect" && attribute(e, "class") == Some(format!("chart-s{series}").as_str()))
        .filter(|e| attribute(e, "width") != Some("10"))
        .map(|e| (attribute(e, "y").unwrap().parse().unwrap(), attribute(e, "height").unwrap().parse().unwrap()))
        .collect()
}

#[test]
fn measures_of_different_units_each_get_their_own_scale_and_colour() {
    let (chart, text) = money_and_count();
    let markup = render(ChartKind::Bar, &chart, &text);
    let (money, counts) = (columns(&markup, 0), columns(&markup, 1));
    assert_eq!((money.len(), counts.len()), (3, 3), "{markup}");
    // Each series against its own scale: Bia's 4 deals stand taller than
    // Ana's 2, though a shared scale would flatten both next to R$ 3,500.
    assert!((money[1].1 * 3.5 - money[0].1).abs() < 0.5, "{money:?}");
    assert!((counts[1].1 - 2.0 * counts[0].1).abs() < 0.5, "{counts:?}");
    assert!(counts[1].1 > 100.0, "the counts fill their scale: {counts:?}");
    // The legend names both, the count marked as read on the right.
    assert!(markup.contains(">Sum of Amount</text>"), "{markup}");
    assert!(markup.contains(">Count (right scale)</text>"), "{markup}");
    // Ticks in money on the left, plain numbers on the right.
    let labels: Vec<&str> =
        markup.split("class=\"chart-label\">").skip(1).filter_map(|s| s.split('<').next()).collect();
    assert!(labels.contains(&"R$3,000") && labels.contains(&"4"), "{labels:?}");
    // Tooltips and the hidden table read each series its own way.
    assert!(markup.contains("<title>Bia · Count: 4</title>"), "{markup}");
    assert!(markup.contains("<title>Ana · Sum of Amount: R$3,500.00</title>"), "{markup}");
    let table = &markup[markup.find("<table").unwrap()..];
    assert!(table.contains("<th scope=\"col\">Sum of Amount</th><th scope=\"col\">Count</th>"), "{table}");
    assert!(table.contains("<th scope=\"row\">Ana</th><td>R$3,500.00</td><td>2</td>"), "{table}");
}

#[test]
fn lines_and_areas_draw_one_line_per_measure_on_its_scale() {
    let (chart, text) = money_and_count();
    for kind in [ChartKind::Line, ChartKind::Area] {
        let markup = render(kind, &chart, &text);
        let elements = elements(&markup);
        let lines: Vec<&str> =
            elements.iter().filter(|e| e.0 == "polyline").filter_map(|e| attribute(e, "class")).collect();
        assert_eq!(lines, vec!["chart-line chart-s0", "chart-line chart-s1"], "{kind:?}");
        let points = |class: &str| -> Vec<f64> {
            elements
                .iter()
                .filter(|e| e.0 == "circle" && attribute(e, "class") == Some(class))
                .map(|e| attribute(e, "cy").unwrap().parse().unwrap())
                .collect()
        };
        // Bia's count (the highest) peaks where Ana's amount (the highest) does.
        let (money, counts) = (points("chart-point chart-s0"), points("chart-point chart-s1"));
        let top = |ys: &[f64]| ys.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((money[0] - top(&money)).abs() < 0.01 && (counts[1] - top(&counts)).abs() < 0.01, "{kind:?}");
        assert!((money[0] - counts[1]).abs() < 50.0, "both fill the plot: {money:?} {counts:?}");
    }
}

#[test]
fn measures_of_one_unit_share_one_scale_and_stacks_never_split_it() {
    let chart = ChartData::new(
        vec!["a".into(), "b".into()],
        vec![
            Series { name: "Lowest".into(), values: vec![10.0, 5.0] },
            Series { name: "Highest".into(), values: vec![40.0, 20.0] },
        ],
    );
    let same = text("Two").with_series_formats(vec![ValueFormat::Number, ValueFormat::Number]);
    let markup = render(ChartKind::Bar, &chart, &same);
    assert!(!markup.contains("right scale"));
    let (low, high) = (columns(&markup, 0), columns(&markup, 1));
    assert!((high[0].1 - 4.0 * low[0].1).abs() < 0.5, "one scale: {low:?} {high:?}");
    let (mixed, text) = money_and_count();
    assert!(!render(ChartKind::StackedBar, &mixed, &text).contains("right scale"));
}

#[test]
fn a_long_legend_wraps_onto_more_rows_instead_of_dropping_names() {
    let names: Vec<String> = (0..8).map(|i| format!("Average probability of stage {i}")).collect();
    let chart = ChartData::new(
        vec!["a".into(), "b".into()],
        names.iter().map(|n| Series { name: n.clone(), values: vec![1.0, 2.0] }).collect(),
    );
    let markup = render(ChartKind::Bar, &chart, &text("Many"));
    let legend_texts = markup.matches("Average probability of").count();
    // Every name in the legend (cut to 28 characters), in tooltips and the table.
    assert_eq!(markup.matches(">Average probability of stag…</text>").count(), 8, "{markup}");
    assert!(legend_texts > 8);
    let ys: Vec<f64> = elements(&markup)
        .iter()
        .filter(|e| e.0 == "rect" && attribute(e, "width") == Some("10"))
        .map(|e| attribute(e, "y").unwrap().parse().unwrap())
        .collect();
    assert_eq!(ys.len(), 8);
    assert!(ys.iter().any(|y| *y > ys[0]), "a second row: {ys:?}");
    let first_bar = columns(&markup, 0)[0].0.min(columns(&markup, 0)[1].0);
    assert!(first_bar > ys.iter().copied().fold(0.0, f64::max) + 10.0, "the plot starts below the legend");
}

#[test]
fn labels_that_would_be_cut_straight_turn_and_keep_their_year() {
    let quarters: Vec<String> = (1..=8).map(|q| format!("{}º tri {}", (q - 1) % 4 + 1, 2025 + (q - 1) / 4)).collect();
    let chart = ChartData::new(quarters, vec![Series { name: "n".into(), values: (1..=8).map(f64::from).collect() }]);
    for kind in [ChartKind::Bar, ChartKind::Line] {
        let markup = render(kind, &chart, &text("Quarters"));
        let turned: Vec<_> = elements(&markup).into_iter().filter(|e| attribute(e, "transform").is_some()).collect();
        assert_eq!(turned.len(), 8, "{kind:?}");
        assert!(markup.contains(">4º tri 2026</text>") && !markup.contains("tri 20…"), "{kind:?}");
    }
    // Short labels stay straight.
    let short = data(&["Won", "Lost", "Open"], &[1.0, 2.0, 3.0]);
    assert!(!render(ChartKind::Bar, &short, &text("Short")).contains("rotate("));
}
