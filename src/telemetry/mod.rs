//! Telemetry: log set-up ([`logging`]), the catalogue of operational events ([`events`]),
//! each of which writes its log line and updates its metrics together, the Prometheus
//! recorder and series catalogue ([`metrics`]), process health ([`health`]) and the HTTP
//! endpoint serving both ([`http`]).

pub mod events;
pub mod health;
pub mod http;
pub mod logging;
pub mod metrics;
