//! The flow dashboard: one self-contained HTML page (`report --format html`). PURE: the report in, the page out.
//!
//! No script, no CDN, no web font: the page is read offline, printed, or published as it is. The charts are SVG
//! drawn by plotters (its SVG backend, no fonts: the browser lays out the text) and inlined. Every chart has a table
//! of the numbers it draws beside it (the text alternative, and what a screen reader reads), and its numbers carry
//! `data-metric` names, so a test can compare them with the JSON report's.

use std::fmt::Write as _;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

use super::flow::{Flow, LoadEntry};
use super::markdown::{effort_text, long_date};
use super::{Day, Report};
use crate::language::Language;

/// After the colour-blind safe Okabe–Ito palette, darkened where needed so that every mark stands out from the white
/// page by at least 3:1 (WCAG's contrast for graphics); neighbouring phases differ in hue and lightness.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(179, 89, 0),
    RGBColor(0, 122, 94),
    RGBColor(90, 79, 207),
    RGBColor(166, 80, 138),
    RGBColor(107, 107, 0),
    RGBColor(213, 94, 0),
    RGBColor(68, 68, 68),
];
const INK: RGBColor = RGBColor(34, 34, 34);
const STALE: RGBColor = RGBColor(179, 89, 0);
const FRESH: RGBColor = RGBColor(0, 114, 178);
const WIDTH: u32 = 860;

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// The page for `report`, in `lang`.
pub fn to_html(report: &Report, lang: Language) -> String {
    Dashboard { report, lang }.render()
}

struct Dashboard<'a> {
    report: &'a Report,
    lang: Language,
}

/// Text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A chart drawn into an SVG string; if plotters fails, a sentence instead (the table beside it still holds).
fn svg(
    height: u32,
    lang: Language,
    draw: impl FnOnce(DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn,
) -> String {
    let mut out = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)
            .and_then(|_| draw(root.clone()))
            .and_then(|_| {
                root.present()
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)
            })
    };
    match drawn {
        Ok(()) => out,
        Err(e) => format!(
            "<p>{}: {}</p>",
            lang.pick(
                "Diagrammet kunne ikke tegnes",
                "The chart could not be drawn"
            ),
            esc(&e.to_string())
        ),
    }
}

/// The chart's legend, in the corner where it hides the least, on a light ground.
fn legend<'a, 'b: 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    position: SeriesLabelPosition,
) -> Result<(), Box<dyn std::error::Error>> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(INK)
        .label_font(label_style(13))
        .draw()?;
    Ok(())
}

fn label_style(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

/// Key points at the middle of each category `0..n` on an `f64` axis: one label per category, at its centre.
fn centres(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 + 0.5).collect()
}

/// `n` categories on a continuous axis (`0.0..n`), ticked once each at its centre: bars can sit side by side
/// within a category, which plotters' segmented axes (one slot per value) cannot do, and the labels come from the
/// chart's label formatter.
struct Categories(usize);

impl Ranged for Categories {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.0.max(1) as f64;
        let pixels = f64::from(limit.1 - limit.0);
        limit.0 + (value / span * pixels).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        centres(self.0)
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.0.max(1) as f64
    }
}

/// A chart with one column per name and a value axis from 0 to `top`, its mesh and labels drawn.
fn columns<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    names: &'a [String],
    top: f64,
    axis: &str,
) -> Result<
    ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<Categories, plotters::coord::types::RangedCoordf64>,
    >,
    Box<dyn std::error::Error>,
> {
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(Categories(names.len()), 0f64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .label_style(label_style(13))
        .axis_desc_style(label_style(14))
        .y_desc(axis)
        .x_label_formatter(&|x| {
            category(*x)
                .and_then(|i| names.get(i).cloned())
                .unwrap_or_default()
        })
        .y_label_formatter(&whole)
        .draw()?;
    Ok(chart)
}

/// The category a key point names (`i + 0.5` → `i`).
fn category(x: f64) -> Option<usize> {
    (x >= 0.0).then(|| x.floor() as usize)
}

/// A tick label on a count axis: whole numbers only (plotters may tick at 0.2 steps on a small range).
fn whole(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

fn phase_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

impl Dashboard<'_> {
    fn t(&self, nb: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(nb, en)
    }

    fn render(&self) -> String {
        let r = self.report;
        let lang = match self.lang {
            Language::Nb => "nb",
            Language::En => "en",
        };
        let (year, _, _) = r.date.ymd();
        let title = match self.lang {
            Language::Nb => format!("Porteføljeflyt uke {}, {year}", r.date.iso_week()),
            Language::En => format!("Portfolio flow, week {} of {year}", r.date.iso_week()),
        };
        let mut out = String::with_capacity(256 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"portfolio-sync\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            esc(&title)
        );
        let _ = write!(
            out,
            "<a class=\"skip\" href=\"#main\">{}</a>\n<header>\n<h1>{}</h1>\n<p>{}</p>\n",
            self.t("Hopp til innholdet", "Skip to the content"),
            esc(&title),
            self.summary()
        );
        let sections = self.sections();
        let _ = write!(
            out,
            "<nav aria-label=\"{}\">\n<ul>\n",
            self.t("Diagrammer", "Charts")
        );
        for (id, heading, _) in &sections {
            let _ = writeln!(out, "<li><a href=\"#{id}\">{}</a></li>", esc(heading));
        }
        out.push_str("</ul>\n</nav>\n</header>\n<main id=\"main\">\n");
        for (id, heading, body) in &sections {
            let _ = write!(
                out,
                "<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{}</h2>\n{body}</section>\n",
                esc(heading)
            );
        }
        let _ = write!(
            out,
            "</main>\n<footer>\n<p>{}</p>\n</footer>\n</body>\n</html>\n",
            self.t(
                "Laget av portfolio-sync fra tavla og historikken til faseetikettene. Alle tallene står i <code>portfolio-sync report --format json</code>.",
                "Made by portfolio-sync from the board and the history of its phase labels. Every number is in <code>portfolio-sync report --format json</code>.",
            )
        );
        out
    }

    fn summary(&self) -> String {
        let r = self.report;
        let board = if r.board.title.trim().is_empty() {
            format!("{} {}", esc(&r.board.owner), r.board.number)
        } else {
            format!(
                "<strong>{}</strong> ({}, {} {})",
                esc(&r.board.title),
                esc(&r.board.owner),
                self.t("prosjekt", "project"),
                r.board.number
            )
        };
        let lead = &r.flow.lead_time;
        let lead = match (self.lang, lead.median_days) {
            (Language::Nb, Some(m)) => format!(
                " Ledetid fra {} til {}: median <strong data-metric=\"lead.median\">{m}</strong> dager.",
                esc(&lead.from),
                esc(&lead.to)
            ),
            (Language::En, Some(m)) => format!(
                " Lead time from {} to {}: median <strong data-metric=\"lead.median\">{m}</strong> days.",
                esc(&lead.from),
                esc(&lead.to)
            ),
            (_, None) => String::new(),
        };
        match self.lang {
            Language::Nb => format!(
                "Tavla {board}, {}: <strong data-metric=\"initiatives\">{}</strong> tiltak.{lead}",
                esc(&long_date(r.date, self.lang)),
                r.initiatives
            ),
            Language::En => format!(
                "Board {board}, {}: <strong data-metric=\"initiatives\">{}</strong> initiatives.{lead}",
                esc(&long_date(r.date, self.lang)),
                r.initiatives
            ),
        }
    }

    /// (id, heading, body) of the six charts, in reading order.
    fn sections(&self) -> Vec<(&'static str, String, String)> {
        vec![
            (
                "funnel",
                self.t("Tiltak per fase", "Initiatives per phase")
                    .to_string(),
                self.funnel(),
            ),
            (
                "cumulative-flow",
                self.t("Arbeid i gang over tid", "Work in progress over time")
                    .to_string(),
                self.cumulative_flow(),
            ),
            (
                "time-in-phase",
                self.t("Tid i fase", "Time in phase").to_string(),
                self.time_in_phase(),
            ),
            (
                "throughput",
                self.t("Gjennomstrømning per kvartal", "Throughput per quarter")
                    .to_string(),
                self.throughput(),
            ),
            (
                "load",
                self.t("Belastning per team", "Load per team").to_string(),
                self.load(),
            ),
            (
                "aging",
                self.t(
                    "Aldring: dager i nåværende fase",
                    "Aging: days in the current phase",
                )
                .to_string(),
                self.aging(),
            ),
        ]
    }

    /// A chart, its description, and its table (folded when long).
    fn figure(
        &self,
        id: &str,
        description: &str,
        chart: String,
        table: String,
        fold: bool,
    ) -> String {
        let mut out = format!(
            "<p id=\"{id}-d\">{description}</p>\n<figure>\n<div class=\"chart\" role=\"img\" aria-labelledby=\"{id}-h\" aria-describedby=\"{id}-d\">\n{chart}\n</div>\n</figure>\n"
        );
        if fold {
            let _ = write!(
                out,
                "<details>\n<summary>{}</summary>\n{table}</details>\n",
                self.t("Tallene i tabell", "The numbers as a table")
            );
        } else {
            out.push_str(&table);
        }
        out
    }

    fn funnel(&self) -> String {
        let phases = &self.report.phases;
        let n = phases.len();
        let max = phases.iter().map(|p| p.count).max().unwrap_or(0).max(1) as f64;
        let names: Vec<String> = phases.iter().map(|p| p.phase.clone()).collect();
        let axis = self.t("Tiltak", "Initiatives");
        let chart = svg(60 + 44 * n as u32, self.lang, |root| {
            // The first phase at the top: row i is drawn at n - 1 - i.
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(150)
                .build_cartesian_2d(0f64..max * 1.1, Categories(n))?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .x_desc(axis)
                .axis_desc_style(label_style(14))
                .label_style(label_style(14))
                .y_label_formatter(&|y| {
                    category(*y)
                        .and_then(|i| n.checked_sub(i + 1))
                        .and_then(|i| names.get(i).cloned())
                        .unwrap_or_default()
                })
                .x_label_formatter(&whole)
                .draw()?;
            chart.draw_series(phases.iter().enumerate().map(|(i, p)| {
                let row = (n - 1 - i) as f64;
                Rectangle::new(
                    [(0.0, row + 0.15), (p.count as f64, row + 0.85)],
                    phase_colour(i).filled(),
                )
            }))?;
            chart.draw_series(phases.iter().enumerate().map(|(i, p)| {
                let row = (n - 1 - i) as f64;
                Text::new(
                    p.count.to_string(),
                    (p.count as f64 + max * 0.01, row + 0.7),
                    label_style(14),
                )
            }))?;
            Ok(())
        });
        let mut table = self.table_head(&[
            self.t("Fase", "Phase"),
            self.t("Tiltak", "Initiatives"),
            self.t("Stillestående", "Stale"),
        ]);
        for p in phases {
            let _ = writeln!(
                table,
                "<tr><th scope=\"row\">{}</th><td data-metric=\"phases.{}.count\">{}</td><td data-metric=\"phases.{}.stale\">{}</td></tr>",
                esc(&p.phase),
                esc(&p.phase),
                p.count,
                esc(&p.phase),
                p.stale
            );
        }
        table.push_str("</tbody></table>\n");
        let description = self.t(
            "Hvor mange tiltak som står i hver fase nå, i prosessens rekkefølge. Et tiltak med en avvist flytting telles i fasen det sist ble godtatt i.",
            "How many initiatives stand in each phase now, in process order. An initiative whose move was refused counts in the phase it was last accepted in.",
        );
        self.figure("funnel", description, chart, table, false)
    }

    fn cumulative_flow(&self) -> String {
        let flow: &Flow = &self.report.flow;
        let points = &flow.cumulative_flow;
        let n = flow.phases.len();
        let weeks = points.len();
        // Band p reaches from the sum of the phases after it to the sum of p and the phases after it: the last
        // phase at the bottom, as cumulative flow diagrams are read.
        let tops: Vec<Vec<usize>> = (0..n)
            .map(|p| {
                points
                    .iter()
                    .map(|pt| pt.counts.iter().skip(p).sum())
                    .collect()
            })
            .collect();
        let max = tops
            .first()
            .and_then(|t| t.iter().max())
            .copied()
            .unwrap_or(0)
            .max(1) as f64;
        let dates: Vec<Day> = points.iter().map(|p| p.date).collect();
        let axis = self.t("Tiltak", "Initiatives");
        let names = &flow.phases;
        let chart = svg(420, self.lang, |root| {
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(
                    0f64..weeks.saturating_sub(1).max(1) as f64,
                    0f64..max * 1.05,
                )?;
            chart
                .configure_mesh()
                .label_style(label_style(13))
                .axis_desc_style(label_style(14))
                .y_desc(axis)
                .x_labels(7)
                .x_label_formatter(&|x| {
                    let i = x.round().max(0.0) as usize;
                    dates
                        .get(i)
                        .map(|d| {
                            let (y, m, _) = d.ymd();
                            format!("{y}-{m:02}")
                        })
                        .unwrap_or_default()
                })
                .y_label_formatter(&whole)
                .draw()?;
            for (p, top) in tops.iter().enumerate() {
                let colour = phase_colour(p);
                chart.draw_series(AreaSeries::new(
                    top.iter().enumerate().map(|(w, v)| (w as f64, *v as f64)),
                    0.0,
                    colour.mix(0.85).filled(),
                ))?;
            }
            Ok(())
        });
        // The legend below the chart, as HTML: inside the plot it would cover the bands it names.
        let mut legend = String::from("<ul class=\"legend\">");
        for (p, name) in names.iter().enumerate() {
            let RGBColor(r, g, b) = phase_colour(p);
            let _ = write!(
                legend,
                "<li><span class=\"swatch\" style=\"background:#{r:02x}{g:02x}{b:02x}\"></span>{}</li>",
                esc(name)
            );
        }
        legend.push_str("</ul>");
        let chart = format!("{chart}\n{legend}");
        let mut headers = vec![self.t("Uke som begynner", "Week of")];
        headers.extend(names.iter().map(String::as_str));
        let mut table = self.table_head(&headers);
        for pt in points {
            let _ = write!(table, "<tr><th scope=\"row\">{}</th>", pt.date);
            for (p, c) in pt.counts.iter().enumerate() {
                let _ = write!(
                    table,
                    "<td data-metric=\"cfd.{}.{}\">{c}</td>",
                    pt.date,
                    esc(&names[p])
                );
            }
            table.push_str("</tr>\n");
        }
        table.push_str("</tbody></table>\n");
        let description = match self.lang {
            Language::Nb => format!(
                "Tiltak per fase uke for uke siden {}, stablet med siste fase nederst. Et bredere bånd betyr at arbeid hoper seg opp i fasen. Et tiltak telles fra den første dagen historikken viser det i fasen.",
                flow.since
            ),
            Language::En => format!(
                "Initiatives per phase week by week since {}, stacked with the last phase at the bottom. A widening band means work piling up in that phase. An initiative counts from the first day its history shows it in the phase.",
                flow.since
            ),
        };
        self.figure("cumulative-flow", &esc(&description), chart, table, true)
    }

    fn time_in_phase(&self) -> String {
        let times = &self.report.flow.time_in_phase;
        let max = times
            .iter()
            .filter_map(|t| t.p85_days)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let names: Vec<String> = times.iter().map(|t| t.phase.clone()).collect();
        let (median, p85) = (
            self.t("Median", "Median"),
            self.t("85. persentil", "85th percentile"),
        );
        let axis = self.t("Dager", "Days");
        let chart = svg(380, self.lang, |root| {
            let mut chart = columns(&root, &names, max * 1.15, axis)?;
            let bars =
                |pick: fn(&super::flow::PhaseTime) -> Option<u32>, from: f64, colour: RGBColor| {
                    times.iter().enumerate().filter_map(move |(i, t)| {
                        let d = pick(t)? as f64;
                        Some(Rectangle::new(
                            [(i as f64 + from, 0.0), (i as f64 + from + 0.35, d)],
                            colour.filled(),
                        ))
                    })
                };
            chart
                .draw_series(bars(|t| t.median_days, 0.12, PALETTE[0]))?
                .label(median)
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], PALETTE[0].filled())
                });
            chart
                .draw_series(bars(|t| t.p85_days, 0.5, PALETTE[1]))?
                .label(p85)
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], PALETTE[1].filled())
                });
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
            Ok(())
        });
        let mut table = self.table_head(&[
            self.t("Fase", "Phase"),
            self.t("Avsluttede opphold", "Finished stays"),
            self.t("Median (dager)", "Median (days)"),
            self.t("85. persentil (dager)", "85th percentile (days)"),
            self.t("Ukjent start", "Unknown start"),
            self.t("I fasen nå", "In the phase now"),
        ]);
        let days = |d: Option<u32>| d.map_or_else(|| "–".to_string(), |d| d.to_string());
        for t in times {
            let p = esc(&t.phase);
            let _ = writeln!(
                table,
                "<tr><th scope=\"row\">{p}</th><td data-metric=\"time.{p}.finished\">{}</td><td data-metric=\"time.{p}.median\">{}</td><td data-metric=\"time.{p}.p85\">{}</td><td>{}</td><td>{}</td></tr>",
                t.finished,
                days(t.median_days),
                days(t.p85_days),
                t.unknown_start,
                t.ongoing
            );
        }
        table.push_str("</tbody></table>\n");
        let description = self.t(
            "Hvor lenge tiltakene ble værende i hver fase før de gikk videre: halvparten av oppholdene var kortere enn medianen, og 85 % var ikke lengre enn 85. persentil. Bare avsluttede opphold med kjent start regnes med; de som begynte før historikken, står som «ukjent start».",
            "How long initiatives stayed in each phase before moving on: half the stays were shorter than the median, and 85% no longer than the 85th percentile. Only finished stays with a known start count; those that began before the history show as “unknown start”.",
        );
        self.figure("time-in-phase", description, chart, table, false)
    }

    fn throughput(&self) -> String {
        let t = &self.report.flow.throughput;
        let quarters = &t.quarters;
        let max = quarters
            .iter()
            .map(|q| q.entered.max(q.reached))
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let names: Vec<String> = quarters.iter().map(|q| q.quarter.clone()).collect();
        let (entered, reached) = match self.lang {
            Language::Nb => (
                format!("Inn i {}", t.entered_phase),
                format!("Til {}", t.reached_phase),
            ),
            Language::En => (
                format!("Into {}", t.entered_phase),
                format!("To {}", t.reached_phase),
            ),
        };
        let axis = self.t("Tiltak", "Initiatives");
        let chart = svg(360, self.lang, |root| {
            let mut chart = columns(&root, &names, max * 1.2, axis)?;
            chart
                .draw_series(quarters.iter().enumerate().map(|(i, q)| {
                    Rectangle::new(
                        [(i as f64 + 0.12, 0.0), (i as f64 + 0.47, q.entered as f64)],
                        PALETTE[0].filled(),
                    )
                }))?
                .label(entered.clone())
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], PALETTE[0].filled())
                });
            chart
                .draw_series(quarters.iter().enumerate().map(|(i, q)| {
                    Rectangle::new(
                        [(i as f64 + 0.53, 0.0), (i as f64 + 0.88, q.reached as f64)],
                        PALETTE[2].filled(),
                    )
                }))?
                .label(reached.clone())
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], PALETTE[2].filled())
                });
            legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
            Ok(())
        });
        let mut table = self.table_head(&[self.t("Kvartal", "Quarter"), &entered, &reached]);
        for q in quarters {
            let _ = writeln!(
                table,
                "<tr><th scope=\"row\">{0}</th><td data-metric=\"throughput.{0}.entered\">{1}</td><td data-metric=\"throughput.{0}.reached\">{2}</td></tr>",
                esc(&q.quarter),
                q.entered,
                q.reached
            );
        }
        table.push_str("</tbody></table>\n");
        let description = match self.lang {
            Language::Nb => format!(
                "Hvor mange tiltak som gikk inn i {} og hvor mange som nådde {}, per kvartal. En flytting som hopper over fasen, teller som å gå inn i den.",
                t.entered_phase, t.reached_phase
            ),
            Language::En => format!(
                "How many initiatives entered {} and how many reached {}, per quarter. A move that skips the phase counts as entering it.",
                t.entered_phase, t.reached_phase
            ),
        };
        self.figure("throughput", &esc(&description), chart, table, false)
    }

    fn load(&self) -> String {
        let load = &self.report.flow.load;
        let mut out = self.load_chart("load", &load.teams, self.t("Team", "Team"));
        if load.group_field.is_some() {
            let _ = writeln!(
                out,
                "<h3>{}</h3>",
                self.t("Per produktgruppe", "Per product group")
            );
            out.push_str(&self.load_table(
                "group",
                &load.groups,
                self.t("Produktgruppe", "Product group"),
            ));
        }
        out
    }

    fn entry_name(&self, e: &LoadEntry) -> String {
        e.name
            .clone()
            .unwrap_or_else(|| self.t("(ingen oppgitt)", "(none given)").to_string())
    }

    fn load_table(&self, kind: &str, entries: &[LoadEntry], what: &str) -> String {
        let effort = self.report.flow.load.effort_field.clone();
        let mut headers = vec![what, self.t("Tiltak", "Initiatives")];
        if let Some(field) = &effort {
            headers.push(field);
        }
        let mut table = self.table_head(&headers);
        for e in entries {
            let name = esc(&self.entry_name(e));
            let _ = write!(
                table,
                "<tr><th scope=\"row\">{name}</th><td data-metric=\"load.{kind}.{name}.initiatives\">{}</td>",
                e.initiatives
            );
            if effort.is_some() {
                let _ = write!(
                    table,
                    "<td data-metric=\"load.{kind}.{name}.effort\">{}</td>",
                    esc(&effort_text(e.effort, e.without_effort, self.lang))
                );
            }
            table.push_str("</tr>\n");
        }
        if entries.is_empty() {
            let _ = writeln!(
                table,
                "<tr><td colspan=\"{}\">{}</td></tr>",
                headers.len(),
                self.t("Ingen.", "None.")
            );
        }
        table.push_str("</tbody></table>\n");
        table
    }

    fn load_chart(&self, id: &str, entries: &[LoadEntry], what: &str) -> String {
        let n = entries.len();
        let max = entries
            .iter()
            .map(|e| e.initiatives)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let names: Vec<String> = entries.iter().map(|e| self.entry_name(e)).collect();
        let axis = self.t("Åpne tiltak i gang", "Open initiatives under way");
        let chart = svg(60 + 34 * n.max(1) as u32, self.lang, |root| {
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(230)
                .build_cartesian_2d(0f64..max * 1.1, Categories(n))?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .label_style(label_style(13))
                .axis_desc_style(label_style(14))
                .x_desc(axis)
                .y_label_formatter(&|y| {
                    category(*y)
                        .and_then(|i| n.checked_sub(i + 1))
                        .and_then(|i| names.get(i).cloned())
                        .unwrap_or_default()
                })
                .x_label_formatter(&whole)
                .draw()?;
            chart.draw_series(entries.iter().enumerate().map(|(i, e)| {
                let row = (n - 1 - i) as f64;
                Rectangle::new(
                    [(0.0, row + 0.15), (e.initiatives as f64, row + 0.85)],
                    PALETTE[0].filled(),
                )
            }))?;
            Ok(())
        });
        let description = self.t(
            "Åpne tiltak som er i gang (etter første fase, før siste) per team, tyngst først. Et tiltak med flere team teller fullt for hvert; tabellen viser også summen av estimert innsats der tavla har den.",
            "Open initiatives under way (after the first phase, before the last) per team, heaviest first. One shared by teams counts in full for each; the table also sums the estimated effort where the board has it.",
        );
        let table = self.load_table("team", entries, what);
        self.figure(id, description, chart, table, false)
    }

    fn aging(&self) -> String {
        let flow = &self.report.flow;
        let aging = &flow.aging;
        let phases: Vec<&str> = self
            .report
            .phases
            .iter()
            .map(|p| p.phase.as_str())
            .collect();
        // Only the phases an open initiative can age in (all but the last).
        let shown: Vec<&str> = phases
            .iter()
            .take(phases.len().saturating_sub(1))
            .copied()
            .collect();
        let index = |phase: &str| shown.iter().position(|p| *p == phase);
        let max = aging
            .iter()
            .filter_map(|a| a.days)
            .max()
            .unwrap_or(0)
            .max(
                self.report
                    .phases
                    .iter()
                    .filter_map(|p| p.stale_days)
                    .max()
                    .unwrap_or(0),
            )
            .max(1) as f64;
        let axis = self.t("Dager i fasen", "Days in the phase");
        let (stale_label, fresh_label, limit_label) = (
            self.t("Over grensen", "Over the limit"),
            self.t("Innenfor grensen", "Within the limit"),
            self.t("Grense (stale_days)", "Limit (stale_days)"),
        );
        let limits: Vec<(usize, u32)> = self
            .report
            .phases
            .iter()
            .filter_map(|p| Some((index(&p.phase)?, p.stale_days?)))
            .collect();
        let points: Vec<(f64, f64, bool)> = aging
            .iter()
            .enumerate()
            .filter_map(|(k, a)| {
                let i = index(&a.phase)?;
                let days = a.days? as f64;
                // Spread the points of one phase across its column so that equal ages do not hide each other.
                let jitter = ((k * 7919) % 61) as f64 / 61.0 * 0.6 + 0.2;
                Some((i as f64 + jitter, days, a.stale))
            })
            .collect();
        let names: Vec<String> = shown.iter().map(|s| s.to_string()).collect();
        let chart = svg(420, self.lang, |root| {
            let mut chart = columns(&root, &names, max * 1.1, axis)?;
            chart
                .draw_series(limits.iter().map(|(i, days)| {
                    PathElement::new(
                        vec![
                            (*i as f64 + 0.05, f64::from(*days)),
                            (*i as f64 + 0.95, f64::from(*days)),
                        ],
                        INK.stroke_width(2),
                    )
                }))?
                .label(limit_label)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK.stroke_width(2)));
            chart
                .draw_series(
                    points
                        .iter()
                        .filter(|p| !p.2)
                        .map(|(x, y, _)| Circle::new((*x, *y), 3, FRESH.filled())),
                )?
                .label(fresh_label)
                .legend(|(x, y)| Circle::new((x + 7, y), 4, FRESH.filled()));
            chart
                .draw_series(
                    points
                        .iter()
                        .filter(|p| p.2)
                        .map(|(x, y, _)| TriangleMarker::new((*x, *y), 5, STALE.filled())),
                )?
                .label(stale_label)
                .legend(|(x, y)| TriangleMarker::new((x + 7, y), 5, STALE.filled()));
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
            Ok(())
        });
        let mut table = self.table_head(&[
            self.t("Fase", "Phase"),
            self.t("Åpne tiltak", "Open initiatives"),
            self.t("Over grensen", "Over the limit"),
            self.t("Grense (dager)", "Limit (days)"),
            self.t("Eldste (dager)", "Oldest (days)"),
        ]);
        for phase in &shown {
            let of: Vec<_> = aging.iter().filter(|a| a.phase == *phase).collect();
            let p = esc(phase);
            let limit = self
                .report
                .phases
                .iter()
                .find(|x| x.phase == *phase)
                .and_then(|x| x.stale_days)
                .map_or_else(|| "–".to_string(), |d| d.to_string());
            let oldest = of
                .iter()
                .filter_map(|a| a.days)
                .max()
                .map_or_else(|| "–".to_string(), |d| d.to_string());
            let _ = writeln!(
                table,
                "<tr><th scope=\"row\">{p}</th><td data-metric=\"aging.{p}.count\">{}</td><td data-metric=\"aging.{p}.stale\">{}</td><td>{limit}</td><td data-metric=\"aging.{p}.oldest\">{oldest}</td></tr>",
                of.len(),
                of.iter().filter(|a| a.stale).count(),
            );
        }
        table.push_str("</tbody></table>\n");
        let stale: Vec<_> = aging.iter().filter(|a| a.stale).collect();
        if !stale.is_empty() {
            let _ = write!(
                table,
                "<details>\n<summary>{} ({})</summary>\n",
                self.t("Tiltakene over grensen", "The initiatives over the limit"),
                stale.len()
            );
            table.push_str(&self.table_head(&[
                self.t("Tiltak", "Initiative"),
                self.t("Fase", "Phase"),
                self.t("Dager", "Days"),
            ]));
            for a in stale {
                let name = match &a.initiative.url {
                    Some(url) => {
                        format!("<a href=\"{}\">{}</a>", esc(url), esc(&a.initiative.item))
                    }
                    None => esc(&a.initiative.item),
                };
                let _ = writeln!(
                    table,
                    "<tr><th scope=\"row\">{name} {}</th><td>{}</td><td>{}</td></tr>",
                    esc(&a.initiative.title),
                    esc(&a.phase),
                    a.days.map_or_else(|| "–".to_string(), |d| d.to_string())
                );
            }
            table.push_str("</tbody></table>\n</details>\n");
        }
        let description = self.t(
            "Hvert punkt er et åpent tiltak: hvor mange dager det har stått i fasen sin, mot fasens grense (streken). Trekanter er over grensen. Tiltak uten kjent dato er utelatt fra diagrammet.",
            "Each point is an open initiative: how many days it has been in its phase, against the phase's limit (the line). Triangles are over the limit. Initiatives with no known date are left out of the chart.",
        );
        self.figure("aging", description, chart, table, false)
    }

    fn table_head(&self, headers: &[&str]) -> String {
        let mut out = String::from("<table>\n<thead><tr>");
        for h in headers {
            let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        out
    }
}

/// Readable without script, on screen and on paper: system fonts, dark text on white (contrast over 12:1),
/// a visible focus ring, tables that scroll on a narrow screen, and no chart split across printed pages.
const CSS: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #222; background: #fff;
  max-width: 920px; margin: 0 auto; padding: 1rem; line-height: 1.5; }
a { color: #0b5394; }
a:focus, summary:focus { outline: 3px solid #b35900; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { position: static; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; list-style: none; }
section { margin: 2rem 0; break-inside: avoid; }
figure { margin: 0; }
.chart svg { max-width: 100%; height: auto; display: block; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; list-style: none; }
.swatch { display: inline-block; width: .9em; height: .9em; margin-right: .3em; border: 1px solid #222;
  vertical-align: middle; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
table { border-collapse: collapse; margin: .5rem 0; display: block; overflow-x: auto; }
th, td { border: 1px solid #999; padding: .2rem .5rem; text-align: left; }
td { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #eee; }
summary { cursor: pointer; }
@media print {
  .skip, nav { display: none; }
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; }
  body { max-width: none; }
  a { color: #222; }
}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn an_empty_board_still_draws_six_charts() {
        let config = crate::config::parse(
            "[board]\nowner = \"o\"\nproject = 1\nrepositories = [\"o/p\"]\n[[phase]]\nname = \"A\"\n[[phase]]\nname = \"B\"\n",
            "test.toml",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let snapshot = crate::board::Snapshot {
            bot: "b".into(),
            board: serde_json::from_value(serde_json::json!({"owner": "o", "number": 1}))
                .expect("a board"),
            items: Vec::new(),
        };
        let day = Day::from_ymd(2025, 11, 10).expect("a date");
        let report = super::super::build(&config, &snapshot, &[], day);
        let page = to_html(&report, Language::En);
        assert_eq!(page.matches("<svg").count(), 6, "{page}");
        assert!(!page.contains("could not be drawn"), "{page}");
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    }

    #[test]
    fn key_points_name_their_category() {
        assert_eq!(centres(3), vec![0.5, 1.5, 2.5]);
        assert_eq!(category(1.5), Some(1));
        assert_eq!(category(-0.5), None);
    }
}
