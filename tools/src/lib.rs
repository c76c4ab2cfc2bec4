//! # simsock-tools as a library
//!
//! The views of a run's trace that `simsock trace` writes (ladder, Mermaid,
//! JSON lines, pcapng, HTML page), for Rust code: from a scenario
//! ([`trace::capture()`]) or from an async run's outcome
//! ([`trace::OutcomeViews`], on `simsock_sim::async_net::Outcome`). The
//! `simsock` binary draws its views with these same functions.
//!
//! Crate order: this crate uses `simsock-sim`, which uses `simsock-model`;
//! the simulator never depends on its views.
//!
//! ```
//! use simsock_sim::async_net::{Sim, TcpStream};
//! use simsock_tools::trace::OutcomeViews;
//!
//! let mut sim = Sim::from_ron(r#"Scenario(
//!     name: "refused",
//!     hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]),
//!             Host(name: "server", addrs: ["10.0.0.2/24"])],
//!     links: [Link(between: ("client", "server"), latency: "1ms")],
//! )"#)
//! .unwrap();
//! sim.client("client", async {
//!     let refused = TcpStream::connect("server:80").await.unwrap_err();
//!     assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
//!     Ok::<_, std::io::Error>(())
//! });
//! let outcome = sim.run();
//! outcome.assert_passed();
//! let ladder = outcome.ladder(100).unwrap();
//! assert!(ladder.contains("RST"));
//! assert!(outcome.mermaid().starts_with("sequenceDiagram"));
//! assert!(outcome.json_lines().lines().count() > 10);
//! let pcap: Vec<u8> = outcome.pcapng(); // or outcome.write_pcapng(path)
//! assert_eq!(pcap[..4], [0x0a, 0x0d, 0x0d, 0x0a]); // a pcapng section
//! ```

/// How wide the views are (the terminal's, `COLUMNS`, else 100) and how
/// text is measured; the binary's other views use it too.
pub mod output {
    pub mod width;
}
pub mod trace;
