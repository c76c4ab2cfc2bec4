//! An example of a crate that depends on simsock and tests its own
//! expectations about connect under failure. The tests in `tests/` use only
//! simsock's public API: `Sim`, the scenario builder, `Op` and `Outcome`.
