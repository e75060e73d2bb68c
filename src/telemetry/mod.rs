//! Telemetry: log set-up ([`logging`]) and the catalogue of operational events ([`events`]),
//! each of which writes its log line and updates its metrics together.

pub mod events;
pub mod logging;
