//! A fixed-window rate limiter for login attempts, keyed by client address and by email.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Allows `limit` attempts per key per `window`.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter of `limit` attempts per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit: limit.max(1), window, hits: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt for every key; `Err(seconds)` to wait if any key is over its limit.
    pub fn check(&self, keys: &[String]) -> Result<(), u64> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 10_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let mut wait = None;
        for key in keys {
            let entry = hits.entry(key.clone()).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
            if entry.1 > self.limit {
                let left = self.window.saturating_sub(now.duration_since(entry.0)).as_secs().max(1);
                wait = Some(wait.map_or(left, |w: u64| w.max(left)));
            }
        }
        match wait {
            Some(seconds) => Err(seconds),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_key_within_its_window() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let keys = ["ip:1".to_owned(), "email:a".to_owned()];
        for _ in 0..3 {
            assert!(limiter.check(&keys).is_ok());
        }
        let wait = limiter.check(&keys).unwrap_err();
        assert!((1..=60).contains(&wait));
        // Another address for the same email is still refused: the email is over its limit.
        assert!(limiter.check(&["ip:2".to_owned(), "email:a".to_owned()]).is_err());
        assert!(limiter.check(&["ip:3".to_owned(), "email:b".to_owned()]).is_ok());
        let short = RateLimiter::new(1, Duration::from_millis(20));
        assert!(short.check(&keys).is_ok());
        assert!(short.check(&keys).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(short.check(&keys).is_ok());
    }
}
