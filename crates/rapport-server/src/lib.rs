//! Rapport's HTTP server: the REST API, authentication and the background
//! worker, in one process.
//!
//! `build` assembles the application from a database and a config; `App::run`
//! serves it on a listener until the shutdown future resolves. Tests bind
//! port 0 and drive the same seam.

pub mod api;
pub mod auth;
pub mod documents;
pub mod error;
mod export;
pub mod json;
mod security;
mod serve;
pub mod state;
pub mod web;
mod worker;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use rapport_db::Ctx;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

pub use serve::ConnectionLimits;
pub use state::{AppState, ServerConfig};

/// The largest request body accepted (a bulk import of 1000 records).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The assembled application.
pub struct App {
    state: AppState,
    router: axum::Router,
    stop: tokio::sync::watch::Sender<bool>,
}

/// Builds the router and state. Creates the default pipeline on first start.
pub async fn build(ctx: Ctx, config: ServerConfig) -> rapport_db::Result<App> {
    rapport_db::pipelines::ensure_default(&ctx).await?;
    // A context set up before (a test with its own transport) keeps its own.
    ctx.install_mail(rapport_db::mail::MailSetup {
        transport: Some(Arc::new(rapport_channels::LettreTransport)),
        secret_key: config.secret_key.clone(),
        configured: config.smtp.clone(),
    });
    ctx.install_whatsapp(Arc::new(rapport_channels::CloudApiTransport));
    ctx.install_report_files(Arc::new(web::ReportFiles));
    let setup_token =
        if rapport_db::users::count(&ctx).await? == 0 { Some(uuid::Uuid::new_v4().simple().to_string()) } else { None };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let state = AppState {
        ctx,
        config: Arc::new(config),
        metrics: Arc::default(),
        setup_token: setup_token.map(Arc::from),
        stopping,
    };
    let router = axum::Router::new()
        .nest("/api/v1", api::router())
        .merge(api::health::router())
        .merge(api::docs::router())
        .merge(web::router())
        .fallback(api::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        // Pages, scripts and JSON travel compressed to clients that ask.
        .layer(CompressionLayer::new())
        // Enforced by the body extractors, so that a refusal is problem+json.
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Server errors are logged once, with their cause, by `AppError`.
        .layer(TraceLayer::new_for_http().on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)))
        .with_state(state.clone());
    Ok(App { state, router, stop })
}

async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.observe(response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

impl App {
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The one-time setup token, while no user exists.
    pub fn setup_token(&self) -> Option<String> {
        self.state.setup_token.as_deref().map(str::to_owned)
    }

    /// Serves until `shutdown` resolves; runs the worker unless disabled.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let worker = self
            .state
            .config
            .run_worker
            .then(|| tokio::spawn(worker::run(self.state.clone(), self.state.stopping.clone())));
        let stop = self.stop;
        let stop_first = stop.clone();
        let shutdown = async move {
            shutdown.await;
            // Streams and the worker stop first, then connections drain.
            let _ = stop_first.send(true);
        };
        let result = serve::serve(listener, self.router, self.state.config.connections, shutdown).await;
        let _ = stop.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        result
    }
}
