//! A running application per test, and a small HTTP client.

use mmm_server::app::Application;
use mmm_server::config::Config;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;

pub struct TestApp {
    pub base: String,
    pub port: u16,
    agent: ureq::Agent,
    _dir: Option<tempfile::TempDir>,
}

pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The error envelope's code (and checks the envelope's shape).
    pub fn error_code(&self) -> String {
        let body = self.json();
        let error = body.get("error").unwrap_or_else(|| panic!("no error envelope: {}", self.text));
        assert!(error["message"].is_string() && error["details"].is_array(), "{}", self.text);
        error["code"].as_str().unwrap().to_owned()
    }
}

pub enum Backend {
    Sqlite,
    Postgres,
}

impl TestApp {
    pub fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[])
    }

    pub fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let (database_url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                (dir.path().join("mmm.db").to_str().unwrap().to_owned(), Some(dir))
            }
            Backend::Postgres => (mmm_db::testing::fresh_postgres_database().unwrap(), None),
        };
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", database_url.as_str()),
            ("PORT", "0"),
            ("BCRYPT_COST", "4"),
            ("WORKERS", "2"),
            ("TRAINING_WORKERS", "2"),
            ("DB_POOL_SIZE", "4"),
            ("SECRET_KEY", "test-secret-test-secret-test-secret"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_vars(&vars).unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let app = Application::build(&config).unwrap();
                tx.send(app.port()).unwrap();
                app.run_until_stopped().await.unwrap();
            });
        });
        let port = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).build().into();
        TestApp { base: format!("http://127.0.0.1:{port}"), port, agent, _dir: dir }
    }

    fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut response = result.unwrap();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        Reply { status, headers, text }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::reply(req.call())
    }

    pub fn get_with_header(&self, path: &str, name: &str, value: &str) -> Reply {
        Self::reply(self.agent.get(format!("{}{path}", self.base)).header(name, value).call())
    }

    pub fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = self.agent.delete(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::reply(req.call())
    }

    pub fn head(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = self.agent.head(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::reply(req.call())
    }

    pub fn put(&self, path: &str) -> Reply {
        Self::reply(self.agent.put(format!("{}{path}", self.base)).send_empty())
    }

    pub fn post(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl AsRef<[u8]>,
    ) -> Reply {
        let mut req =
            self.agent.post(format!("{}{path}", self.base)).header("content-type", content_type);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::reply(req.send(body.as_ref()))
    }

    pub fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.post(path, token, "application/json", body.to_string())
    }

    pub fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let mut req = self
            .agent
            .patch(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::reply(req.send(body.to_string()))
    }

    pub fn login(&self, email: &str, password: &str) -> Reply {
        let body = format!("username={}&password={}", email.replace('@', "%40"), password);
        self.post("/api/v1/auth/login", None, "application/x-www-form-urlencoded", body)
    }

    /// Registers a user and returns its token.
    pub fn register(&self, email: &str) -> String {
        let r = self.post_json(
            "/api/v1/auth/register",
            None,
            &serde_json::json!({"email": email, "password": "correct horse", "full_name": "Test User"}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["access_token"].as_str().unwrap().to_owned()
    }

    /// Uploads a simulated data set as text/csv; returns its id.
    pub fn upload(&self, token: &str, periods: usize, channels: usize) -> String {
        self.upload_csv(token, "sim", simulated_csv(periods, channels))
    }

    /// Uploads `csv` as text/csv under `name`; returns its id.
    pub fn upload_csv(&self, token: &str, name: &str, csv: String) -> String {
        let r = self.post(&format!("/api/v1/datasets?name={name}"), Some(token), "text/csv", csv);
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// A model's current spend per period over all channels (the mean of the last quarter).
    pub fn current_total(&self, token: &str, model: &str) -> f64 {
        self.get(&format!("/api/v1/mmm/channels/summary?model_id={model}"), Some(token))
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["current_spend"].as_f64().unwrap())
            .sum()
    }

    /// Trains on a data set and waits for the job to end; returns (model id, job id, final job).
    pub fn train(&self, token: &str, dataset: &str) -> (String, String, Value) {
        self.train_with(token, &serde_json::json!({"dataset_id": dataset, "holdout": 8}))
    }

    /// Trains with the given request body and waits: (model id, job id, final job state).
    pub fn train_with(&self, token: &str, request: &Value) -> (String, String, Value) {
        let r = self.post_json("/api/v1/models", Some(token), request);
        assert_eq!(r.status, 202, "{}", r.text);
        let body = r.json();
        let model = body["model_id"].as_str().unwrap().to_owned();
        let job = body["job_id"].as_str().unwrap().to_owned();
        for _ in 0..1000 {
            let j = self.get(&format!("/api/v1/jobs/{job}"), Some(token)).json();
            if matches!(j["state"].as_str(), Some("succeeded" | "failed" | "cancelled")) {
                return (model, job, j);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("job {job} did not finish");
    }
}

/// Asserts that every point of a response curve past zero spend carries a 90% interval around
/// its response.
pub fn assert_banded(points: &Value) {
    for p in points.as_array().unwrap().iter().skip(1) {
        let (r, lo, hi) = (
            p["response"].as_f64().unwrap(),
            p["interval"][0].as_f64().unwrap(),
            p["interval"][1].as_f64().unwrap(),
        );
        assert!(lo <= r && r <= hi && lo < hi, "{p}");
    }
}

pub fn simulated_csv(periods: usize, channels: usize) -> String {
    use mmm_core::simulate::{SimConfig, simulate};
    simulate(&SimConfig { periods, channels, seed: 11, ..SimConfig::default() }).dataset.to_csv()
}

/// Declares `sqlite` and `postgres` variants of test bodies `fn(TestApp)`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite)); })+
        }
        mod postgres {
            $(#[test] fn $name() { super::$name($crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres)); })+
        }
    };
}
