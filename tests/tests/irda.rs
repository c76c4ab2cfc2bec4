//! IrDA (CB-I1, CB-I2): connect.txt describes `sockaddr_irda`, device
//! enumeration and four IrDA-specific meanings of its codes. No simulated
//! host has an infrared stack, so an AF_IRDA socket cannot be created: it
//! fails with WSAEAFNOSUPPORT, as on a Windows machine without IrDA, and
//! the IrDA behaviours are out of the simulator's reach (README,
//! "The connect family").

use simsock_model::WsaError;
use simsock_model::builder::ScenarioBuilder;
use simsock_model::scenario::{Family, Kind, Outcome, Step};
use simsock_sim::scenario::{RunOptions, run};
use simsock_tests::assert_passed;

#[test]
fn an_irda_socket_is_not_supported_and_an_inet_one_is() {
    let irda = Step::Socket {
        name: "ir".into(),
        family: Family::Irda,
        kind: Kind::Stream,
        expect: Some(Outcome::Err(WsaError::WSAEAFNOSUPPORT)),
    };
    let scenario = ScenarioBuilder::new("irda")
        .host("a", &["10.0.0.1/24"])
        .thread(
            "a",
            "main",
            [irda, Step::new_socket("s").expect(Outcome::Ok)],
        )
        .build();
    let report = run(&scenario, &RunOptions::default());
    assert_passed(&report);
    let results: Vec<&str> = report.calls.iter().map(|c| c.result.as_str()).collect();
    assert_eq!(results, ["WSAEAFNOSUPPORT", "OK"]);
}
