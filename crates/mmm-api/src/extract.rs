//! Request body and query extractors whose errors name the field at fault.
//!
//! actix-web's `Json` and `Query` report a value of the wrong type by its position only
//! ("invalid type: string \"abc\", expected f64 at line 1 column 16", or for a query just
//! "invalid float literal"). These read the same input and deserialise it through
//! `serde_path_to_error`, so the 422 says which field: `budget: invalid type: string "abc",
//! expected f64`, `constraints.min.tv: ...`, `budget: invalid float literal`.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use std::ops::Deref;

/// A JSON request body of type `T`. The body is read by actix-web's own JSON extractor (its
/// content type, size limit and syntax errors are unchanged) into a JSON value, then turned
/// into `T` with the path of any field that does not fit.
#[derive(Debug)]
pub struct Json<T>(pub T);

/// The query string as type `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Query<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// `invalid request: <field>: <reason>`, with `{"field", "reason"}` in the details; without the
/// field when the input as a whole is at fault (the path is then `.`).
fn field_error<E: std::fmt::Display>(e: &serde_path_to_error::Error<E>) -> ApiError {
    let path = e.path().to_string();
    let reason = e.inner().to_string();
    if path == "." {
        return ApiError::invalid(format!("invalid request: {reason}"));
    }
    ApiError::invalid(format!("invalid request: {path}: {reason}"))
        .with_details(vec![serde_json::json!({"field": path, "reason": reason})])
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = value.await?;
            serde_path_to_error::deserialize(value).map(Json).map_err(|e| field_error(&e).into())
        })
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parser = form_urlencoded::parse(req.query_string().as_bytes());
        let deserializer = serde_urlencoded::Deserializer::new(parser);
        ready(
            serde_path_to_error::deserialize(deserializer)
                .map(Query)
                .map_err(|e| field_error(&e).into()),
        )
    }
}
