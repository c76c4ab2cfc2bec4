//! The HTML view: one self-contained page to step through a run in a
//! browser (`simsock trace FILE --format html`, `simsock view FILE`,
//! `simsock tour N --html`).
//!
//! The page opens from disk with no network: its style and script are
//! inline and its Content-Security-Policy forbids fetching anything. The
//! run is one JSON object in a `<script type="application/json">` element
//! ([`model`]); `viewer.js` draws it: the sequence diagram (SVG) on a time
//! axis with idle gaps as marked breaks ([`scale`]), a lane of TCP states
//! per connection, the event list, the calls of each thread with their
//! `why:` chains, and a packet's layers ([`layers`], read from the frame the
//! pcap view writes). `viewer.css` has the colours, the large-font mode for
//! projectors and the print style.
//!
//! A test mode (`#test=stepN` in the URL) steps N times and clicks a packet
//! through the same handlers a reader uses, and writes what the page then
//! shows into `<pre id="test-result">`, for `chromium --headless
//! --dump-dom` (tools/tests/viewer_browser.rs).

mod calls;
mod layers;
mod model;
mod scale;

use super::capture::Capture;

const TEMPLATE: &str = include_str!("page.html");
const STYLE: &str = include_str!("viewer.css");
const SCRIPT: &str = include_str!("viewer.js");

/// The page of a run.
pub fn render(capture: &Capture) -> String {
    let page = model::page(capture);
    // Serialising plain structs of strings and numbers cannot fail.
    let json = serde_json::to_string(&page).expect("the page data serialises");
    let title = escape_html(&capture.scenario);
    let data = escape_script(&json);
    fill(
        TEMPLATE,
        &[
            ("TITLE", &title),
            ("STYLE", STYLE),
            ("SCRIPT", SCRIPT),
            ("DATA", &data),
        ],
    )
}

/// The template with each `{{KEY}}` replaced, in one pass: a value that
/// holds `{{...}}` (a scenario's name) stays as it is.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let key = after.find("}}").map(|end| &after[..end]);
        match key.and_then(|k| values.iter().find(|v| v.0 == k)) {
            Some((key, value)) => {
                out.push_str(value);
                rest = &after[key.len() + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text for an HTML text node or attribute.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JSON safe inside a `<script>` element: `<`, `>` and `&` only occur in
/// its strings, where `\u003c` and friends mean the same characters, so no
/// `</script>` or `<!--` can end the element early (HTML Living Standard,
/// "Restrictions for contents of script elements").
fn escape_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests;
