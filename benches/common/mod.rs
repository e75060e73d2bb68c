//! Shared by the benches: a criterion measurement of the calling thread's CPU time.
//!
//! On Linux the time measured is the benchmark thread's CPU time, not wall-clock time, so
//! figures stay comparable on a shared machine where other processes take turns on the cores
//! (caches are still shared: a busy neighbour still slows memory-bound code somewhat).
//! Elsewhere it is wall-clock time.

#[cfg(target_os = "linux")]
mod cpu {
    //! A criterion measurement: CPU time of the calling thread, in nanoseconds.
    use criterion::measurement::{Measurement, ValueFormatter, WallTime};
    use rustix::time::{clock_gettime, ClockId};

    /// Thread CPU time (`CLOCK_THREAD_CPUTIME_ID`); formatted like wall-clock durations.
    pub struct ThreadCpu {
        wall: WallTime,
    }

    /// The measurement.
    pub fn meter() -> ThreadCpu {
        ThreadCpu { wall: WallTime }
    }

    fn now_ns() -> u64 {
        let t = clock_gettime(ClockId::ThreadCPUTime);
        u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
    }

    impl Measurement for ThreadCpu {
        type Intermediate = u64;
        type Value = u64;
        fn start(&self) -> u64 {
            now_ns()
        }
        fn end(&self, start: u64) -> u64 {
            now_ns().saturating_sub(start)
        }
        fn add(&self, a: &u64, b: &u64) -> u64 {
            a + b
        }
        fn zero(&self) -> u64 {
            0
        }
        fn to_f64(&self, v: &u64) -> f64 {
            *v as f64
        }
        fn formatter(&self) -> &dyn ValueFormatter {
            self.wall.formatter()
        }
    }
}

#[cfg(target_os = "linux")]
pub use cpu::{meter, ThreadCpu as Meter};

/// Wall-clock time where thread CPU time is not available.
#[cfg(not(target_os = "linux"))]
pub use criterion::measurement::WallTime as Meter;

/// The measurement.
#[cfg(not(target_os = "linux"))]
pub fn meter() -> Meter {
    Meter
}
