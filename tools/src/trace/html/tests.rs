//! The page of a run, read back: one self-contained document with the run
//! as JSON, for every bundled scenario.

use std::path::Path;

use serde_json::Value;

use super::render;
use crate::trace::bundled as files;
use crate::trace::capture;

/// The JSON blob of a page.
fn page_data(page: &str) -> Value {
    let start = page
        .find(r#"<script type="application/json" id="trace-data">"#)
        .expect("the data element");
    let rest = &page[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</script>").unwrap();
    serde_json::from_str(&rest[open..close]).expect("the data is JSON")
}

/// The page without its data: the markup, style and script.
fn without_data(page: &str) -> String {
    let start = page.find(r#"id="trace-data">"#).unwrap();
    let end = start + page[start..].find("</script>").unwrap();
    format!("{}{}", &page[..start], &page[end..])
}

fn page_of(path: &Path) -> (String, capture::Capture) {
    let file = files::load(path).expect("a bundled scenario loads");
    let capture = capture::capture(&file, None);
    (render(&capture), capture)
}

/// Every bundled scenario, tour stops and conformance rows included, makes
/// a well-formed page that fetches nothing and holds each packet and call.
#[test]
fn every_bundled_scenario_makes_a_page() {
    let paths = files::expand(&[files::default_dir()]).expect("the bundled suite");
    assert!(paths.len() > 50, "{}", paths.len());
    for path in &paths {
        let (page, capture) = page_of(path);
        let name = path.display();
        assert!(page.starts_with("<!DOCTYPE html>"), "{name}");
        assert!(page.trim_end().ends_with("</html>"), "{name}");
        assert_eq!(page.matches("<script").count(), 2, "{name}");
        assert_eq!(page.matches("</script>").count(), 2, "{name}");
        let data = page_data(&page);
        // The SVG namespace is a name, not an address anything fetches.
        let code = without_data(&page).replace("'http://www.w3.org/2000/svg'", "");
        for remote in [
            "src=", "href=", "http://", "https://", "@import", "url(", "fetch(",
        ] {
            assert!(!code.contains(remote), "{name} refers to {remote}");
        }
        let sends = capture
            .events
            .iter()
            .filter(|e| matches!(e.kind, simsock_sim::trace::TraceKind::Send { .. }))
            .count();
        assert_eq!(data["packets"].as_array().unwrap().len(), sends, "{name}");
        assert_eq!(
            data["calls"].as_array().unwrap().len(),
            capture.calls.len(),
            "{name}"
        );
        assert_eq!(
            data["events"].as_array().unwrap().len(),
            capture.events.len(),
            "{name}"
        );
        let ys = data["layout"]["y"].as_array().unwrap();
        assert_eq!(ys.len(), capture.events.len(), "{name}");
        for call in data["calls"].as_array().unwrap() {
            assert!(!call["ev"].is_null(), "{name}: {call} has no return event");
        }
    }
}

/// The refused story: the SYN's layers carry the same numbers and
/// checksums the pcap view writes, with relative and raw sequence numbers.
#[test]
fn a_packet_has_its_layers() {
    let path = files::default_dir().join("tour/02-refused.ron");
    let (page, _) = page_of(&path);
    let data = page_data(&page);
    let first = &data["packets"][0];
    assert_eq!(first["kind"], "syn");
    assert_eq!(first["fate"], "arrived");
    let layers: Vec<&str> = first["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        layers,
        [
            "Ethernet II",
            "Internet Protocol Version 4",
            "Transmission Control Protocol"
        ]
    );
    let tcp = first["layers"][2]["fields"].as_array().unwrap();
    let field = |name: &str| {
        tcp.iter()
            .find(|f| f[0] == name)
            .map(|f| f[1].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(field("Sequence number (relative)"), "0");
    assert_eq!(field("Flags"), "0x002 (SYN)");
    assert_eq!(field("Destination port"), "80");
    assert!(
        field("Checksum").ends_with("[correct]"),
        "{}",
        field("Checksum")
    );
    let rst = data["packets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "rst")
        .expect("the server resets");
    let fields = rst["layers"][2]["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f[0] == "Acknowledgment number (relative)" && f[1] == "1")
    );
}

/// A connection's lane holds its states in order; a failed call keeps its
/// `why:` chain.
#[test]
fn lanes_and_why_chains() {
    let (page, _) = page_of(&files::default_dir().join("tour/01-handshake.ron"));
    let data = page_data(&page);
    let breaks = data["layout"]["breaks"].as_array().unwrap();
    let last = breaks.last().expect("TIME_WAIT's 120 s is a break");
    let idle_ns = last["to_ns"].as_u64().unwrap() - last["from_ns"].as_u64().unwrap();
    assert!(idle_ns > 100_000_000_000, "{last}");
    let data_packet = data["packets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "data")
        .expect("the client sends hello");
    let payload = &data_packet["layers"][3];
    assert_eq!(payload["name"], "Data (5 bytes)");
    assert_eq!(payload["fields"][0][1], "00 00 00 00 00");
    let client = &data["lanes"][0];
    let states: Vec<&str> = client["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[1].as_str().unwrap())
        .collect();
    assert_eq!(states[..2], ["SYN_SENT", "ESTABLISHED"], "{client}");
    assert!(states.contains(&"TIME_WAIT"), "{states:?}");
    let (page, _) = page_of(&files::default_dir().join("tour/03-timeout.ron"));
    let data = page_data(&page);
    let failed = data["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["result"] == "WSAETIMEDOUT")
        .expect("connect times out");
    let why = failed["why"].as_str().unwrap();
    assert!(why.contains("SYN sent at 0, 3 and 9 s"), "{why}");
}

#[test]
fn script_text_cannot_close_its_element() {
    assert_eq!(
        super::escape_script(r#"{"a":"</script><!--&"}"#),
        r#"{"a":"\u003c/script\u003e\u003c!--\u0026"}"#
    );
}

#[test]
fn placeholders_are_filled_once() {
    let filled = super::fill(
        "<t>{{TITLE}}</t><s>{{STYLE}}</s>{{OTHER}}",
        &[("TITLE", "a {{STYLE}} b"), ("STYLE", "css")],
    );
    assert_eq!(filled, "<t>a {{STYLE}} b</t><s>css</s>{{OTHER}}");
}
