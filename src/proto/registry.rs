//! Which decoders speak which protocol: the one place a new protocol plugs into the driver.
//!
//! A protocol's module makes the decoders of both directions of a connection together, so that the state they
//! share (pending requests, the negotiated version) lives beside the decoder that owns it.

use super::contract::StreamDecoder;
use super::data::DataDecoder;
use super::recognise::Recogniser;
use super::tls::SharedKeyLog;
use super::{Protocol, http1, http2, mysql, postgres, tls, websocket};

/// Client-to-server and server-to-client decoders for `protocol` (`None`: recognise it from the first bytes) on
/// connection `conn`; TLS looks its secrets up in `keys`. `previous` is the protocol that switched to this one:
/// a protocol that asks for TLS in its own words (PostgreSQL's SSLRequest, MySQL's SSL request) is spoken inside
/// it, which the decrypted bytes alone may not tell (a MySQL login request has no signature).
pub(super) fn decoders(
    protocol: Option<Protocol>,
    previous: Option<Protocol>,
    conn: usize,
    keys: &SharedKeyLog,
) -> [Box<dyn StreamDecoder>; 2] {
    match protocol {
        None => [Box::new(Recogniser), Box::new(Recogniser)],
        Some(Protocol::Http) => http1::decoders(),
        Some(Protocol::WebSocket) => websocket::decoders(),
        Some(Protocol::Http2) => http2::decoders(),
        Some(Protocol::Tls) => {
            tls::decoders(keys, conn, previous.filter(|p| !matches!(p, Protocol::Data | Protocol::Tls)))
        }
        Some(Protocol::Postgres) => postgres::decoders(),
        Some(Protocol::MySql) => mysql::decoders(),
        Some(Protocol::Data) => [Box::new(DataDecoder), Box::new(DataDecoder)],
    }
}
