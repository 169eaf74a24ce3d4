//! Sections and checklists of an issue body.
//!
//! The body is parsed once with pulldown-cmark into top-level headings and content blocks; a section is then a
//! range of blocks and a range of source text, so every query is cheap.
//!
//! Decisions:
//! - Only top-level headings start sections. A heading inside a block quote or list item is quoted or nested
//!   content, not a section boundary, and counts as content.
//! - Task items inside a block quote are not tasks: a quote repeats someone else's text (an earlier issue, a
//!   comment) and its checkboxes are not this issue's key results. Their text still makes the section non-empty.
//! - A task item with no text (`- [ ]`) is neither content nor a task.
//! - Images count as content even without alt text; thematic breaks (`---`) do not.
//! - `markdown()` removes only HTML comments: a placeholder line next to real content is kept, as the author wrote it.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A parsed issue body.
#[derive(Debug, Clone)]
pub struct Body {
    src: String,
    headings: Vec<Heading>,
    blocks: Vec<Block>,
    /// Source ranges of HTML comments, in order, for `Section::markdown`.
    comments: Vec<Range<usize>>,
}

#[derive(Debug, Clone)]
struct Heading {
    display: String,
    key: String,
    level: u8,
    /// Source between the heading line and the next heading of the same or a higher level.
    content: Range<usize>,
    blocks: Range<usize>,
}

/// A leaf of content: a paragraph, the text of a tight list item, a code block, an HTML block, a table.
#[derive(Debug, Clone)]
struct Block {
    /// Plain text, HTML comments removed, whitespace folded.
    text: String,
    /// The inline markdown source, so that `_No response_` can be a placeholder although its text is "No response".
    raw: Range<usize>,
    media: bool,
    task: Option<bool>,
}

/// A section of a [`Body`]: the content under one heading, including its subsections.
#[derive(Debug, Clone, Copy)]
pub struct Section<'a> {
    body: &'a Body,
    heading: &'a Heading,
}

/// A task-list item (`- [ ] text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub text: String,
    pub checked: bool,
}

/// A block being parsed.
#[derive(Default)]
struct Frame {
    text: String,
    /// Raw HTML not yet added to `text`: a comment may span several HTML events.
    html: String,
    raw: Option<Range<usize>>,
    media: bool,
    task: Option<bool>,
    quoted: bool,
    /// Level of a top-level heading, the only headings that delimit sections.
    heading: Option<u8>,
}

impl Frame {
    fn flush_html(&mut self) {
        if !self.html.is_empty() {
            self.text.push_str(&strip_comments(&self.html));
            self.html.clear();
        }
    }

    fn extend_raw(&mut self, r: &Range<usize>) {
        self.raw = Some(match &self.raw {
            Some(old) => old.start.min(r.start)..old.end.max(r.end),
            None => r.clone(),
        });
    }
}

impl Body {
    pub fn parse(text: &str) -> Body {
        // Normalising line endings up front keeps offsets, raw text and `markdown()` free of `\r`.
        let src = if text.contains('\r') {
            text.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            text.to_owned()
        };
        let mut headings: Vec<Heading> = Vec::new();
        let mut blocks = Vec::new();
        let mut comments = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        // Headings whose section is still open; levels strictly increase from bottom to top.
        let mut open: Vec<usize> = Vec::new();

        let opts =
            Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
        for (event, range) in Parser::new_ext(&src, opts).into_offset_iter() {
            match event {
                Event::Start(tag) if is_block(&tag.to_end()) => {
                    let quoted =
                        stack.last().is_some_and(|f| f.quoted) || matches!(tag, Tag::BlockQuote(_));
                    let mut frame = Frame {
                        quoted,
                        ..Frame::default()
                    };
                    if let Tag::Heading { level, .. } = tag {
                        if stack.is_empty() {
                            let level = level as u8;
                            while let Some(&i) = open.last() {
                                if headings[i].level < level {
                                    break;
                                }
                                headings[i].content.end = range.start;
                                headings[i].blocks.end = blocks.len();
                                open.pop();
                            }
                            frame.heading = Some(level);
                        }
                    }
                    if matches!(tag, Tag::HtmlBlock) {
                        let base = range.start;
                        let slice = src.get(range).unwrap_or("");
                        comments.extend(comment_spans(slice).map(|c| base + c.start..base + c.end));
                    }
                    stack.push(frame);
                }
                Event::End(end) if is_block(&end) => {
                    let Some(mut frame) = stack.pop() else {
                        continue;
                    };
                    frame.flush_html();
                    let text = fold(&frame.text);
                    if let Some(level) = frame.heading {
                        let display = text.trim_end_matches(':').trim_end().to_owned();
                        open.push(headings.len());
                        headings.push(Heading {
                            key: display.to_lowercase(),
                            display,
                            level,
                            content: range.end..src.len(),
                            blocks: blocks.len()..blocks.len(),
                        });
                    } else if !text.is_empty() || frame.media {
                        blocks.push(Block {
                            text,
                            raw: frame.raw.unwrap_or(range.start..range.start),
                            media: frame.media,
                            task: frame.task.filter(|_| !frame.quoted),
                        });
                    }
                }
                Event::TaskListMarker(checked) => {
                    if let Some(frame) = stack.last_mut() {
                        frame.task = Some(checked);
                    }
                }
                other => {
                    let Some(frame) = stack.last_mut() else {
                        continue;
                    };
                    frame.extend_raw(&range);
                    match other {
                        Event::InlineHtml(s) => {
                            // Block comments were taken from the whole HTML block at its start.
                            if s.starts_with("<!--") {
                                comments.push(range);
                            }
                            frame.html.push_str(&s);
                            continue;
                        }
                        Event::Html(s) => {
                            frame.html.push_str(&s);
                            continue;
                        }
                        _ => frame.flush_html(),
                    }
                    match other {
                        Event::Text(s)
                        | Event::Code(s)
                        | Event::InlineMath(s)
                        | Event::DisplayMath(s)
                        | Event::FootnoteReference(s) => frame.text.push_str(&s),
                        Event::SoftBreak | Event::HardBreak => frame.text.push(' '),
                        Event::Start(Tag::Image { .. }) => frame.media = true,
                        // Keeps table cells apart in the plain text.
                        Event::End(TagEnd::TableCell) => frame.text.push(' '),
                        _ => {}
                    }
                }
            }
        }
        for i in open {
            headings[i].blocks.end = blocks.len();
        }
        Body {
            src,
            headings,
            blocks,
            comments,
        }
    }

    /// The first section whose heading matches `heading`, or None when the body has no such heading.
    ///
    /// Headings match on their plain text, trimmed, without trailing `:`, whitespace folded, case-insensitively.
    pub fn section(&self, heading: &str) -> Option<Section<'_>> {
        let key = heading_key(heading);
        let heading = self.headings.iter().find(|h| h.key == key)?;
        Some(Section {
            body: self,
            heading,
        })
    }

    /// Every section whose heading matches one of `headings` (the names one section had in the template's
    /// versions), in the body's order. Nobody rewrites an old issue, so a requirement accepts any version's heading;
    /// an author who added today's heading beside the old one has both, and the caller decides which counts.
    pub fn sections<'b>(&'b self, headings: &[String]) -> Vec<Section<'b>> {
        let keys: Vec<String> = headings.iter().map(|h| heading_key(h)).collect();
        self.headings
            .iter()
            .filter(|h| !h.key.is_empty() && keys.contains(&h.key))
            .map(|heading| Section {
                body: self,
                heading,
            })
            .collect()
    }

    /// All headings in order (normalised display text), for diagnostics.
    pub fn headings(&self) -> Vec<&str> {
        self.headings.iter().map(|h| h.display.as_str()).collect()
    }
}

impl Section<'_> {
    pub fn heading(&self) -> &str {
        &self.heading.display
    }

    /// True when nothing is left after removing HTML comments, whitespace, sub-heading texts, and blocks whose
    /// whole text (or whole markdown source) equals one of `placeholders`, trimmed and case-insensitively.
    pub fn is_empty(&self, placeholders: &[String]) -> bool {
        let placeholders = normalise_all(placeholders);
        self.blocks()
            .iter()
            .all(|b| self.is_placeholder(b, &placeholders))
    }

    /// Task-list items in the section and its subsections, excluding placeholders and items in block quotes.
    pub fn tasks(&self, placeholders: &[String]) -> Vec<Task> {
        let placeholders = normalise_all(placeholders);
        self.blocks()
            .iter()
            .filter(|b| !self.is_placeholder(b, &placeholders))
            .filter_map(|b| {
                b.task.map(|checked| Task {
                    text: b.text.clone(),
                    checked,
                })
            })
            .collect()
    }

    /// The section's markdown source without its heading line and HTML comments, trimmed; empty when `is_empty`.
    pub fn markdown(&self, placeholders: &[String]) -> String {
        if self.is_empty(placeholders) {
            return String::new();
        }
        let src = &self.body.src;
        let content = self.heading.content.clone();
        let comments = &self.body.comments;
        let first = comments.partition_point(|c| c.start < content.start);
        let mut out = String::new();
        let mut pos = content.start;
        let inside = comments.get(first..).unwrap_or(&[]);
        for c in inside.iter().take_while(|c| c.end <= content.end) {
            // A line left blank by removing comments goes too, so no stray blank lines remain.
            let line_start = src
                .get(..c.start)
                .and_then(|s| s.rfind('\n'))
                .map_or(0, |i| i + 1);
            let line_end = src
                .get(c.end..)
                .and_then(|s| s.find('\n'))
                .map_or(src.len(), |i| c.end + i + 1);
            let blank =
                |r: Range<usize>| strip_comments(src.get(r).unwrap_or("")).trim().is_empty();
            let (cut_start, cut_end) = if blank(line_start..c.start) && blank(c.end..line_end) {
                (line_start.max(pos), line_end.min(content.end))
            } else {
                (c.start, c.end)
            };
            out.push_str(src.get(pos..cut_start).unwrap_or(""));
            pos = cut_end.max(pos);
        }
        out.push_str(src.get(pos..content.end).unwrap_or(""));
        // Trim whole leading blank lines only, so an indented code block at the start keeps its indentation.
        let start = out.find(|c: char| !c.is_whitespace()).unwrap_or(out.len());
        let start = out
            .get(..start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        out.get(start..).unwrap_or("").trim_end().to_owned()
    }

    fn blocks(&self) -> &[Block] {
        self.body
            .blocks
            .get(self.heading.blocks.clone())
            .unwrap_or(&[])
    }

    fn is_placeholder(&self, block: &Block, placeholders: &[String]) -> bool {
        if block.media {
            return false;
        }
        if block.text.is_empty() {
            return true;
        }
        let raw = self.body.src.get(block.raw.clone()).unwrap_or("");
        let text = block.text.to_lowercase();
        let raw = fold(&strip_comments(raw)).to_lowercase();
        placeholders.iter().any(|p| *p == text || *p == raw)
    }
}

/// Tags that make a block of their own; inline tags and table parts belong to the enclosing block.
fn is_block(end: &TagEnd) -> bool {
    !matches!(
        end,
        TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

fn normalise_all(placeholders: &[String]) -> Vec<String> {
    placeholders
        .iter()
        .map(|p| fold(p).to_lowercase())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Trims and folds every whitespace run into one space.
/// How headings are compared: whitespace folded, without trailing colons, case-insensitively.
pub fn heading_key(heading: &str) -> String {
    fold(heading)
        .trim_end_matches(':')
        .trim_end()
        .to_lowercase()
}

fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Byte ranges of `<!-- ... -->` in `s`; an unclosed comment runs to the end, as an HTML block does.
fn comment_spans(s: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let start = pos + s.get(pos..)?.find("<!--")?;
        // Searching from `<!` also accepts `<!-->` and `<!--->`, which CommonMark treats as complete comments.
        let end = s
            .get(start + 2..)?
            .find("-->")
            .map_or(s.len(), |i| start + 2 + i + 3);
        pos = end;
        Some(start..end)
    })
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    for c in comment_spans(s) {
        out.push_str(s.get(pos..c.start).unwrap_or(""));
        pos = c.end;
    }
    out.push_str(s.get(pos..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TEMPLATE: &str = "\
# Grunninformasjon
## Samarbeid med
## Avhengigheter til andre tiltak
# Begrunnelse
## Problemstilling
## Beskrivelse av tiltaket
## Risiko hvis tiltaket ikke gjennomføres
## Mål og nøkkelresultat (OKR)
### Mål 1
- [ ] Nøkkelresultat
- [ ] Nøkkelresultat
- [ ] Nøkkelresultat
### Mål 2
- [ ] Nøkkelresultat
- [ ] Nøkkelresultat
- [ ] Nøkkelresultat
# Ressurser
## Hvilken kompetanse trengs for tiltaket
## Behov totalt, sum månedsverk
";

    const OKR: &str = "Mål og nøkkelresultat (OKR)";

    fn ph() -> Vec<String> {
        vec!["Nøkkelresultat".to_owned(), "_No response_".to_owned()]
    }

    fn task(text: &str, checked: bool) -> Task {
        Task {
            text: text.to_owned(),
            checked,
        }
    }

    #[test]
    fn unfilled_template_is_empty_everywhere() {
        let body = Body::parse(TEMPLATE);
        assert_eq!(body.headings().len(), 13);
        for h in body.headings() {
            let s = body.section(h).unwrap();
            assert!(s.is_empty(&ph()), "{h} should be empty");
            assert_eq!(s.markdown(&ph()), "", "{h}");
        }
        let okr = body.section(OKR).unwrap();
        assert!(okr.tasks(&ph()).is_empty());
        // Without placeholders the six template items are real tasks and real content.
        assert_eq!(okr.tasks(&[]).len(), 6);
        assert!(!okr.is_empty(&[]));
        assert!(!body.section("Begrunnelse").unwrap().is_empty(&[]));
        assert!(body.section("Ressurser").unwrap().tasks(&[]).is_empty());
    }

    #[test]
    fn filled_template() {
        let body = Body::parse(
            &TEMPLATE
                .replace(
                    "## Problemstilling\n",
                    "## Problemstilling\nInnbyggere finner ikke tjenestene.\n",
                )
                .replacen("- [ ] Nøkkelresultat", "- [x] 50 % flere brukere", 1),
        );
        let problem = body.section("problemstilling").unwrap();
        assert!(!problem.is_empty(&ph()));
        assert_eq!(
            problem.markdown(&ph()),
            "Innbyggere finner ikke tjenestene."
        );
        assert!(body
            .section("Beskrivelse av tiltaket")
            .unwrap()
            .is_empty(&ph()));
        // The parent sees its subsection's text.
        assert!(!body.section("Begrunnelse").unwrap().is_empty(&ph()));
        assert!(body.section("Grunninformasjon").unwrap().is_empty(&ph()));

        let okr = body.section(OKR).unwrap();
        assert!(!okr.is_empty(&ph()));
        assert_eq!(okr.tasks(&ph()), vec![task("50 % flere brukere", true)]);
        let md = okr.markdown(&ph());
        assert!(
            md.starts_with("### Mål 1\n- [x] 50 % flere brukere\n"),
            "{md}"
        );
        assert!(
            md.ends_with(
                "### Mål 2\n- [ ] Nøkkelresultat\n- [ ] Nøkkelresultat\n- [ ] Nøkkelresultat"
            ),
            "{md}"
        );
        assert!(body.section("Mål 2").unwrap().is_empty(&ph()));
    }

    #[test]
    fn issue_form() {
        let body = Body::parse(
            "### Problemstilling\n\nVi mangler oversikt.\n\n### Samarbeid med\n\n_No response_\n\n### Mål\n\n- [ ] _No response_\n- [X] Ferdig\n",
        );
        assert_eq!(
            body.headings(),
            vec!["Problemstilling", "Samarbeid med", "Mål"]
        );
        assert!(!body.section("Problemstilling").unwrap().is_empty(&ph()));
        let samarbeid = body.section("Samarbeid med").unwrap();
        assert!(samarbeid.is_empty(&ph()));
        assert!(!samarbeid.is_empty(&[]));
        assert_eq!(samarbeid.markdown(&[]), "_No response_");
        // Compared case-insensitively and trimmed.
        assert!(samarbeid.is_empty(&["  no RESPONSE ".to_owned()]));
        assert_eq!(
            body.section("Mål").unwrap().tasks(&ph()),
            vec![task("Ferdig", true)]
        );
    }

    #[test]
    fn no_headings_and_empty_body() {
        let body = Body::parse("Just some text\n\n- [x] done\n");
        assert!(body.headings().is_empty());
        assert!(body.section("Problemstilling").is_none());
        assert!(body.section("").is_none());
        let empty = Body::parse("");
        assert!(empty.headings().is_empty());
        assert!(empty.section("x").is_none());
    }

    #[test]
    fn heading_normalisation() {
        let body = Body::parse(
            "## **Problemstilling:**  \ntekst\n## Risiko   hvis  `tiltaket`:\nmer\n#   _Mål_ og **nøkkelresultat** ##\n## ÆØÅ blåbær\nbær\n",
        );
        assert_eq!(
            body.headings(),
            vec![
                "Problemstilling",
                "Risiko hvis tiltaket",
                "Mål og nøkkelresultat",
                "ÆØÅ blåbær"
            ]
        );
        assert_eq!(
            body.section("problemstilling").unwrap().heading(),
            "Problemstilling"
        );
        assert_eq!(
            body.section("  Problemstilling: ").unwrap().markdown(&[]),
            "tekst"
        );
        assert_eq!(
            body.section("risiko hvis tiltaket").unwrap().markdown(&[]),
            "mer"
        );
        assert!(body.section("MÅL OG NØKKELRESULTAT").is_some());
        assert_eq!(body.section("æøå BLÅBÆR").unwrap().markdown(&[]), "bær");
        assert!(body.section("Problem").is_none());
    }

    #[test]
    fn crlf_is_like_lf() {
        let lf = TEMPLATE.replace(
            "## Problemstilling\n",
            "## Problemstilling\nLinje en\nlinje to\n",
        );
        let crlf = lf.replace('\n', "\r\n");
        let (a, b) = (Body::parse(&lf), Body::parse(&crlf));
        assert_eq!(a.headings(), b.headings());
        for h in a.headings() {
            let (x, y) = (a.section(h).unwrap(), b.section(h).unwrap());
            assert_eq!(x.is_empty(&ph()), y.is_empty(&ph()), "{h}");
            assert_eq!(x.tasks(&[]), y.tasks(&[]), "{h}");
            assert_eq!(x.markdown(&[]), y.markdown(&[]), "{h}");
        }
        assert_eq!(
            b.section("Problemstilling").unwrap().markdown(&ph()),
            "Linje en\nlinje to"
        );
        let setext = Body::parse("Tittel\r\n======\r\nInnhold\r\n");
        assert_eq!(setext.section("Tittel").unwrap().markdown(&[]), "Innhold");
    }

    #[test]
    fn html_comments() {
        let body = Body::parse(
            "## Bare kommentar\n<!-- Beskriv problemet\nher, gjerne\nmed eksempler -->\n\
             ## Inline\nFør <!-- skjult --> etter\n\
             ## To kommentarer\n<!-- a --> <!-- b -->\n\
             ## Med html\n<!-- hint -->\n<details>x</details>\n\n\
             ## Plassholder med kommentar\nNøkkelresultat <!-- fyll inn -->\n\
             ## Uavsluttet\n<!-- aldri lukket\n\n## Ikke en overskrift\n",
        );
        let only = body.section("Bare kommentar").unwrap();
        assert!(only.is_empty(&[]));
        assert_eq!(only.markdown(&[]), "");
        assert_eq!(body.section("Inline").unwrap().markdown(&[]), "Før  etter");
        assert!(body.section("To kommentarer").unwrap().is_empty(&[]));
        let html = body.section("Med html").unwrap();
        assert!(!html.is_empty(&[]));
        assert_eq!(html.markdown(&[]), "<details>x</details>");
        assert!(body
            .section("Plassholder med kommentar")
            .unwrap()
            .is_empty(&ph()));
        // GitHub hides everything after an unclosed comment, headings included.
        assert!(body.section("Uavsluttet").unwrap().is_empty(&[]));
        assert!(body.section("Ikke en overskrift").is_none());
    }

    #[test]
    fn nested_sections() {
        let body = Body::parse("# A\n## B\nb-tekst\n### C\n- [x] c-oppgave\n## D\n# E\ne\n");
        let a = body.section("A").unwrap();
        assert!(!a.is_empty(&[]));
        assert_eq!(a.tasks(&[]), vec![task("c-oppgave", true)]);
        assert_eq!(
            a.markdown(&[]),
            "## B\nb-tekst\n### C\n- [x] c-oppgave\n## D"
        );
        let b = body.section("B").unwrap();
        assert_eq!(b.markdown(&[]), "b-tekst\n### C\n- [x] c-oppgave");
        assert_eq!(b.tasks(&[]).len(), 1);
        assert_eq!(body.section("C").unwrap().markdown(&[]), "- [x] c-oppgave");
        // A sibling (D) and a parent-level heading (E) end sections.
        assert!(body.section("D").unwrap().is_empty(&[]));
        assert_eq!(body.section("E").unwrap().markdown(&[]), "e");
        // Sub-heading texts alone are not content.
        assert!(Body::parse("# X\n## Y\n### Z\n")
            .section("X")
            .unwrap()
            .is_empty(&[]));
    }

    #[test]
    fn task_markers_and_bullets() {
        let body = Body::parse(
            "## Mål\n- [x] liten\n- [X] stor\n* [ ] stjerne\n+ [x] pluss\n1. [ ] nummer\n2. [X] to\n- vanlig punkt\n- [ ]\n\n\
             - [ ] løs\n\n  med to avsnitt\n",
        );
        let tasks = body.section("mål").unwrap().tasks(&[]);
        assert_eq!(
            tasks,
            vec![
                task("liten", true),
                task("stor", true),
                task("stjerne", false),
                task("pluss", true),
                task("nummer", false),
                task("to", true),
                task("løs", false),
            ]
        );
    }

    #[test]
    fn setext_headings() {
        let body = Body::parse(
            "Begrunnelse\n===========\nProblemstilling:\n---\nTekst\n\nRessurser\n=========\n",
        );
        assert_eq!(
            body.headings(),
            vec!["Begrunnelse", "Problemstilling", "Ressurser"]
        );
        assert_eq!(
            body.section("problemstilling").unwrap().markdown(&[]),
            "Tekst"
        );
        assert!(body.section("Ressurser").unwrap().is_empty(&[]));
    }

    #[test]
    fn blockquotes() {
        let body =
            Body::parse("## Mål\n> - [x] sitert oppgave\n> # Sitert overskrift\n\n- [ ] egen\n");
        let s = body.section("Mål").unwrap();
        // Quoted tasks are someone else's checklist, and a quoted heading starts no section.
        assert_eq!(s.tasks(&[]), vec![task("egen", false)]);
        assert_eq!(body.headings(), vec!["Mål"]);
        let quoted_only = Body::parse("## Q\n> - [x] sitert\n");
        assert!(!quoted_only.section("Q").unwrap().is_empty(&[]));
        assert!(quoted_only.section("Q").unwrap().tasks(&[]).is_empty());
    }

    #[test]
    fn other_content() {
        let body = Body::parse(
            "## Bilde\n![](bilde.png)\n## Kode\n```\nNøkkelresultat\n```\n## Tabell\n| a | b |\n|---|---|\n| 1 | 2 |\n## Strek\n---\n",
        );
        assert!(!body.section("Bilde").unwrap().is_empty(&ph()));
        assert!(body.section("Kode").unwrap().is_empty(&ph()));
        assert!(!body.section("Kode").unwrap().is_empty(&[]));
        assert!(!body.section("Tabell").unwrap().is_empty(&ph()));
        assert!(body.section("Strek").unwrap().is_empty(&[]));
    }

    #[test]
    fn markdown_output() {
        let body = Body::parse(
            "## Kompetanse\n\n<!-- Hvem trengs? -->\n\n- **Utvikler** <!-- minst én -->\n- Designer\n\n    kode\n\n## Neste\n",
        );
        assert_eq!(
            body.section("Kompetanse").unwrap().markdown(&[]),
            "- **Utvikler** \n- Designer\n\n    kode"
        );
        let lines = Body::parse("## L\nx <!--a--> <!--b-->\ny\n<!--c--> <!--d-->\nz\n");
        assert_eq!(lines.section("L").unwrap().markdown(&[]), "x  \ny\nz");
        let code = Body::parse("## K\n\n    innrykket kode\n");
        assert_eq!(
            code.section("K").unwrap().markdown(&[]),
            "    innrykket kode"
        );
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "#",
                "## ",
                "### ",
                "\n",
                "\r\n",
                "\r",
                "- [ ] ",
                "- [x] ",
                "* [X] ",
                "1. [ ] ",
                "<!--",
                "-->",
                "_",
                "*",
                "**",
                "`",
                "```",
                "> ",
                "    ",
                "---",
                "===",
                "|",
                "<div>",
                "![](x)",
                "[",
                "]",
                ":",
                "æøå",
                "🦀",
                "\u{301}",
                "Nøkkelresultat",
                "_No response_",
            ])
            .prop_map(str::to_owned),
            any::<char>().prop_map(String::from),
            "[a-zA-Z ]{0,8}",
        ]
    }

    fn exercise(text: &str) {
        let body = Body::parse(text);
        let mut names: Vec<String> = body.headings().iter().map(|h| h.to_string()).collect();
        names.push(text.chars().take(8).collect());
        for name in &names {
            if let Some(s) = body.section(name) {
                for p in [&ph()[..], &[]] {
                    let empty = s.is_empty(p);
                    let _ = s.tasks(p);
                    let md = s.markdown(p);
                    assert!(!empty || md.is_empty());
                    let _ = s.heading();
                }
            }
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in any::<String>()) {
            exercise(&text);
        }

        #[test]
        fn never_panics_on_markdownish_text(parts in prop::collection::vec(fragment(), 0..60)) {
            exercise(&parts.concat());
        }
    }
}
